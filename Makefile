# Thin wrapper around CMake, ctest and pytest (in the spirit of Neovim's Makefile).
#   make            = make build
#   make run        install deps, build, start the demo (tools/run-demo.sh)
#   make test       install deps, build (normal + ASan/UBSan), run unit + e2e tests on both,
#                   and the e2e suite once more on PostgreSQL (normal tree)
#   make e2e-pg     the e2e suite with every walord on PostgreSQL (a throw-away cluster)
#   make asan       build the sanitizer tree only (build-asan/)
#   make check      static checks on the built tree: host layering, code style
#   make abi        SDK stability gate: compare the SDK's ABI with the release baseline
#   make abi-baseline  regenerate that baseline (only at a release: docs/plugin-guide.md)
#   make fuzz       build the libFuzzer targets (build-fuzz/) and run each FUZZ_SECONDS (60)
#   make fuzz-smoke the same, FUZZ_SMOKE_SECONDS (10) each (part of make test)
#   make bench      run bench/run.sh against the normal build
#   make crash      the crash campaign: CRASH_CYCLES (100) kill -9 of walord under load, then the
#                   invariants (bench/crash.py, docs/RELIABILITY.md); make crash-smoke: 10 cycles
#   make package    .deb and .rpm sets into dist/ (tools/package.sh), lintian-checked
#   make package-test  install the .deb here, run it, build a plugin against it, purge
#   make install PREFIX=/usr/local
#   make clean

SHELL       := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

BUILD_DIR   ?= build
ASAN_DIR    ?= build-asan
BUILD_TYPE  ?= RelWithDebInfo
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX      ?= /usr/local
CMAKE       ?= cmake
CTEST       ?= ctest
# python3 on PATH may be a pyenv shim without pytest: always the system one.
PYTHON      ?= /usr/bin/python3
PYTEST_ARGS ?=
CMAKE_FLAGS ?=
FUZZ_DIR    ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 10
CRASH_CYCLES ?= 100
CRASH_SMOKE_CYCLES ?= 10

# Sanitizer run-time options for the ASan tree: any report is fatal and
# printed with a stack; LeakSanitizer runs at exit (walord must exit 0 after
# SIGTERM, so a leak fails the test that stopped it).
ASAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1 \
            UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            LSAN_OPTIONS=print_suppressions=0 \
            WALOR_SANITIZED=1

.DEFAULT_GOAL := build
.PHONY: all deps build asan test test-build test-asan unit e2e e2e-pg unit-asan e2e-asan \
        run bench install clean abi abi-baseline fuzz fuzz-build fuzz-smoke crash crash-smoke \
        package package-test check

all: build

deps:
	packaging/install-deps.sh

build:
	$(CMAKE) -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DWALOR_WERROR=ON -DWALOR_SANITIZE=OFF $(CMAKE_FLAGS)
	$(CMAKE) --build $(BUILD_DIR) -j$(JOBS)

asan:
	$(CMAKE) -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DWALOR_WERROR=ON -DWALOR_SANITIZE=ON $(CMAKE_FLAGS)
	$(CMAKE) --build $(ASAN_DIR) -j$(JOBS)

# SDK stability gate (tools/abi-check.sh): rebuilds only the ABI probe of
# $(BUILD_DIR) (configuring the tree if needed) and compares it with the
# committed baseline with abidiff and abi-compliance-checker.
abi:
	@[ -f $(BUILD_DIR)/CMakeCache.txt ] || $(CMAKE) -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DWALOR_WERROR=ON -DWALOR_SANITIZE=OFF $(CMAKE_FLAGS)
	BUILD_DIR=$(BUILD_DIR) PYTHON=$(PYTHON) tools/abi-check.sh

# Only at a release (docs/plugin-guide.md "SDK stability"): writes
# sdk/abi/walor-sdk-<major.minor>.{abi.xml,dump} for the current version.
abi-baseline:
	@[ -f $(BUILD_DIR)/CMakeCache.txt ] || $(CMAKE) -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DWALOR_WERROR=ON -DWALOR_SANITIZE=OFF $(CMAKE_FLAGS)
	$(CMAKE) --build $(BUILD_DIR) --target walor_abi_probe
	BUILD_DIR=$(BUILD_DIR) PYTHON=$(PYTHON) tools/abi-check.sh --baseline

