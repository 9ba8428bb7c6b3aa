package faults

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Addr is the node's client address: its proxy, which it advertises.
func (n *Node) Addr() string { return n.proxy.Addr() }

// ControllerAddr is the node's controller address in the voters: its
// proxy.
func (n *Node) ControllerAddr() string { return n.ctrlProxy.Addr() }

// Dir is the node's directory: data/ and server.log.
func (n *Node) Dir() string { return n.dir }

// Logs returns what the process wrote so far.
func (n *Node) Logs() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "server.log"))
	return string(b)
}

// LogTails is the last n lines of every node's log, for a failed round.
func (c *Cluster) LogTails(n int) string {
	var b strings.Builder
	for _, node := range c.nodes {
		lines := strings.Split(strings.TrimRight(node.Logs(), "\n"), "\n")
		fmt.Fprintf(&b, "node %d (last %d lines of its log):\n%s\n", node.ID, n, strings.Join(lines[max(0, len(lines)-n):], "\n"))
	}
	return b.String()
}

// Up reports whether the process runs (paused or not).
func (n *Node) Up() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.cmd != nil
}

// Paused reports whether the process is stopped by SIGSTOP.
func (n *Node) Paused() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.paused
}

// launch starts `gofka server` unless it runs already.
func (n *Node) launch(binary string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		return nil
	}
	logs, err := os.OpenFile(filepath.Join(n.dir, "server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("faults: node %d: %w", n.ID, err)
	}
	if st, err := logs.Stat(); err == nil {
		n.logStart = st.Size()
	}
	cmd := exec.Command(binary, append([]string{"server"}, n.flagsLocked()...)...)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		logs.Close()
		return fmt.Errorf("faults: start node %d: %w", n.ID, err)
	}
	n.cmd, n.logs, n.paused = cmd, logs, false
	return nil
}

// errPortTaken means a listener port the node was to bind was taken.
var errPortTaken = errors.New("a listener port was taken")

// waitReady waits until the node's client listener accepts; errPortTaken
// when the process could not bind it.
func (n *Node) waitReady() error {
	for deadline := time.Now().Add(readyTimeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if !n.Up() {
			break
		}
		n.mu.Lock()
		addr, since := n.addr, n.logStart
		if addr == "" {
			addr = n.ctrlAddr // a controller only
		}
		n.mu.Unlock()
		logs := n.Logs()
		logs = logs[min(since, int64(len(logs))):]
		if strings.Contains(logs, "bind: address already in use") {
			return fmt.Errorf("faults: node %d: %w:\n%s", n.ID, errPortTaken, logs)
		}
		if !servingLogged(logs, addr) {
			continue // whatever answers on addr, it is not this process yet
		}
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
	}
	return fmt.Errorf("faults: node %d did not start:\n%s", n.ID, n.Logs())
}

// servingLogged reports whether logs hold the line of a listener on addr
// being served ("serving listener", "serving the controller listener").
func servingLogged(logs, addr string) bool {
	for _, line := range strings.Split(logs, "\n") {
		if strings.Contains(line, `msg="serving`) && strings.Contains(line, "addr="+addr) {
			return true
		}
	}
	return false
}

// end sends sig (SIGKILL or SIGTERM) to a running process, continues it
// if paused, and waits for it to exit.
func (n *Node) end(sig syscall.Signal) error {
	n.mu.Lock()
	cmd, logs, paused := n.cmd, n.logs, n.paused
	n.cmd, n.logs, n.paused = nil, nil, false
	n.mu.Unlock()
	if cmd == nil {
		return nil
	}
	_ = cmd.Process.Signal(sig)
	if paused {
		_ = cmd.Process.Signal(syscall.SIGCONT)
	}
	err := cmd.Wait()
	logs.Close()
	return err
}

// signal sends SIGSTOP or SIGCONT to a running process.
func (n *Node) signal(sig syscall.Signal, paused bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd != nil {
		_ = n.cmd.Process.Signal(sig)
		n.paused = paused
	}
}
