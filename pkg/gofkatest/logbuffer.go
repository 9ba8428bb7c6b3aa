package gofkatest

import (
	"bytes"
	"sync"
)

// LogBuffer collects a node's log output for a test to inspect, e.g.
// WithLogger(slog.New(slog.NewTextHandler(&buf, nil))); it is safe for the
// node's goroutines.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write implements io.Writer.
func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
