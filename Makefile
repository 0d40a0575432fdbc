# rathaus — the two commands that open the README:
#   make run    install what is missing, build, create ./demo-data, serve on :8080
#   make test   the whole test suite (normal build, then ASan+UBSan build, fuzzing)
# Other targets: make (build), make bench, make fuzz, make install PREFIX=…, make clean.

PREFIX ?= /usr/local
DEMO ?= demo-data
LISTEN ?= 127.0.0.1:8080
EMBED_LIST := $(shell find templates static data src tests/unit tests/fuzz -type f -name '*' ! -path '*/corpus/*' 2>/dev/null | LC_ALL=C sort)

.PHONY: all deps run test bench fuzz install clean check-src FORCE

all: build/rathaus

# the binary embeds browser assets from npm (deps/npm-assets.txt), so a build needs them too
deps:
	@scripts/deps --npm

# The list of embedded files; meson is reconfigured when it changes.
build/.embed-list: FORCE
	@mkdir -p build
	@echo '$(EMBED_LIST)' | cmp -s - $@ || echo '$(EMBED_LIST)' > $@

build/build.ninja: meson.build meson_options.txt build/.embed-list | deps
	@if [ -f build/meson-info/intro-buildoptions.json ]; then meson setup --reconfigure build >/dev/null; \
	else meson setup build --buildtype=debugoptimized >/dev/null; fi

build/rathaus: build/build.ninja FORCE
	@ninja -C build

run: build/rathaus
	@if [ ! -f $(DEMO)/rathaus.db ]; then build/rathaus init --data $(DEMO) --demo > /dev/null; fi
	@echo "rathaus: http://$(LISTEN)/ (Daten: $(DEMO))"
	@cat $(DEMO)/demo-zugang.txt
	@build/rathaus serve --data $(DEMO) --listen $(LISTEN)

test:
	@scripts/deps --npm
	@scripts/test-all

bench: build/rathaus
	@scripts/deps --npm
	@bench/run

fuzz:
	@scripts/deps
	@scripts/fuzz 60

install: build/rathaus
	install -D -m 0755 build/rathaus $(DESTDIR)$(PREFIX)/bin/rathaus
	install -D -m 0644 docs/betrieb.md $(DESTDIR)$(PREFIX)/share/doc/rathaus/betrieb.md

clean:
	rm -rf build build-asan build-fuzz
