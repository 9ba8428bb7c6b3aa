package checkpoint

import (
	"errors"
	"testing"
)

// Vectors computed by hand: URL-safe base64 of the 16 bytes, '=' dropped.
var uuidVectors = []struct {
	text string
	id   UUID
}{
	{"AAAAAAAAAAAAAAAAAAAAAA", ZeroUUID},
	{"AAAAAAAAAAAAAAAAAAAAAQ", MetadataTopicID},
	{"AAECAwQFBgcICQoLDA0ODw", UUID{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}},
	{"86HC1OW2R4iZqrvM3e7_AA", UUID{0xf3, 0xa1, 0xc2, 0xd4, 0xe5, 0xb6, 0x47, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00}},
	{"_____________________w", UUID{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
}

func TestUUIDString(t *testing.T) {
	for _, v := range uuidVectors {
		if got := v.id.String(); got != v.text {
			t.Errorf("%x.String() = %q, want %q", v.id[:], got, v.text)
		}
		got, err := ParseUUID(v.text)
		if err != nil || got != v.id {
			t.Errorf("ParseUUID(%q) = %x, %v; want %x", v.text, got[:], err, v.id[:])
		}
	}
}

func TestParseUUIDPadded(t *testing.T) {
	got, err := ParseUUID("AAECAwQFBgcICQoLDA0ODw==")
	if err != nil || got != uuidVectors[2].id {
		t.Errorf("ParseUUID(padded) = %x, %v", got[:], err)
	}
}

func TestParseUUIDInvalid(t *testing.T) {
	for _, s := range []string{
		"",
		"AAECAwQFBgcICQoLDA0OD",     // 21 chars
		"AAECAwQFBgcICQoLDA0ODwA",   // 23 chars
		"AAECAwQFBgcICQoLDA0ODw=",   // bad padding
		"AAECAwQFBgcICQoLDA0ODwAA",  // 24 chars, 18 bytes
		"AAECAwQFBgcICQoLDA0ODw===", // too long
		"AAECAwQFBgcICQoLDA0OD+",    // standard, not URL-safe alphabet
		"AAECAwQFBgcICQoLDA0OD/",
		"AAECAwQFBgcICQoLDA0OD!",
		"00000000-0000-0000-0000-000000000000",
	} {
		if got, err := ParseUUID(s); !errors.Is(err, ErrInvalidUUID) {
			t.Errorf("ParseUUID(%q) = %x, %v; want ErrInvalidUUID", s, got[:], err)
		}
	}
}

func TestNewUUID(t *testing.T) {
	seen := make(map[UUID]bool)
	for range 1000 {
		u := NewUUID()
		s := u.String()
		switch {
		case u == ZeroUUID || u == MetadataTopicID:
			t.Fatalf("reserved id %s", s)
		case s[0] == '-':
			t.Fatalf("id %s starts with '-'", s)
		case u[6]>>4 != 4 || u[8]>>6 != 2:
			t.Fatalf("id %x is not a version 4, variant 2 UUID", u[:])
		case seen[u]:
			t.Fatalf("duplicate id %s", s)
		}
		seen[u] = true
		if back, err := ParseUUID(s); err != nil || back != u {
			t.Fatalf("ParseUUID(%q) = %x, %v", s, back[:], err)
		}
	}
}
