GO ?= go
PKGS := ./...
# Short fault tests run in `make test`; `make fault` runs them long.
FAULT_ITERS ?= 1

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
	GOFKA_FAULT_ITERS=20 $(GO) test -race -count=1 -timeout 60m -run 'Kill|Crash|Fault' ./test/... ./pkg/gofkatest/
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
