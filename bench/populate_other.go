//go:build !linux

package main

// populate is Linux-only: elsewhere warmMemory writes the pages itself.
func populate([]byte) bool { return false }
