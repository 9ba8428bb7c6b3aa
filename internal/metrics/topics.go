package metrics

// topic returns a topic's series, creating them on first use.
func (r *Registry) topic(name string) *topicSeries {
	r.topicsMu.RLock()
	s := r.topics[name]
	r.topicsMu.RUnlock()
	if s != nil {
		return s
	}
	r.topicsMu.Lock()
	defer r.topicsMu.Unlock()
	if s := r.topics[name]; s != nil {
		return s
	}
	s = &topicSeries{
		bytesIn:     r.bytesIn.WithLabelValues(name),
		bytesOut:    r.bytesOut.WithLabelValues(name),
		messagesIn:  r.messagesIn.WithLabelValues(name),
		messagesOut: r.messagesOut.WithLabelValues(name),
	}
	r.topics[name] = s
	return s
}

// TopicIn counts records and bytes appended to a topic.
func (r *Registry) TopicIn(topic string, records, bytes int64) {
	s := r.topic(topic)
	s.bytesIn.Add(float64(bytes))
	s.messagesIn.Add(float64(records))
}

// TopicOut counts records and bytes sent to consumers from a topic.
func (r *Registry) TopicOut(topic string, records, bytes int64) {
	s := r.topic(topic)
	s.bytesOut.Add(float64(bytes))
	s.messagesOut.Add(float64(records))
}

// DeleteTopic forgets a deleted topic's series.
func (r *Registry) DeleteTopic(topic string) {
	r.topicsMu.Lock()
	defer r.topicsMu.Unlock()
	if r.topics[topic] == nil {
		return
	}
	delete(r.topics, topic)
	for _, v := range []interface{ DeleteLabelValues(...string) bool }{r.bytesIn, r.bytesOut, r.messagesIn, r.messagesOut} {
		v.DeleteLabelValues(topic)
	}
}

// KeepTopics forgets the series of every topic not in keep (deleted
// topics); the broker calls it at scrape time.
func (r *Registry) KeepTopics(keep map[string]bool) {
	r.topicsMu.RLock()
	var gone []string
	for t := range r.topics {
		if !keep[t] {
			gone = append(gone, t)
		}
	}
	r.topicsMu.RUnlock()
	for _, t := range gone {
		r.DeleteTopic(t)
	}
}
