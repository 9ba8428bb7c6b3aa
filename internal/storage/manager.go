package storage

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// ManagerConfig configures a Manager. Zero intervals mean Kafka's defaults
// (log.retention.check.interval.ms 5 minutes, the checkpoint intervals 60
// seconds) and a 1-second flush check; negative intervals disable the task.
type ManagerConfig struct {
	Dirs                          []string
	RetentionCheckInterval        time.Duration
	RecoveryCheckpointInterval    time.Duration
	StartOffsetCheckpointInterval time.Duration
	FlushCheckInterval            time.Duration
	Logger                        *slog.Logger
	Now                           func() time.Time
	// OnDirOffline, if set, is called when a log dir goes offline
	// (MarkDirOffline, or an I/O error found by the Manager) with the
	// partitions that went offline with it.
	OnDirOffline func(dir string, tps []checkpoint.TopicPartition)
	// BrokerEpoch, if set, gives the broker epoch Close records in the
	// clean shutdown markers (KIP-966); without it they hold NoBrokerEpoch.
	BrokerEpoch func() int64
	// RecoveryThreadsPerDir is num.recovery.threads.per.data.dir: how many
	// partitions of one log dir OpenManager opens (and recovers) at once;
	// zero means Kafka's default, 2.
	RecoveryThreadsPerDir int
}

