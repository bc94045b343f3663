# wardkey: `make run` builds and starts the TUI; `make test` runs every test,
# with a real Secret Service (gnome-keyring in a private D-Bus session).
GO       ?= go
BIN      := bin/wardkey
PKGS     := ./...
FUZZTIME ?= 20s
SESSION  := ./.ci/keyring-session

.PHONY: all build run test race check bench fuzz dist clean

all: build

# Built as released (.ci/goreleaser.yaml): static, without cgo, as two
# programs from one source. bin/wardkey is the lean build (-tags
# wardkey_lean: code, list, log, config... start in a third of the time);
# it hands every other command, the code screen included, to
# bin/wardkey-full beside it, the default build, which has everything
# (app/lean.go; docs/performance.md, "Two binaries").
build:
	CGO_ENABLED=0 $(GO) build -tags wardkey_lean -o $(BIN) .
	CGO_ENABLED=0 $(GO) build -o $(BIN)-full .

run: build
	./$(BIN) $(ARGS)

test:
	$(SESSION) $(GO) test -count=1 -timeout=30m $(PKGS)

race:
	$(SESSION) $(GO) test -count=1 -race -timeout=30m $(PKGS)

check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)
	$(GO) build -tags wardkey_lean -o /dev/null . && GOOS=windows $(GO) build -tags wardkey_lean -o /dev/null .
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -tests=false -checks 'inherit,-U1000' -tags wardkey_lean .
	$(MAKE) race
	@if $(GO) run golang.org/x/vuln/cmd/govulncheck@latest $(PKGS) 2>/tmp/govulncheck.err; then :; \
	elif grep -qiE 'dial|fetch|lookup|connect|timeout|vuln.go.dev' /tmp/govulncheck.err; then \
	  echo "govulncheck SKIPPED: its vulnerability database cannot be reached from here"; \
	else cat /tmp/govulncheck.err; exit 1; fi

# Every Go benchmark, then one table of whole processes beside the peers
# (oathtool, secret-tool, a go-keyring-only process, pass otp, keepassxc-cli,
# zbarimg, age), measured in the same run: docs/performance.md.
BENCHFLAGS ?=
bench:
	$(SESSION) sh -c '$(GO) test -run="^$$" -bench=. -benchmem $(PKGS) && $(GO) run ./app/internal/benchtable $(BENCHFLAGS)'

# Every fuzz target, FUZZTIME each (go test -fuzz takes one target at a time).
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$t"; \
	    $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s $$pkg || exit 1; \
	  done; \
	done

# Release archives (linux, darwin, windows x amd64, arm64), .deb and .rpm
# packages and a checksums file in dist/, for the checked-out commit, published
# nowhere. Two runs on one commit give identical files: docs/releasing.md.
# DIST_ONLY_LINUX_AMD64=1 builds the linux/amd64 archive and packages only (CI).
# goreleaser gives up on every git fact when the checkout has no remote (a
# worktree of a local repository, a CI copy): it gets the project's URL.
GORELEASER := $(GO) run github.com/goreleaser/goreleaser/v2@v2.15.1
dist:
	GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/wardkey/wardkey \
	  $(GORELEASER) release --snapshot --clean --config .ci/goreleaser.yaml

clean:
	rm -rf bin dist
