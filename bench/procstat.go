package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// errProcFormat means a /proc file did not look as expected.
var errProcFormat = errors.New("bench: unexpected /proc format")

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat.
// It is 100 on every Linux architecture Go supports.
const clockTicks = 100

// memStatus is the memory lines of /proc/PID/status, in bytes.
type memStatus struct {
	HWM int64 // VmHWM: peak resident set size
	RSS int64 // VmRSS: current resident set size
}

// readMem reads VmHWM and VmRSS of a process.
func readMem(pid int) (memStatus, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memStatus{}, fmt.Errorf("bench: %w", err)
	}
	return parseStatus(b)
}

// parseStatus extracts VmHWM and VmRSS ("VmRSS:   1234 kB") from a
// /proc/PID/status file.
func parseStatus(b []byte) (memStatus, error) {
	var m memStatus
	var found int
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || (name != "VmHWM" && name != "VmRSS") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return m, fmt.Errorf("%w: %s: %v", errProcFormat, name, err)
		}
		if name == "VmHWM" {
			m.HWM = kb << 10
		} else {
			m.RSS = kb << 10
		}
		found++
	}
	if found != 2 {
		return m, fmt.Errorf("%w: no VmHWM/VmRSS", errProcFormat)
	}
	return m, nil
}

// cpuTime is a process's CPU time in user space and in the kernel.
type cpuTime struct{ User, Sys time.Duration }

func (c cpuTime) Total() time.Duration { return c.User + c.Sys }

// readCPU returns the CPU time a process has used.
func readCPU(pid int) (cpuTime, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return cpuTime{}, fmt.Errorf("bench: %w", err)
	}
	return parseStat(b)
}

// parseStat returns utime and stime (fields 14 and 15) of a
// /proc/PID/stat line. The command name (field 2) may hold spaces and
// parentheses, so fields are counted from the last ')'.
func parseStat(b []byte) (cpuTime, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return cpuTime{}, fmt.Errorf("%w: stat has no ')'", errProcFormat)
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3 (state)
	if len(f) < 13 {
		return cpuTime{}, fmt.Errorf("%w: stat has %d fields", errProcFormat, len(f)+2)
	}
	var ticks [2]int64
	for j, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return cpuTime{}, fmt.Errorf("%w: stat: %v", errProcFormat, err)
		}
		ticks[j] = n
	}
	return cpuTime{User: time.Duration(ticks[0]) * time.Second / clockTicks, Sys: time.Duration(ticks[1]) * time.Second / clockTicks}, nil
}

// sampler polls a process's memory until stopped and keeps the peak, in
// case the process's own VmHWM cannot be read at the end.
type sampler struct {
	pid  int
	quit chan struct{}
	done chan struct{}
	mu   struct {
		sync.Mutex
		peak   memStatus
		window int64 // highest VmRSS since resetPeak
	}
}

// startSampler starts polling pid every interval.
func startSampler(pid int, interval time.Duration) *sampler {
	s := &sampler{pid: pid, quit: make(chan struct{}), done: make(chan struct{})}
	go s.run(interval)
	return s
}

func (s *sampler) run(interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.sample()
		select {
		case <-s.quit:
			return
		case <-t.C:
		}
	}
}

func (s *sampler) sample() {
	m, err := readMem(s.pid)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mu.peak.HWM = max(s.mu.peak.HWM, m.HWM, m.RSS)
	s.mu.peak.RSS = max(s.mu.peak.RSS, m.RSS)
	s.mu.window = max(s.mu.window, m.RSS)
}

// resetPeak takes a sample and returns the highest VmRSS since the last
// reset (or the start), and starts a new window.
func (s *sampler) resetPeak() int64 {
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	rss := s.mu.window
	s.mu.window = 0
	return rss
}

// stop takes a last sample, stops polling and returns the peak VmHWM and
// the highest VmRSS seen.
func (s *sampler) stop() memStatus {
	s.sample()
	close(s.quit)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mu.peak
}

// contextSwitches sums the voluntary and involuntary context switches of
// every thread of a process (0 if it cannot be read): how often its
// threads went to sleep or were preempted.
func contextSwitches(pid int) int64 {
	return sumThreads(pid, "status", func(b []byte) int64 {
		var n int64
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			name, rest, _ := strings.Cut(sc.Text(), ":")
			if name == "voluntary_ctxt_switches" || name == "nonvoluntary_ctxt_switches" {
				v, _ := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
				n += v
			}
		}
		return n
	})
}

// runQueueWait sums how long every thread of a process waited on a run
// queue for a CPU (the second field of /proc/PID/task/*/schedstat), 0 if
// it cannot be read. Over a phase it shows how much of the client-seen
// latency a 2-CPU machine shared with other work can explain.
func runQueueWait(pid int) time.Duration {
	return time.Duration(sumThreads(pid, "schedstat", func(b []byte) int64 {
		fields := strings.Fields(string(b))
		if len(fields) < 2 {
			return 0
		}
		v, _ := strconv.ParseInt(fields[1], 10, 64)
		return v
	}))
}

// sumThreads sums f over /proc/PID/task/*/file, one per thread of the
// process; threads that end meanwhile are skipped, and a pid <= 0 is 0.
func sumThreads(pid int, file string, f func([]byte) int64) int64 {
	if pid <= 0 {
		return 0
	}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/%s", pid, file))
	var sum int64
	for _, t := range tasks {
		if b, err := os.ReadFile(t); err == nil {
			sum += f(b)
		}
	}
	return sum
}
