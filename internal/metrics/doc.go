// Package metrics owns Gofka's Prometheus registry and metric names.
//
// Names follow Prometheus conventions (gofka_ prefix, base units, _total
// for counters) and map Kafka's JMX MBeans one to one where Kafka has one;
// docs/metrics.md lists the mapping. The package never imports the broker:
// the broker feeds it through the methods of Registry and, for values read
// at scrape time (log sizes, offsets, groups), through the Source
// interfaces a Collector calls.
//
// Hot-path methods (Request, TopicIn, TopicOut) do not allocate once a
// topic's or API's series exist.
package metrics
