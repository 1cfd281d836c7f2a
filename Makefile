# Two entry points for a fresh Debian 12 machine:
#   make demo   install what is missing, build, run smx on the bundled sample tree
#   make test   install what is missing, build, run every test
BUILD ?= build
JOBS ?= $(shell nproc)
SMX = $(BUILD)/smx
SAMPLE = examples/ssmix2-sample

.PHONY: deps build demo test clean
deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	@echo '$$ smx ls $(SAMPLE)'
	@$(SMX) ls $(SAMPLE)
	@echo
	@echo '$$ smx cat $(SAMPLE) --type OML-11 | smx get -H PID-3.1 PID-5.1 OBX[*]-3.2 OBX[*]-5 OBX[*]-6.1 OBX[*]-7'
	@$(SMX) cat $(SAMPLE) --type OML-11 | $(SMX) get -H PID-3.1 PID-5.1 'OBX[*]-3.2' 'OBX[*]-5' 'OBX[*]-6.1' 'OBX[*]-7'
	@echo
	@echo '$$ smx cat $(SAMPLE) --type OML-11 | smx labnorm --site example | smx flat -t csv'
	@$(SMX) cat $(SAMPLE) --type OML-11 | $(SMX) labnorm --tables . --site example | $(SMX) flat -t csv
	@echo
	@echo '$$ smx validate -q --report - $(SAMPLE)   # the guideline samples have real deviations'
	@$(SMX) validate -q --report - $(SAMPLE) | head -40 || true
	@echo
	@echo '$$ smx cat --stats $(SAMPLE) > /dev/null'
	@$(SMX) cat --stats $(SAMPLE) > /dev/null

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD)
