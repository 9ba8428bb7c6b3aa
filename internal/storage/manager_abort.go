package storage

// Abort stops the Manager as a crash would, for crash tests that run in
// one process: background work stops and every file is closed so the dirs
// can be opened again, but nothing is flushed and neither the checkpoints
// nor the clean shutdown markers are written, so the next OpenManager
// recovers every log from its recovery point. (Files of logs moved away
// and awaiting deletion are removed now, as a restart would.)
func (m *Manager) Abort() {
	m.mu.Lock()
	if m.mu.closed {
		m.mu.Unlock()
		return
	}
	m.mu.closed = true
	m.mu.Unlock()
	close(m.quit)
	m.wg.Wait()
	for _, l := range m.Logs() {
		_ = l.close(false)
	}
	m.retired.flush()
	for _, f := range m.locks {
		_ = unlockDir(f)
	}
}
