package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// warmSpare is the memory warmMemory leaves untouched for the servers,
// the runner and the kernel.
const warmSpare = 3 << 30

// warmMemory touches up to n bytes of fresh anonymous memory, every 4 KiB
// page of it written, and unmaps it, and returns how many bytes it touched.
// The kernel writes the pages itself where it can (populate): the same
// pages written, without a page fault per page, which on this virtual
// machine cost about 17 us each (8 GiB in 35 s one write per page, in 3-10
// s populated).
//
// Why: on a virtual machine a guest page the host has not backed yet (or
// took back) costs a trip to the host on its first write, and the page
// cache a broker writes into is made of such pages. Measured here: 6
// files written at 0.4 GB/s and 2.8 s of CPU per GB on fresh pages,
// 1.2 to 3 GB/s and 0.35 to 0.9 s/GB on pages freed a moment before.
// Which target meets which kind depends on what the previous one freed,
// and the produce numbers swung by 2x with it. Touching and freeing the
// same amount right before every target's config gives each the same
// pool of recently used free pages, as on a host whose page cache has
// long been recycling memory.
//
// The pool does not keep: the guest hands free memory back to the host
// (free page reporting, reportedKiB; up to 760 MiB in a few seconds while
// the phases run) and other processes take from it, so a warm-up holds
// for the phase right after it and every phase that writes gets its own
// (measure.go). A both phase run 20-30 s after the last warm-up,
// behind consume and raw fetch, spent up to 65% of the server's CPU
// copying into the page cache, at up to 4 s/GB more for either target.
func warmMemory(n int64) (int64, time.Duration, error) {
	n = min(n, availableMemory()-warmSpare)
	if n <= 0 {
		return 0, 0, nil
	}
	start := time.Now()
	b, err := syscall.Mmap(-1, 0, int(n), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE|syscall.MAP_NORESERVE)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: warm memory: %w", err)
	}
	if !populate(b) {
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
	}
	if err := syscall.Munmap(b); err != nil {
		return 0, 0, fmt.Errorf("bench: warm memory: %w", err)
	}
	return n, time.Since(start), nil
}

// availableMemory is MemAvailable from /proc/meminfo in bytes, 0 when
// unknown.
func availableMemory() int64 {
	kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(procField("/proc/meminfo", "MemAvailable"), " kB")), 10, 64)
	if err != nil {
		return 0
	}
	return kb << 10
}

// warm runs warmMemory with the run's setting and says what it did.
func warm(s settings) error {
	n, d, err := warmMemory(s.WarmMemory)
	if n > 0 {
		fmt.Printf("   warmed %.1f GiB of memory in %.1f s\n", float64(n)/(1<<30), d.Seconds())
	}
	return err
}

// reportedKiB is the guest's free page reporting counter (KiB of free
// memory handed back to the host so far), -1 when the kernel has none.
func reportedKiB() int64 {
	b, err := os.ReadFile("/sys/module/page_reporting/parameters/reported_kib")
	if err != nil {
		return -1
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return -1
	}
	return n
}
