#!/bin/sh
# Output safety: the results file is replaced atomically or not at all.
# A device as target is refused before any work; a read-only directory is
# refused; a full disk gives one clear line, a non-zero exit and no file
# (complete or truncated) at the target path.  Full-disk and read-only
# cases need root to mount a small tmpfs; without it they skip.
. "$(dirname "$0")/tap.sh"

bin=${HPCP_BIN:?}
work=$(mktemp -d)
mnt=$work/mnt
cleanup() {
	umount "$mnt" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader

before=$(stat -c %t:%T /dev/full)
"$bin" --phases topology -o /dev/full >out.txt 2>err.txt
status=$?
ok $((status != 2)) "-o /dev/full: exit 2 before any work ($status)"
grep -q "not a regular file" err.txt && [ "$(wc -l <err.txt)" -eq 1 ]
ok $? "-o /dev/full: one line: $(cat err.txt)"
[ -c /dev/full ] && [ "$(stat -c %t:%T /dev/full)" = "$before" ]
ok $? "-o /dev/full: the device is untouched"

mkdir -p "$mnt"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
	for t in "full disk: non-zero exit" "full disk: one clear line" \
		"full disk: no truncated file" "full disk: no temporary left" \
		"read-only directory: exit 2" "read-only directory: one line"; do
		skip "$t" "needs root to mount a tmpfs"
	done
	done_testing
	exit $?
fi
# Leave less room than a document needs.
head -c 60000 /dev/zero >"$mnt/filler" 2>/dev/null
"$bin" --phases topology -o "$mnt/r.json" >out.txt 2>err.txt
status=$?
ok $((status == 0)) "full disk: non-zero exit ($status)"
n=$(grep -c "results not saved" err.txt)
ok $((n != 1)) "full disk: one clear line ($(grep "results not saved" err.txt))"
# An earlier, smaller version may have fitted: then it must be whole.
[ ! -e "$mnt/r.json" ] || /usr/bin/python3 -m json.tool "$mnt/r.json" >/dev/null
ok $? "full disk: no truncated file at the target path"
leftovers=$(find "$mnt" -name '*.tmp.*' | wc -l)
ok $((leftovers != 0)) "full disk: no temporary file left behind"

rm -f "$mnt/filler"
mount -o remount,ro "$mnt"
"$bin" --phases topology -o "$mnt/r.json" >out.txt 2>err.txt
status=$?
ok $((status != 2)) "read-only directory: exit 2 ($status)"
grep -q "not writable" err.txt && [ "$(wc -l <err.txt)" -eq 1 ]
ok $? "read-only directory: one line: $(cat err.txt)"

done_testing
