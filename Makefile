# SPDX-License-Identifier: GPL-2.0-only
#
# dm-quorum: build the module for every installed Debian kernel series,
# and run the test bed.  The kernel build itself is driven by Kbuild.
#
#   make                    build build/<kver>/dm-quorum.ko for each kernel
#   make modules KVER=...   build for one kernel release only
#   make check              install what is needed, boot each kernel, run tests
#   make demo               show the main job in a VM

KVERS ?= $(notdir $(patsubst %/build,%,$(wildcard /lib/modules/*/build)))
KVER ?=
ifneq ($(KVER),)
KVERS := $(KVER)
endif

SOURCES := Kbuild dm-quorum.c $(wildcard dm-quorum-*.h)
BUILD := $(CURDIR)/build

.PHONY: all modules clean

all: modules

modules:
	@test -n "$(KVERS)" || { echo "no kernel headers in /lib/modules/*/build (run scripts/install-deps)"; exit 1; }
	@set -e; for k in $(KVERS); do \
		mkdir -p $(BUILD)/$$k; \
		cp -p $(SOURCES) $(BUILD)/$$k/; \
		$(MAKE) -C /lib/modules/$$k/build M=$(BUILD)/$$k W=$(W) C=$(C) modules; \
	done

clean:
	rm -rf $(BUILD)
