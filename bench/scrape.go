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

// bucket is one cumulative bucket of a Prometheus histogram.
type bucket struct {
	le    float64 // upper bound, seconds (+Inf for the last)
	count float64
}

// produceHist returns the cumulative buckets of the server's Produce
// request duration histogram (gofka_request_duration_seconds, from a
// request's arrival to its response written), or nil without a metrics
// listener or when the scrape fails.
func (s *server) produceHist() []bucket {
	if s.MetricsAddr == "" {
		return nil
	}
	resp, err := scrapeClient.Get("http://" + s.MetricsAddr + "/metrics")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	return parseBuckets(resp.Body, `gofka_request_duration_seconds_bucket{request="Produce",le="`)
}

// parseBuckets reads the samples whose line starts with prefix followed by
// the bucket bound and `"}`.
func parseBuckets(r io.Reader, prefix string) []bucket {
	var out []bucket
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), prefix)
		if !ok {
			continue
		}
		le, v, ok := strings.Cut(rest, `"} `)
		if !ok {
			continue
		}
		bound, err1 := strconv.ParseFloat(le, 64)
		n, err2 := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err1 == nil && err2 == nil {
			out = append(out, bucket{le: bound, count: n})
		}
	}
	return out
}

// bucketQuantile returns the upper bound, in ms, of the bucket holding
// quantile q of the requests counted between two scrapes (after minus
// before), or -1 when unknown: a histogram gives a bound, not a value.
func bucketQuantile(before, after []bucket, q float64) float64 {
	if len(after) == 0 || len(before) != len(after) {
		return -1
	}
	total := after[len(after)-1].count - before[len(before)-1].count
	if total <= 0 {
		return -1
	}
	for i := range after {
		if after[i].count-before[i].count >= q*total {
			return after[i].le * 1000
		}
	}
	return -1
}
