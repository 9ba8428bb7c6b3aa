package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// errNotReady means a target process did not accept connections in time.
var errNotReady = errors.New("bench: server did not start listening")

// errBadFlag means a command-line flag could not be parsed.
var errBadFlag = errors.New("bench: bad flag")

// target is one broker implementation under test, run as its own process.
type target struct {
	Name    string
	Note    string // how it is configured, for the report
	pkgDir  string // directory to build, relative to the module root
	module  string // module whose version the report names, if any
	Version string // set by build from module
	binary  string // set by build
	argsFor func(addr, dataDir string) []string
	// observe, when set, returns the flags that turn on the HTTP metrics
	// listener (and pprof when asked); the runner then reads heap
	// allocation counts and, with -profile, CPU and heap profiles.
	observe func(metricsAddr string, pprof bool) []string
}

func gofkaTarget() target {
	return target{
		Name:   "Gofka",
		Note:   "`gofka server`, defaults except `log.dirs` and `listeners`",
		pkgDir: "cmd/gofka",
		argsFor: func(addr, dataDir string) []string {
			return []string{"server", "--set", "log.dirs=" + dataDir, "--set", "listeners=PLAINTEXT://" + addr}
		},
		observe: func(metricsAddr string, pprof bool) []string {
			return []string{"--set", "gofka.metrics.listen=" + metricsAddr, "--set", fmt.Sprintf("gofka.pprof.enable=%t", pprof)}
		},
	}
}

func kfakeTarget() target {
	return target{
		Name:   "kfake",
		Note:   "franz-go `kfake` (bench/kfakepeer), 1 broker, `kfake.DataDir` on",
		pkgDir: "bench/kfakepeer",
		module: "github.com/twmb/franz-go/pkg/kfake",
		argsFor: func(addr, dataDir string) []string {
			_, port, _ := net.SplitHostPort(addr)
			return []string{"-port", port, "-data-dir", dataDir}
		},
	}
}

// peerTarget parses a -peer flag, name=binary[,arg...], where the args may
// hold {addr}, {port} and {dir}: the listen address, its port and the
// fresh data dir of each start.
func peerTarget(spec string) (target, error) {
	name, rest, ok := strings.Cut(spec, "=")
	parts := strings.Split(rest, ",")
	if !ok || name == "" || parts[0] == "" {
		return target{}, fmt.Errorf("%w: -peer %q: want name=binary[,arg...]", errBadFlag, spec)
	}
	bin, err := filepath.Abs(parts[0])
	if err != nil {
		return target{}, fmt.Errorf("bench: -peer %s: %w", name, err)
	}
	args := parts[1:]
	return target{
		Name:   name,
		Note:   fmt.Sprintf("`%s %s` (from -peer)", filepath.Base(bin), strings.Join(args, " ")),
		binary: bin,
		argsFor: func(addr, dataDir string) []string {
			_, port, _ := net.SplitHostPort(addr)
			r := strings.NewReplacer("{addr}", addr, "{port}", port, "{dir}", dataDir)
			out := make([]string, len(args))
			for i, a := range args {
				out[i] = r.Replace(a)
			}
			return out
		},
	}, nil
}

// build compiles the target into binDir as `make build` builds Gofka, a
// static binary (CGO_ENABLED=0, -trimpath): what users run, and without
// libc mapped it idles at about 1.3 MiB less RSS. A -peer target is
// already built.
func (t *target) build(ctx context.Context, root, binDir string) error {
	if t.pkgDir == "" {
		return nil
	}
	dir := filepath.Join(root, t.pkgDir)
	t.binary = filepath.Join(binDir, filepath.Base(t.pkgDir))
	cmd := exec.CommandContext(ctx, "go", "build", "-C", dir, "-trimpath", "-o", t.binary, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("bench: build %s: %w\n%s", t.pkgDir, err, out)
	}
	if t.module != "" {
		out, err := exec.CommandContext(ctx, "go", "list", "-C", dir, "-m", "-f", "{{.Version}}", t.module).Output()
		if err != nil {
			return fmt.Errorf("bench: version of %s: %w", t.module, err)
		}
		t.Version = strings.TrimSpace(string(out))
	}
	return nil
}

// server is a running target process.
type server struct {
	Addr        string
	MetricsAddr string // "" when the target has no metrics listener
	DataDir     string
	started     time.Time // just before exec
	cmd         *exec.Cmd
	logPath     string
}

// start runs the target on a free loopback port with a fresh data dir
// under tmp and waits until it accepts connections.
func (t target) start(tmp string, st settings) (*server, error) {
	s, err := t.exec(tmp, st)
	if err != nil {
		return nil, err
	}
	if err := waitListening(s.Addr, 30*time.Second); err != nil {
		s.kill()
		return nil, fmt.Errorf("%w\n%s", err, s.logTail())
	}
	return s, nil
}

// exec starts the target's process on a free loopback port with a fresh
// data dir, without waiting for it.
func (t target) exec(tmp string, st settings) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tmp, strings.ToLower(t.Name)+"-data")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	s := &server{Addr: addr, DataDir: filepath.Join(dir, "data"), logPath: filepath.Join(dir, "server.log")}
	logs, err := os.Create(s.logPath)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer logs.Close()
	args := t.argsFor(addr, s.DataDir)
	if t.observe != nil && st.Observe {
		if s.MetricsAddr, err = freeAddr(); err != nil {
			return nil, err
		}
		args = append(args, t.observe(s.MetricsAddr, st.ProfileDir != "")...)
	}
	s.cmd = exec.Command(t.binary, args...)
	s.cmd.Stdout, s.cmd.Stderr = logs, logs
	s.started = time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("bench: start %s: %w", t.Name, err)
	}
	return s, nil
}

// Pid is the server's process id.
func (s *server) Pid() int { return s.cmd.Process.Pid }

// stop sends SIGTERM and waits for the process to exit; if it has not
// exited after a grace period it is killed. It returns how it ended.
func (s *server) stop() string {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return "SIGTERM: " + err.Error()
		}
		return "clean exit on SIGTERM"
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
		return "killed: no exit within 30s of SIGTERM"
	}
}

func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

// remove deletes the server's data dir and log.
func (s *server) remove() { _ = os.RemoveAll(filepath.Dir(s.DataDir)) }

// logTail returns the end of the server's log, for error messages.
func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(bytes.TrimSpace(b))
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("bench: free port: %w", err)
	}
	defer ln.Close()
	return "127.0.0.1:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), nil
}

// waitListening polls until addr accepts a TCP connection.
func waitListening(addr string, limit time.Duration) error {
	return pollListening(addr, limit, 20*time.Millisecond)
}

// pollListening tries to connect to addr every interval until it answers.
func pollListening(addr string, limit, every time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(every)
	}
	return fmt.Errorf("%w: %s", errNotReady, addr)
}

// moduleRoot is the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("bench: run inside the gofka module: %v", err)
	}
	return filepath.Dir(gomod), nil
}
