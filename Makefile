# Ducksite: `make run` and `make test` are all a newcomer needs.  Both run
# scripts/setup first, which installs only what is missing.
BUILD ?= build
DEMO  ?= demo
JOBS  ?= 2
FUZZ_SECONDS ?= 60

.PHONY: all setup build run test fuzz clean

all: build

setup:
	@scripts/setup

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: setup $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

PORT  ?= 8080

# Creates the demo project if absent, then serves it on loopback: `serve`
# builds it first, prints the URL and rebuilds when its files change.
run: build
	@[ -f $(DEMO)/ducksite.toml ] || ./$(BUILD)/ducksite demo --root $(DEMO)
	./$(BUILD)/ducksite serve --root $(DEMO) --host 127.0.0.1 --port $(PORT)

# Unit tests, TOML conformance and CLI scenarios, then all of it again under
# AddressSanitizer + UndefinedBehaviorSanitizer.
test: setup
	@scripts/test

# libFuzzer targets, FUZZ_SECONDS each (clang); the standard before a
# release is `make fuzz FUZZ_SECONDS=600` with no report (docs/testing.md).
fuzz: setup
	@scripts/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) build-asan build-fuzz
