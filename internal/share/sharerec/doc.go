// Package sharerec holds the records of __share_group_state (ShareSnapshot
// and ShareUpdate keys and values), generated from Kafka's share-coordinator
// schemas by internal/metadata/gen. A key's version is its record type
// (0 snapshot, 1 update); values are encoded at version 0, prefixed on
// disk by that version as Kafka writes them.
//
// The package only encodes and decodes: it never does I/O.
package sharerec

//go:generate go run ../../metadata/gen -schemas ../../../../shared/kafka-schemas/share-coordinator -package sharerec -out records_gen.go
