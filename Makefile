# SPDX-License-Identifier: GPL-2.0-only
#
# dm-quorum: build the module for every installed Debian kernel series,
# package it, and run the test bed.  The kernel build is driven by Kbuild.
#
#   make                    build build/<kver>/dm-quorum.ko for each kernel,
#                           and the tool build/tools/quorumsetup
#   make modules KVER=...   build for one kernel release only
#   make tools              build/tools/quorumsetup (libdevmapper, libblkid)
#   make install            quorumsetup, its manual page and bash completion
#                           (PREFIX=/usr/local, DESTDIR)
#   make check              install what is needed, run every check and the
#                           quick tests (QUICK=1: all but 14)
#   make check-long         the other tests (a minute or more each)
#   make powercut           kill VMs writing to volumes with metadata
#                           (POWERCUT_KILLS per kernel, default 2; check
#                           runs it with one)
#   make demo               show the main job in a VM
#   make unit               user-space unit tests (ASan, UBSan), the tool's
#                           among them
#   make fuzz               fuzz the table parser and the metadata's decisions
#                           (FUZZ_SECONDS each, default 30)
#   make lint               checkpatch, sparse and W=1 builds, the tool's
#                           gcc, clang and cppcheck warnings, shellcheck
#   make man                build/dm-quorum.7 and build/quorumsetup.8 from docs/
#   make dkms-install       install with DKMS for every kernel (root)
#   make dkms-remove        undo dkms-install (root)
#   make deb                build/dm-quorum-dkms_<version>_all.deb and
#                           build/dm-quorum-tools_<version>_<arch>.deb
#   make blktests BLKTESTS=<dir>  the tests inside a blktests checkout

# The kernels to build for: every one with headers (scripts/kernels).
ifndef KVERS
KVERS := $(shell scripts/kernels 2>/dev/null)
endif
KVER ?=
ifneq ($(KVER),)
KVERS := $(KVER)
endif

SOURCES := Kbuild $(wildcard dm-quorum*.c dm-quorum*.h)
# Relative, as every recipe runs here: the path of the checkout may hold
# white space, which make's words and unquoted shell words cannot.
BUILD := build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
SHELL_SCRIPTS := scripts/install-deps scripts/vm-run scripts/mkinitramfs \
	scripts/demo scripts/dm-quorum-monitor scripts/test-packaging scripts/mkman \
	scripts/lint scripts/bench scripts/bench-guest scripts/kernels \
	scripts/kbuild scripts/common scripts/blktests \
	scripts/powercut scripts/powercut-guest \
	tests/run tests/lib/rc tests/lib/null_blk tests/quorum/rc \
	tests/quorum/quorumsetup.rc tools/quorumsetup.bash-completion \
	$(wildcard tests/quorum/[0-9][0-9][0-9]) .ci/run
FUZZ_SECONDS ?= 30
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all
# quorumsetup's pure part (tools/), which its unit tests compile alone.
TOOL_PURE := tools/qs-args.c tools/qs-layout.c tools/qs-output.c \
	dm-quorum-super.c dm-quorum-table.c

.PHONY: all modules tools install uninstall clean check demo unit fuzz lint man \
	dkms-install dkms-remove deb

all: modules tools

# The user-space tool: C (gnu11) against libdevmapper and libblkid, with
# the on-disk format's code (dm-quorum-super.c) and the table parser
# compiled unchanged.  CFLAGS, CPPFLAGS and LDFLAGS from the environment
# (dpkg-buildflags) come after the project's own.
TOOL_SOURCES := tools/quorumsetup.c tools/qs-args.c tools/qs-layout.c \
	tools/qs-output.c tools/qs-dev.c tools/qs-dm.c tools/qs-monitor.c \
	dm-quorum-super.c dm-quorum-table.c
