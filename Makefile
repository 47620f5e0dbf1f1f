# dx: inter-agency data exchange.
#
#   make            build the four programs into build/bin/
#   make test       install missing Debian packages, build, run every test
#   make check      build and run the suite, without installing packages or
#                   building the fuzzers (quick local runs); T=NAME runs only
#                   the tests whose name contains NAME
#   make demo       install missing Debian packages, build, run the demo
#   make bench      build optimised benchmarks and print their table
#   make fuzz       build the libFuzzer targets with clang and run each for
#                   FUZZ_TIME seconds (default 300), then the filter's
#                   differential test against Python for as long
#   make SANITIZE=address,undefined test    the same under ASan + UBSan
#   make install PREFIX=/usr/local DESTDIR=   (and make uninstall)
#   make deb        a Debian package of it, with dpkg-deb
#   make V=1        show the compiler command lines

PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
SANITIZE ?=
OPT      ?= -O2

ifeq ($(SANITIZE),)
BUILD    ?= build
else
BUILD    ?= build-san
SANFLAGS  = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

PKGS     := libzmq libprotobuf-c lmdb openssl yaml-0.1 libcurl p11-kit-1
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The broker's metrics endpoint: libmicrohttpd, for the broker alone.
HTTP_CFLAGS := $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
HTTP_LIBS   := $(shell pkg-config --libs libmicrohttpd 2>/dev/null)

CFLAGS   ?= $(OPT) -g
# gcc warns of snprintf output that may be cut, which is how we bound it;
# clang has no such warning.
NO_TRUNC_WARN := $(shell $(CC) -Werror -Wno-format-truncation -E -x c /dev/null >/dev/null 2>&1 && echo -Wno-format-truncation)
V        ?=
Q        := $(if $(V),,@)
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE \
             -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral $(NO_TRUNC_WARN) \
             $(addprefix -I,$(LIB_DIRS)) -Ibroker $(addprefix -I,$(BROKER_DIRS)) -Iagents -I$(BUILD)/gen $(PKG_CFLAGS) $(HTTP_CFLAGS) \
             $(SANFLAGS) $(CFLAGS) -MMD -MP
LDLIBS   = -Wl,--as-needed $(PKG_LIBS) $(HTTP_LIBS) -lrados -lpthread
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

GEN      := $(BUILD)/gen/dx.pb-c.c $(BUILD)/gen/dx.pb-c.h
# The version: VERSION, and the commit when built from a checkout. The
# header is rewritten only when the string changes, so only version.c and
# the programs are rebuilt for a new commit.
DX_VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)$(shell git describe --always --dirty --match=none 2>/dev/null | sed 's/^/+g/')
$(shell mkdir -p $(BUILD)/gen && echo '#define DX_VERSION "$(DX_VERSION)"' | cmp -s - $(BUILD)/gen/dx_version.h || echo '#define DX_VERSION "$(DX_VERSION)"' > $(BUILD)/gen/dx_version.h)
# lib/ is grouped by concern (HACKING.md): core, crypto, wire, store,
# policy, tlog (the audit log's tree), client.
LIB_DIRS := $(sort $(wildcard lib/*))
LIB_SRC  := $(wildcard lib/*/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/dx.pb-c.o
# broker/ is grouped as a request meets it (broker/broker.h): stages,
# requests, commit, filter, ops.
BROKER_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard broker/*/*.c))))
BROKER_SRC := $(wildcard broker/*/*.c)
BROKER_OBJ := $(BROKER_SRC:%.c=$(BUILD)/obj/%.o)
LIBDX    := $(BUILD)/libdx.a
LIBBROKER := $(BUILD)/libbroker.a
AUDIT_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard agents/audit_*.c agents/report_*.c) agents/admin_dcat.c)
LIBAUDIT := $(BUILD)/libaudit.a
AGENT_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard agents/agent_*.c))
LIBAGENT := $(BUILD)/libagent.a

PROGRAMS := $(BUILD)/bin/dx-broker $(BUILD)/bin/dx-agent $(BUILD)/bin/dx-audit $(BUILD)/bin/dx-admin
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
# The threaded tests under ThreadSanitizer (the plain make test builds them).
TSAN_TESTS := test_jobs test_pipeline test_readers
TSAN_MAKE = $(MAKE) --no-print-directory SANITIZE=thread BUILD=build-tsan tsan-build
# The fuzz build: clang, coverage for libFuzzer, ASan and UBSan.
FUZZ_MAKE = $(MAKE) --no-print-directory CC=clang BUILD=build-fuzz \
            SANITIZE=fuzzer-no-link,address,undefined fuzz-build
