package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gofka/gofka/internal/config"
)

func TestNewLoggerFormatAndLevel(t *testing.T) {
	for _, tt := range []struct {
		format, level string
		want          string // substring of the warn line
		debugShown    bool
	}{
		{"text", "info", `level=WARN msg=w`, false},
		{"json", "info", `"level":"WARN","msg":"w"`, false},
		{"json", "debug", `"msg":"w"`, true},
		{"text", "error", ``, false},
	} {
		var buf bytes.Buffer
		l := newLogger(&config.Broker{GofkaLogFormat: tt.format, GofkaLogLevel: tt.level}, &buf)
		l.Debug("d")
		l.Warn("w")
		out := buf.String()
		if tt.want != "" && !strings.Contains(out, tt.want) {
			t.Errorf("%s/%s: %q lacks %q", tt.format, tt.level, out, tt.want)
		}
		if tt.want == "" && out != "" {
			t.Errorf("%s/%s: logged %q", tt.format, tt.level, out)
		}
		if got := strings.Contains(out, "msg=d") || strings.Contains(out, `"msg":"d"`); got != tt.debugShown {
			t.Errorf("%s/%s: debug line shown %v", tt.format, tt.level, got)
		}
	}
}
