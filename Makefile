# meshc's everyday commands. `make test` is what CI runs (.ci/run).

GO      ?= go
BIN     ?= bin/meshc
EXAMPLE ?= examples/pharma

.PHONY: build test race demo fmt lint fuzz e2e bench clean

build:
	$(GO) build -o $(BIN) ./cmd/meshc

# test runs the linters, then every test: unit, golden, doc examples, the
# testscript end-to-end tests, GitLab's schema on the generated pipelines,
# and the example's pipelines run with gitlab-ci-local (e2e). The tests run
# with the race detector where cgo works (it needs a C compiler, which
# .ci/run installs): meshc parses, checks, renders and compares on every
# core. Under the race detector on a busy two-core machine the compiler's
# package takes minutes (its cache test compiles every broken case five
# times), so a package may take 15 rather than go test's 10.
RACE ?= $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && echo -race)
test: lint
	$(GO) test $(RACE) -timeout 15m ./...
	$(MAKE) e2e

# e2e runs the example's GitLab pipelines with gitlab-ci-local, installing it
# (npm, Node 22) and PyYAML for its runner script first. It takes a few
# minutes.
GCL    ?= $(abspath ../shared/validators/gitlab-ci-local)
PYTHON ?= $(shell python3 -c 'import yaml' 2>/dev/null && echo python3 || echo /usr/bin/python3)
e2e:
	bash $(GCL)/install.sh
	@$(PYTHON) -c 'import yaml' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-yaml >/dev/null; }
	MESHC_GITLAB_CI_LOCAL=$(GCL)/run.py MESHC_PYTHON=$(PYTHON) $(GO) test ./targets/gitlab -run TestGitLabCILocal -count=1 -timeout 30m -v

# race runs the tests with the race detector (files are parsed in parallel).
race:
	$(GO) test -race ./...

# demo checks the bundled example mesh and compiles it to GitLab CI
# pipelines in gen/gitlab, Airflow DAGs in gen/airflow and Snowflake task
# graphs in gen/snowflake.
demo:
	$(GO) run ./cmd/meshc check $(EXAMPLE)
	$(GO) run ./cmd/meshc build --target gitlab --out gen/gitlab $(EXAMPLE)
	$(GO) run ./cmd/meshc build --target airflow --out gen/airflow $(EXAMPLE)
	$(GO) run ./cmd/meshc build --target snowflake --out gen/snowflake $(EXAMPLE)

fmt:
	gofmt -w .
	$(GO) run ./cmd/meshc fmt examples stdlib

lint:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run ./cmd/meshc fmt --check examples stdlib

# bench measures meshc against the parse floor on synthetic meshes of
# 1,000, 10,000 and 100,000 products (BENCH_SIZES), with allocations, and
# prints the table of docs/performance.md; the targets' own benchmarks
# follow. No timing is asserted anywhere. The largest size takes minutes.
BENCH_SIZES ?= 1000,10000,100000
bench:
	MESHC_BENCH_SIZES=$(BENCH_SIZES) $(GO) test ./internal/perf -run '^$$' -bench . -benchmem -benchtime 1x -timeout 2h | $(GO) run ./internal/perf/benchtable
	$(GO) test ./compiler ./targets/... -run '^$$' -bench . -benchmem -benchtime 3x

# fuzz runs every fuzz target of every package (as go test -list finds
# them) for FUZZTIME each (default 2m, so about half an hour in all), one
# after the other. A new input is minimized in at most FUZZMINIMIZE runs
# (default 50x): the seeds are whole meshes, and minimizing by time (Go's
# default is a minute per input) took nearly all the fuzzers' time
# (gitlab's FuzzBuild tried 77 inputs in 100 s with 5 s per input, 6,240 in
# 60 s with 50x).
FUZZTIME ?= 2m
FUZZMINIMIZE ?= 50x
FUZZ = $(GO) test -run '^$$' -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE)
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "$$pkg $$target"; \
	    $(FUZZ) $$pkg -fuzz "^$$target\$$" || exit 1; \
	  done; \
	done

clean:
	rm -rf bin