# libFuzzer targets (docs/fuzzing.md): a clang tree of their own that builds
# only the fuzzers and the host sources they need.
fuzz-build:
	$(CMAKE) -S . -B $(FUZZ_DIR) -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWALOR_WERROR=ON -DWALOR_SANITIZE=OFF -DWALOR_FUZZ=ON $(CMAKE_FLAGS) >/dev/null
	$(CMAKE) --build $(FUZZ_DIR) -j$(JOBS) --target walor_fuzzers

fuzz: fuzz-build
	FUZZ_DIR=$(FUZZ_DIR) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(JOBS) tools/fuzz.sh

fuzz-smoke: fuzz-build
	FUZZ_DIR=$(FUZZ_DIR) FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) FUZZ_JOBS=$(JOBS) tools/fuzz.sh

# Static checks on the built tree (they read its objects): which host folder
# may call which (docs/internals-pipeline.md) and CODE_STYLE.md's checkable rules.
check:
	$(PYTHON) tools/layering-check.py --build $(BUILD_DIR)
	$(PYTHON) tools/style-check.py --build $(BUILD_DIR)

# Suites on one tree. pytest's exit code 5 ("no tests collected") is a failure too.
unit:
	$(CTEST) --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS)

e2e:
	WALOR_BUILD_DIR=$(CURDIR)/$(BUILD_DIR) $(PYTHON) -m pytest tests/e2e $(PYTEST_ARGS)

# The same suite with every walord on PostgreSQL: tests/e2e/pgkit.py starts a
# throw-away cluster (tools/pg-cluster.sh) and gives each walord a database.
e2e-pg:
	WALOR_DB_ENGINE=postgresql WALOR_BUILD_DIR=$(CURDIR)/$(BUILD_DIR) $(PYTHON) -m pytest tests/e2e $(PYTEST_ARGS)

unit-asan:
	$(ASAN_ENV) $(CTEST) --test-dir $(ASAN_DIR) --output-on-failure -j$(JOBS)

e2e-asan:
	$(ASAN_ENV) WALOR_BUILD_DIR=$(CURDIR)/$(ASAN_DIR) $(PYTHON) -m pytest tests/e2e $(PYTEST_ARGS)

# The crash campaign (bench/crash.py): kill -9 of walord at random moments
# under the whole shop's load, then exactly-once, ledger and integrity checks.
# Fails when an update was lost, an effect happened twice, a ledger does not
# add up or the database is not intact.
crash:
	WALOR_BUILD_DIR=$(CURDIR)/$(BUILD_DIR) $(PYTHON) bench/crash.py --cycles $(CRASH_CYCLES)

crash-smoke:
	WALOR_BUILD_DIR=$(CURDIR)/$(BUILD_DIR) $(PYTHON) bench/crash.py --cycles $(CRASH_SMOKE_CYCLES)

# Stops at the first failing step (make runs the prerequisites in order: no -j here).
test: deps
	$(MAKE) --no-print-directory build
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory abi
	$(MAKE) --no-print-directory fuzz-smoke
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory e2e-pg
	$(MAKE) --no-print-directory crash-smoke
	$(MAKE) --no-print-directory package-test
	$(MAKE) --no-print-directory asan
	$(MAKE) --no-print-directory unit-asan
	$(MAKE) --no-print-directory e2e-asan

run: deps
	$(MAKE) --no-print-directory build
	tools/run-demo.sh

bench: deps
	$(MAKE) --no-print-directory build
	@if [ -x bench/run.sh ]; then WALOR_BUILD_DIR=$(CURDIR)/$(BUILD_DIR) bench/run.sh; \
	elif [ -f bench/run.sh ]; then WALOR_BUILD_DIR=$(CURDIR)/$(BUILD_DIR) bash bench/run.sh; \
	else echo "make bench: no bench/run.sh yet"; fi

package:
	JOBS=$(JOBS) tools/package.sh

# Needs root (dpkg -i): CI runs it as root in make test. Uses tgsim of $(BUILD_DIR).
package-test: package
	WALOR_BUILD_DIR=$(CURDIR)/$(BUILD_DIR) tools/package-test.sh

install: build
	$(CMAKE) --install $(BUILD_DIR) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR) build-pkg dist
