package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofka/gofka/internal/broker"
	"github.com/gofka/gofka/internal/metadata"
	"github.com/gofka/gofka/internal/raft"
	"github.com/gofka/gofka/internal/security"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

func runGofka(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := rootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestFormat(t *testing.T) {
	id, err := runGofka(t, "format", "random-uuid")
	if err != nil {
		t.Fatal(err)
	}
	id = strings.TrimSpace(id)
	if _, err := checkpoint.ParseUUID(id); err != nil {
		t.Fatalf("random-uuid printed %q: %v", id, err)
	}
	dir := t.TempDir()
	sets := []string{"--set", "log.dirs=" + dir, "--set", "node.id=2",
		"--set", "listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:19093",
		"--set", "controller.listener.names=CONTROLLER"}
	if _, err := runGofka(t, append([]string{"format", "-t", id, "--standalone"}, sets...)...); err != nil {
		t.Fatal(err)
	}
	mp, err := checkpoint.ReadMetaProperties(filepath.Join(dir, "meta.properties"))
	if err != nil || mp.ClusterID != id || mp.NodeID != 2 {
		t.Fatalf("meta.properties: %+v, %v", mp, err)
	}
	snap := filepath.Join(dir, "__cluster_metadata-0", "00000000000000000000-0000000001.checkpoint")
	if _, err := os.Stat(snap); err != nil {
		t.Fatalf("bootstrap snapshot: %v", err)
	}
	for _, bad := range [][]string{
		append([]string{"format", "-t", id}, sets...),                                  // formatted already
		append([]string{"format", "-t", checkpoint.NewUUID().String(), "-g"}, sets...), // another cluster
		append([]string{"format"}, sets...),                                            // no cluster id
		append([]string{"format", "-t", "not-a-uuid"}, sets...),
	} {
		if _, err := runGofka(t, bad...); err == nil {
			t.Errorf("gofka %v succeeded", bad)
		}
	}
	if _, err := runGofka(t, append([]string{"format", "-t", id, "-g"}, sets...)...); err != nil {
		t.Fatalf("--ignore-formatted: %v", err)
	}
}

// A node of a multi-node quorum refuses an unformatted dir, naming gofka format.
func TestServerRefusesUnformattedQuorumDir(t *testing.T) {
	cfg, err := loadServerConfig("", []string{"log.dirs=" + t.TempDir(), "node.id=1",
		"listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:0", "controller.listener.names=CONTROLLER",
		"controller.quorum.voters=1@127.0.0.1:19094,2@127.0.0.1:19095,3@127.0.0.1:19096"})
	if err != nil {
		t.Fatal(err)
	}
	err = runServer(context.Background(), cfg, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "gofka format") {
		t.Fatalf("got %v, want a message naming gofka format", err)
	}
}

// gofka format --add-scram writes the credential into the bootstrap
// records; a bad value is refused without quoting the password.
func TestFormatAddScram(t *testing.T) {
	dir := t.TempDir()
	sets := []string{"--set", "log.dirs=" + dir, "--set", "node.id=1"}
	id := checkpoint.NewUUID().String()
	if _, err := runGofka(t, append([]string{"format", "-t", id, "--add-scram", "SCRAM-SHA-256=[name=node,password=node-secret]",
		"-S", "SCRAM-SHA-512=[name=admin,password=admin-secret,iterations=8192]"}, sets...)...); err != nil {
		t.Fatal(err)
	}
	recs, err := raft.ReadBootstrapRecords(dir)
	if err != nil || len(recs) != 2 {
		t.Fatalf("bootstrap records %v, %v", recs, err)
	}
	r := recs[1].(*metadata.UserScramCredentialRecord)
	if r.Name != "admin" || r.Mechanism != security.ScramSHA512 || r.Iterations != 8192 || len(r.Salt) == 0 || len(r.StoredKey) != 64 {
		t.Errorf("record %+v", r)
	}
	for _, bad := range []string{"SCRAM-SHA-1=[name=a,password=a-secret]", "SCRAM-SHA-256=[name=a]",
		"SCRAM-SHA-256=[name=a,password=a-secret,iterations=10]", "SCRAM-SHA-256=name=a,password=a-secret"} {
		out, err := runGofka(t, append([]string{"format", "-t", id, "-g", "-S", bad}, sets...)...)
		if err == nil {
			t.Errorf("--add-scram %q accepted", bad)
		} else if strings.Contains(err.Error()+out, "a-secret") {
			t.Errorf("--add-scram %q: the error quotes the password: %v", bad, err)
		}
	}
}

// The first voters carry their metadata dirs' directory ids (KIP-853's
// voter keys): --standalone takes this node's, and --initial-controllers
// gives this node's dir the id it names for it.
func TestFormatVoterDirectoryIDs(t *testing.T) {
	id := checkpoint.NewUUID().String()
	for _, standalone := range []bool{true, false} {
		dir := t.TempDir()
		cfg, err := loadServerConfig("", []string{"log.dirs=" + dir, "node.id=2",
			"listeners=PLAINTEXT://127.0.0.1:0,CONTROLLER://127.0.0.1:19093", "controller.listener.names=CONTROLLER"})
		if err != nil {
			t.Fatal(err)
		}
		if err := broker.Format(cfg, id, false); err != nil {
			t.Fatal(err)
		}
		mine, other := checkpoint.NewUUID(), checkpoint.NewUUID()
		initial := ""
		if !standalone {
			initial = "2@127.0.0.1:19093:" + mine.String() + ",3@127.0.0.1:19094:" + other.String()
		}
		voters, err := formatVoters(cfg, standalone, initial)
		if err != nil {
			t.Fatal(err)
		}
		mp, err := checkpoint.ReadMetaProperties(filepath.Join(dir, "meta.properties"))
		if err != nil {
			t.Fatal(err)
		}
		if standalone {
			if len(voters) != 1 || voters[0].DirectoryID != [16]byte(mp.DirectoryID) || mp.DirectoryID == checkpoint.ZeroUUID {
				t.Fatalf("--standalone: voters %+v, dir id %v", voters, mp.DirectoryID)
			}
			continue
		}
		if len(voters) != 2 || voters[0].DirectoryID != [16]byte(mine) || voters[1].DirectoryID != [16]byte(other) ||
			mp.DirectoryID != mine {
			t.Fatalf("--initial-controllers: voters %+v, dir id %v, want %v", voters, mp.DirectoryID, mine)
		}
	}
}
