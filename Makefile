# pollen: Rust's async runtime model in C++20, without coroutines.
#
#   make                 library, samples, benchmark, header self-checks
#   make test            build and run the GoogleTest suite; last line "N passed, N failed"
#   make demo            run the showcase
#   make bench           run every benchmark scenario once (SCENARIOS.md contract)
#   make bench-compare   pollen vs Tokio with ../shared/bench/compare.sh, saved in bench/results/latest.txt
#   make bench-plot      draw the saved results as docs/bench.png (gnuplot)
#   make docs-screenshots  redraw docs/images/*.png, the pictures of docs/debugging.md (tmux, chromium)
#   make doccheck        compile every cpp block of README.md and docs/*.md (make test does)
#   make compile-fail-check  each classic mistake of test/compile_fail/ gets pollen's short error (make test does)
#   make install PREFIX=/usr/local
#   make clean
#   SAN=address | SAN=thread   sanitizer builds, in build/asan and build/tsan
#   TEST_SHARDS=N        make test runs the suite as N GoogleTest shards at once (default 1)
#   make fuzz            libFuzzer targets of test/fuzz/, FUZZ_SECONDS (60) each, with clang;
#                        make -jN fuzz runs N targets at once
#   make soak            servers under real load for SOAK_MINUTES (10): RSS, fds, throughput
#
# Dependencies are Debian packages (g++ >= 12, libspdlog-dev, libfmt-dev,
# nlohmann-json3-dev for the live console's protocol (inside the library,
# never in its public headers), samples/pollen-console and
# samples/trace_timeline, libgtest-dev; for the tests libpng-dev and their
# peers curl, wrk, redis-server, redis-tools, chromium, and tmux, the
# terminal that drives pollen-console). When one is missing and we are root, it is apt-get installed;
# otherwise make stops with the command to run.

SAN ?=
PREFIX ?= /usr/local
CXX ?= g++

# Sanitizer builds use -O1: quicker to compile, still fast enough to run.
OPT := -O2
ifeq ($(SAN),)
  BUILD := build
  SANFLAGS :=
else ifeq ($(SAN),address)
  OPT := -O1
  BUILD := build/asan
  SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
  # GCC 12 reports false maybe-uninitialized warnings on instrumented code.
  SANWARN := -Wno-maybe-uninitialized
else ifeq ($(SAN),thread)
  OPT := -O1
  BUILD := build/tsan
  SANFLAGS := -fsanitize=thread
  SANWARN := -Wno-maybe-uninitialized
else
  $(error SAN must be empty, address or thread)
endif

LIB_DIRS := core reactor runtime sync channels net fs
# spdlog's compiled-library flags (as its pkg-config file says); only .cpp files include spdlog.
SPDLOG_FLAGS := -DSPDLOG_SHARED_LIB -DSPDLOG_COMPILED_LIB -DSPDLOG_FMT_EXTERNAL
WARN := -Wall -Wextra -Werror
# Full debug info for the library (what `make install` ships); line tables
# only (-g1: file:line in backtraces and sanitizer reports) for the programs
# built on it, and for everything of a sanitizer build (never installed),
# where -g costs a third of the compile time.
DBG := $(if $(SAN),-g1,-g)
CXXFLAGS_BASE = -std=c++20 $(OPT) $(DBG) -pthread $(WARN) $(SANWARN) $(SANFLAGS) $(SPDLOG_FLAGS)
CXXFLAGS_ALL = $(CXXFLAGS_BASE) -I$(BUILD)/include $(CXXFLAGS)
LDLIBS_ALL := -lspdlog -lfmt -pthread $(LDLIBS)
LDFLAGS_ALL := $(SANFLAGS) $(LDFLAGS)

