# The two set-up commands of the README, and the rest. Every target that builds runs
# scripts/bootstrap first, which installs nothing when everything is present.
BUILD_DIR    ?= build
SANITIZE_DIR ?= build-sanitize
TSAN_DIR     ?= build-tsan
RELEASE_DIR  ?= build-release
FUZZ_DIR     ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS         ?= $(shell nproc)
# The project's own build: warnings are errors here (and in CI), never for a consumer. Line
# tables only (-g1) are enough for backtraces and profiles: full debug information made a cold
# build a quarter slower and the build folder 2.9 GB, which once filled a CI machine's disk.
CMAKE_FLAGS  ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_WERROR=ON -DSTRATA_BUILD_BACKEND=ON \
                '-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG'
HOST         ?= 127.0.0.1
PORT         ?= 8000

# `make run` leaves the tests and benchmarks as they are (off in a new BUILD_DIR: it does not
# install their packages); `make test` and `make bench` turn them on.
configure  = cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) $(1) >/dev/null

.PHONY: all run test test-sanitize test-tsan test-release bench fuzz format clean

all: run-build

# The reference backend on the embedded SQLite file data/app.db (from strata.toml): the schema
# brought to head by backend/migrations, then the service on http://$(HOST):$(PORT) until
# Ctrl-C. A second run finds the schema at head and just serves; the data is still there.
run: run-build
	@$(BUILD_DIR)/backend/backend db upgrade head
	@HOST=$(HOST) PORT=$(PORT) $(BUILD_DIR)/backend/backend serve

.PHONY: run-build
run-build:
	@scripts/bootstrap
	@$(call configure)
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target backend strata_cli

# Every test, on SQLite and on a throwaway PostgreSQL 15 server started for the run.
test:
	@scripts/bootstrap test
	@$(call configure,-DSTRATA_BUILD_TESTS=ON)
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	@scripts/with-postgres ctest --test-dir $(BUILD_DIR) --output-on-failure -j 2
	@fuzz/run $(FUZZ_DIR) 5

test-sanitize:
	@scripts/bootstrap test
	@cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=ON \
	  -DSTRATA_WERROR=ON -DSTRATA_BUILD_TESTS=ON -DSTRATA_BUILD_BACKEND=ON >/dev/null
	@cmake --build $(SANITIZE_DIR) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  scripts/with-postgres ctest --test-dir $(SANITIZE_DIR) --output-on-failure -j 2 -E consumer

# The tests whose code runs on several threads (engine, ORM, the backend and its server process)
# under ThreadSanitizer, built by Clang, whose -Wthread-safety checks the locking annotations
# as errors here (core_thread_safety.* shows it refusing a guarded member touched without its
# lock). Every process writes its reports to $(TSAN_DIR)/tsan-report.<pid>, so that a
# race in the backend's server process fails the run too. Nothing is suppressed.
TSAN_TESTS = engine_tests orm_tests backend_tests
test-tsan:
	@scripts/bootstrap test
	@cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_TSAN=ON -DSTRATA_WERROR=ON \
	  -DSTRATA_BUILD_TESTS=ON -DSTRATA_BUILD_BACKEND=ON >/dev/null
	@cmake --build $(TSAN_DIR) -j $(JOBS) --target $(TSAN_TESTS)
	@rm -f $(TSAN_DIR)/tsan-report.*
	@TSAN_OPTIONS="log_path=$(CURDIR)/$(TSAN_DIR)/tsan-report second_deadlock_stack=1" \
	  scripts/with-postgres ctest --test-dir $(TSAN_DIR) --output-on-failure \
	  -R '^((engine|orm|backend)_tests|core_thread_safety\..*)$$'; status=$$?; \
	  if ls $(TSAN_DIR)/tsan-report.* >/dev/null 2>&1; then \
	    cat $(TSAN_DIR)/tsan-report.*; echo "test-tsan: ThreadSanitizer reported the above" >&2; exit 1; \
	  fi; exit $$status

# What a packager does: a Release build with every option at its default (the libraries,
# strata and the examples), installed, and the consumer projects built against it. CI runs it
# with GCC and with Clang (CXX=clang++-14 RELEASE_DIR=build-release-clang).
CONSUMER = tests/consumer/run
test-release:
	@scripts/bootstrap
	@cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_CXX_COMPILER=$(CXX) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(RELEASE_DIR) -j $(JOBS)
	@$(CONSUMER) install $(CURDIR) $(RELEASE_DIR)/consumer/install $(RELEASE_DIR)
	@for mode in find_package core pkg_config; do \
	  $(CONSUMER) $$mode $(CURDIR) $(RELEASE_DIR)/consumer/$$mode $(RELEASE_DIR)/consumer/install/prefix || exit 1; \
	done
	@$(CONSUMER) add_subdirectory $(CURDIR) $(RELEASE_DIR)-consumer $(RELEASE_DIR)

bench:
	@scripts/bootstrap bench
	@$(call configure,-DSTRATA_BUILD_TESTS=ON -DSTRATA_BUILD_BENCH=ON)
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	@scripts/with-postgres sh -c 'for b in $(BUILD_DIR)/bench/*_bench; do echo "== $$b"; $$b || exit 1; done; \
	  for s in bench/*_bench.py; do echo "== $$s"; /usr/bin/python3 $$s $(BUILD_DIR) || exit 1; done'

# The libFuzzer targets of fuzz/ (Clang 14, ASan, UBSan) on the request parser and the body
# validation, FUZZ_SECONDS each; `make test` runs them 5 s each.
fuzz:
	@scripts/bootstrap test
	@fuzz/run $(FUZZ_DIR) $(FUZZ_SECONDS)

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(TSAN_DIR) $(RELEASE_DIR) $(FUZZ_DIR) $(BUILD_DIR)-consumer $(RELEASE_DIR)-consumer
