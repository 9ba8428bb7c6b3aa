package storage

import "time"

// start launches the background tasks; Close stops them.
func (m *Manager) start() {
	m.every(m.cfg.RetentionCheckInterval, m.enforceRetention)
	m.every(m.cfg.RecoveryCheckpointInterval, m.logErr("recovery checkpoint", m.checkpointRecovery))
	m.every(m.cfg.StartOffsetCheckpointInterval, m.logErr("start offset checkpoint", m.checkpointStartOffsets))
	m.every(m.cfg.FlushCheckInterval, m.flushDue)
}

// every runs fn each interval until Close; a negative interval disables it.
func (m *Manager) every(interval time.Duration, fn func()) {
	if interval < 0 {
		return
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-m.quit:
				return
			case <-t.C:
				fn()
			}
		}
	}()
}

func (m *Manager) logErr(what string, fn func() error) func() {
	return func() {
		if err := fn(); err != nil {
			m.cfg.Logger.Error("storage: "+what, "err", err)
		}
	}
}

// enforceRetention runs retention on every log.
func (m *Manager) enforceRetention() {
	now := m.cfg.Now()
	for _, l := range m.Logs() {
		if _, err := l.EnforceRetention(now); err != nil && !isClosed(err) {
			m.cfg.Logger.Error("storage: retention", "partition", l.tp.String(), "err", err)
		}
	}
}

// flushDue fsyncs logs per flush.ms and flushes rolled segments.
func (m *Manager) flushDue() {
	nowMs := m.cfg.Now().UnixMilli()
	for _, l := range m.Logs() {
		if l.closed.Load() {
			continue
		}
		if err := l.flushIfDue(nowMs); err != nil && !isClosed(err) {
			m.cfg.Logger.Error("storage: flush", "partition", l.tp.String(), "err", err)
			m.failLogOf(l, err) // Kafka's LogDirFailureChannel
		}
	}
}
