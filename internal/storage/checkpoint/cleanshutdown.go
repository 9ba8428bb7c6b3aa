package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// CleanShutdownFile marks a log dir whose logs were all flushed and closed
// cleanly, so the next start may skip recovery (Kafka's
// CleanShutdownFileHandler.CLEAN_SHUTDOWN_FILE_NAME).
const CleanShutdownFile = ".kafka_cleanshutdown"

// NoBrokerEpoch is the broker epoch WriteCleanShutdown records, Kafka's
// default for LogManager.shutdown when none is known.
const NoBrokerEpoch int64 = -1

// cleanShutdownVersion is CleanShutdownFileHandler.CURRENT_VERSION.
const cleanShutdownVersion = 0

// WriteCleanShutdown writes the clean shutdown marker in dir, recording
// NoBrokerEpoch.
func WriteCleanShutdown(dir string) error {
	return WriteCleanShutdownEpoch(dir, NoBrokerEpoch)
}

// WriteCleanShutdownEpoch writes the clean shutdown marker in dir with the
// broker epoch of the shutting-down broker (KIP-966), in Kafka's JSON form
// {"version":0,"brokerEpoch":<epoch>}.
func WriteCleanShutdownEpoch(dir string, brokerEpoch int64) error {
	return WriteFileAtomic(filepath.Join(dir, CleanShutdownFile), encodeCleanShutdown(brokerEpoch))
}

func encodeCleanShutdown(brokerEpoch int64) []byte {
	return []byte(`{"version":` + strconv.Itoa(cleanShutdownVersion) +
		`,"brokerEpoch":` + strconv.FormatInt(brokerEpoch, 10) + `}`)
}

// ReadCleanShutdown reports whether dir holds the clean shutdown marker and
// the broker epoch in it. Like Kafka, content that cannot be read as the
// JSON form (e.g. the empty marker of Kafka before 3.7) is still a marker,
// with brokerEpoch NoBrokerEpoch.
func ReadCleanShutdown(dir string) (brokerEpoch int64, exists bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, CleanShutdownFile))
	if errors.Is(err, fs.ErrNotExist) {
		return NoBrokerEpoch, false, nil
	}
	if err != nil {
		return NoBrokerEpoch, false, fmt.Errorf("checkpoint: read clean shutdown marker: %w", err)
	}
	return parseCleanShutdown(data), true, nil
}

// parseCleanShutdown returns the brokerEpoch of a marker, NoBrokerEpoch when
// there is none.
func parseCleanShutdown(data []byte) int64 {
	var content struct {
		BrokerEpoch *int64 `json:"brokerEpoch"`
	}
	if json.Unmarshal(data, &content) != nil || content.BrokerEpoch == nil {
		return NoBrokerEpoch
	}
	return *content.BrokerEpoch
}

// ConsumeCleanShutdown reports whether dir held the clean shutdown marker and
// removes it, fsyncing dir so that a crash after this call cannot bring the
// marker back and skip the recovery a crashed log needs.
func ConsumeCleanShutdown(dir string) (bool, error) {
	err := os.Remove(filepath.Join(dir, CleanShutdownFile))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("checkpoint: remove clean shutdown marker: %w", err)
	}
	if err := SyncDir(dir); err != nil {
		return true, err
	}
	return true, nil
}
