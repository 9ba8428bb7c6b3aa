package main

// Shared plumbing of the operator commands: the --brokers, --output and
// --timeout flags, the franz-go client, table and JSON output, and errors
// that say what to do.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// brokersEnv names the environment variable read when --brokers is unset.
const brokersEnv = "GOFKA_BROKERS"

// defaultBrokers is where `gofka server` listens with no flags.
const defaultBrokers = "localhost:9092"

// globals are the root command's persistent flags.
type globals struct {
	brokers string
	output  string
	timeout time.Duration
	auth    authFlags // auth.go
}

// usageError is an error in the command line: bad flags or arguments.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usagef returns a usageError; main adds a pointer to --help.
func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// isUsage reports whether err is a command-line error.
func isUsage(err error) bool {
	var u *usageError
	return errors.As(err, &u)
}

// Argument checks that report usage errors.
var noArgs = exactArgs(0)

func exactArgs(n int) cobra.PositionalArgs { return usageArgs(cobra.ExactArgs(n)) }

func minArgs(n int) cobra.PositionalArgs { return usageArgs(cobra.MinimumNArgs(n)) }

func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usagef("%s: %w", cmd.CommandPath(), err)
		}
		return nil
	}
}

func (g *globals) register(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	f.StringVar(&g.brokers, "brokers", "", "comma-separated host:port list of brokers (default $"+brokersEnv+", else "+defaultBrokers+")")
	f.StringVarP(&g.output, "output", "o", "table", "output format: table or json")
	f.DurationVar(&g.timeout, "timeout", 10*time.Second, "how long a command may wait for the cluster")
	g.auth.register(f)
}

// clientOpts are the options every client of a command starts from: the
// seed brokers, the client id and the security settings.
func (g *globals) clientOpts() ([]kgo.Opt, error) {
	sec, err := g.auth.securityOpts()
	if err != nil {
		return nil, err
	}
	return append([]kgo.Opt{kgo.SeedBrokers(g.seeds()...), kgo.ClientID("gofka-cli")}, sec...), nil
}

// seeds are the brokers to bootstrap from: --brokers, $GOFKA_BROKERS or
// localhost:9092.
func (g *globals) seeds() []string {
	s := g.brokers
	if s == "" {
		s = os.Getenv(brokersEnv)
	}
	if s == "" {
		s = defaultBrokers
	}
	var out []string
	for _, b := range strings.Split(s, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}

// validate checks the global flags before a command runs.
func (g *globals) validate() error {
	if g.output != "table" && g.output != "json" {
		return usagef("--output %q: want table or json", g.output)
	}
	if g.timeout <= 0 {
		return usagef("--timeout must be positive")
	}
	return nil
}

// session is one command's connection to the cluster.
type session struct {
	g   *globals
	ctx context.Context
	cl  *kgo.Client
	adm *kadm.Client
	out io.Writer
}

// connect builds a client and checks that a broker answers, so an
// unreachable cluster fails fast with a message saying what to do.
func (g *globals) connect(cmd *cobra.Command, opts ...kgo.Opt) (*session, func(), error) {
	if err := g.validate(); err != nil {
		return nil, nil, err
	}
	base, err := g.clientOpts()
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), g.timeout)
	opts = append(append(base,
		kgo.DialTimeout(min(g.timeout, 3*time.Second)),
		kgo.RetryTimeout(g.timeout),
		kgo.MetadataMinAge(100*time.Millisecond)), opts...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	var once sync.Once
	done := func() { once.Do(func() { cl.Close(); cancel() }) }
	if err := cl.Ping(ctx); err != nil {
		done()
		return nil, nil, g.unreachable(err)
	}
	return &session{g: g, ctx: ctx, cl: cl, adm: kadm.NewClient(cl), out: cmd.OutOrStdout()}, done, nil
}

// withSession runs f on a connected session and closes the session
// after it.
func (g *globals) withSession(cmd *cobra.Command, f func(*session) error) error {
	s, done, err := g.connect(cmd)
	if err != nil {
		return err
	}
	defer done()
	return f(s)
}

// unreachable explains a failed connection.
func (g *globals) unreachable(err error) error {
	return fmt.Errorf("cannot reach any broker at %s (%v): start one with `gofka server`, or point --brokers or $%s at a running cluster",
		strings.Join(g.seeds(), ","), err, brokersEnv)
}

// errTopicMissing says that a topic does not exist and how to find one.
func errTopicMissing(topic string) error {
	return fmt.Errorf("topic %q does not exist: list topics with `gofka topic list`, or create it with `gofka topic create %s`", topic, topic)
}

// explain turns Kafka errors into advice where there is some.
func explain(err error, topic string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, kerr.UnknownTopicOrPartition) && topic != "":
		return errTopicMissing(topic)
	case errors.Is(err, kerr.TopicAlreadyExists):
		return fmt.Errorf("topic %q already exists: see it with `gofka topic describe %s`", topic, topic)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: the cluster did not answer in time (raise --timeout?)", err)
	}
	return err
}

// requireTopics fails with advice when any topic does not exist.
func (s *session) requireTopics(topics ...string) (kadm.TopicDetails, error) {
	td, err := s.adm.ListTopics(s.ctx, topics...)
	if err != nil {
		return nil, explain(err, "")
	}
	for _, t := range topics {
		d, ok := td[t]
		if !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition) {
			return nil, errTopicMissing(t)
		}
		if d.Err != nil {
			return nil, fmt.Errorf("topic %q: %w", t, d.Err)
		}
	}
	return td, nil
}

// json reports whether output is JSON.
func (s *session) json() bool { return s.g.output == "json" }

// print writes v as indented JSON.
func (s *session) printJSON(v any) error {
	enc := json.NewEncoder(s.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table writes rows under a header, columns aligned.
func (s *session) table(header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// emit prints v as JSON, or rows as a table.
func (s *session) emit(v any, header []string, rows [][]string) error {
	if s.json() {
		return s.printJSON(v)
	}
	return s.table(header, rows)
}

// outcome is one item's result in a NAME/STATUS report.
type outcome struct {
	name string
	err  error // nil: OK
}

// outcomesOf turns per-item results into outcome rows; f gives an item's
// name and its error (nil: OK).
func outcomesOf[T any](items []T, f func(T) (string, error)) []outcome {
	outs := make([]outcome, 0, len(items))
	for _, it := range items {
		name, err := f(it)
		outs = append(outs, outcome{name: name, err: err})
	}
	return outs
}

// emitOutcomes prints one NAME/STATUS row per item (or, as JSON, a map of
// name to status) and returns the items' errors joined.
func (s *session) emitOutcomes(what string, outs []outcome) error {
	var rows [][]string
	var errs []error
	js := make(map[string]string, len(outs))
	for _, o := range outs {
		status := "OK"
		if o.err != nil {
			errs, status = append(errs, o.err), o.err.Error()
		}
		js[o.name] = status
		rows = append(rows, []string{o.name, status})
	}
	if err := s.emit(js, []string{what, "STATUS"}, rows); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// parseKV splits name=value pairs.
func parseKV(pairs []string, flag string) (map[string]string, error) {
	out := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, usagef("%s %q: want name=value", flag, p)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

// topicID prints a topic id as Kafka does: URL-safe base64, no padding.
func topicID(id [16]byte) string { return base64.RawURLEncoding.EncodeToString(id[:]) }
