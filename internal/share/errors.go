package share

import "errors"

var (
	// ErrInvalidRecordState reports an acknowledgement of records the
	// member does not hold (Kafka's INVALID_RECORD_STATE).
	ErrInvalidRecordState = errors.New("share: invalid record state")
	// ErrInvalidRequest reports a malformed acknowledgement (Kafka's
	// INVALID_REQUEST).
	ErrInvalidRequest = errors.New("share: invalid request")
	// ErrCorruptRecord reports a __share_group_state record that does not
	// decode.
	ErrCorruptRecord = errors.New("share: corrupt record")
)

// ErrUnknownState reports a write to a share partition whose state was
// never initialized.
var ErrUnknownState = errors.New("share: unknown share-partition state")
