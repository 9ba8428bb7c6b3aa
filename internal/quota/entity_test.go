package quota

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gofka/gofka/internal/metadata"
)

func TestValidate(t *testing.T) {
	u, d, ip := metadata.Named("alice"), metadata.DefaultName(), metadata.Named("127.0.0.1")
	tests := []struct {
		name   string
		e      Entity
		key    string
		value  float64
		remove bool
		msg    string // "" for valid
	}{
		{"user rate", Entity{User: u}, ProducerByteRate, 1024, false, ""},
		{"user+client default", Entity{User: u, ClientID: d}, RequestPercentage, 12.5, false, ""},
		{"ip rate", Entity{IP: ip}, ConnectionCreationRate, 10, false, ""},
		{"ip default", Entity{IP: d}, ConnectionCreationRate, 10, false, ""},
		{"empty", Entity{}, ProducerByteRate, 1, false, "Invalid empty client quota entity"},
		{"ip with user", Entity{User: u, IP: ip}, ConnectionCreationRate, 1, false, "IP entity should not be combined"},
		{"bad ip", Entity{IP: metadata.Named("not-an-ip")}, ConnectionCreationRate, 1, false, "not a valid IP"},
		{"unknown key", Entity{User: u}, "producer_rate", 1, false, "Invalid configuration key producer_rate"},
		{"ip key on user", Entity{User: u}, ConnectionCreationRate, 1, false, "Invalid configuration key"},
		{"user key on ip", Entity{IP: ip}, ProducerByteRate, 1, false, "Invalid configuration key"},
		{"negative", Entity{User: u}, ProducerByteRate, -1, false, "must be greater than 0"},
		{"zero", Entity{ClientID: d}, ConsumerByteRate, 0, false, "must be greater than 0"},
		{"nan", Entity{ClientID: d}, RequestPercentage, math.NaN(), false, "must be greater than 0"},
		{"fraction of long", Entity{User: u}, ProducerByteRate, 1.5, false, "must be a Long value"},
		{"fraction of int", Entity{IP: ip}, ConnectionCreationRate, 2.5, false, "must be an Integer value"},
		{"remove ignores value", Entity{User: u}, ProducerByteRate, -1, true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateEntity(tc.e)
			if err == nil {
				err = ValidateKey(tc.e, tc.key, tc.value, tc.remove)
			}
			switch {
			case tc.msg == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.msg != "" && (err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.msg)):
				t.Fatalf("err = %v, want ErrInvalid with %q", err, tc.msg)
			}
		})
	}
}

func TestFilter(t *testing.T) {
	u, d, c := metadata.Named("alice"), metadata.DefaultName(), metadata.Named("app")
	tests := []struct {
		name string
		f    Filter
		e    Entity
		want bool
	}{
		{"exact user", Filter{Components: []Component{{Type: "user", Match: MatchExact, Name: "alice"}}}, Entity{User: u, ClientID: c}, true},
		{"exact user strict", Filter{Components: []Component{{Type: "user", Match: MatchExact, Name: "alice"}}, Strict: true}, Entity{User: u, ClientID: c}, false},
		{"exact user strict alone", Filter{Components: []Component{{Type: "user", Match: MatchExact, Name: "alice"}}, Strict: true}, Entity{User: u}, true},
		{"exact misses default", Filter{Components: []Component{{Type: "user", Match: MatchExact, Name: "alice"}}}, Entity{User: d}, false},
		{"default", Filter{Components: []Component{{Type: "client-id", Match: MatchDefault}}}, Entity{User: u, ClientID: d}, true},
		{"default misses name", Filter{Components: []Component{{Type: "client-id", Match: MatchDefault}}}, Entity{ClientID: c}, false},
		{"any", Filter{Components: []Component{{Type: "client-id", Match: MatchAny}}}, Entity{ClientID: d}, true},
		{"any needs the type", Filter{Components: []Component{{Type: "client-id", Match: MatchAny}}}, Entity{User: u}, false},
		{"empty non-strict", Filter{}, Entity{IP: metadata.Named("1.2.3.4")}, true},
		{"empty strict", Filter{Strict: true}, Entity{User: u}, false},
	}
	for _, tc := range tests {
		if err := tc.f.Validate(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := tc.f.Matches(tc.e); got != tc.want {
			t.Errorf("%s: Matches = %v, want %v", tc.name, got, tc.want)
		}
	}
	bad := []Filter{
		{Components: []Component{{Type: "group"}}},
		{Components: []Component{{Type: "user"}, {Type: "user"}}},
		{Components: []Component{{Type: "user", Match: 3}}},
		{Components: []Component{{Type: "ip", Match: MatchAny}, {Type: "user", Match: MatchAny}}},
	}
	for i, f := range bad {
		if err := f.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("bad filter %d: %v", i, err)
		}
	}
}
