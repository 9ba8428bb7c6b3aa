package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// scrapeClient reads the metrics listener; its timeout bounds a scrape.
var scrapeClient = &http.Client{Timeout: 5 * time.Second}

// mallocs returns the server's cumulative heap allocation count
// (go_memstats_mallocs_total), or -1 when it has no metrics listener or
// the scrape fails.
func (s *server) mallocs() float64 {
	if s.MetricsAddr == "" {
		return -1
	}
	resp, err := scrapeClient.Get("http://" + s.MetricsAddr + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	return parseMetric(resp.Body, "go_memstats_mallocs_total")
}

// parseMetric returns the value of an unlabelled Prometheus sample, -1
// when absent.
func parseMetric(r io.Reader, name string) float64 {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if ok && k == name {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

// profile is a CPU profile being taken during one phase.
type profile struct{ done chan struct{} }

// startProfile asks the server for a CPU profile as long as a produce
// phase, saved under -profile as <scenario>.cpu.pprof, followed by the
// heap allocation profile; it does nothing without -profile or pprof.
func (s *server) startProfile(st settings, sc scenario) profile {
	p := profile{done: make(chan struct{})}
	if st.ProfileDir == "" || s.MetricsAddr == "" {
		close(p.done)
		return p
	}
	name := strings.NewReplacer(" ", "", ",", "_", "=", "").Replace(sc.String())
	secs := max(int(st.Duration.Seconds()), 1)
	go func() {
		defer close(p.done)
		url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.MetricsAddr, secs)
		if err := save(url, filepath.Join(st.ProfileDir, name+".cpu.pprof"), time.Duration(secs+10)*time.Second); err != nil {
			fmt.Fprintln(os.Stderr, "bench: profile:", err)
		}
	}()
	return p
}

// wait waits for the profile (and then saves the allocation profile).
func (p profile) wait() { <-p.done }

// saveAllocs saves the server's cumulative allocation profile.
func (s *server) saveAllocs(st settings, c config) {
	if st.ProfileDir == "" || s.MetricsAddr == "" {
		return
	}
	name := strings.NewReplacer(" ", "", ",", "_", "=", "").Replace(c.String())
	if err := save("http://"+s.MetricsAddr+"/debug/pprof/allocs", filepath.Join(st.ProfileDir, name+".allocs.pprof"), 10*time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "bench: profile:", err)
	}
}

// save writes the body of url to path.
func save(url, path string, timeout time.Duration) error {
	cl := &http.Client{Timeout: timeout}
	resp, err := cl.Get(url)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("bench: %s: %s", url, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return fmt.Errorf("bench: %s: %w", url, err)
	}
	return f.Close()
}
