# jitd: build, install and package.
#
#   make                      release build with the Swift runtime linked in (.build-release/release/jitd)
#   make deb                  jitd_VERSION_amd64.deb (binary, units, sysusers, tmpfiles, config, man page)
#   make lintian              build the package and check it with lintian
#   sudo make install         build, install under /usr/local, create the user and folders, reload systemd
#   make install DESTDIR=/tmp/pkg PREFIX=/usr    stage the files (no user, no systemctl)
#   sudo make uninstall       remove what install put down; keeps /etc/jitd and /var/lib/jitd
#   make man                  the jitd(8) man page, generated from the command line
#
# Paths follow PREFIX (default /usr/local); the config always lives in /etc/jitd.

PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      ?= $(PREFIX)/bin
SYSCONFDIR  ?= /etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
DOCDIR      ?= $(PREFIX)/share/doc/jitd
MANDIR      ?= $(PREFIX)/share/man
SWIFT       ?= swift
PYTHON      ?= python3
SCRATCH     ?= .build-release
BINARY      ?= $(SCRATCH)/release/jitd
DEBDIR      ?= .
INSTALL     ?= install

VERSION  := $(shell sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/jitd/Commands/Version.swift)
# The man page's date is the newest changelog entry's, so the same sources give the same page.
MANDATE  := $(shell date -u -d "$$(sed -n 's/^ -- .*>  //p' packaging/deb/changelog | head -n 1)" +%Y-%m-%d 2>/dev/null)

# Rewrites the /usr/local paths in the units for this PREFIX.
SUBST = sed -e 's|/usr/local/bin/jitd|$(BINDIR)/jitd|g' -e 's|/usr/local/share/doc/jitd|$(DOCDIR)|g'

.PHONY: all build man deb lintian install install-files activate uninstall clean version

all: build

# --static-swift-stdlib links the Swift runtime and Foundation in, so the binary runs on a
# server without the Swift toolchain (it needs only libc, libstdc++, libsqlite3 and libsystemd);
# --disable-local-rpath leaves out the $$ORIGIN search path, which an installed binary must not
# have; -z relro -z now make the relocations read-only before main runs (full RELRO).
build:
	$(SWIFT) build -c release --product jitd --static-swift-stdlib --disable-local-rpath --scratch-path $(SCRATCH) \
		-Xlinker -z -Xlinker relro -Xlinker -z -Xlinker now

version:
	@echo $(VERSION)

man: $(SCRATCH)/jitd.8

$(SCRATCH)/jitd.8: $(BINARY) packaging/man/make-man.py packaging/man/sections.man packaging/deb/changelog
	$(BINARY) --experimental-dump-help | $(PYTHON) packaging/man/make-man.py $(VERSION) $(MANDATE) > $@.tmp
	mv $@.tmp $@

deb: build
	packaging/build-deb "$(BINARY)" "$(VERSION)" "$(DEBDIR)"

lintian: deb
	lintian --fail-on error --display-info "$(DEBDIR)/jitd_$(VERSION)_amd64.deb"

install: build install-files activate

install-files:
	@test -x "$(BINARY)" || { echo "make: $(BINARY) is missing; run 'make build' (or give BINARY=...)" >&2; exit 1; }
	$(INSTALL) -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(UNITDIR)" "$(DESTDIR)$(SYSUSERSDIR)" "$(DESTDIR)$(TMPFILESDIR)" \
		"$(DESTDIR)$(DOCDIR)/examples/catalog.d" "$(DESTDIR)$(MANDIR)/man8"
	$(INSTALL) -m 0755 "$(BINARY)" "$(DESTDIR)$(BINDIR)/jitd"
	$(SUBST) systemd/jitd.service > "$(DESTDIR)$(UNITDIR)/jitd.service"
	$(SUBST) systemd/jitd.socket > "$(DESTDIR)$(UNITDIR)/jitd.socket"
	chmod 0644 "$(DESTDIR)$(UNITDIR)/jitd.service" "$(DESTDIR)$(UNITDIR)/jitd.socket"
	$(INSTALL) -m 0644 systemd/jitd.sysusers.conf "$(DESTDIR)$(SYSUSERSDIR)/jitd.conf"
	$(INSTALL) -m 0644 systemd/jitd.tmpfiles.conf "$(DESTDIR)$(TMPFILESDIR)/jitd.conf"
	@# The man page, from the binary being installed.
	"$(BINARY)" --experimental-dump-help | $(PYTHON) packaging/man/make-man.py $(VERSION) $(MANDATE) \
		| gzip -9n > "$(DESTDIR)$(MANDIR)/man8/jitd.8.gz"
	chmod 0644 "$(DESTDIR)$(MANDIR)/man8/jitd.8.gz"
	$(INSTALL) -m 0644 docs/operations.md docs/configuration.md docs/integration.md "$(DESTDIR)$(DOCDIR)/"
	$(INSTALL) -m 0644 config/jitd.example.toml "$(DESTDIR)$(DOCDIR)/examples/jitd.toml"
	$(INSTALL) -m 0644 config/catalog.d/* "$(DESTDIR)$(DOCDIR)/examples/catalog.d/"
	$(INSTALL) -m 0644 systemd/examples/ip-address-allow.conf docs/examples/receiver.py docs/examples/receiver.js \
		"$(DESTDIR)$(DOCDIR)/examples/"
	@# The example config becomes the live one only on a first install; the catalog starts empty.
	$(INSTALL) -d -m 0755 "$(DESTDIR)$(SYSCONFDIR)/jitd" "$(DESTDIR)$(SYSCONFDIR)/jitd/catalog.d"
	@if [ ! -e "$(DESTDIR)$(SYSCONFDIR)/jitd/jitd.toml" ]; then \
		$(INSTALL) -m 0644 config/jitd.example.toml "$(DESTDIR)$(SYSCONFDIR)/jitd/jitd.toml"; \
		echo "installed the example config as $(SYSCONFDIR)/jitd/jitd.toml: adapt it"; \
	fi

# On the real system (no DESTDIR, systemd running): the user, the folders, the new units.
activate:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemd-sysusers "$(SYSUSERSDIR)/jitd.conf" && \
		systemd-tmpfiles --create "$(TMPFILESDIR)/jitd.conf" && \
		systemctl daemon-reload && \
		echo "installed; next: edit $(SYSCONFDIR)/jitd/jitd.toml, put the secrets in $(SYSCONFDIR)/jitd/secrets, then: systemctl enable --now jitd.socket jitd.service"; \
	else \
		echo "staged under $(DESTDIR); on the target run: systemd-sysusers; systemd-tmpfiles --create jitd.conf; systemctl daemon-reload"; \
	fi

uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then \
		systemctl disable --now jitd.service jitd.socket 2>/dev/null || true; \
	fi
	rm -f "$(DESTDIR)$(BINDIR)/jitd" "$(DESTDIR)$(UNITDIR)/jitd.service" "$(DESTDIR)$(UNITDIR)/jitd.socket" \
		"$(DESTDIR)$(SYSUSERSDIR)/jitd.conf" "$(DESTDIR)$(TMPFILESDIR)/jitd.conf" "$(DESTDIR)$(MANDIR)/man8/jitd.8.gz"
	rm -rf "$(DESTDIR)$(DOCDIR)"
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "kept $(SYSCONFDIR)/jitd (config, secrets) and /var/lib/jitd (database, inbox); remove them by hand to purge"

clean:
	rm -rf $(SCRATCH)/release $(SCRATCH)/jitd.8 jitd_*_amd64.deb