LIB := $(BUILD)/libpollen.a
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.cpp $(d)/*/*.cpp $(d)/*/*/*.cpp))
LIB_OBJS := $(LIB_SRCS:%.cpp=$(BUILD)/obj/%.o)
# Public headers: every .hpp of the library folders (detail/ subfolders included).
HEADERS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.hpp $(d)/*/*.hpp $(d)/*/*/*.hpp))
# Each folder has a hand-kept mod.hpp (Rust's mod.rs) listing its public
# headers; the umbrella <pollen.hpp> includes them layer by layer, in the
# order of LIB_DIRS. The testing harness (core/testing/) stays out of it.
TOP_HEADERS := $(filter-out %/mod.hpp core/testing/%,$(foreach h,$(HEADERS),$(if $(findstring /detail/,$(h)),,$(h))))
HDR_STAMPS := $(HEADERS:%.hpp=$(BUILD)/hdrcheck/%.ok)
UMBRELLA := $(BUILD)/include/pollen.hpp
MODCHECK := $(BUILD)/hdrcheck/modcheck.ok

# test/fuzz/ holds libFuzzer mains (`make fuzz`, clang), test/soak/ the soak
# load client (`make soak`): programs of their own, not gtest sources; and
# test/compile_fail/ programs that must not compile (`make compile-fail-check`).
TEST_SRCS := $(filter-out test/fuzz/% test/soak/% test/compile_fail/%,$(wildcard test/*.cpp test/*/*.cpp))
TEST_OBJS := $(TEST_SRCS:%.cpp=$(BUILD)/obj/%.o)
TEST_BIN := $(BUILD)/test/pollen-tests
# The fuzz targets' corpora replay in the suite (fuzz_regression_test), which
# needs the sample parsers that two of the targets exercise; the HTTP
# validators (samples_http_conditional_test) are tested on their own too.
TEST_OBJS += $(addprefix $(BUILD)/obj/samples/http_server/,request_parser.o http_date.o conditional.o)
# sim_samples_test serves mini_redis's Connection on the simulated network:
# every mini_redis object but its main().
TEST_OBJS += $(patsubst %.cpp,$(BUILD)/obj/%.o,$(filter-out samples/mini_redis/main.cpp,$(wildcard samples/mini_redis/*.cpp)))

# A sample is samples/NAME.cpp or a folder samples/NAME/ of .cpp files.
SAMPLE_FILES := $(wildcard samples/*.cpp)
SAMPLE_DIRS := $(patsubst %/,%,$(dir $(wildcard samples/*/*.cpp)))
SAMPLE_NAMES := $(sort $(notdir $(SAMPLE_FILES:.cpp=)) $(notdir $(SAMPLE_DIRS)))
SAMPLES := $(SAMPLE_NAMES:%=$(BUILD)/samples/%)

