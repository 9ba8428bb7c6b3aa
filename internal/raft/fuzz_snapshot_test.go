package raft

import (
	"slices"
	"testing"

	"github.com/gofka/gofka/internal/metadata"
)

// FuzzParseSnapshot checks parseSnapshot (a .checkpoint file read from
// disk or sent by the leader) never panics, and that what it accepts
// encodes to a file that parses to the same mark, voters and learners.
func FuzzParseSnapshot(f *testing.F) {
	voters := []Voter{{ID: 1, Listener: "CONTROLLER", Host: "h1", Port: 9001}, {ID: 3, Listener: "CONTROLLER", Host: "h3", Port: 9003}}
	for _, s := range []*snapshotFile{
		{mark: bootstrapMark, voters: voters},
		{mark: snapshotMark{index: 7, term: 2, endOffset: 12}, voters: voters,
			learners: []Voter{{ID: 2, Listener: "CONTROLLER", Host: "h2", Port: 9002}},
			records:  []metadata.Record{topic("a"), topic("b")}},
	} {
		data, err := s.encode(1700000000000)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseSnapshot(data)
		if err != nil {
			return
		}
		again, err := s.encode(1700000000000)
		if err != nil {
			return // records the encoder refuses
		}
		s2, err := parseSnapshot(again)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if s2.mark != s.mark || !slices.Equal(s2.voters, s.voters) || !slices.Equal(s2.learners, s.learners) ||
			len(s2.records) != len(s.records) {
			t.Fatalf("re-parse differs: %+v %v %v vs %+v %v %v", s.mark, s.voters, s.learners, s2.mark, s2.voters, s2.learners)
		}
	})
}
