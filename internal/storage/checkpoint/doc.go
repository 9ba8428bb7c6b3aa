// Package checkpoint owns the small text files Kafka keeps beside its logs and
// reads and writes them byte for byte in Kafka's formats:
//
//   - offset checkpoints of a log dir (recovery-point-offset-checkpoint,
//     log-start-offset-checkpoint, replication-offset-checkpoint,
//     cleaner-offset-checkpoint): "0\n<count>\n<topic> <partition> <offset>\n"...
//   - leader-epoch-checkpoint of a partition dir: "0\n<count>\n<epoch> <startOffset>\n"...
//   - partition.metadata of a partition dir: "version: 0\ntopic_id: <uuid>"
//   - meta.properties of a log dir, in Java .properties format
//   - the .kafka_cleanshutdown marker of a log dir
//
// It also owns WriteFileAtomic, the temp-file + fsync + rename + directory
// fsync helper every file replaced in place goes through, and the Kafka Uuid
// (topic and directory ids) with its base64 text form.
//
// The package does file I/O only on the paths it is given; it keeps no state,
// starts no goroutines and never decides policy (when to checkpoint, what a
// clean shutdown implies): that belongs to the log manager.
package checkpoint