func (c *ManagerConfig) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.RetentionCheckInterval, 5*time.Minute)
	def(&c.RecoveryCheckpointInterval, time.Minute)
	def(&c.StartOffsetCheckpointInterval, time.Minute)
	def(&c.FlushCheckInterval, time.Second)
	if c.RecoveryThreadsPerDir <= 0 {
		c.RecoveryThreadsPerDir = 2
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Manager owns the log directories and every Log in them.
type Manager struct {
	cfg    ManagerConfig
	cfgFor func(checkpoint.TopicPartition) Config
	locks  []*os.File

	mu struct {
		sync.RWMutex
		logs   map[checkpoint.TopicPartition]*Log
		dirOf  map[checkpoint.TopicPartition]string
		closed bool
		// offline dirs failed (MarkDirOffline); moving partitions are
		// between dirs (MoveLog). See manager_dirs.go.
		offline map[string]bool
		moving  map[checkpoint.TopicPartition]bool
	}
	// prevEpoch is the broker epoch of the clean shutdown markers found at
	// open: NoBrokerEpoch when a dir had none (an unclean shutdown) or the
	// dirs disagree.
	prevEpoch int64
	ckptMu    sync.Mutex // one checkpoint writer at a time
	faults    faultSlot  // the FaultHook of tests (faults.go)
	retired   deleter    // segment files of logs moved away, closed after file.delete.delay.ms
	quit      chan struct{}
	wg        sync.WaitGroup
}

// OpenManager locks each log dir, reads its checkpoints, consumes its clean
// shutdown marker and opens every partition directory in it with
// cfgFor(tp) as the Config, then starts the background retention,
// checkpoint and flush goroutines that Close stops.
func OpenManager(c ManagerConfig, cfgFor func(checkpoint.TopicPartition) Config) (*Manager, error) {
	if len(c.Dirs) == 0 {
		return nil, fmt.Errorf("storage: no log dirs")
	}
	c.setDefaults()
	m := &Manager{cfg: c, cfgFor: cfgFor, quit: make(chan struct{}), prevEpoch: math.MinInt64}
	m.mu.logs = map[checkpoint.TopicPartition]*Log{}
	m.mu.dirOf = map[checkpoint.TopicPartition]string{}
	m.mu.offline = map[string]bool{}
	m.mu.moving = map[checkpoint.TopicPartition]bool{}
	m.retired.init()
	for _, dir := range c.Dirs {
		f, err := lockDir(dir)
		if err != nil {
			m.abort()
			return nil, err
		}
		m.locks = append(m.locks, f)
	}
	for _, dir := range c.Dirs {
		if err := m.loadDir(dir); err != nil {
			m.abort()
			return nil, err
		}
	}
	if m.prevEpoch == math.MinInt64 {
		m.prevEpoch = checkpoint.NoBrokerEpoch
	}
	m.start()
	return m, nil
}

// PreviousBrokerEpoch is the broker epoch the clean shutdown markers held
// when the logs were opened, NoBrokerEpoch after an unclean shutdown: the
// broker's registration tells the controller (KIP-966).
func (m *Manager) PreviousBrokerEpoch() int64 { return m.prevEpoch }

func (m *Manager) shutdownEpoch() int64 {
	if m.cfg.BrokerEpoch == nil {
		return checkpoint.NoBrokerEpoch
	}
	return m.cfg.BrokerEpoch()
}

// abort closes what OpenManager opened before failing.
func (m *Manager) abort() {
	for _, l := range m.mu.logs {
		l.close(false)
	}
	for _, f := range m.locks {
		unlockDir(f)
	}
}

// dirCheckpoints are the offsets read from one log dir's checkpoint files.
type dirCheckpoints struct {
	recovery, start, hw, cleaner map[checkpoint.TopicPartition]int64
}

func readDirCheckpoints(dir string) (dirCheckpoints, error) {
	var d dirCheckpoints
	var err error
	for _, f := range []struct {
		name string
		m    *map[checkpoint.TopicPartition]int64
	}{
		{checkpoint.RecoveryPointCheckpointFile, &d.recovery},
		{checkpoint.LogStartOffsetCheckpointFile, &d.start},
		{checkpoint.ReplicationCheckpointFile, &d.hw},
		{checkpoint.CleanerCheckpointFile, &d.cleaner},
	} {
		if *f.m, err = checkpoint.ReadOffsets(filepath.Join(dir, f.name)); err != nil {
			return d, fmt.Errorf("storage: %w", err)
		}
	}
	return d, nil
}

// loadDir opens every partition in one log dir.
func (m *Manager) loadDir(dir string) error {
	epoch, _, err := checkpoint.ReadCleanShutdown(dir)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	if m.prevEpoch != math.MinInt64 && m.prevEpoch != epoch {
		epoch = checkpoint.NoBrokerEpoch
	}
	m.prevEpoch = epoch
	clean, err := checkpoint.ConsumeCleanShutdown(dir)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	ck, err := readDirCheckpoints(dir)
	if err != nil {
		return err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("storage: read log dir: %w", err)
	}
	var tps []checkpoint.TopicPartition
	for _, e := range ents {
		if tp, ok := m.partitionDir(dir, e); ok {
			tps = append(tps, tp)
		}
	}
	return m.openLogs(dir, tps, ck, clean)
}

// openLogs opens the partitions of one log dir, RecoveryThreadsPerDir at a
// time, as Kafka's LogManager.loadLogs does: after a crash each recovers
// its segments from its recovery point, and most of that time is fsync.
// The logs are registered in order once all are open.
func (m *Manager) openLogs(dir string, tps []checkpoint.TopicPartition, ck dirCheckpoints, clean bool) error {
	logs := make([]*Log, len(tps))
	errs := make([]error, len(tps))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(m.cfg.RecoveryThreadsPerDir, len(tps)) {
		wg.Go(func() {
			for i := range next {
				logs[i], errs[i] = m.openLog(dir, tps[i], ck, clean)
			}
		})
	}
	for i, tp := range tps {
		if other, dup := m.mu.dirOf[tp]; dup {
			// A move finished its copy but not the source's deletion: both
			// are whole, identical copies; keep the first.
			m.cfg.Logger.Warn("storage: removing second copy of a moved partition", "partition", tp.String(), "kept", other, "removed", dir)
			removeDir(filepath.Join(dir, tp.String()), tp)
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	for i, l := range logs {
		if l != nil {
			m.registerLocked(tps[i], l, dir)
		}
	}
	return errors.Join(errs...)
}

// partitionDir classifies a log dir entry: partition directories are
// opened, directories of interrupted deletions removed, the rest skipped.
func (m *Manager) partitionDir(dir string, e os.DirEntry) (checkpoint.TopicPartition, bool) {
	name := e.Name()
	if !e.IsDir() {
		return checkpoint.TopicPartition{}, false
	}
	if strings.HasSuffix(name, deleteDirSuffix) {
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			m.cfg.Logger.Warn("storage: removing deleted partition dir", "dir", name, "err", err)
		}
		return checkpoint.TopicPartition{}, false
	}
	if strings.HasSuffix(name, futureSuffix) { // a move a crash interrupted
		if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
			m.cfg.Logger.Warn("storage: removing unfinished move", "dir", name, "err", err)
		}
		return checkpoint.TopicPartition{}, false
	}
	if strings.HasPrefix(name, "__cluster_metadata-") || strings.HasSuffix(name, "-stray") {
		return checkpoint.TopicPartition{}, false
	}
	tp, err := checkpoint.ParseDirName(name)
	if err != nil {
		m.cfg.Logger.Warn("storage: skipping unknown dir", "dir", name, "err", err)
		return tp, false
	}
	return tp, true
}

// openLog opens one partition's log with its checkpointed offsets.
func (m *Manager) openLog(dir string, tp checkpoint.TopicPartition, ck dirCheckpoints, clean bool) (*Log, error) {
	l, err := Open(filepath.Join(dir, tp.String()), tp, Options{
		Config:         m.cfgFor(tp),
		RecoveryPoint:  ck.recovery[tp],
		LogStartOffset: ck.start[tp],
		HighWatermark:  ck.hw[tp],
		Clean:          clean,
		Now:            m.cfg.Now,
		Logger:         m.cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	l.SetCleanerCheckpoint(ck.cleaner[tp])
	return l, nil
}

// Get returns the log of tp, or nil.
func (m *Manager) Get(tp checkpoint.TopicPartition) *Log {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.mu.logs[tp]
}

// DirOf returns the log dir holding tp, or "".
func (m *Manager) DirOf(tp checkpoint.TopicPartition) string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.mu.dirOf[tp]
}

// Logs returns every log, ordered by topic and partition.
func (m *Manager) Logs() []*Log {
	m.mu.RLock()
	ls := make([]*Log, 0, len(m.mu.logs))
	for _, l := range m.mu.logs {
		ls = append(ls, l)
	}
	m.mu.RUnlock()
	sort.Slice(ls, func(i, j int) bool {
		a, b := ls[i].tp, ls[j].tp
		return a.Topic < b.Topic || a.Topic == b.Topic && a.Partition < b.Partition
	})
	return ls
}

// GetOrCreate returns the log of tp, creating it in the log dir with the
// fewest partitions. A new log gets partition.metadata with topicID; an
// existing one must match it (unless either is zero).
func (m *Manager) GetOrCreate(tp checkpoint.TopicPartition, topicID checkpoint.UUID, c Config) (*Log, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.mu.closed {
		return nil, ErrClosed
	}
	if m.mu.moving[tp] {
		return nil, ErrMoving
	}
	if l := m.mu.logs[tp]; l != nil {
		if topicID != (checkpoint.UUID{}) && l.topicID != (checkpoint.UUID{}) && l.topicID != topicID {
			return nil, fmt.Errorf("%w: %s has %x, asked for %x", ErrTopicIDMismatch, tp, l.topicID, topicID)
		}
		return l, nil
	}
	dir := m.leastLoadedDirLocked()
	if dir == "" {
		return nil, ErrDirOffline
	}
	l, err := Open(filepath.Join(dir, tp.String()), tp, Options{
		Config: c, TopicID: topicID, Now: m.cfg.Now, Logger: m.cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	m.registerLocked(tp, l, dir)
	return l, nil
}

// leastLoadedDirLocked picks the dir with the fewest partitions (the first
// such in configuration order), as Kafka's nextLogDirs does.
func (m *Manager) leastLoadedDirLocked() string {
	count := map[string]int{}
	for _, d := range m.mu.dirOf {
		count[d]++
	}
	best := ""
	for _, d := range m.cfg.Dirs {
		if !m.mu.offline[d] && (best == "" || count[d] < count[best]) {
			best = d
		}
	}
	return best
}

// Delete closes tp's log and removes its directory. An unknown partition
// is not an error.
func (m *Manager) Delete(tp checkpoint.TopicPartition) error {
	m.mu.Lock()
	l := m.mu.logs[tp]
	delete(m.mu.logs, tp)
	delete(m.mu.dirOf, tp)
	m.mu.Unlock()
	if l == nil {
		return nil
	}
	return l.Delete()
}

// Close stops the background work, flushes and closes every log, writes
// the checkpoints and (when all went well) the clean shutdown markers, and
// unlocks the dirs.
func (m *Manager) Close() error {
	m.mu.Lock()
	if m.mu.closed {
		m.mu.Unlock()
		return nil
	}
	m.mu.closed = true
	m.mu.Unlock()
	close(m.quit)
	m.wg.Wait()
	var errs []error
	for _, l := range m.Logs() {
		errs = append(errs, l.Close())
	}
	m.retired.flush()
	errs = append(errs, m.Checkpoint())
	if errors.Join(errs...) == nil {
		for _, d := range m.cfg.Dirs {
			if !m.mu.offline[d] {
				errs = append(errs, checkpoint.WriteCleanShutdownEpoch(d, m.shutdownEpoch()))
			}
		}
	}
	for _, f := range m.locks {
		errs = append(errs, unlockDir(f))
	}
	return errors.Join(errs...)
}
