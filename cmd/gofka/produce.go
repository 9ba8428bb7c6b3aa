package main

// gofka produce: records from stdin, one per line, as kafka-console-producer
// and rpk produce do.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// produceOpts are the flags of gofka produce.
type produceOpts struct {
	key       string
	headers   []string
	format    string
	separator string
	partition int32
}

func produceCmd(g *globals) *cobra.Command {
	var o produceOpts
	cmd := &cobra.Command{
		Use:   "produce TOPIC",
		Short: "Produce records read from stdin, one per line",
		Long: `Produce records read from stdin, one per line.

--format value (the default): each line is a record value; --key sets the key.
--format key-value: each line is key, separator (--separator, default tab), value.
--format json: each line is {"key": "...", "value": "...", "headers": {"name": "value"}, "partition": N}.`,
		Example: `  echo 'hello' | gofka produce greetings
  printf 'k1\tv1\nk2\tv2\n' | gofka produce greetings --format key-value -H source=cli`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runProduce(cmd, g, &o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.key, "key", "k", "", "key of every record (--format value)")
	f.StringArrayVarP(&o.headers, "header", "H", nil, "header name=value added to every record (repeatable)")
	f.StringVarP(&o.format, "format", "f", "value", "input format: value, key-value or json")
	f.StringVar(&o.separator, "separator", "\t", "key/value separator for --format key-value")
	f.Int32VarP(&o.partition, "partition", "p", -1, "partition to produce to (-1: by key hash)")
	return cmd
}

// jsonRecord is one record in --format json input and consume -f json output.
type jsonRecord struct {
	Topic     string            `json:"topic,omitempty"`
	Partition *int32            `json:"partition,omitempty"`
	Offset    *int64            `json:"offset,omitempty"`
	Timestamp *int64            `json:"timestamp,omitempty"`
	Key       *string           `json:"key"`
	Value     *string           `json:"value"`
	Headers   map[string]string `json:"headers,omitempty"`
}

func runProduce(cmd *cobra.Command, g *globals, o *produceOpts, topic string) error {
	hdrs, err := parseKV(o.headers, "--header")
	if err != nil {
		return err
	}
	if o.format != "value" && o.format != "key-value" && o.format != "json" {
		return usagef("--format %q: want value, key-value or json", o.format)
	}
	opts := []kgo.Opt{kgo.DefaultProduceTopic(topic), kgo.AllowAutoTopicCreation(), kgo.DisableIdempotentWrite(),
		kgo.UnknownTopicRetries(2), kgo.ProducerLinger(0), kgo.RecordPartitioner(chosenPartitioner{kgo.StickyKeyPartitioner(nil)})}
	s, done, err := g.connect(cmd, opts...)
	if err != nil {
		return err
	}
	defer done()
	p := &producer{s: s, o: o, hdrs: hdrs, topic: topic, nparts: -1}
	if td, err := s.adm.ListTopics(s.ctx, topic); err == nil && td[topic].Err == nil {
		p.nparts = int32(len(td[topic].Partitions))
	}
	return p.run(cmd.InOrStdin())
}

// producer sends stdin's lines and collects the results.
type producer struct {
	s      *session
	o      *produceOpts
	hdrs   map[string]string
	topic  string
	nparts int32 // -1 when the topic does not exist yet

	wg      sync.WaitGroup
	mu      sync.Mutex
	n       int
	err     error
	results []producedRecord
}

// producedRecord is where one record went, for -o json.
type producedRecord struct {
	Topic     string `json:"topic"`
	Partition int32  `json:"partition"`
	Offset    int64  `json:"offset"`
}

func (p *producer) run(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	line := 0
	for sc.Scan() {
		line++
		r, err := p.record(sc.Text())
		if err != nil {
			return usagef("stdin line %d: %w", line, err)
		}
		p.wg.Add(1)
		p.s.cl.Produce(p.s.ctx, r, p.done)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read stdin: %w", err)
	}
	p.wg.Wait()
	return p.report()
}

// record parses one input line.
func (p *producer) record(line string) (*kgo.Record, error) {
	r := &kgo.Record{Topic: p.topic, Partition: p.o.partition}
	switch p.o.format {
	case "value":
		r.Value = []byte(line)
		if p.o.key != "" {
			r.Key = []byte(p.o.key)
		}
	case "key-value":
		k, v, ok := strings.Cut(line, p.o.separator)
		if !ok {
			return nil, fmt.Errorf("no separator %q", p.o.separator)
		}
		r.Key, r.Value = []byte(k), []byte(v)
	case "json":
		var j jsonRecord
		if err := json.Unmarshal([]byte(line), &j); err != nil {
			return nil, fmt.Errorf("bad JSON record: %w", err)
		}
		if j.Key != nil {
			r.Key = []byte(*j.Key)
		}
		if j.Value != nil {
			r.Value = []byte(*j.Value)
		}
		if j.Partition != nil {
			r.Partition = *j.Partition
		}
		for k, v := range j.Headers {
			r.Headers = append(r.Headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
		}
	}
	if p.nparts >= 0 && r.Partition >= p.nparts {
		return nil, fmt.Errorf("partition %d: topic %q has %d partitions", r.Partition, p.topic, p.nparts)
	}
	for k, v := range p.hdrs {
		r.Headers = append(r.Headers, kgo.RecordHeader{Key: k, Value: []byte(v)})
	}
	return r, nil
}

func (p *producer) done(r *kgo.Record, err error) {
	defer p.wg.Done()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		if p.err == nil {
			p.err = err
		}
		return
	}
	p.n++
	p.results = append(p.results, producedRecord{Topic: r.Topic, Partition: r.Partition, Offset: r.Offset})
}

func (p *producer) report() error {
	if p.err != nil {
		if errors.Is(p.err, kerr.UnknownTopicOrPartition) {
			return fmt.Errorf("produced %d records; %w", p.n, errTopicMissing(p.topic))
		}
		return fmt.Errorf("produced %d records; %w", p.n, explain(p.err, p.topic))
	}
	if p.s.json() {
		return p.s.printJSON(p.results)
	}
	noun := "records"
	if p.n == 1 {
		noun = "record"
	}
	fmt.Fprintf(p.s.out, "produced %d %s to %s\n", p.n, noun, p.topic)
	return nil
}

// chosenPartitioner sends a record to the partition it names (--partition
// or "partition" in JSON input) and partitions the others by key hash.
type chosenPartitioner struct{ inner kgo.Partitioner }

func (c chosenPartitioner) ForTopic(topic string) kgo.TopicPartitioner {
	return chosenTopicPartitioner{c.inner.ForTopic(topic)}
}

type chosenTopicPartitioner struct{ inner kgo.TopicPartitioner }

func (c chosenTopicPartitioner) RequiresConsistency(r *kgo.Record) bool {
	return r.Partition >= 0 || c.inner.RequiresConsistency(r)
}

func (c chosenTopicPartitioner) Partition(r *kgo.Record, n int) int {
	if r.Partition >= 0 {
		return int(r.Partition) % n // checked against the topic up front
	}
	return c.inner.Partition(r, n)
}
