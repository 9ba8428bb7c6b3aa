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
// It keeps nothing on disk: a restarted observer starts from a snapshot.
type Observer struct {
	cfg    ObserverConfig
	status statusBox
	next   uint64 // owned by the run goroutine
	turn   int
	quit   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once
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
		NextIndex: o.next, MaxBytes: 1 << 20})
	if err == nil && resp.ErrorCode != 0 {
		err = fmt.Errorf("raft: fetch from %s: error code %d", addr, resp.ErrorCode)
	}
	if err != nil {
		o.turn++
		return false, err
	}
	if resp.LeaderID < 0 {
		o.turn++
	}
	progressed, err := o.apply(resp)
	o.publish(resp)
	return progressed, err
}

// addrs are the controllers to try: the voters known, then the seeds.
func (o *Observer) addrs() []string {
	var out []string
	for _, v := range o.status.load().Voters {
		out = append(out, v.Addr())
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
