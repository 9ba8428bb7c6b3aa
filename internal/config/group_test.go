package config

import (
	"errors"
	"testing"
	"time"
)

func TestShareResetDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"by_duration:PT1H":          time.Hour,
		"by_duration:P1DT2H3M4S":    26*time.Hour + 3*time.Minute + 4*time.Second,
		"by_duration:PT30S":         30 * time.Second,
		"by_duration:P2D":           48 * time.Hour,
		"by_duration:PT0S":          0,
		"by_duration:PT1H30M":       90 * time.Minute,
		"by_duration:P1H":           -1, // hours need the T
		"by_duration:PT":            -1,
		"by_duration:1H":            -1,
		"by_duration:PT5":           -1,
		"by_duration:PT9999999999S": -1,
	} {
		got, err := ShareResetDuration(in)
		if want < 0 {
			if err == nil {
				t.Errorf("%s: parsed as %v", in, got)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("%s: %v %v, want %v", in, got, err, want)
		}
	}
}

func TestValidateGroup(t *testing.T) {
	ok := []struct{ k, v string }{
		{"share.auto.offset.reset", "earliest"}, {"share.auto.offset.reset", "by_duration:PT5M"},
		{"share.record.lock.duration.ms", "1000"}, {"share.isolation.level", "read_committed"},
	}
	for _, c := range ok {
		v := c.v
		if err := ValidateGroup(c.k, &v); err != nil {
			t.Errorf("%s=%s: %v", c.k, c.v, err)
		}
	}
	bad := []struct{ k, v string }{
		{"share.auto.offset.reset", "sideways"}, {"share.record.lock.duration.ms", "10"},
		{"share.isolation.level", "maybe"}, {"share.delivery.count.limit", "50"},
	}
	for _, c := range bad {
		v := c.v
		if err := ValidateGroup(c.k, &v); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s=%s: %v, want invalid", c.k, c.v, err)
		}
	}
	if err := ValidateGroup("log.retention.ms", nil); !errors.Is(err, ErrUnknown) {
		t.Errorf("a broker config as a group config: %v", err)
	}
}
