# The two set-up commands of the README, and the rest. Every target that builds runs
# scripts/bootstrap first, which installs nothing when everything is present.
BUILD_DIR    ?= build
SANITIZE_DIR ?= build-sanitize
JOBS         ?= $(shell nproc)
CMAKE_FLAGS  ?= -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all bootstrap build run test test-sanitize bench format clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) -DSTRATA_BUILD_TESTS=ON -DSTRATA_BUILD_BENCH=ON >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The reference backend on the embedded SQLite file data/app.db (from strata.toml): the schema
# brought to head by backend/migrations, then the service on http://127.0.0.1:8000 until Ctrl-C.
# A second run finds the schema at head and just serves; the data is still there.
run: build
	@$(BUILD_DIR)/backend/backend db upgrade head
	@$(BUILD_DIR)/backend/backend serve --host 127.0.0.1 --port 8000

# Every test, on SQLite and on a throwaway PostgreSQL 15 server started for the run.
test: build
	@scripts/with-postgres ctest --test-dir $(BUILD_DIR) --output-on-failure -j 2

test-sanitize: bootstrap
	@cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=ON \
	  -DSTRATA_BUILD_TESTS=ON >/dev/null
	@cmake --build $(SANITIZE_DIR) -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  scripts/with-postgres ctest --test-dir $(SANITIZE_DIR) --output-on-failure -j 2 -E consumer

bench: build
	@scripts/bootstrap bench
	@scripts/with-postgres sh -c 'for b in $(BUILD_DIR)/bench/*_bench; do echo "== $$b"; $$b || exit 1; done; \
	  for s in bench/*_bench.py; do echo "== $$s"; /usr/bin/python3 $$s $(BUILD_DIR) || exit 1; done'

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.hpp')

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR)
