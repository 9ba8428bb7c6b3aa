package main

import "strings"

// writeTLSNotes describes the TLS benchmark (bench/tls_test.go), which runs
// with go test rather than in the comparison run, and its last results.
func writeTLSNotes(b *strings.Builder) {
	b.WriteString("## TLS against plaintext\n\n")
	b.WriteString("`go test ./bench -run '^$' -bench TLS -benchmem` starts one in-process broker with a PLAINTEXT\n")
	b.WriteString("and an SSL listener and drives both with franz-go in the same run: produce ops are 1 MiB of 1 KiB\n")
	b.WriteString("random records (acks=1, no compression), consume ops read a 64 MiB topic from the page cache with\n")
	b.WriteString("a new consumer. Client and broker share the 2 cores, so TLS pays for both ends' AES-GCM.\n\n")
	b.WriteString("| phase | plaintext | TLS 1.3 | TLS / plaintext |\n")
	b.WriteString("|---|---|---|---|\n")
	b.WriteString("| produce (quiet machine) | 700 MB/s | 376 MB/s | 0.54 |\n")
	b.WriteString("| consume (quiet machine) | 565 MB/s | 405 MB/s | 0.72 |\n")
	b.WriteString("| consume (load average 9, three runs) | 125-264 MB/s | 146-351 MB/s | noisy |\n\n")
	b.WriteString("Fetch over TLS cannot use sendfile(2): the bytes must pass through user space to be encrypted.\n")
	b.WriteString("They are copied once, from the page cache into a pooled 64 KiB buffer that also gathers the\n")
	b.WriteString("response header and the per-partition headers (`internal/wire/part_copy.go`), and each buffer\n")
	b.WriteString("goes to the TLS layer in one write, sealed as full 16 KiB records. Allocations per consumed 64 MiB\n")
	b.WriteString("differ by about 1 MiB between the listeners (client-side record objects dominate both), so no\n")
	b.WriteString("per-byte buffer is allocated on the TLS path. Kernel TLS (kTLS), which would restore sendfile, is\n")
	b.WriteString("not used: crypto/tls does not support it. The quiet-machine consume row predates the gathered\n")
	b.WriteString("writes (one TLS record per part before); under load an A/B of the two write paths was within noise.\n\n")
}
