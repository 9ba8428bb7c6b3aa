package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
	"github.com/twmb/franz-go/pkg/kgo"
)

// payloads spans the block sizes of every codec: empty, tiny, one byte
// under and over a snappy block, several lz4 blocks, incompressible.
func payloads() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 200<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	text := []byte(strings.Repeat("the quick brown fox jumps over the lazy dog ", 5000))
	return map[string][]byte{
		"empty":    {},
		"one":      {'x'},
		"32KiB-1":  text[:xerialBlockSize-1],
		"32KiB+1":  text[:xerialBlockSize+1],
		"text":     text,
		"random":   random,
		"64KiB*3+": append(bytes.Repeat([]byte{0}, 3*64<<10), 1, 2, 3),
	}
}

func TestCompressRoundTrip(t *testing.T) {
	for _, c := range allCodecs {
		for name, src := range payloads() {
			prefix := []byte("prefix")
			comp, err := Compress(append([]byte(nil), prefix...), c, src)
			if err != nil {
				t.Fatalf("%s %s: compress: %v", c, name, err)
			}
			if !bytes.HasPrefix(comp, prefix) {
				t.Fatalf("%s %s: compress dropped dst", c, name)
			}
			got, err := Decompress([]byte("dst"), c, comp[len(prefix):])
			if err != nil {
				t.Fatalf("%s %s: decompress: %v", c, name, err)
			}
			if !bytes.Equal(got, append([]byte("dst"), src...)) {
				t.Fatalf("%s %s: round trip differs (%d bytes, want %d)", c, name, len(got), len(src)+3)
			}
		}
	}
}

// TestCompressFormats pins the framing each Kafka client expects.
func TestCompressFormats(t *testing.T) {
	src := []byte(strings.Repeat("abc", 30000))
	gz, _ := Compress(nil, CodecGzip, src)
	if gz[0] != 0x1f || gz[1] != 0x8b {
		t.Errorf("gzip magic %x", gz[:2])
	}
	sn, _ := Compress(nil, CodecSnappy, src)
	if !bytes.Equal(sn[:16], []byte("\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01")) {
		t.Errorf("xerial header %q", sn[:16])
	}
	if first := binary.BigEndian.Uint32(sn[16:]); int(first) > len(sn)-20 {
		t.Errorf("xerial first block length %d", first)
	}
	lz, _ := Compress(nil, CodecLZ4, src)
	// Magic, then FLG 0x60 (version 1, independent blocks, no checksums)
	// and BD 0x40 (64 KiB blocks), as Kafka's Lz4BlockOutputStream writes.
	if !bytes.Equal(lz[:6], []byte{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40}) {
		t.Errorf("lz4 frame descriptor %x", lz[:6])
	}
	zs, _ := Compress(nil, CodecZstd, src)
	if !bytes.Equal(zs[:4], []byte{0x28, 0xb5, 0x2f, 0xfd}) {
		t.Errorf("zstd magic %x", zs[:4])
	}
	if _, err := Compress(nil, Codec(5), src); err == nil {
		t.Error("codec 5 compressed")
	}
	if _, err := Decompress(nil, Codec(7), src); !errors.Is(err, ErrCorrupt) {
		t.Errorf("codec 7 decompress: %v", err)
	}
}

// TestFranzGoCodecs checks both directions against franz-go's own
// compressor and decompressor (which sends raw snappy blocks).
func TestFranzGoCodecs(t *testing.T) {
	kinds := map[Codec]kgo.CompressionCodec{
		CodecGzip: kgo.GzipCompression(), CodecSnappy: kgo.SnappyCompression(),
		CodecLZ4: kgo.Lz4Compression(), CodecZstd: kgo.ZstdCompression(),
	}
	dec := kgo.DefaultDecompressor()
	for c, kc := range kinds {
		comp, err := kgo.DefaultCompressor(kc)
		if err != nil {
			t.Fatal(err)
		}
		for name, src := range payloads() {
			theirs, used := comp.Compress(new(bytes.Buffer), src)
			if int(used) != int(c) {
				t.Fatalf("%s: franz-go used codec %d", c, used)
			}
			got, err := Decompress(nil, c, theirs)
			if err != nil || !bytes.Equal(got, src) {
				t.Fatalf("%s %s: decoding franz-go output: %v", c, name, err)
			}
			if c == CodecSnappy && len(src) == 0 {
				continue // franz-go takes a bare xerial header for a raw block
			}
			ours, _ := Compress(nil, c, src)
			back, err := dec.Decompress(ours, kgo.CompressionCodecType(c))
			if err != nil || !bytes.Equal(back, src) {
				t.Fatalf("%s %s: franz-go decoding ours: %v", c, name, err)
			}
		}
	}
}

