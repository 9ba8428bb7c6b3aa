// Package schemacodec holds the primitive encoders and decoders of Kafka's
// message-schema encodings (fixed-size integers, unsigned varints, classic and
// compact lengths, strings, bytes, arrays and tagged fields) shared by the codecs
// that internal/metadata/gen generates for internal/metadata and
// internal/group/grouprec.
//
// It knows no record types and never does I/O. Decoding errors are returned
// without a package prefix or sentinel: the generated callers wrap them with
// their own package's prefix and ErrCorrupt.
package schemacodec