TOOL_HEADERS := $(wildcard tools/*.h) dm-quorum-super.h dm-quorum-table.h \
	dm-quorum-elect.h
TOOL_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g
TOOL_LIBS = $(shell pkg-config --libs devmapper blkid)

tools: $(BUILD)/tools/quorumsetup

$(BUILD)/tools/quorumsetup: $(TOOL_SOURCES) $(TOOL_HEADERS)
	@mkdir -p $(BUILD)/tools
	@pkg-config --exists devmapper blkid || { echo "no libdevmapper-dev or libblkid-dev (run scripts/install-deps)"; exit 1; }
	$(CC) $(TOOL_CFLAGS) $(shell pkg-config --cflags devmapper blkid) \
		$(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(TOOL_SOURCES) $(TOOL_LIBS)

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR ?= $(PREFIX)/share/doc/quorumsetup

install: $(BUILD)/tools/quorumsetup $(BUILD)/quorumsetup.8
	install -D -m 755 $(BUILD)/tools/quorumsetup $(DESTDIR)$(SBINDIR)/quorumsetup
	install -D -m 644 $(BUILD)/quorumsetup.8 $(DESTDIR)$(MANDIR)/man8/quorumsetup.8
	install -D -m 644 tools/quorumsetup.bash-completion \
		$(DESTDIR)$(BASHCOMPDIR)/quorumsetup
	install -D -m 644 docs/quorumsetup-status.schema.json \
		$(DESTDIR)$(DOCDIR)/quorumsetup-status.schema.json

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/quorumsetup $(DESTDIR)$(MANDIR)/man8/quorumsetup.8 \
		$(DESTDIR)$(BASHCOMPDIR)/quorumsetup \
		$(DESTDIR)$(DOCDIR)/quorumsetup-status.schema.json
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

modules:
	@test -n "$(KVERS)" || { echo "no kernel headers in /lib/modules/*/build (run scripts/install-deps)"; exit 1; }
	+@set -e; for k in $(KVERS); do \
		mkdir -p "$(BUILD)/$$k"; \
		cp -p $(SOURCES) "$(BUILD)/$$k/"; \
		scripts/kbuild $$k "$(BUILD)/$$k" W=$(W) C=$(C); \
	done

clean:
	rm -rf "$(BUILD)"

# Host-side checks first (quality gates, unit tests, fuzzing, packaging),
# then every installed kernel (or KVER=...) is booted once and runs all
# tests (the runner's closing line "N passed, N failed, N skipped"), then
# the power cuts, whose own "N passed, N failed" comes last.
check:
	scripts/install-deps
	$(MAKE) modules tools
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) fuzz
	scripts/test-packaging setup
	QUICK_RUN=1 NOBUILD=1 tests/run $(if $(KVER),-k $(KVER)); rc=$$?; \
		scripts/test-packaging teardown || rc=1; \
		NOBUILD=1 POWERCUT_KILLS=$(CHECK_POWERCUT_KILLS) scripts/powercut \
		$(if $(KVER),-k $(KVER)) || rc=1; exit $$rc

# The tests that make check leaves out to keep to its 30 minutes on two
# cores (those without QUICK=1, a minute or more each): every kernel.
LONG_TESTS = $(shell grep -L '^QUICK=1' tests/quorum/[0-9][0-9][0-9])
.PHONY: check-long
check-long:
	scripts/install-deps
	$(MAKE) modules tools
	scripts/test-packaging setup
	NOBUILD=1 tests/run $(if $(KVER),-k $(KVER)) $(LONG_TESTS); rc=$$?; \
		scripts/test-packaging teardown || rc=1; exit $$rc

# Power cuts: QEMU killed while fio writes to volumes with metadata, every
# kernel (or KVER=...); see scripts/powercut and docs/dm-quorum-internals.rst.
POWERCUT_KILLS ?= 2
# make check keeps to its time budget with one kill per kernel.
CHECK_POWERCUT_KILLS ?= 1
.PHONY: powercut
powercut:
	$(MAKE) modules
	NOBUILD=1 POWERCUT_KILLS=$(POWERCUT_KILLS) scripts/powercut $(if $(KVER),-k $(KVER))

unit:
	@mkdir -p $(BUILD)/unit
	$(CC) $(UNIT_CFLAGS) -o $(BUILD)/unit/test-elect unit/test-elect.c \
		dm-quorum-elect.c
	$(CC) $(UNIT_CFLAGS) -o $(BUILD)/unit/test-table unit/test-table.c \
		dm-quorum-table.c
	$(CC) $(UNIT_CFLAGS) -o $(BUILD)/unit/test-super unit/test-super.c \
		dm-quorum-super.c
	$(CC) $(UNIT_CFLAGS) -fsyntax-only unit/compare-speed.c
	$(CC) $(UNIT_CFLAGS) -D_GNU_SOURCE -o $(BUILD)/unit/test-quorumsetup \
		unit/test-quorumsetup.c $(TOOL_PURE)
	$(BUILD)/unit/test-elect
	$(BUILD)/unit/test-table unit/regressions
	$(BUILD)/unit/test-super
	$(BUILD)/unit/test-quorumsetup unit/quorumsetup $(BUILD)/unit
	scripts/json-schema-check docs/quorumsetup-status.schema.json \
		$(BUILD)/unit/status-*.json

