package controller

import "github.com/gofka/gofka/internal/metadata"

// Stats are the active controller's gauges of Kafka's
// kafka.controller:type=KafkaController MBean, computed from an image.
type Stats struct {
	Topics, Partitions int
	Offline            int // partitions without a leader (OfflinePartitionsCount)
	Imbalanced         int // led by another than their first replica (PreferredReplicaImbalanceCount)
	Reassigning        int // with adding or removing replicas
	WithELR            int // with eligible leader replicas (KIP-966)
	ActiveBrokers      int // registered and unfenced
	FencedBrokers      int
}

// StatsOf counts img's partitions and brokers.
func StatsOf(img *metadata.Image) Stats {
	var s Stats
	img.EachTopic(func(t *metadata.TopicImage) bool {
		s.Topics++
		for _, p := range t.Partitions {
			if p == nil {
				continue
			}
			s.Partitions++
			switch {
			case p.Leader < 0:
				s.Offline++
			case len(p.Replicas) > 0 && p.Leader != p.Replicas[0]:
				s.Imbalanced++
			}
			if len(p.AddingReplicas) > 0 || len(p.RemovingReplicas) > 0 {
				s.Reassigning++
			}
			if len(p.ELR) > 0 {
				s.WithELR++
			}
		}
		return true
	})
	for _, b := range img.Brokers {
		if b.Fenced {
			s.FencedBrokers++
		} else {
			s.ActiveBrokers++
		}
	}
	return s
}
