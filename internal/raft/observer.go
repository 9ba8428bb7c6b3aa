package raft

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// ObserverConfig configures an Observer.
type ObserverConfig struct {
	NodeID    int32
	ClusterID string
	// DirectoryID is the metadata log dir's directory.id, sent with every
	// fetch (Kafka's observers name their replica directory).
	DirectoryID [16]byte
	// Controllers are where to fetch from at first (controller.quorum.voters
	// or controller.quorum.bootstrap.servers); the voters learned later are
	// tried too.
	Controllers []string
	SM          StateMachine
	// Fetch sends one fetch to a controller.
	Fetch    func(ctx context.Context, addr string, req *FetchRequest) (*FetchResponse, error)
	Interval time.Duration // between fetches that brought nothing; default 25ms
	Logger   *slog.Logger
}

// Observer follows the committed metadata log from the controllers
// without voting (KRaft's observer, a broker-only node): it fetches a
// snapshot, then committed entries, and applies them to its state machine.
// It fetches from the leader once it knows it, as Kafka's observers do, so
// the leader tracks it (DescribeQuorum lists it), and from the other
// controllers in turn while the leader does not answer. It keeps nothing
// on disk: a restarted observer starts from a snapshot.
type Observer struct {
	cfg    ObserverConfig
	status statusBox
	next   uint64 // owned by the run goroutine
	turn   int
	// leaderDown is when a fetch from the leader last failed.
	leaderDown time.Time
	quit       chan struct{}
	wg         sync.WaitGroup
	once       sync.Once
}

// StartObserver starts following the log.
func StartObserver(cfg ObserverConfig) *Observer {
	if cfg.Interval <= 0 {
		cfg.Interval = 25 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	o := &Observer{cfg: cfg, quit: make(chan struct{})}
	o.status.store(&Status{NodeID: cfg.NodeID, Leader: -1})
	o.wg.Add(1)
	go o.run()
	return o
}

func (o *Observer) run() {
	defer o.wg.Done()
	for {
		select {
		case <-o.quit:
			return
		default:
		}
		progressed, err := o.fetchOnce()
		if err != nil {
			o.cfg.Logger.Debug("metadata fetch", "err", err)
		}
		if progressed {
			continue
		}
		select {
		case <-o.quit:
			return
		case <-time.After(o.cfg.Interval):
		}
	}
}

// fetchOnce fetches from one controller, in turn, and applies what came.
func (o *Observer) fetchOnce() (bool, error) {
	addrs := o.addrs()
	addr := addrs[o.turn%len(addrs)]
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := o.cfg.Fetch(ctx, addr, &FetchRequest{ClusterID: o.cfg.ClusterID, NodeID: o.cfg.NodeID,
		NextIndex: o.next, MaxBytes: 1 << 20, DirectoryID: o.cfg.DirectoryID})
	if err == nil && resp.ErrorCode != 0 {
		err = fmt.Errorf("raft: fetch from %s: error code %d", addr, resp.ErrorCode)
	}
	if err != nil {
		if l, ok := o.leaderAddr(); ok && l == addr {
			o.leaderDown = time.Now()
		}
		o.turn++
		return false, err
	}
	progressed, err := o.apply(resp)
	o.publish(resp)
	l, known := o.leaderAddr()
	switch {
	case resp.LeaderID < 0:
		o.turn++
	case known && addr != l && time.Since(o.leaderDown) >= leaderRetry:
		o.turn = 0 // back to the leader (addrs puts it first)
	}
	return progressed, err
}

// leaderRetry is how long an observer whose fetch from the leader failed
// fetches from the other controllers before trying the leader again.
const leaderRetry = 10 * time.Second

// leaderAddr is the address of the leader, when known among the voters.
func (o *Observer) leaderAddr() (string, bool) {
	s := o.status.load()
	for _, v := range s.Voters {
		if v.ID == s.Leader {
			return v.Addr(), true
		}
	}
	return "", false
}

// addrs are the controllers to try: the leader, the other voters known,
// then the seeds.
func (o *Observer) addrs() []string {
	s := o.status.load()
	var out []string
	if l, ok := o.leaderAddr(); ok {
		out = append(out, l)
	}
	for _, v := range s.Voters {
		if v.ID != s.Leader {
			out = append(out, v.Addr())
		}
	}
	return append(out, o.cfg.Controllers...)
}

func (o *Observer) apply(resp *FetchResponse) (bool, error) {
	progressed := false
	if resp.Snapshot != nil && resp.SnapshotIndex >= o.next {
		s, err := parseSnapshot(resp.Snapshot)
		if err != nil {
			return false, err
		}
		if err := o.cfg.SM.Restore(s.mark.endOffset-1, s.records); err != nil {
			return false, fmt.Errorf("raft: observer: restore snapshot: %w", err)
		}
		o.next, progressed = resp.SnapshotIndex+1, true
	}
	for _, e := range resp.Entries {
		if e.Index != o.next {
			continue
		}
		if len(e.Batch) > 0 {
			recs, err := decodeRecords(e.Batch)
			if err == nil {
				err = o.cfg.SM.Apply(e.LastOffset, recs)
			}
			if err != nil {
				return progressed, fmt.Errorf("raft: observer: apply entry %d: %w", e.Index, err)
			}
		}
		o.next, progressed = e.Index+1, true
	}
	return progressed, nil
}

func (o *Observer) publish(resp *FetchResponse) {
	s := *o.status.load()
	s.Leader, s.Commit, s.Applied, s.LastIndex = resp.LeaderID, resp.Commit, o.next-1, o.next-1
	if len(resp.Voters) > 0 {
		s.Voters = resp.Voters
	}
	o.status.store(&s)
}

// Status returns what the observer knows of the quorum.
func (o *Observer) Status() *Status { return o.status.load() }

// WaitLeader waits until the observer knows the leader and has applied
// everything the controller it asked had committed then.
func (o *Observer) WaitLeader(ctx context.Context) error {
	for {
		changed := o.status.changed()
		if s := o.Status(); s.Leader >= 0 && s.Applied >= s.Commit && s.Applied > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("raft: observer: no controller answered: %w", ctx.Err())
		case <-o.quit:
			return errObserverStopped
		case <-changed:
		}
	}
}

var errObserverStopped = errors.New("raft: observer stopped")

// Close stops the observer.
func (o *Observer) Close() error {
	o.once.Do(func() {
		close(o.quit)
		o.wg.Wait()
	})
	return nil
}
