package metadata

import (
	"errors"
	"fmt"
	"math"

	"github.com/gofka/gofka/internal/schemacodec"
)

// frameVersion is the only frame version Kafka's MetadataRecordSerde writes and reads.
const frameVersion = 1

// EncodeRecord appends r framed as Kafka's MetadataRecordSerde writes a record value:
// unsigned varint frame version (1), unsigned varint api key, unsigned varint version, body.
func EncodeRecord(dst []byte, r Record, version int16) []byte {
	dst = schemacodec.AppendUvarint(dst, frameVersion)
	dst = schemacodec.AppendUvarint(dst, uint64(uint16(r.APIKey())))
	dst = schemacodec.AppendUvarint(dst, uint64(uint16(version)))
	return r.AppendTo(dst, version)
}

// DecodeRecord decodes one framed record value and returns it with its version.
// Errors wrap ErrCorrupt (and ErrUnknownRecord for an unknown api key).
func DecodeRecord(b []byte) (Record, int16, error) {
	r := schemacodec.NewReader(b)
	frame := r.Uvarint()
	apiKey := r.Uvarint()
	version := r.Uvarint()
	if err := r.Err(); err != nil {
		return nil, 0, fmt.Errorf("metadata: record header: %w", corruptf("%w", err))
	}
	if frame != frameVersion {
		return nil, 0, corruptf("unknown frame version %d", frame)
	}
	if apiKey > math.MaxInt16 || version > math.MaxInt16 {
		return nil, 0, corruptf("record type %d version %d too large", apiKey, version)
	}
	rec, ok := NewRecord(int16(apiKey))
	if !ok {
		return nil, 0, fmt.Errorf("metadata: record type %d: %w: %w", apiKey, ErrUnknownRecord, ErrCorrupt)
	}
	if err := rec.ReadFrom(r.Remaining(), int16(version)); err != nil {
		if !errors.Is(err, ErrCorrupt) {
			err = fmt.Errorf("%w: %w", err, ErrCorrupt)
		}
		return nil, 0, err
	}
	return rec, int16(version), nil
}