FUZZ_TIME ?= 300

.PHONY: all deps test check demo bench fuzz tests-build bench-build fuzz-build tsan-build install uninstall deb clean
.SECONDARY:

all: $(PROGRAMS)

deps:
	@scripts/deps.sh

# The set-up targets re-enter make so that pkg-config runs after deps.sh.
test: deps
	@$(MAKE) --no-print-directory all tests-build
	@$(FUZZ_MAKE)
	@$(if $(SANITIZE),,$(TSAN_MAKE))
	@BUILD=$(BUILD) tests/run.sh

check: tests-build
	@BUILD=$(BUILD) DX_NO_FUZZ=1 tests/run.sh $(T)

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) scripts/demo.sh

tests-build: $(PROGRAMS) $(UNIT_BIN) $(TOOL_BIN)

# Benchmarks build with optimisation (OPT, default -O2) and print a table,
# also appended to bench/results.txt.
bench: deps
	@$(MAKE) --no-print-directory all bench-build
	@BUILD=$(BUILD) scripts/bench.sh

bench-build: $(PROGRAMS) $(BENCH_BIN) $(TOOL_BIN)

fuzz: deps
	@$(FUZZ_MAKE)
	@$(MAKE) --no-print-directory $(BUILD)/tests/tools/dx-filter
	@scripts/fuzz.sh build-fuzz $(FUZZ_TIME)
	@DX_DIFF_SECONDS=$(FUZZ_TIME) /usr/bin/python3 tests/differential/filter_diff.py \
	  $(BUILD)/tests/tools/dx-filter 20000

fuzz-build: $(FUZZ_BIN)

tsan-build: $(TSAN_TESTS:%=$(BUILD)/tests/%)

$(BUILD)/gen/dx.pb-c.c $(BUILD)/gen/dx.pb-c.h: proto/dx.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=proto --c_out=$(BUILD)/gen proto/dx.proto

$(BUILD)/obj/gen/dx.pb-c.o: $(BUILD)/gen/dx.pb-c.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -Wno-unused-parameter -c $< -o $@

$(BUILD)/obj/%.o: %.c $(GEN)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBDX): $(LIB_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(LIBBROKER): $(BROKER_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(LIBAUDIT): $(AUDIT_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(LIBAGENT): $(AGENT_OBJ)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BUILD)/bin/dx-broker: $(BUILD)/obj/broker/main.o $(LIBBROKER) $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bin/dx-audit: $(BUILD)/obj/agents/dx-audit.o $(AUDIT_OBJ) $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bin/dx-agent: $(BUILD)/obj/agents/dx-agent.o $(LIBAGENT) $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bin/dx-admin: $(BUILD)/obj/agents/dx-admin.o $(BUILD)/obj/agents/admin_keys.o \
                       $(BUILD)/obj/agents/admin_content.o $(BUILD)/obj/agents/admin_journal.o \
                       $(BUILD)/obj/agents/admin_opendata.o $(BUILD)/obj/agents/admin_dcat.o $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bin/dx-%: $(BUILD)/obj/agents/dx-%.o $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

# test_broker_start makes the broker's own allocations fail one by one.
$(BUILD)/tests/test_broker_start: WRAP = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(LIBBROKER) $(LIBAUDIT) $(LIBAGENT) $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $(WRAP) $^ $(LDLIBS) -o $@

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(LIBBROKER) $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/fuzz/%: $(BUILD)/obj/tests/fuzz/%.o $(LIBBROKER) $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

$(BUILD)/tests/tools/%: $(BUILD)/obj/tests/tools/%.o $(LIBBROKER) $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

# Programs, man pages, systemd units and examples (never /etc): see
# scripts/install.sh; uninstall removes exactly what install wrote.
install: $(PROGRAMS)
	@scripts/install.sh install "$(PREFIX)" "$(DESTDIR)" "$(BUILD)"

uninstall:
	@scripts/install.sh uninstall "$(PREFIX)" "$(DESTDIR)" "$(BUILD)"

# A Debian package (build/dx_VERSION_ARCH.deb) with dpkg-deb: scripts/deb.sh.
deb:
	@scripts/deps.sh build
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) scripts/deb.sh

clean:
	rm -rf build build-san build-fuzz build-tsan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
