#!/bin/bash
# Install what accountd needs to build and to run its tests, from Debian's
# archive (Debian 12).  Run as root.  Idempotent: installs only what is
# missing.  Usage: scripts/deps.sh [build|test]
set -euo pipefail
what=${1:-test}
pkgs=(build-essential autoconf automake pkg-config
      libevent-dev libcgroup-dev libjson-c-dev)
# exporters/: RRD archives and graphs, the PCP agent, gzip of /metrics
pkgs+=(librrd-dev libpcp3-dev libpcp-pmda3-dev zlib1g-dev)
# ledger/: the billing ledger; its replica on PostgreSQL (libpq)
pkgs+=(libsqlite3-dev libpq-dev)
if [ "$what" = test ]; then
	pkgs+=(util-linux procps)
	# the exporters' real clients: Prometheus and Alertmanager (promtool),
	# pmcd/pminfo/pmval, rrdtool and rrdcached, headless Chromium, curl
	pkgs+=(prometheus prometheus-alertmanager pcp rrdtool rrdcached
	       chromium curl)
	# the ledger tests check the file with sqlite3's integrity_check;
	# fleet-pg.sh and bench/fleet.sh run a PostgreSQL server of their own
	pkgs+=(sqlite3 postgresql)
	# the man-page lint and the docs checks; libcgroup's cgset, the peer
	# of the acctctl set benchmark
	pkgs+=(mandoc cgroup-tools)
	# drift.sh tells a static busybox by file(1)
	pkgs+=(file)
	# quota-kernel.sh makes a loop-mounted ext4 with project quota
	pkgs+=(e2fsprogs)
	# the exporter tests decode PNGs (graphs, screenshots) with python3;
	# supervise.sh sees where the exporter listens with ss
	pkgs+=(python3 iproute2)
	# the runtime hook tests and bench/hook-cost.sh: real runc, LXC and
	# podman running a busybox-static rootfs
	pkgs+=(runc lxc podman busybox-static)
	# acctctl top's terminal test (tests/integration/top-tmux.sh)
	pkgs+=(tmux)
	# tests/package/deb.sh: dpkg-buildpackage (debhelper, dh-autoreconf),
	# lintian
	pkgs+=(debhelper dpkg-dev devscripts fakeroot lintian)
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" ||
	    missing+=("$p")
done
# pcp's postinst runs "systemctl start pmcd" when systemctl exists, which
# fails where systemd is not PID 1 (containers, CI) and leaves pcp
# half-configured; a stand-in systemctl that does nothing lets it configure.
fake=$(mktemp -d)
trap 'rm -rf "$fake"' EXIT
if [ ! -d /run/systemd/system ]; then
	printf '#!/bin/sh\nexit 0\n' > "$fake/systemctl"
	chmod +x "$fake/systemctl"
fi
if [ "${#missing[@]}" -gt 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "deps.sh: needs root to install: ${missing[*]}" >&2; exit 1; }
	echo "deps.sh: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# apt runs dpkg with its own PATH (DPkg::Path), so set it there
	apt-get install -y -qq --no-install-recommends \
	    -o DPkg::Path="$fake:/usr/sbin:/usr/bin:/sbin:/bin" \
	    "${missing[@]}" > /dev/null
fi
# a pcp left half-configured by an earlier install without the stand-in
if dpkg-query -W -f='${Status}' pcp 2> /dev/null | grep -qE 'unpacked|half-'; then
	[ "$(id -u)" = 0 ] || { echo "deps.sh: pcp is half-configured; run as root" >&2; exit 1; }
	PATH=$fake:$PATH dpkg --configure pcp
fi
