package storage

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gofka/gofka/internal/record"
)

// completeSwaps finishes what a crash interrupted in ReplaceSegments, as
// Kafka's LogLoader does with swap files: *.cleaned files are removed (the
// cleaning had not reached the swap), index *.swap files are removed (they
// are rebuilt), and each <base>.log.swap replaces every segment whose base
// lies in [base, next offset of the swap) before it is renamed to
// <base>.log. The result is either the old or the cleaned data for every
// offset range, never both.
func completeSwaps(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("storage: read %s: %w", dir, err)
	}
	var swaps []int64
	for _, e := range ents {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, cleanedSuffix):
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("storage: remove cleaned file: %w", err)
			}
		case strings.HasSuffix(name, logSuffix+swapSuffix):
			if b, ok := parseSegmentName(strings.TrimSuffix(name, swapSuffix)); ok {
				swaps = append(swaps, b)
			}
		case strings.HasSuffix(name, swapSuffix):
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("storage: remove swap index: %w", err)
			}
		}
	}
	for _, b := range swaps {
		if err := completeSwap(dir, b, ents); err != nil {
			return err
		}
	}
	return nil
}

// completeSwap replaces the segments covered by <base>.log.swap with it.
func completeSwap(dir string, base int64, ents []os.DirEntry) error {
	swap := filepath.Join(dir, segmentName(base)+logSuffix+swapSuffix)
	next, err := swapNextOffset(swap, base)
	if err != nil {
		return err
	}
	for _, e := range ents {
		b, ok := parseSegmentName(e.Name())
		if !ok || b < base || b >= max(next, base+1) {
			continue
		}
		for _, suf := range []string{logSuffix, indexSuffix, timeIndexSuffix} {
			p := filepath.Join(dir, segmentName(b)+suf)
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("storage: remove swapped-out segment: %w", err)
			}
		}
	}
	if err := os.Rename(swap, filepath.Join(dir, segmentName(base)+logSuffix)); err != nil {
		return fmt.Errorf("storage: complete swap: %w", err)
	}
	return syncDir(dir)
}

// swapNextOffset is the offset after the last whole batch of a swap file.
func swapNextOffset(path string, base int64) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("storage: open swap: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("storage: stat swap: %w", err)
	}
	r := bufio.NewReaderSize(f, 64<<10)
	next, remain := base, st.Size()
	var buf []byte
	for {
		buf, err = readBatch(r, buf, remain)
		if err != nil { // io.EOF, or a torn tail nothing points to
			return next, nil
		}
		remain -= int64(len(buf))
		if h, err := record.ParseHeader(buf); err == nil {
			next = h.LastOffset() + 1
		}
	}
}
