# meshfleet — the two commands a new machine needs are `make run` and `make test`.

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null)
# The commit's time, not the clock's: the same commit builds the same bytes.
DATE     ?= $(shell git log -1 --format=%cI 2>/dev/null)
CLI      := github.com/meshfleet/meshfleet/internal/cli
LDFLAGS  := -s -w -X $(CLI).version=$(VERSION) -X $(CLI).commit=$(COMMIT) -X $(CLI).date=$(DATE)
BIN      := bin/meshfleet
# install: PREFIX=/usr/local puts meshfleet in $(PREFIX)/bin with its man
# page and completions; without PREFIX it goes to GOBIN, else GOPATH/bin.
PREFIX   ?=
DESTDIR  ?=
# dist: the platforms of a release, as GoReleaser builds them.
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64
DIST     := dist
FUZZTIME ?= 10s
# -race costs a slower build of OPA, CUE and kustomize; set RACE= to skip it.
RACE     ?= -race

.PHONY: build run test vet bench bench-peers fuzz clean install dist

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

# install: the binary, and with PREFIX also the man page and completions.
install: build
	@set -e; \
	if [ -n "$(PREFIX)" ]; then bindir="$(DESTDIR)$(PREFIX)/bin"; \
	else bindir="$$($(GO) env GOBIN)"; [ -n "$$bindir" ] || bindir="$$($(GO) env GOPATH)/bin"; bindir="$(DESTDIR)$$bindir"; fi; \
	install -d "$$bindir"; install -m 0755 $(BIN) "$$bindir/meshfleet"; echo "installed $$bindir/meshfleet"; \
	if [ -n "$(PREFIX)" ]; then \
		install -d "$(DESTDIR)$(PREFIX)/share/man/man1" "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" \
			"$(DESTDIR)$(PREFIX)/share/zsh/site-functions" "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d"; \
		$(BIN) man > "$(DESTDIR)$(PREFIX)/share/man/man1/meshfleet.1"; \
		$(BIN) completion bash > "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/meshfleet"; \
		$(BIN) completion zsh > "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_meshfleet"; \
		$(BIN) completion fish > "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/meshfleet.fish"; \
	fi

# dist: release archives for every platform with a checksums file, built
# here with the module cache alone (GOPROXY=off: no network). Archives are
# reproducible: sorted entries, the commit's time, no owner names.
dist: build
	@set -e; rm -rf $(DIST); mkdir -p $(DIST); \
	$(BIN) man > $(DIST)/meshfleet.1; \
	for s in bash zsh fish; do $(BIN) completion $$s > $(DIST)/meshfleet.$$s; done; \
	for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; name=meshfleet_$(VERSION)_$${os}_$${arch}; \
		echo "# $$name"; mkdir -p $(DIST)/$$name/completions; \
		GOOS=$$os GOARCH=$$arch CGO_ENABLED=0 GOPROXY=off GOFLAGS=-mod=readonly \
			$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(DIST)/$$name/meshfleet ./cmd/meshfleet; \
		cp README.md $(DIST)/meshfleet.1 $(DIST)/$$name/; \
		for s in bash zsh fish; do cp $(DIST)/meshfleet.$$s $(DIST)/$$name/completions/; done; \
		tar -C $(DIST) --sort=name --owner=0 --group=0 --numeric-owner \
			--mtime="$(or $(DATE),1970-01-01T00:00:00Z)" -czf $(DIST)/$$name.tar.gz $$name; \
		rm -rf $(DIST)/$$name; \
	done; \
	rm -f $(DIST)/meshfleet.1 $(DIST)/meshfleet.bash $(DIST)/meshfleet.zsh $(DIST)/meshfleet.fish; \
	cd $(DIST) && sha256sum *.tar.gz > checksums.txt && cat checksums.txt

clean:
	rm -rf bin $(DIST)
