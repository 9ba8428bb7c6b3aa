package metadata

//go:generate go run ./gen -schemas ../../../shared/kafka-schemas/metadata -out records_gen.go

// Record is one KRaft metadata record type generated from Kafka's schemas.
type Record interface {
	// APIKey is the record type's key in the metadata log.
	APIKey() int16
	// HighestVersion is the newest version the generated codec knows.
	HighestVersion() int16
	// AppendTo appends the record body encoded at version to dst. Fields that do not
	// exist at version are skipped, and a nil string, bytes or array in a field that is not
	// nullable at version is written empty. Tagged fields are written only when they
	// differ from their default. version must be a valid version of the type.
	AppendTo(dst []byte, version int16) []byte
	// ReadFrom decodes a whole record body encoded at version; unknown tagged fields are skipped.
	ReadFrom(src []byte, version int16) error
}

// stringPtr returns a pointer to a copy of s.
func stringPtr(s string) *string { return &s }
