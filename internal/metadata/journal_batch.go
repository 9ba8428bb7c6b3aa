package metadata

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
)

// batchHeaderSize is the length, crc, base offset and count fields of a journal batch.
const batchHeaderSize = 4 + 4 + 8 + 4

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// encodeBatch appends one framed journal batch of recs starting at base.
func encodeBatch(dst []byte, base int64, recs []Record) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, batchHeaderSize)...)
	var scratch []byte
	for _, r := range recs {
		scratch = EncodeRecord(scratch[:0], r, r.HighestVersion())
		dst = binary.AppendUvarint(dst, uint64(len(scratch)))
		dst = append(dst, scratch...)
	}
	h := dst[start:]
	binary.BigEndian.PutUint32(h[0:], uint32(len(h)-4))
	binary.BigEndian.PutUint64(h[8:], uint64(base))
	binary.BigEndian.PutUint32(h[16:], uint32(len(recs)))
	binary.BigEndian.PutUint32(h[4:], crc32.Checksum(h[8:], castagnoli))
	return dst
}

// replay reads batches from r (size bytes) and passes each to fn. It returns the byte
// length of the complete, valid prefix and the next offset. A short or CRC-corrupt batch
// ends the valid prefix; a batch with a valid CRC that does not make sense is an error.
func replay(r io.Reader, size int64, fn func(int64, []Record) error) (good, next int64, err error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var lenBuf [4]byte
	for {
		if _, err := io.ReadFull(br, lenBuf[:]); err != nil {
			return good, next, nil // clean end or torn length
		}
		n := int64(binary.BigEndian.Uint32(lenBuf[:]))
		if n < batchHeaderSize-4 || n > size-good-4 {
			return good, next, nil // torn or garbage length
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(br, body); err != nil {
			return good, next, nil
		}
		if crc32.Checksum(body[4:], castagnoli) != binary.BigEndian.Uint32(body) {
			return good, next, nil
		}
		count, err := applyBatch(body[4:], good, next, fn)
		if err != nil {
			return good, next, err
		}
		good += 4 + n
		next += count
	}
}

// applyBatch decodes one CRC-checked batch body (from base offset on) and calls fn.
func applyBatch(b []byte, pos, next int64, fn func(int64, []Record) error) (int64, error) {
	base := int64(binary.BigEndian.Uint64(b))
	count := int64(int32(binary.BigEndian.Uint32(b[8:])))
	b = b[12:]
	switch {
	case base != next:
		return 0, corruptf("journal batch at byte %d: base offset %d, want %d", pos, base, next)
	case count < 1 || count > int64(len(b)):
		return 0, corruptf("journal batch at byte %d: bad record count %d", pos, count)
	}
	recs := make([]Record, 0, count)
	for i := int64(0); i < count; i++ {
		size, k := binary.Uvarint(b)
		if k <= 0 || size > uint64(len(b)-k) {
			return 0, corruptf("journal batch at byte %d: bad record %d size", pos, i)
		}
		rec, _, err := DecodeRecord(b[k : k+int(size)])
		if err != nil {
			return 0, fmt.Errorf("metadata: journal batch at byte %d, record %d: %w", pos, i, err)
		}
		recs = append(recs, rec)
		b = b[k+int(size):]
	}
	if len(b) != 0 {
		return 0, corruptf("journal batch at byte %d: %d trailing bytes", pos, len(b))
	}
	if err := fn(base+count-1, recs); err != nil {
		return 0, fmt.Errorf("metadata: journal replay of batch ending at offset %d: %w", base+count-1, err)
	}
	return count, nil
}
