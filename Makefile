# dx: inter-agency data exchange.
#
#   make            build the four programs into build/bin/
#   make test       install missing Debian packages, build, run every test
#   make demo       install missing Debian packages, build, run the demo
#   make bench      build optimised benchmarks and print their table
#   make SANITIZE=address,undefined test    the same under ASan + UBSan
#   make install PREFIX=/usr/local DESTDIR=
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

PKGS     := libzmq libprotobuf-c lmdb openssl yaml-0.1
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

CFLAGS   ?= $(OPT) -g
V        ?=
Q        := $(if $(V),,@)
ALL_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE \
             -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation \
             -Ilib -Ibroker -I$(BUILD)/gen $(PKG_CFLAGS) $(SANFLAGS) $(CFLAGS) -MMD -MP
LDLIBS   = $(PKG_LIBS) -lpthread
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

GEN      := $(BUILD)/gen/dx.pb-c.c $(BUILD)/gen/dx.pb-c.h
LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/dx.pb-c.o
BROKER_SRC := $(filter-out broker/main.c,$(wildcard broker/*.c))
BROKER_OBJ := $(BROKER_SRC:%.c=$(BUILD)/obj/%.o)
LIBDX    := $(BUILD)/libdx.a
LIBBROKER := $(BUILD)/libbroker.a

PROGRAMS := $(BUILD)/bin/dx-broker $(BUILD)/bin/dx-agent $(BUILD)/bin/dx-audit $(BUILD)/bin/dx-admin
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)

.PHONY: all deps test demo bench tests-build bench-build install clean
.SECONDARY:

all: $(PROGRAMS)

deps:
	@scripts/deps.sh

# The set-up targets re-enter make so that pkg-config runs after deps.sh.
test: deps
	@$(MAKE) --no-print-directory all tests-build
	@BUILD=$(BUILD) tests/run.sh

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

$(BUILD)/bin/dx-broker: $(BUILD)/obj/broker/main.o $(LIBBROKER) $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

AUDIT_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard agents/audit_*.c))

$(BUILD)/bin/dx-audit: $(BUILD)/obj/agents/dx-audit.o $(AUDIT_OBJ) $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bin/dx-%: $(BUILD)/obj/agents/dx-%.o $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(LIBBROKER) $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(LIBBROKER) $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/tests/tools/%: $(BUILD)/obj/tests/tools/%.o $(LIBDX)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) $^ $(LDLIBS) -o $@

install: $(PROGRAMS)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/

clean:
	rm -rf build build-san

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
