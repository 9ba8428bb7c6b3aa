package cleaner

import (
	"math"

	"github.com/gofka/gofka/internal/storage"
)

// Policy is the compaction part of a topic's configuration.
type Policy struct {
	MinCleanableDirtyRatio float64 // min.cleanable.dirty.ratio
	MinCompactionLagMs     int64   // min.compaction.lag.ms
	MaxCompactionLagMs     int64   // max.compaction.lag.ms
	DeleteRetentionMs      int64   // delete.retention.ms
	SegmentBytes           int64   // segment.bytes: the largest cleaned group
	SegmentIndexBytes      int64   // segment.index.bytes: the largest group index
}

// plan is the cleanable range of one log, Kafka's LogToClean.
type plan struct {
	segs             []storage.SegmentInfo // every segment; the last is active
	firstDirty       int64
	firstUncleanable int64
	cleanBytes       int64
	dirtyBytes       int64
	needNow          bool  // max.compaction.lag.ms passed
	leo              int64 // log end offset when planned
}

func (p *plan) ratio() float64 {
	if p.cleanBytes+p.dirtyBytes == 0 {
		return 0
	}
	return float64(p.dirtyBytes) / float64(p.cleanBytes+p.dirtyBytes)
}

// eligible reports whether the log should be cleaned now.
func (p *plan) eligible(pol Policy) bool {
	return p.dirtyBytes > 0 && (p.needNow || p.ratio() >= pol.MinCleanableDirtyRatio)
}

// newPlan computes the cleanable range of a log at nowMs, as Kafka's
// cleanableOffsets: the checkpoint, clamped to the log, up to the active
// segment and the first segment inside min.compaction.lag.ms.
func newPlan(l *storage.Log, pol Policy, nowMs, stable int64) *plan {
	leo := l.LogEndOffset()
	p := &plan{segs: l.Segments(), leo: leo}
	start := l.LogStartOffset()
	p.firstDirty = l.CleanerCheckpoint()
	if p.firstDirty < start || p.firstDirty > leo {
		p.firstDirty = start
	}
	p.firstUncleanable = min(p.segs[len(p.segs)-1].Base, stable)
	for _, s := range p.segs[:len(p.segs)-1] {
		if s.Next > p.firstDirty && pol.MinCompactionLagMs > 0 && s.MaxTs > nowMs-pol.MinCompactionLagMs {
			p.firstUncleanable = min(p.firstUncleanable, s.Base)
		}
	}
	p.firstUncleanable = max(p.firstUncleanable, p.firstDirty)
	for _, s := range p.segs[:len(p.segs)-1] {
		switch {
		case s.Next <= p.firstDirty:
			p.cleanBytes += s.Size
		case s.Base < p.firstUncleanable && s.Next > p.firstDirty && p.firstDirty < p.firstUncleanable:
			p.dirtyBytes += s.Size
			if first := s.FirstTs; !p.needNow && first >= 0 && pol.MaxCompactionLagMs > 0 &&
				pol.MaxCompactionLagMs < math.MaxInt64 && nowMs-first > pol.MaxCompactionLagMs {
				p.needNow = true
			}
		}
	}
	return p
}

// groups splits the closed segments overlapping [0, end) into groups
// that fit one segment (segment.bytes, segment.index.bytes, relative
// offsets in 32 bits), as Kafka's groupSegmentsBySize.
func groups(segs []storage.SegmentInfo, end int64, pol Policy) [][]storage.SegmentInfo {
	var cands []storage.SegmentInfo
	for _, s := range segs[:len(segs)-1] {
		if s.Base < end {
			cands = append(cands, s)
		}
	}
	var out [][]storage.SegmentInfo
	for len(cands) > 0 {
		g := cands[:1]
		size, idx := cands[0].Size, cands[0].IndexBytes
		for len(g) < len(cands) {
			n := cands[len(g)]
			if size+n.Size > pol.SegmentBytes || idx+n.IndexBytes > pol.SegmentIndexBytes ||
				n.Next-1-g[0].Base > math.MaxInt32 {
				break
			}
			size, idx = size+n.Size, idx+n.IndexBytes
			g = cands[:len(g)+1]
		}
		out = append(out, g)
		cands = cands[len(g):]
	}
	return out
}