func TestSnappyVariants(t *testing.T) {
	src := []byte(strings.Repeat("snappy ", 20000))
	raw := s2.EncodeSnappy(nil, src)
	if got, err := Decompress(nil, CodecSnappy, raw); err != nil || !bytes.Equal(got, src) {
		t.Fatalf("raw block: %v", err)
	}
	framed, _ := Compress(nil, CodecSnappy, src)
	twice := append(append([]byte(nil), framed...), framed...)
	if got, err := Decompress(nil, CodecSnappy, twice); err != nil || !bytes.Equal(got, append(src, src...)) {
		t.Fatalf("concatenated xerial streams: %v", err)
	}
	headerOnly := framed[:16]
	if got, err := Decompress(nil, CodecSnappy, headerOnly); err != nil || len(got) != 0 {
		t.Fatalf("empty xerial stream: %q %v", got, err)
	}
	bad := append(append([]byte(nil), framed[:16]...), 0, 0, 0x10, 0, 1, 2)
	if _, err := Decompress(nil, CodecSnappy, bad); !errors.Is(err, ErrCorrupt) {
		t.Errorf("xerial block past the end: %v", err)
	}
	// An s2-only construct (repeat offset 0) is not snappy; Java rejects it.
	s2only := []byte{8, 0x04, 'a', 'b', 0x09, 0x00}
	if _, err := Decompress(nil, CodecSnappy, s2only); !errors.Is(err, ErrCorrupt) {
		t.Errorf("s2 extension accepted: %v", err)
	}
}

func TestLZ4FrameChecks(t *testing.T) {
	good, _ := Compress(nil, CodecLZ4, []byte("hello hello hello"))
	tests := []struct {
		name string
		mut  func(b []byte)
	}{
		{"magic", func(b []byte) { b[0] = 0 }},
		{"version", func(b []byte) { b[4] = 0xa0 }},
		{"dependent blocks", func(b []byte) { b[4] &^= 0x20 }},
		{"reserved FLG", func(b []byte) { b[4] |= 1 }},
		{"reserved BD", func(b []byte) { b[5] |= 0x80 }},
		{"block size id 3", func(b []byte) { b[5] = 0x30 }},
		{"header checksum", func(b []byte) { b[6] ^= 0xff }},
	}
	for _, tt := range tests {
		b := append([]byte(nil), good...)
		tt.mut(b)
		if _, err := Decompress(nil, CodecLZ4, b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	if _, err := Decompress(nil, CodecLZ4, good[:len(good)-2]); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated frame accepted: %v", err)
	}
}

func TestDecompressGarbage(t *testing.T) {
	garbage := []byte("this is not compressed data at all, honestly")
	for _, c := range allCodecs[1:] {
		if _, err := Decompress(nil, c, garbage); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", c, err)
		}
		if _, err := Decompress(nil, c, nil); c != CodecZstd && !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s empty input: %v", c, err)
		}
	}
}

// TestZipBomb checks that no codec inflates past the limit.
func TestZipBomb(t *testing.T) {
	const limit = 1 << 20
	bomb := make([]byte, 8<<20) // zeros compress ~1000:1
	for _, c := range allCodecs {
		comp, _ := Compress(nil, c, bomb)
		_, err := decompress(nil, c, comp, limit)
		if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", c, err)
		}
		out, err := decompress(make([]byte, 0, 16), c, comp, len(bomb))
		if err != nil || len(out) != len(bomb) {
			t.Errorf("%s at exactly the limit: %d bytes, %v", c, len(out), err)
		}
	}
}

func TestZipBombUndeclaredSize(t *testing.T) {
	// A streamed zstd frame does not declare its size up front.
	var buf bytes.Buffer
	w, _ := zstd.NewWriter(&buf, zstd.WithEncoderConcurrency(1))
	_, _ = w.Write(make([]byte, 4<<20))
	_ = w.Close()
	if _, err := decompress(nil, CodecZstd, buf.Bytes(), 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Errorf("zstd stream: %v", err)
	}
	// A snappy block claiming 4 GiB is refused before allocating.
	claim := []byte{0xff, 0xff, 0xff, 0xff, 0x0f, 0}
	if _, err := Decompress(nil, CodecSnappy, claim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("snappy claim: %v", err)
	}
	xerial := append(append([]byte(nil), xerialMagic...), 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 6)
	if _, err := Decompress(nil, CodecSnappy, append(xerial, claim...)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("xerial claim: %v", err)
	}
}

func TestMaxDecompressedVar(t *testing.T) {
	withLimit(t, 1000)
	comp, _ := Compress(nil, CodecZstd, make([]byte, 5000))
	if _, err := Decompress(nil, CodecZstd, comp); !errors.Is(err, ErrTooLarge) {
		t.Errorf("zstd over MaxDecompressed: %v", err)
	}
	MaxDecompressed = 10000
	if out, err := Decompress(nil, CodecZstd, comp); err != nil || len(out) != 5000 {
		t.Errorf("zstd after raising MaxDecompressed: %d %v", len(out), err)
	}
}

func TestCompressAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under -race")
	}
	src := []byte(strings.Repeat("kafka ", 10000))
	for _, c := range allCodecs {
		dst := make([]byte, 0, 1<<20)
		back := make([]byte, 0, 1<<20)
		comp, _ := Compress(dst, c, src)
		allocs := testing.AllocsPerRun(20, func() {
			comp, _ = Compress(dst, c, src)
			back, _ = Decompress(back[:0], c, comp)
		})
		// Pooled coders keep steady state to a few small objects.
		if allocs > 8 {
			t.Errorf("%s: %.0f allocs per compress+decompress", c, allocs)
		}
	}
}
