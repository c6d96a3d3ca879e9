# pollen: Rust's async runtime model in C++20, without coroutines.
#
#   make                 library, samples, benchmark, header self-checks
#   make test            build and run the GoogleTest suite; last line "N passed, N failed"
#   make demo            run the showcase
#   make bench           run every benchmark scenario once (SCENARIOS.md contract)
#   make install PREFIX=/usr/local
#   make clean
#   SAN=address | SAN=thread   sanitizer builds, in build/asan and build/tsan
#
# Dependencies are Debian packages (g++ >= 12, libspdlog-dev, libfmt-dev,
# libgtest-dev; for the tests' peers curl, wrk, redis-server, redis-tools). When one is missing and we are root, it is apt-get installed;
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
CXXFLAGS_BASE := -std=c++20 $(OPT) -g -pthread $(WARN) $(SANWARN) $(SANFLAGS) $(SPDLOG_FLAGS)
CXXFLAGS_ALL := $(CXXFLAGS_BASE) -I$(BUILD)/include $(CXXFLAGS)
LDLIBS_ALL := -lspdlog -lfmt -pthread $(LDLIBS)
LDFLAGS_ALL := $(SANFLAGS) $(LDFLAGS)

LIB := $(BUILD)/libpollen.a
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.cpp $(d)/*/*.cpp))
LIB_OBJS := $(LIB_SRCS:%.cpp=$(BUILD)/obj/%.o)
# Public headers: every .hpp of the library folders (detail/ subfolders included).
HEADERS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.hpp $(d)/*/*.hpp $(d)/*/*/*.hpp))
# The umbrella pollen.hpp includes every public header but the detail/ ones.
TOP_HEADERS := $(filter-out %/detail/%,$(HEADERS))
HDR_STAMPS := $(HEADERS:%.hpp=$(BUILD)/hdrcheck/%.ok)
UMBRELLA := $(BUILD)/include/pollen.hpp

TEST_SRCS := $(wildcard test/*.cpp test/*/*.cpp)
TEST_OBJS := $(TEST_SRCS:%.cpp=$(BUILD)/obj/%.o)
TEST_BIN := $(BUILD)/test/pollen-tests

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
headers: $(HDR_STAMPS)
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
	@mkdir -p $(@D) && touch $@

# The tests also talk to the samples with real peers: curl, wrk, and Redis's
# own server, redis-cli and redis-benchmark.
$(GTEST_STAMP): | $(DEPS_STAMP)
	$(call ensure,/usr/include/gtest/gtest.h,libgtest-dev)
	$(call ensure,/usr/bin/curl,curl)
	$(call ensure,/usr/bin/wrk,wrk)
	$(call ensure,/usr/bin/redis-server,redis-server)
	$(call ensure,/usr/bin/redis-cli,redis-tools)
	@mkdir -p $(@D) && touch $@

# ---------------------------------------------------------------- include tree
# Installed headers live under include/pollen/<folder>/; in the tree,
# $(BUILD)/include/pollen points at the source root so the same
# `#include <pollen/...>` and `#include <pollen.hpp>` work before install.
$(BUILD)/include/pollen:
	@mkdir -p $(@D) && ln -sfn $(CURDIR) $@

$(UMBRELLA): $(TOP_HEADERS) Makefile | $(BUILD)/include/pollen
	@mkdir -p $(@D)
	@{ echo '#pragma once'; \
	   echo '/// pollen.hpp: every public header of pollen (generated by make).'; \
	   for h in $(TOP_HEADERS); do echo "#include <pollen/$$h>"; done; } > $@.tmp && mv $@.tmp $@

# ---------------------------------------------------------------- compile
$(BUILD)/obj/%.o: %.cpp | $(DEPS_STAMP) $(UMBRELLA)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/obj/test/%.o: test/%.cpp | $(GTEST_STAMP) $(UMBRELLA)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS_ALL) -MMD -MP -c $< -o $@

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
	$(CXX) $(LDFLAGS_ALL) -o $@ $(TEST_OBJS) $(LIB) -lgtest $(LDLIBS_ALL)

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
# self-checks belong to `make`, the default goal; CI's time goes to the tests.)
test: $(TEST_BIN) $(SAMPLES) $(BENCH_BIN)
	@POLLEN_BUILD=$(BUILD) $(TEST_BIN); status=$$?; exit $$status

demo: $(BUILD)/samples/demo
	@$(BUILD)/samples/demo

bench: $(BENCH_BIN)
	@for s in $$($(BENCH_BIN) list); do $(BENCH_BIN) run $$s || exit 1; done

# ---------------------------------------------------------------- install
install: $(LIB) $(UMBRELLA)
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/cmake/pollen $(DESTDIR)$(PREFIX)/include/pollen
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libpollen.a
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
