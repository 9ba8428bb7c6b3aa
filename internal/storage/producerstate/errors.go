package producerstate

import "errors"

var (
	// ErrOutOfOrderSequence is a batch whose first sequence does not follow
	// the producer's last (OUT_OF_ORDER_SEQUENCE_NUMBER).
	ErrOutOfOrderSequence = errors.New("producerstate: out of order sequence number")
	// ErrInvalidProducerEpoch is a batch or marker from an older epoch than
	// the producer's current one (INVALID_PRODUCER_EPOCH).
	ErrInvalidProducerEpoch = errors.New("producerstate: invalid producer epoch")
	// ErrInvalidTxnState is a non-transactional batch from a producer with
	// an ongoing transaction, or the reverse (INVALID_TXN_STATE).
	ErrInvalidTxnState = errors.New("producerstate: invalid transaction state")
	// ErrCoordinatorFenced is a marker from a coordinator epoch older than
	// the last marker's (TRANSACTION_COORDINATOR_FENCED).
	ErrCoordinatorFenced = errors.New("producerstate: transaction coordinator fenced")
	// ErrCorruptSnapshot is a snapshot file that fails its checks.
	ErrCorruptSnapshot = errors.New("producerstate: corrupt snapshot")
)
