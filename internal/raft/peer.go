package raft

import (
	"context"
	"slices"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"go.etcd.io/raft/v3/tracker"
)

type trackerProgress = tracker.Progress

// peer sends one voter's messages on a goroutine of its own, so a slow or
// dead peer never stalls the raft loop: when its queue is full, messages
// are dropped and raft retries them.
type peer struct {
	id    int32
	n     *Node
	queue chan raftpb.Message
	quit  chan struct{}
	done  chan struct{}
}

func (n *Node) peer(id int32) *peer {
	if p, ok := n.peers[id]; ok {
		return p
	}
	p := &peer{id: id, n: n, queue: make(chan raftpb.Message, 256), quit: make(chan struct{}), done: make(chan struct{})}
	n.peers[id] = p
	go p.run()
	return p
}

func (p *peer) enqueue(m raftpb.Message) {
	select {
	case p.queue <- m:
	default:
		p.n.reportUnreachable(p.id)
	}
}

func (p *peer) run() {
	defer close(p.done)
	for {
		var msgs []raftpb.Message
		select {
		case <-p.quit:
			return
		case m := <-p.queue:
			msgs = append(msgs, m)
		}
		for len(msgs) < 64 && len(p.queue) > 0 {
			msgs = append(msgs, <-p.queue)
		}
		p.send(msgs)
	}
}

func (p *peer) send(msgs []raftpb.Message) {
	to, ok := p.n.voter(p.id)
	var err error = errUnknownPeer
	if ok && p.n.cfg.Send != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = p.n.cfg.Send(ctx, to, msgs)
		cancel()
	}
	if err != nil {
		p.n.reportUnreachable(p.id)
		p.n.cfg.Logger.Debug("raft send failed", "to", p.id, "err", err)
	}
	if slices.ContainsFunc(msgs, func(m raftpb.Message) bool { return m.Type == raftpb.MsgSnap }) {
		status := raft.SnapshotFinish
		if err != nil {
			status = raft.SnapshotFailure
		}
		_ = p.n.do(context.Background(), func(c *core) { c.rn.ReportSnapshot(raftID(p.id), status) })
	}
}

func (p *peer) stop() {
	close(p.quit)
	<-p.done
}

// voter returns the endpoint of voter (or learner) id from the published
// status, or from the static voters.
func (n *Node) voter(id int32) (Voter, bool) {
	s := n.Status()
	for _, vs := range [][]Voter{s.Voters, s.Learners, n.cfg.Voters} {
		for _, v := range vs {
			if v.ID == id {
				return v, true
			}
		}
	}
	return Voter{}, false
}

func (n *Node) reportUnreachable(id int32) {
	select {
	case n.inbox <- func(c *core) { c.rn.ReportUnreachable(raftID(id)) }:
	default:
	}
}
