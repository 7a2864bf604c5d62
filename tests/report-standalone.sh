#!/bin/bash
# hpcprobe-report stands alone: configured with --enable-report-only on a
# PATH without mpicc (or any MPI wrapper and launcher) and CC=gcc, it
# builds, its own make check passes, and neither it nor the normal build's
# hpcprobe-report links MPI, libfabric, hwloc, PAPI or OpenBLAS.
. "$(dirname "$0")/tap.sh"

report=${HPCP_REPORT_BIN:?}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
builddir=$(pwd)
heavy='libmpi|libfabric|libhwloc|libpapi|libopenblas'
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

# The normal build's tool first: it is what users install beside hpcprobe.
libs=$(ldd "$report" 2>&1)
! grep -Eq "$heavy" <<<"$libs"
ok $? "ldd hpcprobe-report (this build): none of libmpi, libfabric, libhwloc, libpapi, libopenblas$(grep -Eo "$heavy[^ ]*" <<<"$libs" | sed 's/^/ -- found /' | tr '\n' ' ')"

if ! command -v gcc >/dev/null; then
	skip "report-only build without MPI" "no gcc"
	done_testing
	exit
fi

# A PATH without MPI: every directory of PATH mirrored without its MPI
# wrappers (mpicc, mpicc.openmpi, mpirun, orterun, opal_wrapper ...).
farm=$work/path
newpath=
i=0
IFS=: read -r -a dirs <<<"$PATH"
for d in "${dirs[@]}"; do
	[ -d "$d" ] || continue
	i=$((i + 1))
	mkdir -p "$farm/$i"
	find "$d" -maxdepth 1 \( -type f -o -type l \) ! -name '*mpi*' \
		! -name 'orte*' ! -name 'opal_*' -exec ln -sf -t "$farm/$i/" {} + \
		2>/dev/null
	newpath=${newpath:+$newpath:}$farm/$i
done
! PATH=$newpath command -v mpicc >/dev/null &&
	! PATH=$newpath command -v mpirun >/dev/null &&
	PATH=$newpath command -v gcc >/dev/null
ok $? "a PATH with gcc and without mpicc or mpirun"

# A clean source tree to configure out of tree: the source directory
# itself unless it is configured in place (configure refuses that), then
# its distributed files.
src=$srcdir
if [ -f "$srcdir/config.status" ]; then
	src=$work/src
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		${MAKE:-make} -s -C "$builddir" distdir distdir="$src" \
		>"$work/distdir.log" 2>&1
	ok $? "a clean copy of the source tree configured in place (make distdir)$(tail -2 "$work/distdir.log" | tr '\n' ' ')"
fi

mkdir -p "$work/build"
cd "$work/build" || exit 1
# The outer make's flags and variables must not reach the inner build (a
# TESTS= given to the outer make check would run here).
inner() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		-u CC -u CFLAGS -u HPCP_BIN -u HPCP_REPORT_BIN \
		PATH="$newpath" "$@"
}
start=$SECONDS
inner "$src/configure" --enable-report-only CC=gcc >configure.out 2>&1
rc=$?
ok $rc "configure --enable-report-only CC=gcc without mpicc: exit $rc$( [ $rc -eq 0 ] || tail -3 configure.out | tr '\n' ' ')"
grep -q "^CC='gcc'" config.log &&
	! grep -Eq 'checking for (mpi\.h|library containing MPI_Init|hwloc|libfabric|papi|openblas)' configure.out
ok $? "configure used gcc and looked for no MPI, hwloc, libfabric, PAPI or BLAS"

inner make -j2 >make.out 2>&1
rc=$?
ok $rc "make: exit $rc$( [ $rc -eq 0 ] || grep -m3 -E 'error|Error' make.out | tr '\n' ' ')"
[ -x hpcprobe-report ] && [ ! -e hpcprobe ] && [ ! -e libhpcp.a ]
ok $? "built hpcprobe-report only (no hpcprobe, no libhpcp.a)"

libs=$(ldd ./hpcprobe-report 2>&1)
[ -x hpcprobe-report ] && ! grep -Eq "$heavy" <<<"$libs" &&
	grep -q libcjson <<<"$libs"
ok $? "ldd hpcprobe-report (report-only): cJSON, none of libmpi, libfabric, libhwloc, libpapi, libopenblas"

inner make -j2 check >check.out 2>&1
rc=$?
ok $rc "make check (report-only): exit $rc$( [ $rc -eq 0 ] || grep -E '^(FAIL|ERROR)' check.out | tr '\n' ' ')"
libs=$(ldd tests/test_report.t 2>&1)
[ -x tests/test_report.t ] && ! grep -Eq "$heavy" <<<"$libs"
ok $? "ldd tests/test_report.t (report-only): none of them either"
# From the drivers' result files, one per test run: make -j2 check's
# console lines can interleave mid-line on a loaded host (seen at load 17:
# "PASS: tests/PASS: tests/fixtures.sh ...").
ran=$(find tests mpi_tests -name '*.trs' 2>/dev/null | sed 's/\.trs$//' | sort | tr '\n' ' ')
[ "$ran" = "tests/bounded tests/claims tests/fixtures tests/inject tests/oneline tests/schema tests/test_metrics tests/test_report tests/utf8 " ]
ok $? "make check ran the report tool's tests only: $ran"
grep -q '^# FAIL:  0$' check.out && grep -q '^# ERROR: 0$' check.out
ok $? "make check (report-only): no failure ($(sed -n 's/^# \(TOTAL\|PASS\|SKIP\): */\1 /p' check.out | tr '\n' ' '))"
# How long it took is said, not judged: on a shared host it is the
# other work's figure as much as the build's (176 s seen at load 7).
echo "# configure, build and check took $((SECONDS - start)) s"

done_testing
