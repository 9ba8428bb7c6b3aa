package security

// PLAIN users from a file (gofka.sasl.plain.users.file), Gofka's stand-in
// for Kafka's file-backed PLAIN server callback handlers: a Java
// properties file of user_<name>=<password> lines, as the PlainLoginModule
// options read. The file is read again, at most every check interval,
// when its modification time or size changes; a file that no longer reads
// keeps the previous users.

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofka/gofka/internal/javaprops"
)

// UsersFile is a PLAIN user table read from a file.
type UsersFile struct {
	path     string
	onReload func(error)

	users atomic.Pointer[map[string]string]
	timer reloadTimer
	mu    sync.Mutex // one reload at a time; guards stamp
	stamp fileStamp
}

// NewUsersFile reads path; check is the reload check interval (0 means
// DefaultReloadCheck, negative never reloads) and onReload, when not nil,
// is told of each reload attempt. Errors never quote the file's content.
func NewUsersFile(path string, check time.Duration, onReload func(error)) (*UsersFile, error) {
	f := &UsersFile{path: path, onReload: onReload}
	f.stamp = statFile(path)
	users, err := readUsers(path)
	if err != nil {
		return nil, err
	}
	f.users.Store(&users)
	f.timer.start(check)
	return f, nil
}

// Users returns the current table, reloading it first when due.
func (f *UsersFile) Users() map[string]string {
	f.maybeReload()
	return *f.users.Load()
}

func (f *UsersFile) maybeReload() {
	if !f.timer.due() {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	stamp := statFile(f.path)
	if stamp.same(f.stamp) {
		return
	}
	users, err := readUsers(f.path)
	if err == nil {
		f.users.Store(&users)
		f.stamp = stamp
	}
	if f.onReload != nil {
		f.onReload(err)
	}
}

// readUsers reads the user_<name>=<password> lines of a properties file;
// other keys are an error, so a typo does not silently drop a user.
func readUsers(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("security: PLAIN users file: %w", err)
	}
	props, err := javaprops.Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("security: PLAIN users file %s: malformed properties", path)
	}
	users := map[string]string{}
	for k, v := range props {
		name, ok := strings.CutPrefix(k, "user_")
		if !ok || name == "" {
			return nil, fmt.Errorf("security: PLAIN users file %s: key %q is not user_<name>", path, k)
		}
		users[name] = v
	}
	return users, nil
}
