package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine describes where the benchmark ran.
type machine struct {
	CPUs     int
	CPUModel string
	MemTotal string // e.g. "23.5 GiB"
	Kernel   string
	Go       string
	LoadAvg  string // 1, 5 and 15 minute load averages at the start
	Commit   string // git HEAD of the measured tree, if known
}

func readMachine() machine {
	return machine{
		CPUs:     runtime.NumCPU(),
		CPUModel: procField("/proc/cpuinfo", "model name"),
		MemTotal: memTotal(),
		Kernel:   firstLine("/proc/sys/kernel/osrelease"),
		Go:       goVersion(),
		LoadAvg:  loadAvg(),
		Commit:   gitCommit(),
	}
}

// writeLine describes the machine as a list item of the report's Method,
// with the load average at the start and loadEnd at the end.
func (m machine) writeLine(b *strings.Builder, loadEnd string) {
	fmt.Fprintf(b, "- Machine: %d CPUs (%s), %s memory, Linux %s, %s. Load average (1, 5, 15 min) at the\n",
		m.CPUs, m.CPUModel, m.MemTotal, m.Kernel, m.Go)
	fmt.Fprintf(b, "  start %s, at the end %s: the machine is shared with other builds, so every number is noisy.\n", m.LoadAvg, loadEnd)
}

// procField returns the value of the first "name: value" line in path.
func procField(path, name string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func firstLine(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown unknown unknown"
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line)
}

// goVersion is the toolchain that built the targets (`go version`).
func goVersion() string {
	out, err := exec.Command("go", "env", "GOVERSION").Output()
	if err != nil {
		return runtime.Version()
	}
	return strings.TrimSpace(string(out))
}

// memTotal is MemTotal from /proc/meminfo in GiB.
func memTotal() string {
	kb, err := strconv.ParseFloat(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"), 64)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%.1f GiB", kb/(1<<20))
}

// gitCommit is the short HEAD commit, with "-dirty" when tracked files
// have uncommitted changes.
func gitCommit() string {
	out, err := exec.Command("git", "describe", "--always", "--dirty").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}

// loadAvg is the 1, 5 and 15 minute load averages.
func loadAvg() string {
	return strings.Join(strings.Fields(firstLine("/proc/loadavg"))[:3:3], " ")
}