# A crash leaves crash-* in $(BUILD)/fuzz: copy one of fuzz-table to
# unit/regressions, make one of fuzz-super a case of unit/test-super.c.
# A failure prints what broke and the input in hex (CI keeps no files).
FUZZ_REPORT = report() { tail -15 "$$1"; \
	for f in crash-* leak-* timeout-* oom-*; do test -f "$$f" && \
	{ echo "$$f:"; od -A d -t x1 "$$f" | head -400; }; done; \
	grep -E -m 5 'invariant broken|ERROR:|SUMMARY' "$$1"; }; report
fuzz:
	@mkdir -p $(BUILD)/fuzz/corpus $(BUILD)/fuzz/corpus-super
	clang -g -O1 -fsanitize=fuzzer,address,undefined \
		-o $(BUILD)/fuzz/fuzz-table unit/fuzz-table.c dm-quorum-table.c
	clang -g -O1 -fsanitize=fuzzer,address,undefined \
		-o $(BUILD)/fuzz/fuzz-super unit/fuzz-super.c dm-quorum-super.c
	cd $(BUILD)/fuzz && ./fuzz-table -max_total_time=$(FUZZ_SECONDS) \
		-timeout=10 -print_final_stats=1 corpus ../../unit/corpus \
		2>fuzz.log || { $(FUZZ_REPORT) fuzz.log; exit 1; }
	@grep -E '^(Done|stat::number_of_executed_units)' $(BUILD)/fuzz/fuzz.log
	cd $(BUILD)/fuzz && ./fuzz-super -max_total_time=$(FUZZ_SECONDS) \
		-timeout=10 -print_final_stats=1 corpus-super \
		../../unit/corpus-super 2>fuzz-super.log || \
		{ $(FUZZ_REPORT) fuzz-super.log; exit 1; }
	@grep -E '^(Done|stat::number_of_executed_units)' \
		$(BUILD)/fuzz/fuzz-super.log

lint:
	SHELL_SCRIPTS="$(SHELL_SCRIPTS)" scripts/lint

man: $(BUILD)/dm-quorum.7 $(BUILD)/quorumsetup.8

$(BUILD)/dm-quorum.7: docs/dm-quorum.rst
	@mkdir -p $(BUILD)
	scripts/mkman $< $@

$(BUILD)/quorumsetup.8: docs/quorumsetup.8.rst
	@mkdir -p $(BUILD)
	scripts/mkman $< $@

dkms-install:
	install -d /usr/src/dm-quorum-$(VERSION)
	install -m 644 $(SOURCES) dkms.conf /usr/src/dm-quorum-$(VERSION)/
	dkms add -m dm-quorum -v $(VERSION)
	@set -e; for k in $(KVERS); do \
		dkms build -m dm-quorum -v $(VERSION) -k $$k; \
		dkms install -m dm-quorum -v $(VERSION) -k $$k --force; \
	done
	install -D -m 644 udev/56-dm-quorum.rules /etc/udev/rules.d/56-dm-quorum.rules
	install -D -m 755 scripts/dm-quorum-monitor /usr/local/sbin/dm-quorum-monitor
	$(MAKE) install PREFIX=/usr/local
	-udevadm control --reload 2>/dev/null

dkms-remove:
	-dkms remove -m dm-quorum -v $(VERSION) --all
	rm -rf /usr/src/dm-quorum-$(VERSION)
	rm -f /etc/udev/rules.d/56-dm-quorum.rules /usr/local/sbin/dm-quorum-monitor
	$(MAKE) uninstall PREFIX=/usr/local
	-udevadm control --reload 2>/dev/null

# Debian's own tooling (dh-dkms), on a copy of the tracked files: the
# module's source package for DKMS, and the tool's binary package.
DEB_ARCH = $(shell dpkg --print-architecture)
deb:
	rm -rf $(BUILD)/deb && mkdir -p $(BUILD)/deb/dm-quorum-$(VERSION)
	git ls-files -z | xargs -0 cp --parents -t $(BUILD)/deb/dm-quorum-$(VERSION)
	cd $(BUILD)/deb/dm-quorum-$(VERSION) && dpkg-buildpackage -us -uc -b
	cp $(BUILD)/deb/dm-quorum-dkms_$(VERSION)_all.deb \
		$(BUILD)/deb/dm-quorum-tools_$(VERSION)_$(DEB_ARCH).deb $(BUILD)/
	@echo "built $(BUILD)/dm-quorum-dkms_$(VERSION)_all.deb $(BUILD)/dm-quorum-tools_$(VERSION)_$(DEB_ARCH).deb"

