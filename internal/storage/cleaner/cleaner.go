package cleaner

import (
	"bufio"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofka/gofka/internal/record"
	"github.com/gofka/gofka/internal/storage"
	"github.com/gofka/gofka/internal/storage/checkpoint"
)

// Config configures a Cleaner with the broker's log.cleaner.* settings.
// Zero values mean Kafka's defaults.
type Config struct {
	Threads          int           // log.cleaner.threads (1)
	DedupeBufferSize int64         // log.cleaner.dedupe.buffer.size (128 MiB), split over the threads
	IOBufferSize     int           // log.cleaner.io.buffer.size (512 KiB): read buffer and write flush size
	LoadFactor       float64       // log.cleaner.io.buffer.load.factor (0.9)
	MaxIOBytesPerSec float64       // log.cleaner.io.max.bytes.per.second (unlimited)
	Backoff          time.Duration // log.cleaner.backoff.ms (15 s)
	Logger           *slog.Logger
	Now              func() time.Time
}

func (c *Config) setDefaults() {
	if c.Threads <= 0 {
		c.Threads = 1
	}
	if c.DedupeBufferSize <= 0 {
		c.DedupeBufferSize = 128 << 20
	}
	if c.IOBufferSize <= 0 {
		c.IOBufferSize = 512 << 10
	}
	if c.LoadFactor <= 0 || c.LoadFactor > 1 {
		c.LoadFactor = 0.9
	}
	if c.Backoff <= 0 {
		c.Backoff = 15 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Source is what the cleaner cleans: the logs, the compaction policy of
// each (ok false when its cleanup.policy has no "compact") and the writer
// of cleaner-offset-checkpoint (storage.Manager.CheckpointCleaner).
type Source struct {
	Logs       func() []*storage.Log
	Policy     func(*storage.Log) (Policy, bool)
	Checkpoint func() error
	// StableOffset, if set, is the log's last stable offset: cleaning
	// stops before the first offset of an undecided transaction.
	StableOffset func(*storage.Log) int64
}

// Cleaner runs cleaning threads over a Source. Each thread owns its
// OffsetMap and buffers; a log is cleaned by one thread at a time.
type Cleaner struct {
	cfg  Config
	src  Source
	quit chan struct{}
	wg   sync.WaitGroup
	kick chan struct{}

	mu struct {
		sync.Mutex
		busy     map[checkpoint.TopicPartition]*atomic.Bool // set: abort the pass
		paused   map[checkpoint.TopicPartition]int
		horizons map[checkpoint.TopicPartition]int64 // latest delete horizon per log
		open     map[checkpoint.TopicPartition]openTxn
		done     *sync.Cond // busy changed
		last     Stats
		passes   int
	}
}

// New returns a Cleaner; Start launches its threads.
func New(cfg Config, src Source) *Cleaner {
	cfg.setDefaults()
	c := &Cleaner{cfg: cfg, src: src, quit: make(chan struct{}), kick: make(chan struct{}, 1)}
	c.mu.busy = map[checkpoint.TopicPartition]*atomic.Bool{}
	c.mu.paused = map[checkpoint.TopicPartition]int{}
	c.mu.horizons = map[checkpoint.TopicPartition]int64{}
	c.mu.open = map[checkpoint.TopicPartition]openTxn{}
	c.mu.done = sync.NewCond(&c.mu.Mutex)
	return c
}

// openTxn is the first open transaction a pass found, valid while the
// log end offset stays at leo (when no StableOffset is known).
type openTxn struct{ first, leo int64 }

// worker is one thread's memory: the offset map and the I/O buffers.
type worker struct {
	m       *OffsetMap // sized per pass by sizeMap; nil between large passes
	budget  int64      // the thread's share of log.cleaner.dedupe.buffer.size
	load    float64
	rd      *bufio.Reader
	th      *throttler
	in, out []byte
	ioBuf   int
	scratch []byte
	keep    []bool
	builder record.Builder
}

func (c *Cleaner) newWorker() *worker {
	return &worker{
		budget: c.cfg.DedupeBufferSize / int64(c.cfg.Threads),
		load:   c.cfg.LoadFactor,
		rd:     newReader(c.cfg.IOBufferSize),
		th:     newThrottler(c.cfg.MaxIOBytesPerSec, c.quit, c.cfg.Now),
		ioBuf:  c.cfg.IOBufferSize,
	}
}

// Start launches the cleaning threads; Close stops them.
func (c *Cleaner) Start() {
	for range c.cfg.Threads {
		c.wg.Add(1)
		go c.loop()
	}
}

// Close stops the threads, abandoning a pass in progress (its .cleaned
// files are removed), and waits for them.
func (c *Cleaner) Close() {
	select {
	case <-c.quit:
	default:
		close(c.quit)
	}
	c.wg.Wait()
}

// Kick wakes a waiting thread to look for work now.
func (c *Cleaner) Kick() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *Cleaner) loop() {
	defer c.wg.Done()
	w := c.newWorker()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
		case <-c.kick:
		}
		for {
			cleaned, err := c.cleanOnce(w)
			if err != nil && !errors.Is(err, errStopped) && !errors.Is(err, errAborted) && !errors.Is(err, storage.ErrClosed) {
				c.cfg.Logger.Warn("cleaner: pass failed", "err", err)
			}
			if !cleaned || c.stopped() {
				break
			}
		}
		t.Reset(c.cfg.Backoff)
	}
}

func (c *Cleaner) stopped() bool {
	select {
	case <-c.quit:
		return true
	default:
		return false
	}
}

// CleanOnce cleans the filthiest eligible log with a worker of its own
// (tests and tools); cleaned is false when no log needed it.
func (c *Cleaner) CleanOnce() (cleaned bool, st Stats, err error) {
	w := c.newWorker()
	cleaned, err = c.cleanOnce(w)
	c.mu.Lock()
	st = c.mu.last
	c.mu.Unlock()
	return cleaned, st, err
}

// LastStats are the stats of the latest finished pass; Passes counts them.
func (c *Cleaner) LastStats() (Stats, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.last, c.mu.passes
}
