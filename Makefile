# meshfleet — the two commands a new machine needs are `make run` and `make test`.

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/meshfleet/meshfleet/internal/cli.version=$(VERSION)
BIN      := bin/meshfleet
FUZZTIME ?= 10s
# -race costs a slower build of OPA, CUE and kustomize; set RACE= to skip it.
RACE     ?= -race

.PHONY: build run test vet bench bench-peers fuzz clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/meshfleet

# run: the main job on the shipped examples — render every VMFleet example,
# then lint the examples and what they render, run their behaviour tests
# (MeshTest) and write the VM onboarding files of one fleet.
run: build
	@set -e; for f in examples/*/fleet.yaml; do \
		echo "# $(BIN) render $$f"; $(BIN) render $$f; \
	done
	@echo "# $(BIN) lint examples/"; $(BIN) lint examples/
	@echo "# $(BIN) test examples/"; $(BIN) test examples/
	@set -e; out=$$(mktemp -d); trap 'rm -rf "$$out"' EXIT; \
		echo "# $(BIN) vm-config -f examples/payment-service/fleet.yaml --cluster-id cluster1 --ingress-ip 192.0.2.10 -o $$out"; \
		$(BIN) vm-config -f examples/payment-service/fleet.yaml --cluster-id cluster1 --ingress-ip 192.0.2.10 -o "$$out"; \
		for f in $$(cd "$$out" && find . -type f -name cluster.env -o -type f -name mesh.yaml -o -type f -name hosts | sort); do \
			echo "# $$f"; cat "$$out/$$f"; \
		done

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

test: vet
	$(GO) test $(RACE) -shuffle=on -count=1 ./...

# bench: the in-process benchmarks, then DESIGN.md §6's table of whole-process
# ratios (internal/perf; peers shown as missing unless make bench-peers ran).
PEERS ?= $(HOME)/.cache/meshfleet-peers
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...
	MESHFLEET_PERF=1 $(GO) test -count=1 -timeout=60m -run='^TestPerfTable$$' ./internal/perf -v | grep -v -e '^=== RUN' -e '^--- PASS' -e '^PASS' -e '^ok '

# bench-peers: install the tools users would use instead into $(PEERS), outside
# the repository — kubeconform, and istioctl with ISTIOCTL=1 (a 12-minute
# build) — write kubeconform schemas from meshfleet's own JSON Schema export,
# and print the table with their ratios (interleaved runs, medians of 5).
KUBECONFORM_VERSION ?= v0.8.0
ISTIOCTL_VERSION    ?= v0.0.0-20260827124520-eed52ebb66ad
bench-peers:
	@mkdir -p $(PEERS)/bin
	test -x $(PEERS)/bin/kubeconform || GOBIN=$(PEERS)/bin $(GO) install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM_VERSION)
	@if [ -n "$(ISTIOCTL)" ] && [ ! -x $(PEERS)/bin/istioctl ]; then \
		echo "GOBIN=$(PEERS)/bin go install istio.io/istio/istioctl/cmd/istioctl@$(ISTIOCTL_VERSION)"; \
		GOBIN=$(PEERS)/bin $(GO) install istio.io/istio/istioctl/cmd/istioctl@$(ISTIOCTL_VERSION); \
	fi
	MESHFLEET_KUBECONFORM_SCHEMAS=$(PEERS)/schemas $(GO) test -count=1 -run='^TestWriteKubeconformSchemas$$' ./schemas
	MESHFLEET_PERF=1 MESHFLEET_PEERS=$(PEERS) $(GO) test -count=1 -timeout=60m -run='^TestPerfTable$$' ./internal/perf -v | grep -v -e '^=== RUN' -e '^--- PASS' -e '^PASS' -e '^ok '

# fuzz: a short run of every fuzz target (one at a time: go test allows one).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "# fuzz $$pkg $$t"; $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$pkg; \
		done; \
	done

clean:
	rm -rf bin
