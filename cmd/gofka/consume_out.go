package main

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/twmb/franz-go/pkg/kgo"
)

// recordWriter prints consumed records as plain values or JSON lines.
type recordWriter struct {
	w      *bufio.Writer
	enc    *json.Encoder
	asJSON bool
}

func newRecordWriter(out io.Writer, format string) *recordWriter {
	bw := bufio.NewWriter(out)
	return &recordWriter{w: bw, enc: json.NewEncoder(bw), asJSON: format == "json"}
}

func (w *recordWriter) write(r *kgo.Record) error {
	if !w.asJSON {
		w.w.Write(r.Value)
		return w.w.WriteByte('\n')
	}
	part, off, ts := r.Partition, r.Offset, r.Timestamp.UnixMilli()
	j := jsonRecord{Topic: r.Topic, Partition: &part, Offset: &off, Timestamp: &ts}
	if r.Key != nil {
		k := string(r.Key)
		j.Key = &k
	}
	if r.Value != nil {
		v := string(r.Value)
		j.Value = &v
	}
	if len(r.Headers) > 0 {
		j.Headers = map[string]string{}
		for _, h := range r.Headers {
			j.Headers[h.Key] = string(h.Value)
		}
	}
	return w.enc.Encode(j)
}

func (w *recordWriter) flush() error { return w.w.Flush() }
