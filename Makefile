# meshc's everyday commands. `make test` is what CI runs (.ci/run).

GO      ?= go
BIN     ?= bin/meshc
EXAMPLE ?= examples/pharma

.PHONY: build test race demo fmt lint fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/meshc

# test runs the linters, then every test: unit, golden, doc examples and the
# testscript end-to-end tests.
test: lint
	$(GO) test ./...

# race runs the tests with the race detector (files are parsed in parallel).
race:
	$(GO) test -race ./...

# demo checks the bundled example mesh and prints its lineage.
demo:
	$(GO) run ./cmd/meshc check $(EXAMPLE)
	$(GO) run ./cmd/meshc graph --format mermaid $(EXAMPLE)

fmt:
	gofmt -w .
	$(GO) run ./cmd/meshc fmt examples

lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run ./cmd/meshc fmt --check examples

# fuzz runs the loader and checker fuzz target for FUZZTIME (default 2m).
FUZZTIME ?= 2m
fuzz:
	$(GO) test ./compiler -run '^$$' -fuzz FuzzCompile -fuzztime $(FUZZTIME)

clean:
	rm -rf bin
