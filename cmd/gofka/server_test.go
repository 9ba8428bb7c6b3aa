package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadServerConfigErrorsNameTheProperty(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "server.properties")
	if err := os.WriteFile(file, []byte("# test\nnum.partitions=4\nlog.dirs="+dir+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadServerConfig(file, []string{"num.partitions=6", "auto.create.topics.enable=false"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NumPartitions != 6 || cfg.AutoCreateTopics || cfg.LogDirs[0] != dir {
		t.Fatalf("--set must win over the file: partitions %d, auto-create %v, dirs %v", cfg.NumPartitions, cfg.AutoCreateTopics, cfg.LogDirs)
	}
	for _, tt := range []struct {
		file string
		sets []string
		want string
	}{
		{"", []string{"no.such.property=1"}, "no.such.property"},
		{"", []string{"log.segment.bytes=abc"}, "log.segment.bytes"},
		{"", []string{"num.partitions=0"}, "num.partitions"},
		{"", []string{"listeners"}, "want name=value"},
		{filepath.Join(dir, "missing.properties"), nil, "missing.properties"},
	} {
		_, err := loadServerConfig(tt.file, tt.sets)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("config %q %v: error %v, want it to name %q", tt.file, tt.sets, err, tt.want)
		}
	}
}
