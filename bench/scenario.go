package main

import "fmt"

// mode is what the load driver does in one timed phase.
type mode int

const (
	modeProduce mode = iota // produce only
	modeConsume             // consume only, everything produced so far, from the page cache
	modeBoth                // produce and consume (tailing) together
	// modeRaw reads everything again with plain Fetch requests that do
	// not decode records; an extra measurement, not a matrix scenario.
	modeRaw
	// modeRawProduce writes pre-encoded ProduceRequests to its own topic
	// over several pipelined connections; an extra measurement, not a
	// matrix scenario.
	modeRawProduce
	// modeRawBoth is the both scenario with the raw drivers: raw
	// ProduceRequests to its own topic while raw Fetch requests tail it.
	modeRawBoth
	// modeHalf is kgo producing at half the rate the produce phase
	// reached: the latency of a broker that is not saturated; an extra
	// measurement, not a matrix scenario.
	modeHalf
	numModes
)

var modeNames = [...]string{"produce", "consume", "both", "raw fetch", "raw produce", "raw both", "half-load produce"}

func (m mode) String() string { return modeNames[m] }

// config is one topic and producer setup; the three modes run in this
// order on one server process per config.
type config struct {
	Size       int   // record value bytes
	Acks       int16 // 1 or -1 (all)
	Partitions int32
}

// scenario is one cell of the matrix: a config and a mode.
type scenario struct {
	config
	Mode mode
}

// configs is the matrix: 2 sizes x 2 acks x 2 partition counts.
func configs() []config {
	var cs []config
	for _, size := range []int{100, 1024} {
		for _, acks := range []int16{1, -1} {
			for _, parts := range []int32{1, 6} {
				cs = append(cs, config{Size: size, Acks: acks, Partitions: parts})
			}
		}
	}
	return cs
}

// scenarios lists every config in every mode, in run order.
func scenarios(cs []config) []scenario {
	var ss []scenario
	for _, c := range cs {
		for m := modeProduce; m <= modeBoth; m++ {
			ss = append(ss, scenario{config: c, Mode: m})
		}
	}
	return ss
}

func (c config) sizeName() string {
	if c.Size%1024 == 0 {
		return fmt.Sprintf("%d KiB", c.Size/1024)
	}
	return fmt.Sprintf("%d B", c.Size)
}

func (c config) acksName() string {
	if c.Acks == -1 {
		return "all"
	}
	return fmt.Sprint(c.Acks)
}

func (c config) String() string {
	return fmt.Sprintf("%s, acks=%s, %dp", c.sizeName(), c.acksName(), c.Partitions)
}

func (s scenario) String() string { return s.config.String() + ", " + s.Mode.String() }

// short is the scenario's chart label, e.g. "1K A1 P6".
func (c config) short() string {
	size := "100"
	if c.Size == 1024 {
		size = "1K"
	} else if c.Size != 100 {
		size = fmt.Sprint(c.Size)
	}
	acks := "A1"
	if c.Acks == -1 {
		acks = "AA"
	}
	return fmt.Sprintf("%s %s P%d", size, acks, c.Partitions)
}