# The demo runs in a guest of the newest kernel (or KVER=...).
demo:
	scripts/install-deps
	$(MAKE) modules
	scripts/vm-run $(if $(KVER),-k $(KVER)) -- scripts/demo

# The benchmark (never part of check): every kernel series, or KVER=...;
# QUICK=1 for a short run.  See docs/benchmark.md.
.PHONY: bench
bench:
	scripts/install-deps
	$(MAKE) modules
	QUICK=$(QUICK) scripts/bench $(if $(KVER),-k $(KVER))

# The test group inside a checkout of blktests, run there by its ./check
# in a guest of every kernel (or KVER=...); see scripts/blktests.
BLKTESTS ?=
.PHONY: blktests
blktests:
ifeq ($(BLKTESTS),)
	@echo "make blktests: skipped: no blktests checkout given (make blktests BLKTESTS=/path/to/blktests)"
else
	scripts/install-deps
	$(MAKE) modules
	scripts/blktests "$(BLKTESTS)" $(KVER)
endif

# ------------------------------------------------------------------------
# The boot path (issue 18): /etc/quorumtab, its generator, the udev rule of
# the legs, the units.  One block, for the merge with the tool's.
#
#   make boot             build/boot/: the generator, the rule, the units
#                         and the manual pages, for PREFIX
#   make install          (install-boot) them under DESTDIR/PREFIX
#   make boottest         VMs booting with systemd as PID 1 on quorum legs
#                         (scripts/boottest; KVER=..., newest by default)
#
# The paths the generator and the rule name (the tool, quorumsetup-wait)
# are compiled in: build/boot/paths remembers them, and a change of
# PREFIX (or of one of the directories) rebuilds.  systemd and udev look
# under /usr/local/lib too, so the default PREFIX works as is; a Debian
# package gives PREFIX=/usr (bookworm is usr-merged).
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSTEMDGENERATORDIR ?= $(PREFIX)/lib/systemd/system-generators
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
QUORUMSETUP_LIBDIR ?= $(PREFIX)/lib/quorumsetup
# As Debian's 55-dm.rules names it.
DMSETUP ?= /sbin/dmsetup
BOOT_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -g
BOOT_C := tools/quorumtab.c tools/quorumtab.h tools/quorumsetup-generator.c
BOOT_BUILT := $(BUILD)/boot/quorumsetup-generator \
	$(BUILD)/boot/58-dm-quorum-legs.rules \
	$(BUILD)/boot/quorumsetup-rejoin@.service \
	$(BUILD)/boot/quorumtab.5 $(BUILD)/boot/quorumsetup-generator.8
BOOT_SED = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@DMSETUP@|$(DMSETUP)|g' \
	-e 's|@QUORUMSETUP_LIBDIR@|$(QUORUMSETUP_LIBDIR)|g' \
	-e 's|@VERSION@|$(VERSION)|g'
SHELL_SCRIPTS += systemd/quorumsetup-wait scripts/boottest \
	scripts/boottest-guest unit/test-generator
export CHECKPATCH_EXTRA := tools/quorumtab.c tools/quorumtab.h \
	tools/quorumsetup-generator.c

.PHONY: boot install-boot uninstall-boot unit-boot boottest FORCE
all: boot
boot: $(BOOT_BUILT)
install: install-boot
uninstall: uninstall-boot
unit: unit-boot

$(BUILD)/boot/paths: FORCE
	@mkdir -p $(BUILD)/boot
	@echo "$(SBINDIR) $(QUORUMSETUP_LIBDIR) $(DMSETUP) $(VERSION)" | \
		cmp -s - $@ || echo "$(SBINDIR) $(QUORUMSETUP_LIBDIR) $(DMSETUP) $(VERSION)" >$@

