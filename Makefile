# spamcheck: five binaries under cmd/, shared code under pkg/.
GO       ?= go
PREFIX   ?= /usr/local
BINDIR   := bin
REVISION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
LDFLAGS  := -s -w -X github.com/spam-gear/spamcheck/pkg/cli.Revision=$(REVISION)
TOOLS    := $(notdir $(wildcard cmd/*))
FUZZTIME ?= 10s
NOW      := 2026-11-27 18:00:00

.PHONY: all build test test-short style vet demo install bench fuzz clean

all: style vet build test

build:
	@echo ">> building $(TOOLS)"
	@mkdir -p $(BINDIR)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BINDIR)/ ./cmd/...

# The README's test command: every unit, CLI, golden and end-to-end test.
# gotestsum (a go.mod tool) prints each package as it finishes and ends with
# the list of skipped tests and their reasons, which plain go test hides.
test:
	@echo ">> running all tests (race detector on)"
	$(GO) vet ./...
	$(GO) tool gotestsum --format pkgname --format-hide-empty-pkg -- -race -count=1 ./...

test-short:
	$(GO) test -short ./...

style:
	@echo ">> checking gofmt"
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

# The README's run command: every tool on the sample logs under examples/,
# evaluated at the instant the samples end; each command is printed as it
# runs, ready to paste.
demo: build
	@bash scripts/demo.sh $(BINDIR) '$(NOW)'

install: build
	PREFIX=$(PREFIX) BINDIR=$(BINDIR) ./scripts/install.sh --man

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./pkg/...

fuzz:
	@for pkg in $$($(GO) list ./pkg/...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo ">> $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf $(BINDIR)
