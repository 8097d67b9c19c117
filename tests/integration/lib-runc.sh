# shellcheck shell=bash
# Containers run by real runc for the runtime tests and bench/hook-cost.sh
# (sourced after lib.sh).  A bundle is a busybox-static rootfs made here,
# with the host's /usr and the test helpers bound read-only (so the
# dynamically linked helpers run), an /out folder shared with the test,
# and linux.cgroupsPath under the test's parent: runc never makes a cgroup
# anywhere else.  runc's state lives in the test's folder.
HOOK=${ACCT_HOOK:-${ACCT_BIN:-.}/accountd-hook}
RUNC=${RUNC:-$(command -v runc)}
BUSYBOX=${BUSYBOX:-$(command -v busybox)}
RUNC_IDS=()

require_runc() {
	[ -n "$RUNC" ] && [ -x "$RUNC" ] ||
	    skip "no runc (scripts/deps.sh installs it)"
	require_rootfs
}

require_rootfs() {	# busybox-static for the rootfs, and the hook
	[ -n "$BUSYBOX" ] && [ -x "$BUSYBOX" ] ||
	    skip "no busybox for the rootfs (scripts/deps.sh installs busybox-static)"
	# the rootfs holds busybox alone: it must be the static one
	if ldd "$BUSYBOX" > /dev/null 2>&1; then
		skip "$BUSYBOX is linked dynamically (busybox-static is needed)"
	fi
	[ -x "$HOOK" ] || fail "no accountd-hook at $HOOK"
}

# The rootfs, once per test: busybox and its applets, /usr from the host.
mk_rootfs() {	# DIR
	local d=$1
	mkdir -p "$d/bin" "$d/usr" "$d/proc" "$d/dev" "$d/tmp" "$d/helpers" \
	    "$d/out" "$d/etc"
	cp "$BUSYBOX" "$d/bin/busybox"
	for a in sh sleep echo cat true ls; do ln -sf busybox "$d/bin/$a"; done
	# /lib and /lib64 as the host has them: links into /usr (merged
	# /usr, Debian 12), or folders bound read-only (the VM's initramfs)
	for l in lib lib64; do
		if [ -L "/$l" ]; then ln -sfn "$(readlink "/$l")" "$d/$l"
		elif [ -d "/$l" ]; then mkdir -p "$d/$l"; fi
	done
	echo "root:x:0:0:root:/:/bin/sh" > "$d/etc/passwd"
}

json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
json_arr() { local a out="" sep=""; for a in "$@"; do out+="$sep$(json_str "$a")"; sep=", "; done; printf '[%s]' "$out"; }

libmounts() {	# bind mounts of /lib and /lib64 where they are folders
	local l
	for l in lib lib64; do
		[ -d "/$l" ] && [ ! -L "/$l" ] || continue
		printf '\n\t    { "destination": "/%s", "type": "bind", "source": "/%s", "options": [ "rbind", "ro" ] },' "$l" "$l"
	done
}

# A bundle: config.json in DIR, rootfs ROOTFS, the payload ARGS; with
# HOOKS=yes, accountd-hook as createRuntime and poststop hooks, with the
# arguments in the array HOOK_ARGS before "oci"; ANNOTS is a JSON object.
mk_bundle() {	# DIR ROOTFS CGPATH HOOKS(yes|no) ANNOTS(json object) ARGS...
	local dir=$1 rootfs=$2 cgpath=$3 hooks=$4 annots=$5
	shift 5
	local hookjson=""
	mkdir -p "$dir" "$dir/out"
	if [ "$hooks" = yes ]; then
		hookjson=$(cat <<-EOF
	"hooks": {
		"createRuntime": [ { "path": $(json_str "$HOOK"),
		    "args": $(json_arr accountd-hook "${HOOK_ARGS[@]}" oci createRuntime),
		    "timeout": 20 } ],
		"poststop": [ { "path": $(json_str "$HOOK"),
		    "args": $(json_arr accountd-hook "${HOOK_ARGS[@]}" oci poststop),
		    "timeout": 20 } ]
	},
	EOF
		)
	fi
	cat > "$dir/config.json" <<-EOF
	{
	"ociVersion": "1.0.2",
	"process": { "terminal": false, "user": { "uid": 0, "gid": 0 },
	    "args": $(json_arr "$@"),
	    "env": [ "PATH=/bin:/usr/bin", "HOME=/" ], "cwd": "/",
	    "noNewPrivileges": true },
	"root": { "path": $(json_str "$rootfs"), "readonly": true },
	"hostname": "acctd-test",
	"mounts": [
	    { "destination": "/proc", "type": "proc", "source": "proc" },
	    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
	      "options": [ "nosuid", "mode=755", "size=1m" ] },
	    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
	      "options": [ "nosuid", "size=1m" ] },
	    { "destination": "/usr", "type": "bind", "source": "/usr",
	      "options": [ "rbind", "ro" ] },$(libmounts)
	    { "destination": "/helpers", "type": "bind",
	      "source": $(json_str "$HELPERS"), "options": [ "rbind", "ro" ] },
	    { "destination": "/out", "type": "bind",
	      "source": $(json_str "$dir/out"), "options": [ "rbind", "rw" ] }
	],
	$hookjson
	"annotations": $annots,
	"linux": {
	    "cgroupsPath": $(json_str "$cgpath"),
	    "namespaces": [ { "type": "pid" }, { "type": "ipc" },
	        { "type": "uts" }, { "type": "mount" } ],
	    "resources": { "devices": [ { "allow": false, "access": "rwm" } ] }
	}
	}
	EOF
}

# runc run in the foreground; its exit status is the payload's.
runc_run() {	# BUNDLE ID
	RUNC_IDS+=("$2")
	"$RUNC" --root "$TDIR/runc" run $RUNC_FLAGS --bundle "$1" "$2" < /dev/null
}

runc_cleanup() {
	local id
	for id in "${RUNC_IDS[@]}"; do
		"$RUNC" --root "$TDIR/runc" delete --force "$id" > /dev/null 2>&1
	done
}

# The set-up both runc tests share: the test folder and its cleanup, an
# accountd.conf (run_dir, hook_failure = refuse) that the daemon and the
# hook read, HOOK_ARGS, the rootfs, and B, the folder of the bundles.
runc_setup() {
	prepare_tdir
	trap 'rc=$?; runc_cleanup; (exit $rc); cleanup' EXIT
	RUNC_FLAGS=
	# an initramfs root cannot be pivot_root'ed away from (the VM)
	[ "$(awk '$2 == "/" { print $3; exit }' /proc/mounts)" = rootfs ] &&
	    RUNC_FLAGS=--no-pivot
	mkdir -p "$TDIR/ct"
	printf 'run_dir = %s\nhook_failure = refuse\n' "$TDIR/run" \
	    > "$TDIR/accountd.conf"
	HOOK_ARGS=(-f "$TDIR/accountd.conf" -t 3)
	mk_rootfs "$TDIR/rootfs"
	B=$TDIR/bundles
}
