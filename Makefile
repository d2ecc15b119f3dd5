# ekskit — plain GNU Make.  `make help` lists the targets.
#
# Layout: lib/*.c -> build/libekskit.a; cmd/<tool>/*.c -> build/bin/<tool>;
# tests/unit/test_*.c -> build/tests/test_* (one cmocka binary per module).
# New files are picked up by wildcard, so adding a module needs no Makefile edit.

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
LIBDIR    ?= $(PREFIX)/lib
INCDIR    ?= $(PREFIX)/include
MANDIR    ?= $(PREFIX)/share/man
DATADIR   ?= $(PREFIX)/share
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
DESTDIR   ?=
VERSION   := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

CC        ?= cc
PKG_CONFIG ?= pkg-config
DEP_PKGS  := libcrypto libcurl libcares yaml-0.1 jansson expat

ifneq ($(SANITIZE),)
BUILD     ?= build/sanitize
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD     ?= build
SAN_FLAGS :=
endif

WARNINGS  := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wmissing-prototypes \
             -Wstrict-prototypes -Wold-style-definition -Wvla -Wwrite-strings \
             -Wpointer-arith -Wimplicit-fallthrough -Wundef -fno-common \
             -Wno-format-truncation
CFLAGS    ?= -O2 -g
ALL_CFLAGS = -std=c11 $(WARNINGS) $(SAN_FLAGS) -fstack-protector-strong \
             -D_FORTIFY_SOURCE=2 $(CFLAGS)
ALL_CPPFLAGS = -D_GNU_SOURCE -Iinclude -Ilib -DEKSKIT_VERSION='"$(VERSION)"' \
             $(shell $(PKG_CONFIG) --cflags $(DEP_PKGS)) $(CPPFLAGS)
LIBS       = $(shell $(PKG_CONFIG) --libs $(DEP_PKGS)) -lpthread -ldl
ALL_LDFLAGS = $(SAN_FLAGS) -Wl,--as-needed $(LDFLAGS)

