package config

import (
	"errors"
	"fmt"
)

// Type is a config value type. Its values equal the ConfigType codes Kafka
// returns in DescribeConfigs responses.
type Type int8

// The config value types.
const (
	Boolean  Type = 1
	String   Type = 2
	Int      Type = 3
	Short    Type = 4
	Long     Type = 5
	Double   Type = 6
	List     Type = 7
	Class    Type = 8
	Password Type = 9
)

// String returns the lower-case type name used in Kafka's documentation.
func (t Type) String() string {
	switch t {
	case Boolean:
		return "boolean"
	case String:
		return "string"
	case Int:
		return "int"
	case Short:
		return "short"
	case Long:
		return "long"
	case Double:
		return "double"
	case List:
		return "list"
	case Class:
		return "class"
	case Password:
		return "password"
	}
	return fmt.Sprintf("type(%d)", int8(t))
}

// Dynamic update modes of broker configs, as Kafka documents them.
const (
	ReadOnly    = "read-only"
	PerBroker   = "per-broker"
	ClusterWide = "cluster-wide"
)

// Def defines one config property.
type Def struct {
	Name    string
	Type    Type
	Default *string // nil = null default
	Doc     string
	// BrokerDoc, when set, documents the broker-level meaning of a property
	// that is both a topic and a broker config (e.g. min.insync.replicas).
	BrokerDoc string
	// Validate checks a value after it parsed as Type; nil = type check only.
	Validate func(v string) error
	Topic    bool   // a topic-level config
	Broker   bool   // a broker-level config
	Dynamic  string // broker dynamic update mode: ReadOnly, PerBroker or ClusterWide
	// Sensitive values are never reported (Password configs are sensitive).
	Sensitive bool
	// Synonyms of a topic config: its broker properties in precedence order.
	// A synonym ending in ".hours" or ".minutes" is converted to milliseconds.
	Synonyms []string
}

// Source codes of DescribeConfigs entries and synonyms.
const (
	SourceTopic          int8 = 1 // DYNAMIC_TOPIC_CONFIG
	SourceDynamicBroker  int8 = 2 // DYNAMIC_BROKER_CONFIG
	SourceDynamicDefault int8 = 3 // DYNAMIC_DEFAULT_BROKER_CONFIG
	SourceStatic         int8 = 4 // STATIC_BROKER_CONFIG
	SourceDefault        int8 = 5 // DEFAULT_CONFIG
)

// ErrUnknown is wrapped by errors about a property name Gofka does not know.
var ErrUnknown = errors.New("config: unknown property")

// ErrInvalid is wrapped by errors about a value that fails its type or
// validator, or a property that may not be set where it was set.
var ErrInvalid = errors.New("config: invalid value")

// Error describes a rejected property. Its message names the property and
// the reason; errors.Is matches ErrUnknown or ErrInvalid.
type Error struct {
	Name   string
	Reason string
	Kind   error // ErrUnknown or ErrInvalid
}

// Error implements error.
func (e *Error) Error() string { return "config: " + e.Name + ": " + e.Reason }

// Unwrap returns ErrUnknown or ErrInvalid.
func (e *Error) Unwrap() error { return e.Kind }

func unknownErr(name, what string) error {
	return &Error{Name: name, Reason: "unknown " + what, Kind: ErrUnknown}
}

func invalidErr(name, reason string) error {
	return &Error{Name: name, Reason: reason, Kind: ErrInvalid}
}

// ptr returns a pointer to s, for Default fields.
func ptr(s string) *string { return &s }