BENCH_SRCS := $(wildcard bench/*.cpp)
BENCH_OBJS := $(BENCH_SRCS:%.cpp=$(BUILD)/obj/%.o)
BENCH_BIN := $(BUILD)/bench/pollen-bench

DEPS_STAMP := $(BUILD)/.deps-ok
GTEST_STAMP := $(BUILD)/.gtest-ok

.PHONY: all lib headers samples bench-bin test demo bench install clean
.DEFAULT_GOAL := all

all: lib headers samples bench-bin
lib: $(LIB)
headers: $(HDR_STAMPS) $(MODCHECK)
samples: $(SAMPLES)
bench-bin: $(BENCH_BIN)

# ---------------------------------------------------------------- dependencies
# $(call ensure,FILE,PACKAGES): installs PACKAGES when FILE is missing.
define ensure
	@if [ ! -e $(1) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "pollen: installing $(2)"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2) >/dev/null 2>&1 || \
	    { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null 2>&1; \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(2); } || exit 1; \
	  else \
	    echo "pollen: $(1) is missing; run: sudo apt-get install -y $(2)"; exit 1; \
	  fi; \
	fi
endef

$(DEPS_STAMP):
	$(call ensure,/usr/include/spdlog/spdlog.h,libspdlog-dev libfmt-dev)
	$(call ensure,/usr/include/fmt/format.h,libfmt-dev)
	$(call ensure,/usr/include/nlohmann/json.hpp,nlohmann-json3-dev)
	@mkdir -p $(@D) && touch $@

# The tests also talk to the samples with real peers: curl, wrk, and Redis's
# own server, redis-cli and redis-benchmark; and render the trace timeline in
# headless Chromium, reading its screenshot with libpng; and drive
# pollen-console in a real terminal with tmux.
$(GTEST_STAMP): | $(DEPS_STAMP)
	$(call ensure,/usr/include/gtest/gtest.h,libgtest-dev)
	$(call ensure,/usr/include/png.h,libpng-dev)
	$(call ensure,/usr/bin/chromium,chromium)
	$(call ensure,/usr/bin/curl,curl)
	$(call ensure,/usr/bin/wrk,wrk)
	$(call ensure,/usr/bin/redis-server,redis-server)
	$(call ensure,/usr/bin/redis-cli,redis-tools)
	$(call ensure,/usr/bin/tmux,tmux)
	@mkdir -p $(@D) && touch $@

# ---------------------------------------------------------------- include tree
# Installed headers live under include/pollen/<folder>/; in the tree,
# $(BUILD)/include/pollen points at the source root so the same
# `#include <pollen/...>` and `#include <pollen.hpp>` work before install.
$(BUILD)/include/pollen:
	@mkdir -p $(@D) && ln -sfn $(CURDIR) $@

$(UMBRELLA): Makefile | $(BUILD)/include/pollen
	@mkdir -p $(@D)
	@{ echo '#pragma once'; \
	   echo '/// pollen.hpp: all of pollen but its testing harness, layer by layer (generated by make;'; \
	   echo '/// each folder lists its own public headers in its mod.hpp).'; \
	   for d in $(LIB_DIRS); do echo "#include <pollen/$$d/mod.hpp>"; done; } > $@.tmp && mv $@.tmp $@

# Every public header is listed in the mod.hpp of its folder (so in <pollen.hpp>).
$(MODCHECK): $(HEADERS)
	@mkdir -p $(@D)
	@ok=1; for h in $(TOP_HEADERS); do \
	  grep -qF "#include \"$$(basename $$h)\"" $$(dirname $$h)/mod.hpp 2>/dev/null || \
	    { echo "pollen: $$h is not listed in $$(dirname $$h)/mod.hpp"; ok=0; }; \
	done; \
	for m in $(filter %/mod.hpp,$(HEADERS)); do \
	  d=$$(dirname $$m); case $$d in core|reactor|runtime|sync|channels|net|fs|core/testing) continue;; esac; \
	  grep -qF "#include \"$$(basename $$d)/mod.hpp\"" $$(dirname $$d)/mod.hpp || \
	    { echo "pollen: $$m is not included by $$(dirname $$d)/mod.hpp"; ok=0; }; \
	done; [ $$ok = 1 ] && touch $@

# ---------------------------------------------------------------- compile
$(BUILD)/obj/%.o: %.cpp | $(DEPS_STAMP) $(UMBRELLA)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS_ALL) $(PCH_FLAGS) -MMD -MP -c $< -o $@

# The tests share one precompiled header (gtest and the umbrella), parsed once
# per build instead of once per test file: it halves a test file's compile.
# It is built with exactly the tests' flags (GCC ignores a .gch whose flags
# differ; -Winvalid-pch makes that an error instead of a silent slowdown).
# -Wno-maybe-uninitialized: with the headers parsed first, a test's own
# `#pragma GCC diagnostic` no longer covers them, and GCC 12's false positives
# in deep variant inlining (see the tests' pragmas) would come back.
# Test objects are built at -Og -g1 (-O1 under TSan): far less compile time
# than -O2 -g, and the code under test that matters for speed (the library)
# stays at -O2. Plain, -Og against -O1 on four test files: 34.8 against
# 44.8 CPU s. Under ASan+UBSan the instrumented -O1 compile costs twice as
# much, and -Og code runs the tests as fast. Measured on 10
# test files sampled across sizes (gcc 12, user+sys CPU s, each level with
# its own pch, on a loaded 2-core machine): compile -O1 229, -Og 122, -O0 128
# (so about -1,370 CPU s over 128 files, -690 s at -j2); their tests ran
# 16.3-17.8 s at -O1, 17.1-17.4 s at -Og, 25.7-31.1 s at -O0 (which runs
# loops and stress tests 3-15x slower). Under TSan they stay at -O1: its
# compile is cheaper there and barely moves (6 files: -O1 33, -Og 31, -O0 29)
# while -O0 ran their tests 3x slower (5.8 -> 18.8 s) and -Og 1.25x (7.3 s).
# Free flags bought nothing: -fno-var-tracking (already off at -g1), larger
# --param ggc-min-expand/ggc-min-heapsize (no faster, more memory).
TEST_OPT := $(if $(filter thread,$(SAN)),-O1,-Og)
TEST_PCH := $(BUILD)/pch/pollen_test.hpp
TEST_CXXFLAGS = $(CXXFLAGS_ALL) $(TEST_OPT) -g1 -Wno-maybe-uninitialized -Winvalid-pch

$(TEST_PCH).gch: test/support/pch.hpp $(UMBRELLA) | $(GTEST_STAMP)
	@mkdir -p $(@D)
	cp test/support/pch.hpp $(TEST_PCH)
	$(CXX) $(TEST_CXXFLAGS) -MMD -MP -MT $@ -MF $(TEST_PCH).d -x c++-header $(TEST_PCH) -o $@

-include $(TEST_PCH).d

$(BUILD)/obj/test/%.o: test/%.cpp $(TEST_PCH).gch | $(GTEST_STAMP) $(UMBRELLA)
	@mkdir -p $(@D)
	$(CXX) $(TEST_CXXFLAGS) -include $(TEST_PCH) -MMD -MP -c $< -o $@

$(BUILD)/obj/samples/%.o $(BUILD)/obj/bench/%.o: DBG := -g1

# The sample and benchmark files that include <pollen.hpp> (themselves or
# through a header of their folder) parse it once per build, precompiled
# (`-include`; -Winvalid-pch makes a .gch built with other flags an error,
# not a silent slowdown): parsing it is a third to a half of such a file's
# compile. The others (parsers, formatting, the console's terminal code)
# are compiled as written, so a missing include of theirs still fails. So
# is the library in the plain build (what `make install` ships must include
# what it uses; `make` also checks each header alone); sanitizer builds,
# which only re-check behaviour, precompile <pollen.hpp> for the library
# too, everything there being -O1 -g1.
PROG_PCH := $(BUILD)/pch/pollen.hpp
PCH_SOURCES := $(shell for f in samples/*.cpp samples/*/*.cpp bench/*.cpp; do \
  d=$$(dirname $$f); files=$$f; for level in 1 2 3; do \
    files="$$files $$(sed -n "s|^\#include \"\(.*\)\"|$$d/\1|p" $$files 2>/dev/null)"; done; \
  grep -qF '<pollen.hpp>' $$files 2>/dev/null && echo $$f; done)
PROG_OBJS := $(PCH_SOURCES:%.cpp=$(BUILD)/obj/%.o) $(if $(SAN),$(LIB_OBJS))

$(PROG_PCH).gch: DBG := -g1
$(PROG_PCH).gch: $(UMBRELLA) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo '#include <pollen.hpp>' > $(PROG_PCH)
	$(CXX) $(CXXFLAGS_ALL) -MMD -MP -MT $@ -MF $(PROG_PCH).d -x c++-header $(PROG_PCH) -o $@

-include $(PROG_PCH).d

$(PROG_OBJS): $(PROG_PCH).gch
$(PROG_OBJS): PCH_FLAGS := -Winvalid-pch -include $(PROG_PCH)

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	ar rcs $@ $^

# Every header compiles on its own.
$(BUILD)/hdrcheck/%.ok: %.hpp | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(CXX) $(CXXFLAGS_ALL) -fsyntax-only -include $(CURDIR)/$< -x c++ /dev/null && touch $@

# ---------------------------------------------------------------- binaries
$(TEST_BIN): $(TEST_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS_ALL) -o $@ $(TEST_OBJS) $(LIB) -lgtest -lpng $(LDLIBS_ALL)

$(BENCH_BIN): $(BENCH_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS_ALL) -o $@ $(BENCH_OBJS) $(LIB) $(LDLIBS_ALL)

define sample_rule
$(BUILD)/samples/$(1): $$(patsubst %.cpp,$(BUILD)/obj/%.o,$$(wildcard samples/$(1).cpp samples/$(1)/*.cpp)) $(LIB)
	@mkdir -p $$(@D)
	$(CXX) $(LDFLAGS_ALL) -o $$@ $$(filter %.o,$$^) $(LIB) $(LDLIBS_ALL)
endef
$(foreach s,$(SAMPLE_NAMES),$(eval $(call sample_rule,$(s))))

# ---------------------------------------------------------------- run
# The suite may exec samples and the benchmark, so build them first. (Header
# self-checks belong to `make`, the default goal; CI's time goes to the tests.
# The docs' code blocks and the compile-fail cases are checked by the plain
# build only: compiling them again under each sanitizer would find nothing new.)
# TEST_SHARDS=N (opt-in) runs the suite as N GoogleTest shards at once,
# their logs one after another and one summed "N passed, N failed" line
# (test/run_shards.sh, which says why the tests may share the machine).
TEST_SHARDS ?= 1
test: $(TEST_BIN) $(SAMPLES) $(BENCH_BIN) $(if $(SAN),,doccheck compile-fail-check)
ifeq ($(TEST_SHARDS),1)
	@POLLEN_BUILD=$(BUILD) $(TEST_BIN); status=$$?; exit $$status
else
	@POLLEN_BUILD=$(BUILD) test/run_shards.sh $(TEST_BIN) $(TEST_SHARDS) $(BUILD)/test/shards
endif

demo: $(BUILD)/samples/demo
	@$(BUILD)/samples/demo

# The pictures of docs/debugging.md, taken of the real programs: pollen-console
# in tmux and the trace timeline, each in headless Chromium (docs/screenshots.sh).
.PHONY: docs-screenshots
docs-screenshots: $(addprefix $(BUILD)/samples/,pollen-console trace_timeline blocking_call lost_wake starved_task) | $(GTEST_STAMP)
	docs/screenshots.sh $(BUILD)

bench: $(BENCH_BIN)
	@for s in $$($(BENCH_BIN) list); do $(BENCH_BIN) run $$s || exit 1; done

# ---------------------------------------------------------------- docs check
# Every ```cpp block of README.md and docs/*.md is extracted by
# test/doc_blocks.sh into $(BUILD)/docs/NAME_N.cpp and compiled against pollen:
# a block with a main is linked (and run when marked), one without is compiled
# with -fsyntax-only. A block that passes gets NAME_N.ok; one that fails gets
# its compiler output in NAME_N.log and no stamp, and make carries on, so the
# suite's Docs.EveryCodeBlockCompiles reports it among "N passed, N failed".
# The block list is known only after extraction, hence the second make.
DOC_MDS := README.md $(wildcard docs/*.md)
DOC_DIR := $(BUILD)/docs
DOC_OKS := $(patsubst %.cpp,%.ok,$(wildcard $(DOC_DIR)/*.cpp))
# -O0 -g0: the blocks are checked, not measured or debugged; it halves their compile time.
# -Isamples: a block may use a sample's library, as the hello-redis one uses mini_redis's client.
DOC_FLAGS = $(CXXFLAGS_ALL) -Isamples -O0 -g0
DOC_CXXFLAGS = $(DOC_FLAGS) -MMD -MP -MT $@ -MF $(DOC_DIR)/$*.d
# A block that includes <pollen.hpp> itself gets it precompiled (parsing it is
# most of a block's compile); a block that includes less is compiled as written,
# so a missing include still fails.
DOC_PCH := $(DOC_DIR)/pch/pollen.hpp
$(DOC_PCH).gch: $(UMBRELLA) $(HEADERS) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo '#include <pollen.hpp>' > $(DOC_PCH)
	$(CXX) $(DOC_FLAGS) -x c++-header $(DOC_PCH) -o $@

.PHONY: doccheck doc-stamps
doccheck: $(LIB) $(UMBRELLA)
	@test/doc_blocks.sh $(DOC_DIR) $(DOC_MDS)
	@$(MAKE) --no-print-directory doc-stamps

doc-stamps: $(DOC_OKS)

$(DOC_DIR)/%.ok: $(DOC_DIR)/%.cpp $(LIB) $(DOC_PCH).gch
	@rm -f $@; \
	pch=; grep -q '^#include <pollen.hpp>' $< && pch="-Winvalid-pch -include $(DOC_PCH)"; \
	if grep -q '^int main' $<; then \
	  $(CXX) $(DOC_CXXFLAGS) $$pch $(LDFLAGS_ALL) $< -o $(DOC_DIR)/$*.bin $(LIB) $(LDLIBS_ALL) >$(DOC_DIR)/$*.log 2>&1 && \
	  { ! head -n1 $< | grep -q '^// doccheck: run' || \
	    timeout 60 $(DOC_DIR)/$*.bin >>$(DOC_DIR)/$*.log 2>&1 || \
	    { echo "$(DOC_DIR)/$*.bin exited with status $$?" >>$(DOC_DIR)/$*.log; false; }; }; \
	else \
	  $(CXX) $(DOC_CXXFLAGS) $$pch -fsyntax-only $< >$(DOC_DIR)/$*.log 2>&1; \
	fi && touch $@ || echo "doccheck: $< FAILED, see $(DOC_DIR)/$*.log"

-include $(wildcard $(DOC_DIR)/*.d)

# ---------------------------------------------------------------- compile-fail check
# Each test/compile_fail/NAME.cpp is a classic mistake (a closure spawned as a
# task, a continuation taking the wrong type, a receiver copied...) that must
# fail to compile with pollen's static_assert as its first error, in at most
# 20 lines: test/compile_fail.sh compiles it with the flags of a test file and
# checks that against the case's `// expect:` line. A case that passes gets
# NAME.ok; one that fails gets NAME.log and no stamp, and make carries on, so
# that the suite's CompileFail.EveryClassicMistakeGivesPollensMessage reports
# it among "N passed, N failed". Any header may change a message: the cases
# depend on all of them.
CF_DIR := $(BUILD)/compile_fail
CF_OKS := $(patsubst test/compile_fail/%.cpp,$(CF_DIR)/%.ok,$(wildcard test/compile_fail/*.cpp))

.PHONY: compile-fail-check
compile-fail-check: $(CF_OKS)

$(CF_DIR)/%.ok: test/compile_fail/%.cpp test/compile_fail.sh $(HEADERS) | $(DEPS_STAMP) $(UMBRELLA)
	@test/compile_fail.sh $< $(CF_DIR)/$* $(CXX) $(CXXFLAGS_ALL) || \
	  echo "compile-fail-check: $< FAILED, see $(CF_DIR)/$*.log"

# ---------------------------------------------------------------- bench plot
# `make bench-compare` runs ../shared/bench/compare.sh (pollen-bench against
# the Tokio anchor) and saves its output in $(BENCH_RESULTS); `make bench-plot`
# draws that saved file as docs/bench.png (gnuplot), so the chart can be
# redrawn without rerunning the benchmark.
BENCH_RESULTS ?= bench/results/latest.txt
BENCH_PLOT ?= docs/bench.png
COMPARE ?= ../shared/bench/compare.sh
TOKIO_BENCH ?= /tmp/pollen-anchors/release/tokio-bench
COMPARE_FLAGS ?= --threads 2

.PHONY: bench-compare bench-plot
bench-compare: $(BENCH_BIN)
	@test -x $(TOKIO_BENCH) || { echo "pollen: $(TOKIO_BENCH) is missing: run ../shared/anchors/build.sh"; exit 1; }
	@mkdir -p $(dir $(BENCH_RESULTS))
	@{ echo "# $$(date -u +%Y-%m-%d), $$(nproc) cores, pollen $$(git rev-parse --short HEAD 2>/dev/null)"; \
	   $(COMPARE) $(COMPARE_FLAGS) $(BENCH_BIN) $(TOKIO_BENCH); } >$(BENCH_RESULTS).tmp && \
	 mv $(BENCH_RESULTS).tmp $(BENCH_RESULTS) && cat $(BENCH_RESULTS)

bench-plot:
	$(call ensure,/usr/bin/gnuplot,gnuplot-nox)
	@bench/plot.sh $(BENCH_RESULTS) $(BENCH_PLOT)

# ---------------------------------------------------------------- fuzz
# `make fuzz` builds each test/fuzz/NAME_fuzz.cpp with clang as a libFuzzer
# binary (ASan + UBSan) in build/fuzz and runs it for FUZZ_SECONDS (or
# FUZZ_RUNS executions, if set) from test/fuzz/corpus/NAME/. New inputs go to
# build/fuzz/corpus/NAME, crashes to build/fuzz/artifacts/; the checked-in
# corpus is only read (`make fuzz-merge` folds the new inputs back into it,
# minimized). Every corpus file also replays in `make test` (fuzz_regression_test).
FUZZ_BUILD := build/fuzz
FUZZ_CXX ?= clang++
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
FUZZ_NAMES := $(patsubst test/fuzz/%_fuzz.cpp,%,$(wildcard test/fuzz/*_fuzz.cpp))
FUZZ_BINS := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/%_fuzz)
FUZZ_CXXFLAGS := -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -fno-omit-frame-pointer -Wall -Wextra -Werror -I$(FUZZ_BUILD)/include
FUZZ_FLAGS := -max_total_time=$(FUZZ_SECONDS) $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS)) -timeout=30 \
  -rss_limit_mb=2048 -print_final_stats=1
# Sources besides the main that a target links (the parser it exercises).
FUZZ_EXTRA_http_request := samples/http_server/request_parser.cpp
FUZZ_RT := $(firstword $(wildcard /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a) \
  /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a)

# One rule per target's run, so `make -jN fuzz` runs N of them at once (each
# is bounded by FUZZ_SECONDS, not by CPU: in parallel they run fewer
# executions each, in 1/N of the wall time). A crash fails the make with
# its log's tail; make lets the runs already started finish first.
FUZZ_RUN_TARGETS := $(FUZZ_NAMES:%=fuzz-run-%)
.PHONY: fuzz fuzz-bins fuzz-merge $(FUZZ_RUN_TARGETS)
fuzz: $(FUZZ_RUN_TARGETS)

$(FUZZ_RUN_TARGETS): fuzz-run-%: $(FUZZ_BUILD)/%_fuzz
	@mkdir -p $(FUZZ_BUILD)/corpus/$* $(FUZZ_BUILD)/artifacts test/fuzz/corpus/$*
	@echo "fuzz: $* ($(if $(FUZZ_RUNS),$(FUZZ_RUNS) runs,$(FUZZ_SECONDS) s))"
	@$< $(FUZZ_FLAGS) -artifact_prefix=$(FUZZ_BUILD)/artifacts/$*- \
	    $(FUZZ_BUILD)/corpus/$* test/fuzz/corpus/$* >$(FUZZ_BUILD)/$*.log 2>&1 || \
	  { tail -n 60 $(FUZZ_BUILD)/$*.log; echo "fuzz: $* FAILED (log: $(FUZZ_BUILD)/$*.log)"; exit 1; }; \
	  grep -E '^stat::number_of_executed_units' $(FUZZ_BUILD)/$*.log | sed "s/^/fuzz: $* /"

fuzz-bins: $(FUZZ_BINS)

# Minimizes test/fuzz/corpus/NAME together with what the last runs found.
fuzz-merge: fuzz-bins
	@for t in $(FUZZ_NAMES); do \
	  mkdir -p $(FUZZ_BUILD)/merged/$$t && rm -f $(FUZZ_BUILD)/merged/$$t/*; \
	  $(FUZZ_BUILD)/$${t}_fuzz -merge=1 $(FUZZ_BUILD)/merged/$$t test/fuzz/corpus/$$t $(FUZZ_BUILD)/corpus/$$t \
	    >$(FUZZ_BUILD)/$$t-merge.log 2>&1 || { tail -n 20 $(FUZZ_BUILD)/$$t-merge.log; exit 1; }; \
	  rm -f test/fuzz/corpus/$$t/* && cp $(FUZZ_BUILD)/merged/$$t/* test/fuzz/corpus/$$t/; \
	  echo "fuzz-merge: $$t: $$(ls test/fuzz/corpus/$$t | wc -l) files"; \
	done

$(FUZZ_BUILD)/.deps-ok:
	$(call ensure,/usr/bin/$(FUZZ_CXX),clang)
	$(call ensure,$(FUZZ_RT),libclang-rt-14-dev)
	@mkdir -p $(@D) && touch $@

$(FUZZ_BUILD)/include/pollen:
	@mkdir -p $(@D) && ln -sfn $(CURDIR) $@

$(FUZZ_BUILD)/%_fuzz: test/fuzz/%_fuzz.cpp | $(FUZZ_BUILD)/.deps-ok $(FUZZ_BUILD)/include/pollen
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -MMD -MP -o $@ $< $(FUZZ_EXTRA_$*)

-include $(wildcard $(FUZZ_BUILD)/*.d)

# ---------------------------------------------------------------- soak
# `make soak` (opt-in, SOAK_MINUTES long): echo_server and mini_redis under
# real clients (test/soak/echo_load.cpp: active, idle x 10,000, churning and
# resetting connections; redis-benchmark in loops), their RSS and fds sampled;
# test/soak/soak.sh prints a summary table and fails on growth, leaked fds or
# client errors.
SOAK_MINUTES ?= 10
SOAK_SERVERS := $(BUILD)/samples/echo_server $(if $(filter mini_redis,$(SAMPLE_NAMES)),$(BUILD)/samples/mini_redis)

.PHONY: soak
soak: $(SOAK_SERVERS) $(BUILD)/soak/echo_load
	$(call ensure,/usr/bin/redis-benchmark,redis-tools)
	@test/soak/soak.sh $(BUILD) $(SOAK_MINUTES)

$(BUILD)/soak/echo_load: test/soak/echo_load.cpp
	@mkdir -p $(@D)
	$(CXX) -std=c++20 -O2 -pthread -Wall -Wextra -Werror -o $@ $<

# ---------------------------------------------------------------- install
# pollen-console (the live console's client) is the one program installed.
install: $(LIB) $(UMBRELLA) $(BUILD)/samples/pollen-console
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/cmake/pollen $(DESTDIR)$(PREFIX)/include/pollen
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libpollen.a
	install -D -m 755 $(BUILD)/samples/pollen-console $(DESTDIR)$(PREFIX)/bin/pollen-console
	install -m 644 $(UMBRELLA) $(DESTDIR)$(PREFIX)/include/pollen.hpp
	@for h in $(HEADERS); do install -D -m 644 $$h $(DESTDIR)$(PREFIX)/include/pollen/$$h; done
	@printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' 'includedir=$${prefix}/include' '' \
	  'Name: pollen' 'Description: Rust async runtime model in C++20, without coroutines' 'Version: 0.1.0' \
	  'Cflags: -std=c++20 -pthread -I$${includedir}' 'Libs: -L$${libdir} -lpollen -lspdlog -lfmt -pthread' \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/pollen.pc
	@printf '%s\n' '# pollen CMake package: find_package(pollen) gives the target pollen::pollen.' \
	  'include(CMakeFindDependencyMacro)' 'find_dependency(Threads)' \
	  'get_filename_component(_pollen_prefix "$${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)' \
	  'if(NOT TARGET pollen::pollen)' \
	  '  add_library(pollen::pollen STATIC IMPORTED)' \
	  '  set_target_properties(pollen::pollen PROPERTIES' \
	  '    IMPORTED_LOCATION "$${_pollen_prefix}/lib/libpollen.a"' \
	  '    INTERFACE_INCLUDE_DIRECTORIES "$${_pollen_prefix}/include"' \
	  '    INTERFACE_COMPILE_FEATURES cxx_std_20' \
	  '    INTERFACE_LINK_LIBRARIES "spdlog;fmt;Threads::Threads")' \
	  'endif()' > $(DESTDIR)$(PREFIX)/lib/cmake/pollen/pollenConfig.cmake
	@echo "pollen: installed into $(DESTDIR)$(PREFIX)"

clean:
	rm -rf build

-include $(LIB_OBJS:.o=.d) $(TEST_OBJS:.o=.d) $(BENCH_OBJS:.o=.d) $(wildcard $(BUILD)/obj/samples/*.d $(BUILD)/obj/samples/*/*.d)
