# wardkey: `make run` builds and starts the TUI; `make test` runs every test,
# with a real Secret Service (gnome-keyring in a private D-Bus session).
GO       ?= go
BIN      := bin/wardkey
PKGS     := ./...
FUZZTIME ?= 20s
SESSION  := ./.ci/keyring-session

.PHONY: all build run test race check bench fuzz clean

all: build

build:
	$(GO) build -o $(BIN) .

run: build
	./$(BIN) $(ARGS)

test:
	$(SESSION) $(GO) test -count=1 $(PKGS)

race:
	$(SESSION) $(GO) test -count=1 -race $(PKGS)

check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)
	$(MAKE) race
	@if $(GO) run golang.org/x/vuln/cmd/govulncheck@latest $(PKGS) 2>/tmp/govulncheck.err; then :; \
	elif grep -qiE 'dial|fetch|lookup|connect|timeout|vuln.go.dev' /tmp/govulncheck.err; then \
	  echo "govulncheck SKIPPED: its vulnerability database cannot be reached from here"; \
	else cat /tmp/govulncheck.err; exit 1; fi

bench:
	$(SESSION) $(GO) test -run='^$$' -bench=. -benchmem $(PKGS)

# Every fuzz target, FUZZTIME each (go test -fuzz takes one target at a time).
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$t"; \
	    $(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin
