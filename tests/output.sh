#!/bin/sh
# Output safety: the results file is replaced atomically or not at all.
# A device as target is refused before any work; a read-only directory is
# refused; a full disk gives one clear line, a non-zero exit and no file
# (complete or truncated) at the target path.  Full-disk and read-only
# cases need root to mount a small tmpfs; without it they skip.
. "$(dirname "$0")/tap.sh"

bin=${HPCP_BIN:?}
HPCP_REPORT_BIN=${HPCP_REPORT_BIN:?}
HPCP_DATA=$(cd "$(dirname "$0")/data/results" && pwd)
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

# Outputs that are one file (issue 19, class 7): every way of naming one
# file twice -- the same name, ./name, an absolute path, dir/../name, a
# hard link, a symbolic link, a name through a linked directory -- for
# each pair of outputs (hpcprobe: -o, --emf, --prom) and for the report
# tool's output against the document it reads.  Each is refused before
# any work: exit 2, one line, nothing written, the file unchanged.
mkdir -p c/sub
ln -s . c/linkdir
(
	cd c || exit 1
	printf 'old\n' >F
	ln F hard
	ln -s F soft
	ways_old="F ./F $work/c/F sub/../F hard soft linkdir/F"
	ways_new="N ./N $work/c/N sub/../N linkdir/N"
	k=0
	for w in $ways_old $ways_new; do
		case $w in *F | hard | soft) a=F ;; *) a=N ;; esac
		case $((k % 3)) in
		0) o1=-o o2="--prom " ;;
		1) o1=-o o2=--emf= ;;
		*) o1=--emf= o2="--prom " ;;
		esac
		k=$((k + 1))
		sum=$(cat F)
		# shellcheck disable=SC2086 # "--prom X" is two words, --emf=X one
		timeout 20 "$bin" --phases topology \
			$( [ "$o1" = -o ] && echo "-o $a" || echo "$o1$a" ) \
			$o2$w >../out.txt 2>../err.txt
		status=$?
		[ $status -eq 2 ] && [ "$(wc -l <../err.txt)" -eq 1 ] &&
			grep -q "one file" ../err.txt && [ "$(cat F)" = "$sum" ] &&
			[ ! -e N ] && [ -z "$(ls ./*.tmp.* 2>/dev/null)" ]
		echo "$? ${o1}$a ${o2}$w: exit $status: $(head -c 150 ../err.txt)"
	done
	# The report tool: its output is the document it reads.
	cp "$HPCP_DATA/full-np4.json" D.json
	ln D.json Dhard
	ln -s D.json Dsoft
	cp D.json D.html
	for w in D.json ./D.json "$work/c/D.json" sub/../D.json Dhard Dsoft linkdir/D.json; do
		sum=$(cksum <D.json)
		"$HPCP_REPORT_BIN" D.json -o "$w" >../out.txt 2>../err.txt
		status=$?
		[ $status -eq 2 ] && [ "$(wc -l <../err.txt)" -eq 1 ] &&
			[ "$(cksum <D.json)" = "$sum" ]
		echo "$? report D.json -o $w: exit $status: $(head -c 150 ../err.txt)"
	done
	# Its default output (the input's name with .html) is the input.
	"$HPCP_REPORT_BIN" D.html >../out.txt 2>../err.txt
	status=$?
	[ $status -eq 2 ] && grep -q '^{' D.html
	echo "$? report D.html (default output D.html): exit $status: $(head -c 150 ../err.txt)"
	# Distinct files stay accepted.
	"$HPCP_REPORT_BIN" Dsoft -o R.html >../out.txt 2>../err.txt &&
		grep -q '</html>' R.html
	echo "$? report Dsoft -o R.html: a distinct file is accepted"
) >collide.txt
while read -r st what; do
	ok "$st" "one file twice: $what"
done <collide.txt

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
