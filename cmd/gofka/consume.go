package main

// gofka consume: print a topic's records, from the start, the end, an
// offset or a timestamp, alone or as a consumer group member. It stops once
// it has read up to the end offsets it saw when it started (like kcat -e),
// unless --follow.

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kgo"
)

// consumeOpts are the flags of gofka consume.
type consumeOpts struct {
	offset     string
	timestamp  string
	group      string
	num        int
	partitions []int32
	format     string
	follow     bool
}

func consumeCmd(g *globals) *cobra.Command {
	var o consumeOpts
	cmd := &cobra.Command{
		Use:   "consume TOPIC",
		Short: "Print a topic's records",
		Example: `  gofka consume greetings
  gofka consume greetings --offset 42 -n 10 --format json
  gofka consume greetings --timestamp 2026-01-02T15:04:05Z
  gofka consume greetings --group audit --follow`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runConsume(cmd, g, &o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.offset, "offset", "start", "where to start: start, end or an offset number")
	f.StringVar(&o.timestamp, "timestamp", "", "start at the first record at or after this time (unix milliseconds or RFC 3339); wins over --offset")
	f.StringVarP(&o.group, "group", "g", "", "consume as a member of this consumer group and commit its offsets (--offset/--timestamp apply where it has none)")
	f.IntVarP(&o.num, "num", "n", 0, "stop after this many records (0: no limit)")
	f.Int32SliceVarP(&o.partitions, "partition", "p", nil, "partitions to read (default all)")
	f.StringVarP(&o.format, "format", "f", "plain", "output: plain (one value per line) or json (one record object per line)")
	f.BoolVar(&o.follow, "follow", false, "keep waiting for new records instead of stopping at the end")
	return cmd
}

// startAt is where consumption starts when no committed offset applies.
type startAt struct {
	offset int64 // -2 start, -1 end, else an offset
	millis int64 // >= 0: first record at or after this time
}

func (o *consumeOpts) parse() (startAt, error) {
	if o.format != "plain" && o.format != "json" {
		return startAt{}, usagef("--format %q: want plain or json", o.format)
	}
	if o.group != "" && len(o.partitions) > 0 {
		return startAt{}, usagef("--partition cannot be used with --group: the group assigns partitions")
	}
	if o.num < 0 {
		return startAt{}, usagef("--num must not be negative")
	}
	at := startAt{millis: -1}
	if o.timestamp != "" {
		ms, err := parseMillis(o.timestamp)
		if err != nil {
			return at, err
		}
		at.millis = ms
		return at, nil
	}
	switch o.offset {
	case "start", "beginning", "earliest", "oldest":
		at.offset = -2
	case "end", "latest", "newest":
		at.offset = -1
	default:
		n, err := strconv.ParseInt(o.offset, 10, 64)
		if err != nil || n < 0 {
			return at, usagef("--offset %q: want start, end or a non-negative offset", o.offset)
		}
		at.offset = n
	}
	return at, nil
}

// parseMillis reads unix milliseconds or an RFC 3339 time.
func parseMillis(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, usagef("timestamp %q: want unix milliseconds or RFC 3339 (2006-01-02T15:04:05Z)", s)
	}
	return t.UnixMilli(), nil
}

func runConsume(cmd *cobra.Command, g *globals, o *consumeOpts, topic string) error {
	at, err := o.parse()
	if err != nil {
		return err
	}
	s, done, err := g.connect(cmd)
	if err != nil {
		return err
	}
	defer done()
	plan, err := s.planConsume(topic, o, at)
	if err != nil {
		return err
	}
	done() // the planning client; consumption uses its own
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	return plan.run(ctx, g, s, o)
}

// consumePlan is where each partition starts and, unless following, where
// it ends.
type consumePlan struct {
	topic  string
	starts map[int32]int64
	ends   map[int32]int64
	reset  kgo.Offset // where a group without commits starts
}

// remaining is the number of partitions not yet read to their end.
func (p *consumePlan) remaining(pos map[int32]int64) int {
	n := 0
	for part, end := range p.ends {
		if pos[part] < end {
			n++
		}
	}
	return n
}

func (p *consumePlan) run(ctx context.Context, g *globals, s *session, o *consumeOpts) error {
	opts, err := g.clientOpts()
	if err != nil {
		return err
	}
	opts = append(opts, kgo.FetchMaxWait(500*time.Millisecond))
	offsets := map[int32]kgo.Offset{}
	for part, off := range p.starts {
		offsets[part] = kgo.NewOffset().At(off)
	}
	if o.group != "" {
		opts = append(opts, kgo.ConsumerGroup(o.group), kgo.ConsumeTopics(p.topic), kgo.DisableAutoCommit(),
			kgo.ConsumeResetOffset(p.reset))
	} else {
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{p.topic: offsets}))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return err
	}
	defer cl.Close()
	pos := map[int32]int64{}
	for part, off := range p.starts {
		pos[part] = off
	}
	w := newRecordWriter(s.out, o.format)
	count := 0
	last := map[int32]*kgo.Record{} // per partition, the last record printed
	for o.follow || p.remaining(pos) > 0 {
		if o.num > 0 && count >= o.num {
			break
		}
		fs := p.poll(ctx, cl, g, o, count)
		if ctx.Err() != nil || fs == nil {
			break
		}
		if err := fetchErr(fs, p.topic); err != nil {
			return err
		}
		fs.EachRecord(func(r *kgo.Record) {
			if o.num > 0 && count >= o.num {
				return
			}
			if err := w.write(r); err == nil {
				count++
			}
			pos[r.Partition] = r.Offset + 1
			last[r.Partition] = r
		})
	}
	if err := w.flush(); err != nil {
		return err
	}
	return commitPrinted(cl, g, o.group, last)
}

// fetchErr is the first fetch error that is not a closed client or context.
func fetchErr(fs kgo.Fetches, topic string) error {
	var out error
	fs.EachError(func(t string, p int32, err error) {
		if out == nil && err != context.Canceled && err != kgo.ErrClientClosed {
			out = fmt.Errorf("fetch %s/%d: %w", t, p, explain(err, topic))
		}
	})
	return out
}

// poll waits for records; unless following, a wait of --timeout without
// any ends the run (the rest of the log may be gone, or transaction
// markers).
func (p *consumePlan) poll(ctx context.Context, cl *kgo.Client, g *globals, o *consumeOpts, count int) kgo.Fetches {
	if o.follow {
		return cl.PollRecords(ctx, o.num-count)
	}
	pctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	fs := cl.PollRecords(pctx, o.num-count)
	if pctx.Err() != nil && fs.NumRecords() == 0 {
		return nil
	}
	return fs
}

// commitPrinted commits, for a group, the offsets after the records
// printed (not merely polled).
func commitPrinted(cl *kgo.Client, g *globals, group string, last map[int32]*kgo.Record) error {
	if group == "" || len(last) == 0 {
		return nil
	}
	recs := make([]*kgo.Record, 0, len(last))
	for _, r := range last {
		recs = append(recs, r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
	defer cancel()
	if err := cl.CommitRecords(ctx, recs...); err != nil {
		return fmt.Errorf("commit offsets of group %q: %w", group, groupErr(group, err))
	}
	return nil
}
