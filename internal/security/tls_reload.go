package security

import (
	"crypto/tls"
	"fmt"
	"os"
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
	mu       sync.Mutex // one reload at a time; guards settings and stamps
	settings TLSSettings
	stamps   []fileStamp
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

// fileStamp identifies one version of a store file.
type fileStamp struct {
	path    string
	modTime time.Time
	size    int64
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
	err := r.reloadLocked(stamps)
	if r.onReload != nil {
		r.onReload(err)
	}
}

// Update uses new settings (a dynamic change of the listener's ssl.*
// configs): the stores are loaded first, and on failure the current
// configuration stays. Open connections keep theirs.
func (r *storeReloader) Update(s TLSSettings) error {
	cfg, err := r.build(s)
	if err != nil {
		return fmt.Errorf("security: new TLS stores: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.settings = s
	r.stamps = statFiles(s)
	r.cur.Store(cfg)
	return nil
}

// Check reports whether settings s load, without using them.
func (r *storeReloader) Check(s TLSSettings) error {
	_, err := r.build(s)
	return err
}

// Reload loads the stores again now, whatever the files' stamps.
func (r *storeReloader) Reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reloadLocked(statFiles(r.settings))
}

func (r *storeReloader) reloadLocked(stamps []fileStamp) error {
	cfg, err := r.build(r.settings)
	if err != nil {
		return fmt.Errorf("security: reload TLS stores: %w", err)
	}
	r.cur.Store(cfg)
	r.stamps = stamps
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
		fs.modTime, fs.size = fi.ModTime(), fi.Size()
	}
	return fs
}

func stampsEqual(a, b []fileStamp) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].path != b[i].path || !a[i].modTime.Equal(b[i].modTime) || a[i].size != b[i].size {
			return false
		}
	}
	return true
}
