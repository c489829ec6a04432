# Makefile: the entry point for people.  It bootstraps autotools and builds
# out of tree (an in-tree ./configure would overwrite this file, so
# configure refuses it):
#   make            build ./build/sbc/sbc (release: -O2 -g)
#   make run        install what is missing, build, run the SBC on its
#                   embedded default configuration with the demo PBX
#                   (scripts/run-demo): open the page it prints, dial 600
#   make check      install what is missing, build with ASan+UBSan, -Werror
#                   and libFuzzer (clang) in ./build-check, run every test,
#                   print "N passed, N failed"
#   make bench      media benchmarks (docs/benchmarks.md)
#   make install    install from ./build (DESTDIR and PREFIX honoured;
#                   layout and systemd unit: docs/deployment.md)
#   make distcheck  autotools distcheck from ./build: the tarball's unit,
#                   install and fuzz tests (no system tests: they need
#                   root, netns and Chromium; --disable-system-tests)
#   make clean      remove both build trees
BUILD      ?= build
CHECK      ?= build-check
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CONFIGURE_FLAGS ?=

.PHONY: all deps run check bench install distcheck clean

all: $(BUILD)/Makefile
	$(MAKE) -C $(BUILD) -j$(JOBS)

deps:
	@scripts/install-deps

configure: configure.ac Makefile.am
	autoreconf -fi

$(BUILD)/Makefile: configure $(wildcard web/node_modules/.package-lock.json)
	mkdir -p $(BUILD)
	cd $(BUILD) && ../configure --prefix=$(PREFIX) --sysconfdir=/etc \
		CFLAGS="-O2 -g" $(CONFIGURE_FLAGS)

$(CHECK)/Makefile: configure $(wildcard web/node_modules/.package-lock.json)
	mkdir -p $(CHECK)
	cd $(CHECK) && ../configure CC=clang CFLAGS="-O1 -g" \
		--enable-sanitizers --enable-werror --enable-fuzzers \
		$(CONFIGURE_FLAGS)

run: deps
	@$(MAKE) --no-print-directory all
	@echo "Starting the SBC on its embedded default configuration, and the demo PBX."
	@exec scripts/run-demo $(BUILD)

check: deps
	@$(MAKE) --no-print-directory $(CHECK)/Makefile
	@rc=0; $(MAKE) -C $(CHECK) -j$(JOBS) check || rc=$$?; \
	scripts/test-summary $(CHECK); exit $$rc

bench: all
	$(MAKE) -C $(BUILD) bench

install: all
	$(MAKE) -C $(BUILD) install

distcheck: $(BUILD)/Makefile
	$(MAKE) -C $(BUILD) distcheck

clean:
	rm -rf $(BUILD) $(CHECK)