$(BUILD)/boot/quorumsetup-generator: $(BOOT_C) $(BUILD)/boot/paths
	$(CC) $(BOOT_CFLAGS) '-DQUORUMSETUP="$(SBINDIR)/quorumsetup"' \
		'-DQUORUMSETUP_WAIT="$(QUORUMSETUP_LIBDIR)/quorumsetup-wait"' \
		$(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ \
		tools/quorumsetup-generator.c tools/quorumtab.c

$(BUILD)/boot/58-dm-quorum-legs.rules: udev/58-dm-quorum-legs.rules.in $(BUILD)/boot/paths
	$(BOOT_SED) $< >$@

$(BUILD)/boot/quorumsetup-rejoin@.service: systemd/quorumsetup-rejoin@.service.in $(BUILD)/boot/paths
	$(BOOT_SED) $< >$@

$(BUILD)/boot/%: docs/%.rst $(BUILD)/boot/paths
	$(BOOT_SED) $< | rst2man --halt=warning >$@.tmp && mv $@.tmp $@

install-boot: $(BOOT_BUILT)
	install -D -m 755 $(BUILD)/boot/quorumsetup-generator \
		$(DESTDIR)$(SYSTEMDGENERATORDIR)/quorumsetup-generator
	install -D -m 644 $(BUILD)/boot/58-dm-quorum-legs.rules \
		$(DESTDIR)$(UDEVRULESDIR)/58-dm-quorum-legs.rules
	install -D -m 644 systemd/quorumsetup.target \
		$(DESTDIR)$(SYSTEMDUNITDIR)/quorumsetup.target
	install -D -m 644 $(BUILD)/boot/quorumsetup-rejoin@.service \
		'$(DESTDIR)$(SYSTEMDUNITDIR)/quorumsetup-rejoin@.service'
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)/sysinit.target.wants
	ln -sfn ../quorumsetup.target \
		$(DESTDIR)$(SYSTEMDUNITDIR)/sysinit.target.wants/quorumsetup.target
	install -D -m 755 systemd/quorumsetup-wait \
		$(DESTDIR)$(QUORUMSETUP_LIBDIR)/quorumsetup-wait
	install -D -m 644 $(BUILD)/boot/quorumtab.5 $(DESTDIR)$(MANDIR)/man5/quorumtab.5
	install -D -m 644 $(BUILD)/boot/quorumsetup-generator.8 \
		$(DESTDIR)$(MANDIR)/man8/quorumsetup-generator.8

uninstall-boot:
	rm -f $(DESTDIR)$(SYSTEMDGENERATORDIR)/quorumsetup-generator \
		$(DESTDIR)$(UDEVRULESDIR)/58-dm-quorum-legs.rules \
		$(DESTDIR)$(SYSTEMDUNITDIR)/quorumsetup.target \
		'$(DESTDIR)$(SYSTEMDUNITDIR)/quorumsetup-rejoin@.service' \
		$(DESTDIR)$(SYSTEMDUNITDIR)/sysinit.target.wants/quorumsetup.target \
		$(DESTDIR)$(QUORUMSETUP_LIBDIR)/quorumsetup-wait \
		$(DESTDIR)$(MANDIR)/man5/quorumtab.5 \
		$(DESTDIR)$(MANDIR)/man8/quorumsetup-generator.8
	-rmdir $(DESTDIR)$(QUORUMSETUP_LIBDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR)/sysinit.target.wants 2>/dev/null

# The parser's tests under ASan/UBSan, and the generator's output for
# unit/generator/*.tab against *.units (and systemd-analyze verify).
unit-boot:
	@mkdir -p $(BUILD)/unit
	$(CC) $(UNIT_CFLAGS) -D_GNU_SOURCE -o $(BUILD)/unit/test-quorumtab \
		unit/test-quorumtab.c tools/quorumtab.c
	$(CC) $(UNIT_CFLAGS) -D_GNU_SOURCE \
		'-DQUORUMSETUP="/usr/sbin/quorumsetup"' \
		'-DQUORUMSETUP_WAIT="/usr/lib/quorumsetup/quorumsetup-wait"' \
		-o $(BUILD)/unit/quorumsetup-generator \
		tools/quorumsetup-generator.c tools/quorumtab.c
	$(BUILD)/unit/test-quorumtab
	unit/test-generator $(BUILD)/unit/quorumsetup-generator

# Not part of check (some 11 minutes of TCG): see scripts/boottest, and the
# last results in docs/boottest.md.  The tool comes from "make tools" where
# the tree has it (QUORUMSETUP_BIN=... names another).
boottest:
	scripts/install-deps
	$(MAKE) modules
	if $(MAKE) -n tools >/dev/null 2>&1; then $(MAKE) tools; fi
	scripts/boottest $(if $(KVER),-k $(KVER))

FORCE:
# ------------------------------------------------------------ end of boot
