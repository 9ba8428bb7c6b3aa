GO ?= go
PKGS := ./...
# Short fault tests run in `make test`; `make fault` runs them long.
FAULT_ITERS ?= 1
# Rounds of each acceptance test of test/faults under `make fault` (each
# round: load, fault, heal, settle, check); the counts table is printed.
FAULT_ROUNDS ?= 100
# FAULT_ALL=1 also runs the tests test/faults knows to fail on main.
FAULT_ALL ?=

.PHONY: build test test-unit fault lint bench generate docs

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/gofka ./cmd/gofka

test: build lint
	# developers run the broker on macOS too: keep it compiling there
	GOOS=darwin $(GO) vet $(PKGS)
	GOFKA_FAULT_ITERS=$(FAULT_ITERS) $(GO) test -race -count=1 -timeout 40m $(PKGS)

test-unit:
	$(GO) test -race -count=1 -short $(PKGS)

fault: build
	GOFKA_FAULT_ITERS=20 $(GO) test -race -count=1 -timeout 60m -run 'Kill|Crash|Fault' $$($(GO) list ./test/... | grep -v /test/faults) ./pkg/gofkatest/
	@rm -f bin/fault-counts.txt
	GOFKA_FAULT_ALL=$(FAULT_ALL) GOFKA_FAULT_ROUNDS=$(FAULT_ROUNDS) GOFKA_FAULT_TABLE=$(CURDIR)/bin/fault-counts.txt $(GO) test -count=1 -timeout 600m -run 'Fault' ./test/faults/; \
		status=$$?; cat bin/fault-counts.txt 2>/dev/null; exit $$status
	GOFKA_BIG=1 $(GO) test -count=1 -timeout 30m -run 'BigLog' ./internal/storage/cleaner/

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

bench: build
	$(GO) run ./bench -out docs/benchmarks.md

generate:
	$(GO) generate ./...

docs:
	$(GO) run ./internal/config/gendocs > docs/configuration.md