# `make deps` puts the Python test peers (moto, botocore, the AWS CLI) into
# .venv when the system python3 lacks them, and kubectl binaries into
# .deps/bin when the distribution has none recent enough; tests, demo and
# bench then use them.
LOCAL_BINS := $(wildcard $(CURDIR)/.venv/bin $(CURDIR)/.deps/bin)
ifneq ($(LOCAL_BINS),)
export PATH := $(subst $(eval) ,:,$(LOCAL_BINS)):$(PATH)
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRCS  := $(sort $(wildcard lib/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIBEKSKIT := $(BUILD)/libekskit.a
TOOLS     := $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard cmd/*/*.c)))))
TOOL_BINS := $(TOOLS:%=$(BUILD)/bin/%)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all check unit integration sanitize install uninstall deps clean demo \
        fuzz fuzz-smoke fuzz-smoke-run bench help dist release
.SUFFIXES:
.SECONDARY:

all: $(TOOL_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIBEKSKIT): $(LIB_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# Each tool links its own objects against the library.
define tool_rule
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/$(1)/*.c)) $(LIBEKSKIT)
	@mkdir -p $$(@D)
	@$$(if $(Q),echo "  LINK    $$@")
	$(Q)$$(CC) $(ALL_LDFLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBEKSKIT)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) -lcmocka

# Unit tests find their data (tests/data/) from any working directory.
$(BUILD)/tests/unit/%.o: ALL_CPPFLAGS += -DEKSKIT_SRCDIR='"$(CURDIR)"'

# `make check` runs every test: unit binaries, then the integration scripts
# (moto, the fake API server and real kubectl, all on loopback).
check: all $(UNIT_BINS) fuzz-smoke
	$(Q)BUILD=$(BUILD) tests/run-all.sh

unit: $(UNIT_BINS)
	$(Q)BUILD=$(BUILD) tests/run-all.sh --unit-only

integration: all
	$(Q)BUILD=$(BUILD) tests/run-all.sh --integration-only

sanitize:
	$(Q)$(MAKE) --no-print-directory SANITIZE=address,undefined check

demo: all
	$(Q)BUILD=$(BUILD) tests/demo.sh

bench: all
	$(Q)for b in bench/*.sh; do BUILD=$(BUILD) bash $$b || exit 1; done

# The fuzz harnesses as a smoke in every `make check` (CI): each one built
# with tests/fuzz/replay_main.c (no libFuzzer needed) against the ASan+UBSan
# library, then run over its seed corpus tests/fuzz/corpus/<name>/.
FUZZ_SMOKE_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz-smoke/%)
FUZZ_SMOKE_CFLAGS = -std=c11 -g -O1 $(SAN_FLAGS) -D_GNU_SOURCE -Iinclude -Ilib \
               -DEKSKIT_VERSION='"$(VERSION)"' $(shell $(PKG_CONFIG) --cflags $(DEP_PKGS))

fuzz-smoke:
	$(Q)$(MAKE) --no-print-directory SANITIZE=address,undefined fuzz-smoke-run

$(BUILD)/fuzz-smoke/%: tests/fuzz/%.c tests/fuzz/replay_main.c $(LIBEKSKIT)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CC) $(FUZZ_SMOKE_CFLAGS) -o $@ $< tests/fuzz/replay_main.c $(LIBEKSKIT) $(LIBS)

fuzz-smoke-run: $(FUZZ_SMOKE_BINS)
	$(Q)for b in $(FUZZ_SMOKE_BINS); do n=$$(basename $$b); \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    $$b tests/fuzz/corpus/$${n#fuzz_}/* >/dev/null || { echo "fuzz smoke: $$n failed"; exit 1; }; \
	done; echo "fuzz smoke: $(words $(FUZZ_SMOKE_BINS)) harnesses replayed their corpora"

# libFuzzer harnesses (clang): build/fuzz/fuzz_<parser>.
FUZZ_CFLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iinclude -Ilib \
               -DEKSKIT_VERSION='"$(VERSION)"' $(shell $(PKG_CONFIG) --cflags $(DEP_PKGS))
fuzz:
	@mkdir -p build/fuzz
	$(Q)for f in $(FUZZ_SRCS); do n=$$(basename $$f .c); \
	  clang $(FUZZ_CFLAGS) -o build/fuzz/$$n $$f $(LIB_SRCS) $(LIBS) || exit 1; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/pkgconfig \
	  $(DESTDIR)$(INCDIR)/ekskit $(DESTDIR)$(MANDIR)/man1 \
	  $(DESTDIR)$(DATADIR)/bash-completion/completions \
	  $(DESTDIR)$(DATADIR)/zsh/site-functions \
	  $(DESTDIR)$(DATADIR)/fish/vendor_completions.d $(DESTDIR)$(SYSTEMDDIR)
	install -m 0755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(LIBEKSKIT) $(DESTDIR)$(LIBDIR)/
	install -m 0644 include/ekskit/*.h $(DESTDIR)$(INCDIR)/ekskit/
	for m in man/*.1; do [ -e "$$m" ] && install -m 0644 $$m $(DESTDIR)$(MANDIR)/man1/; done; true
	for t in $(TOOLS); do \
	  [ -e completions/$$t.bash ] && install -m 0644 completions/$$t.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/$$t; \
	  [ -e completions/_$$t ] && install -m 0644 completions/_$$t $(DESTDIR)$(DATADIR)/zsh/site-functions/; \
	  [ -e completions/$$t.fish ] && install -m 0644 completions/$$t.fish $(DESTDIR)$(DATADIR)/fish/vendor_completions.d/; \
	done; true
	for u in packaging/systemd/*.service packaging/systemd/*.timer; do \
	  sed 's|/usr/local/bin/|$(BINDIR)/|g' $$u > $(DESTDIR)$(SYSTEMDDIR)/$$(basename $$u); done
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCDIR@|$(INCDIR)|g' \
	  -e 's|@VERSION@|$(VERSION)|g' packaging/ekskit.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/ekskit.pc

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%) $(DESTDIR)$(LIBDIR)/libekskit.a \
	  $(DESTDIR)$(LIBDIR)/pkgconfig/ekskit.pc
	rm -rf $(DESTDIR)$(INCDIR)/ekskit

# Everything `make demo` and `make check` need, installed when missing (apt,
# dnf or brew; Python peers into .venv; kubectl): see scripts/deps.sh.
deps:
	$(Q)scripts/deps.sh

clean:
	rm -rf build

# Source tarball for the rpm spec and the Homebrew formula: git archive of
# HEAD, so the same commit always gives the same bytes.
dist:
	@mkdir -p build
	git archive --prefix=ekskit-$(VERSION)/ -o build/ekskit-$(VERSION).tar.gz HEAD
	@echo build/ekskit-$(VERSION).tar.gz

# `make release VERSION=x.y.z`: bump VERSION, tarball, sha256 into the formula
# and the spec, checklist (scripts/release.sh).
release:
ifneq ($(origin VERSION),command line)
	$(error usage: make release VERSION=x.y.z)
endif
	$(Q)scripts/release.sh '$(subst ','',$(VERSION))'

help:
	@echo "targets: all check unit integration sanitize (SANITIZE=address,undefined) fuzz-smoke"
	@echo "         demo bench fuzz install (PREFIX, DESTDIR) uninstall deps dist clean; V=1 verbose"
	@echo "         release VERSION=x.y.z (bump, tarball, sha256 into packaging/, checklist)"

-include $(LIB_OBJS:.o=.d) $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%.d) \
         $(foreach t,$(TOOLS),$(patsubst %.c,$(BUILD)/%.d,$(wildcard cmd/$(t)/*.c)))
