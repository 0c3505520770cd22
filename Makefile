# jitd: build and install.
#
#   make                      release build (.build/release/jitd)
#   sudo make install         build, install, create the user and folders, reload systemd
#   make install DESTDIR=/tmp/pkg PREFIX=/usr    stage a package (no user, no systemctl)
#   sudo make uninstall       remove what install put down; keeps /etc/jitd and /var/lib/jitd
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
SWIFT       ?= swift
SCRATCH     ?= .build
BINARY      ?= $(SCRATCH)/release/jitd
INSTALL     ?= install

# Rewrites the /usr/local paths in the units for this PREFIX.
SUBST = sed -e 's|/usr/local/bin/jitd|$(BINDIR)/jitd|g' -e 's|/usr/local/share/doc/jitd|$(DOCDIR)|g'

.PHONY: all build install install-files activate uninstall clean

all: build

build:
	$(SWIFT) build -c release --product jitd --scratch-path $(SCRATCH)

install: build install-files activate

install-files:
	@test -x "$(BINARY)" || { echo "make: $(BINARY) is missing; run 'make build' (or give BINARY=...)" >&2; exit 1; }
	$(INSTALL) -d "$(DESTDIR)$(BINDIR)" "$(DESTDIR)$(UNITDIR)" "$(DESTDIR)$(SYSUSERSDIR)" "$(DESTDIR)$(TMPFILESDIR)" \
		"$(DESTDIR)$(DOCDIR)" "$(DESTDIR)$(DOCDIR)/catalog.d"
	$(INSTALL) -m 0755 "$(BINARY)" "$(DESTDIR)$(BINDIR)/jitd"
	$(SUBST) systemd/jitd.service > "$(DESTDIR)$(UNITDIR)/jitd.service"
	$(SUBST) systemd/jitd.socket > "$(DESTDIR)$(UNITDIR)/jitd.socket"
	chmod 0644 "$(DESTDIR)$(UNITDIR)/jitd.service" "$(DESTDIR)$(UNITDIR)/jitd.socket"
	$(INSTALL) -m 0644 systemd/jitd.sysusers.conf "$(DESTDIR)$(SYSUSERSDIR)/jitd.conf"
	$(INSTALL) -m 0644 systemd/jitd.tmpfiles.conf "$(DESTDIR)$(TMPFILESDIR)/jitd.conf"
	$(INSTALL) -m 0644 config/jitd.example.toml "$(DESTDIR)$(DOCDIR)/jitd.example.toml"
	$(INSTALL) -m 0644 config/catalog.d/* "$(DESTDIR)$(DOCDIR)/catalog.d/"
	$(INSTALL) -m 0644 docs/operations.md "$(DESTDIR)$(DOCDIR)/operations.md"
	@# The example config and catalog become the live ones only on a first install.
	$(INSTALL) -d -m 0755 "$(DESTDIR)$(SYSCONFDIR)/jitd"
	@if [ ! -e "$(DESTDIR)$(SYSCONFDIR)/jitd/jitd.toml" ]; then \
		$(INSTALL) -m 0644 config/jitd.example.toml "$(DESTDIR)$(SYSCONFDIR)/jitd/jitd.toml"; \
		echo "installed the example config as $(SYSCONFDIR)/jitd/jitd.toml: adapt it"; \
	fi
	@if [ ! -e "$(DESTDIR)$(SYSCONFDIR)/jitd/catalog.d" ]; then \
		$(INSTALL) -d -m 0755 "$(DESTDIR)$(SYSCONFDIR)/jitd/catalog.d"; \
		$(INSTALL) -m 0644 config/catalog.d/* "$(DESTDIR)$(SYSCONFDIR)/jitd/catalog.d/"; \
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
		"$(DESTDIR)$(SYSUSERSDIR)/jitd.conf" "$(DESTDIR)$(TMPFILESDIR)/jitd.conf"
	rm -rf "$(DESTDIR)$(DOCDIR)"
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
	@echo "kept $(SYSCONFDIR)/jitd (config, secrets) and /var/lib/jitd (database, inbox); remove them by hand to purge"

clean:
	rm -rf $(SCRATCH)/release
