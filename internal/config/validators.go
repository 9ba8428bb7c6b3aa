package config

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A validator receives a value that already parsed as its Def's type.
type validator = func(v string) error

// atLeast accepts integers >= lo.
func atLeast(lo int64) validator {
	return func(v string) error {
		if n := mustInt(v); n < lo {
			return fmt.Errorf("value %d must be at least %d", n, lo)
		}
		return nil
	}
}

// between accepts integers in [lo, hi].
func between(lo, hi int64) validator {
	return func(v string) error {
		if n := mustInt(v); n < lo || n > hi {
			return fmt.Errorf("value %d must be between %d and %d", n, lo, hi)
		}
		return nil
	}
}

// betweenFloat accepts doubles in [lo, hi].
func betweenFloat(lo, hi float64) validator {
	return func(v string) error {
		if f := mustFloat(v); !(f >= lo && f <= hi) {
			return fmt.Errorf("value %v must be between %v and %v", f, lo, hi)
		}
		return nil
	}
}

// oneOf accepts exactly one of the given strings (case-sensitive, like
// Kafka's ValidString).
func oneOf(valid ...string) validator {
	return func(v string) error {
		if !slices.Contains(valid, v) {
			return fmt.Errorf("value %q must be one of [%s]", v, strings.Join(valid, ", "))
		}
		return nil
	}
}

// oneOfFold is oneOf ignoring case (Kafka's CaseInsensitiveValidString).
func oneOfFold(valid ...string) validator {
	return func(v string) error {
		for _, s := range valid {
			if strings.EqualFold(s, v) {
				return nil
			}
		}
		return fmt.Errorf("value %q must be one of [%s] (case-insensitive)", v, strings.Join(valid, ", "))
	}
}

// listOf accepts lists whose every element is one of valid (Kafka's ValidList).
func listOf(valid ...string) validator {
	one := oneOf(valid...)
	return func(v string) error {
		for _, e := range splitList(v) {
			if err := one(e); err != nil {
				return err
			}
		}
		return nil
	}
}

// nonEmptyList wraps a list validator, rejecting the empty list.
func nonEmptyList(next validator) validator {
	return func(v string) error {
		if len(splitList(v)) == 0 {
			return fmt.Errorf("value must not be empty")
		}
		if next == nil {
			return nil
		}
		return next(v)
	}
}

// gzipLevel accepts 1..9 or -1 (the JDK default level), as Kafka does.
func gzipLevel(v string) error {
	if n := mustInt(v); n != -1 && (n < 1 || n > 9) {
		return fmt.Errorf("value %d must be between 1 and 9 or equal to -1", n)
	}
	return nil
}

var throttledReplica = regexp.MustCompile(`^([0-9]+:[0-9]+)?$`)

// throttledReplicas accepts "*" or a list of partition:broker pairs.
func throttledReplicas(v string) error {
	if strings.TrimSpace(v) == "*" {
		return nil
	}
	for _, e := range strings.Split(v, ",") {
		if !throttledReplica.MatchString(strings.TrimSpace(e)) {
			return fmt.Errorf("value %q must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...", v)
		}
	}
	return nil
}

// hostPort splits "host:port" (IPv6 hosts in brackets) and checks the port.
func hostPort(s string) (string, int, error) {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return "", 0, fmt.Errorf("%q is not host:port", s)
	}
	host, ps := s[:i], s[i+1:]
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	port, err := strconv.Atoi(ps)
	if err != nil || port < 0 || port > math.MaxUint16 {
		return "", 0, fmt.Errorf("%q has an invalid port", s)
	}
	return host, port, nil
}

// optionalHostPort accepts "" or host:port (gofka.metrics.listen).
func optionalHostPort(v string) error {
	if v == "" {
		return nil
	}
	_, _, err := hostPort(v)
	return err
}

// quorumVoters accepts a list of {id}@{host}:{port} entries.
func quorumVoters(v string) error {
	for _, e := range splitList(v) {
		id, addr, ok := strings.Cut(e, "@")
		n, err := strconv.ParseInt(id, 10, 32)
		if !ok || err != nil || n < 0 {
			return fmt.Errorf("%q is not of the form {id}@{host}:{port}", e)
		}
		if _, _, err := hostPort(addr); err != nil {
			return fmt.Errorf("%q is not of the form {id}@{host}:{port}", e)
		}
	}
	return nil
}

// bootstrapServers accepts a list of {host}:{port} entries.
func bootstrapServers(v string) error {
	for _, e := range splitList(v) {
		if h, _, err := hostPort(e); err != nil || h == "" {
			return fmt.Errorf("%q is not of the form {host}:{port}", e)
		}
	}
	return nil
}

// securityProtocols are Kafka's SecurityProtocol names.
var securityProtocols = []string{"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}

// protocolMap accepts NAME:PROTOCOL pairs with each name once.
func protocolMap(v string) error {
	_, err := parseProtocolMap(v)
	return err
}

// listenerList accepts a listener list (see parseListeners).
func listenerList(v string) error {
	_, err := parseListeners(v)
	return err
}
