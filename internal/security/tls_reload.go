package security

import (
	"crypto/tls"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultReloadCheck is how often, at most, a handshake checks whether the
// key or trust store files changed.
const DefaultReloadCheck = time.Second

// storeReloader holds a TLS configuration built from TLS settings, and
// builds it again when a store file changes on disk (checked when the
// configuration is asked for, at most once per check interval) or when
// Update gives new settings (a dynamic config). A build that fails keeps
// the previous configuration. Server listeners (ServerTLS) and a node's
// own clients of other nodes (ClientTLS) reload alike.
type storeReloader struct {
	build    func(TLSSettings) (*tls.Config, error)
	onReload func(error) // told of each file-triggered reload (nil error on success)

	cur      atomic.Pointer[tls.Config]
	timer    reloadTimer
	mu       sync.Mutex // one reload at a time; guards settings, stamps and handshakes
	settings TLSSettings
	stamps   []fileStamp
	// handshakes, when set, also checks a dynamic change (Update, Check)
	// by TLS handshakes between the new stores and the current ones
	// (tls_handshake.go).
	handshakes func(cur, next *tls.Config) error
}

// reloadTimer spaces the checks of files: due reports, to one caller at a
// time, that the check interval passed since the last check.
type reloadTimer struct {
	every time.Duration // negative: never
	next  atomic.Int64  // unix nanos
}

// start sets the interval (0 means DefaultReloadCheck) and starts the
// first one.
func (t *reloadTimer) start(every time.Duration) {
	if every == 0 {
		every = DefaultReloadCheck
	}
	t.every = every
	t.next.Store(time.Now().Add(every).UnixNano())
}

func (t *reloadTimer) due() bool {
	if t.every < 0 {
		return false
	}
	now := time.Now()
	next := t.next.Load()
	return now.UnixNano() >= next && t.next.CompareAndSwap(next, now.Add(t.every).UnixNano())
}

// fileStamp identifies one version of a store file: its path, and the
// file there (a file renamed over it is another file even when its
// modification time, which file systems keep coarsely, and size match).
type fileStamp struct {
	path string
	info os.FileInfo // nil when it cannot be read
}

// same reports whether a and b are the same version of one file.
func (a fileStamp) same(b fileStamp) bool {
	if a.path != b.path || (a.info == nil) != (b.info == nil) {
		return false
	}
	return a.info == nil || (os.SameFile(a.info, b.info) && a.info.ModTime().Equal(b.info.ModTime()) && a.info.Size() == b.info.Size())
}

// newStoreReloader builds the configuration of s. check is the reload
// check interval (0 means DefaultReloadCheck, negative never reloads);
// onReload, when not nil, is called after each file-triggered reload.
func newStoreReloader(s TLSSettings, check time.Duration, onReload func(error),
	build func(TLSSettings) (*tls.Config, error)) (*storeReloader, error) {
	r := &storeReloader{build: build, onReload: onReload, settings: s}
	r.stamps = statFiles(s)
	cfg, err := build(s)
	if err != nil {
		return nil, err
	}
	r.cur.Store(cfg)
	r.timer.start(check)
	return r, nil
}

// current reloads the stores when their files changed, then returns the
// configuration to use.
func (r *storeReloader) current() *tls.Config {
	r.maybeReload()
	return r.cur.Load()
}

// maybeReload reloads the stores when the check interval passed and a
// file's modification time or size changed.
func (r *storeReloader) maybeReload() {
	if !r.timer.due() {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	stamps := statFiles(r.settings)
	if stampsEqual(stamps, r.stamps) {
		return
	}
	err := r.reloadLocked()
	r.stamps = stamps // a version that failed is told of once, not at every check
	if r.onReload != nil {
		r.onReload(err)
	}
}

// Update uses new settings (a dynamic change of the listener's ssl.*
// configs): the stores are loaded and checked against the current ones
// (tls_compat.go) first, and on failure the current configuration stays.
// Open connections keep theirs.
func (r *storeReloader) Update(s TLSSettings) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cfg, err := r.nextLocked(s)
	if err != nil {
		return err
	}
	r.useLocked(s, cfg)
	return nil
}

// Reset uses new settings without checking them against the current
// stores: the dynamic configs a node finds at start are part of its
// initial configuration, as Kafka applies them before building its
// stores.
func (r *storeReloader) Reset(s TLSSettings) error {
	cfg, err := r.build(s)
	if err != nil {
		return fmt.Errorf("security: new TLS stores: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.useLocked(s, cfg)
	return nil
}

// Check reports whether Update would take settings s, without using
// them.
func (r *storeReloader) Check(s TLSSettings) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, err := r.nextLocked(s)
	return err
}

// nextLocked loads the stores of s and checks them against the current
// ones.
func (r *storeReloader) nextLocked(s TLSSettings) (*tls.Config, error) {
	cfg, err := r.build(s)
	if err != nil {
		return nil, fmt.Errorf("security: new TLS stores: %w", err)
	}
	if err := compatible(r.settings, s, r.cur.Load(), cfg); err != nil {
		return nil, err
	}
	if r.handshakes != nil {
		if err := r.handshakes(r.cur.Load(), cfg); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

func (r *storeReloader) useLocked(s TLSSettings, cfg *tls.Config) {
	r.settings = s
	r.stamps = statFiles(s)
	r.cur.Store(cfg)
}

// reloadLocked loads the stores again from their files; stores that do
// not load, or may not replace the current ones (tls_compat.go), leave
// the current configuration in use.
func (r *storeReloader) reloadLocked() error {
	cfg, err := r.build(r.settings)
	if err == nil {
		err = compatible(r.settings, r.settings, r.cur.Load(), cfg)
	}
	if err != nil {
		return fmt.Errorf("security: reload TLS stores: %w", err)
	}
	r.cur.Store(cfg)
	return nil
}

// statFiles stamps the store files of s.
func statFiles(s TLSSettings) []fileStamp {
	var out []fileStamp
	for _, p := range []string{s.KeystoreLocation, s.TruststoreLocation} {
		if p != "" {
			out = append(out, statFile(p))
		}
	}
	return out
}

func statFile(path string) fileStamp {
	fs := fileStamp{path: path}
	if fi, err := os.Stat(path); err == nil {
		fs.info = fi
	}
	return fs
}

func stampsEqual(a, b []fileStamp) bool {
	return slices.EqualFunc(a, b, fileStamp.same)
}
