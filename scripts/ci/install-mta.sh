#!/usr/bin/env bash
# Install the real mail servers used by the end-to-end tests in e2e/.
#
# Debian 12, run as root; safe to run again (idempotent):
#   * postfix, sasl2-bin, libsasl2-modules, swaks, rsyslog (util-linux's
#     unshare is essential on Debian) as ordinary packages. Postfix is
#     preseeded as "No configuration", so it gets no main.cf and no running
#     system instance; the tests start private instances of their own.
#   * Exim conflicts with Postfix as a package, so exim4-daemon-light is only
#     downloaded and unpacked (dpkg -x) into $EXIM_ROOT (default
#     /opt/spamcheck-exim); its shared-library dependencies are installed
#     as packages. The tests run $EXIM_ROOT/usr/sbin/exim4 with their own
#     configure file (-C); nothing of Exim is registered with dpkg.
#
# The tests find Exim through SPAMCHECK_EXIM (a binary) or $EXIM_ROOT.
set -euo pipefail

EXIM_ROOT=${EXIM_ROOT:-/opt/spamcheck-exim}
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -o DPkg::Lock::Timeout=900 -y -q)

if [ "$(id -u)" -ne 0 ]; then
	echo "install-mta.sh: must run as root (sudo scripts/ci/install-mta.sh)" >&2
	exit 1
fi

log() { echo "install-mta: $*"; }

have_pkg() {
	dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -qx installed
}

# apt-get update at most once, and only when something is missing.
updated=no
apt_update() {
	if [ "$updated" = no ]; then
		"${APT[@]}" update
		updated=yes
	fi
}

# 1. Packages ---------------------------------------------------------------

pkgs=(postfix sasl2-bin libsasl2-modules libsasl2-modules-db swaks rsyslog util-linux)
postfix_was_installed=no
have_pkg postfix && postfix_was_installed=yes

missing=()
for p in "${pkgs[@]}"; do
	have_pkg "$p" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	log "installing ${missing[*]}"
	# No configuration: no /etc/postfix/main.cf, nothing started, nothing
	# listening on port 25.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	echo "postfix postfix/mailname string localhost" | debconf-set-selections
	apt_update
	"${APT[@]}" install --no-install-recommends "${missing[@]}"
fi

# A system Postfix that this script brought in must not stay running (the
# tests use their own instances on their own ports). A pre-existing,
# configured Postfix belongs to the machine's owner and is left alone.
if [ "$postfix_was_installed" = no ]; then
	if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
		systemctl disable --now postfix.service >/dev/null 2>&1 || true
	fi
	if [ -f /etc/postfix/main.cf ] && postfix status >/dev/null 2>&1; then
		log "stopping the system postfix started by the package"
		postfix stop || true
	fi
fi

# The sasl2-bin package may start saslauthd (not used: the tests use
# sasldb files of their own); leave it as the package configured it.

# 2. Exim, unpacked privately ------------------------------------------------

exim_bin=$EXIM_ROOT/usr/sbin/exim4
if [ ! -x "$exim_bin" ]; then
	apt_update
	log "unpacking exim4-daemon-light into $EXIM_ROOT"
	# Shared libraries exim4 links against (its lib* dependencies); never
	# exim4-daemon-light itself, which would remove postfix.
	mapfile -t libs < <(apt-cache depends --no-recommends --no-suggests exim4-daemon-light |
		awk '$1 == "Depends:" && $2 ~ /^lib/ { print $2 }' | sort -u)
	if [ "${#libs[@]}" -gt 0 ]; then
		"${APT[@]}" install --no-install-recommends "${libs[@]}"
	fi
	tmp=$(mktemp -d)
	# apt-get download fetches as the _apt user into the current directory.
	chown _apt "$tmp" 2>/dev/null || chmod 777 "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get -o DPkg::Lock::Timeout=900 -q download exim4-daemon-light)
	mkdir -p "$EXIM_ROOT.new"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$EXIM_ROOT.new"
		dpkg-deb -f "$deb" Package Version >>"$EXIM_ROOT.new/PACKAGES"
	done
	rm -rf "$EXIM_ROOT"
	mv "$EXIM_ROOT.new" "$EXIM_ROOT"
fi

# 3. Check --------------------------------------------------------------------

if ldd "$exim_bin" | grep -q 'not found'; then
	ldd "$exim_bin" >&2
	echo "install-mta.sh: $exim_bin has unresolved libraries" >&2
	exit 1
fi
for c in /usr/sbin/postfix /usr/sbin/saslpasswd2 /usr/bin/swaks /usr/sbin/rsyslogd /usr/bin/unshare; do
	if [ ! -x "$c" ]; then
		echo "install-mta.sh: $c missing after install" >&2
		exit 1
	fi
done
# (exim4 -bV would need the Debian-exim user, which exists only inside the
# tests' namespaces; the unpacked package's version is in PACKAGES.)
log "postfix $(postconf -d -h mail_version 2>/dev/null); $exim_bin: $(tr '\n' ' ' <"$EXIM_ROOT/PACKAGES" 2>/dev/null || true)"
log "done"
