# meshfleet — the two commands a new machine needs are `make run` and `make test`.

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/meshfleet/meshfleet/internal/cli.version=$(VERSION)
BIN      := bin/meshfleet
FUZZTIME ?= 10s
# -race costs a slower build of OPA, CUE and kustomize; set RACE= to skip it.
RACE     ?= -race

.PHONY: build run test vet bench fuzz clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/meshfleet

# run: the main job on the shipped examples — render every VMFleet example,
# then lint the examples and what they render.
run: build
	@set -e; for f in examples/*/fleet.yaml; do \
		echo "# $(BIN) render $$f"; $(BIN) render $$f; \
	done
	@echo "# $(BIN) lint examples/"; $(BIN) lint examples/
	@echo "# $(BIN) test examples/"; $(BIN) test examples/

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

test: vet
	$(GO) test $(RACE) -shuffle=on -count=1 ./...

bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

# fuzz: a short run of every fuzz target (one at a time: go test allows one).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "# fuzz $$pkg $$t"; $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$pkg; \
		done; \
	done

clean:
	rm -rf bin
