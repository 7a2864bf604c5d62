# The FUSE file system of the storage tests (tests/fusedelay.c), for the
# shell tests that put it under the phase; sourced after tests/tap.sh.

# fuse_work: a fresh working directory $work holding src and mnt, entered;
# at exit the mount is undone and the directory removed.
fuse_work() {
	work=$(mktemp -d)
	fuse_pid=
	trap fuse_cleanup EXIT
	cd "$work" || exit 1
	mkdir src mnt
}

fuse_cleanup() {
	[ -n "$fuse_pid" ] && unmount_fs 2>/dev/null
	rm -rf "$work"
}

# fuse_usable NAME: returns when fusedelay can be mounted here, else one
# SKIP line for NAME with the reason and the test ends.
fuse_usable() {
	if [ ! -x "${HPCP_FUSEDELAY:-}" ]; then
		skip "$1" "tests/fusedelay not built: configure found no fuse3 (apt-get install libfuse3-dev fuse3)"
	elif [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
		skip "$1" "no /dev/fuse or fusermount3 here"
	else
		return 0
	fi
	done_testing
	exit 0
}

# mount_fs ARGS...: fusedelay ARGS over src at mnt, until unmount_fs;
# fails when fusedelay ends first, or the mount has not appeared in 60 s
# (fuse.err says why).  Not 5 s: a busy host can take longer to start it.
mount_fs() {
	"$HPCP_FUSEDELAY" "$@" src mnt 2>fuse.err &
	fuse_pid=$!
	for _ in $(seq 600); do
		case $(stat -f -c %T mnt 2>/dev/null) in
		fuse | fuseblk) return 0 ;;
		esac
		grep -q fuse /proc/mounts && mountpoint -q mnt && return 0
		kill -0 "$fuse_pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# unmount_fs: undone, and fusedelay gone; a mount still busy is detached
# (lazily) and its server stopped rather than waited for.
unmount_fs() {
	if ! fusermount3 -u "$work/mnt"; then
		fusermount3 -u -z "$work/mnt"
		kill "$fuse_pid" 2>/dev/null
	fi
	wait "$fuse_pid"
	fuse_pid=
}
