#!/bin/bash
# make check-package: the Debian packages build from the release tarball,
# are lintian-clean, install, run a 2-rank job, and leave nothing behind
# when purged.  Needs root (dpkg -i); HPCP_TARBALL names the tarball.
set -u
. "$(dirname "$0")/tap.sh"

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}
# The package build runs make check: never this test again inside it.
[ -z "${HPCP_IN_PACKAGE_TEST:-}" ] || skip_all "inside the package build of tests/package.sh"
export HPCP_IN_PACKAGE_TEST=1
[ "$(id -u)" -eq 0 ] || skip_all "dpkg -i needs root"
for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || skip_all "$t is not installed (debhelper, lintian)"
done
[ -f "${HPCP_TARBALL:-}" ] || skip_all "no release tarball (HPCP_TARBALL=${HPCP_TARBALL:-})"
for p in hpcprobe hpcprobe-report; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		skip_all "package $p is installed here: not replacing it"
	fi
done

work=$(mktemp -d /tmp/hpcp-package.XXXXXX)
cleanup() {
	dpkg --purge hpcprobe hpcprobe-report >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
tar -xzf "$HPCP_TARBALL" -C "$work" || exit 1
cd "$work"/hpcprobe-* || exit 1
version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)

# --- build ----------------------------------------------------------------
start=$(date +%s)
# Nothing of the make that runs this test may reach the package's own:
# its MAKEFLAGS carry TESTS=tests/package.sh and a job server.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u HPCP_TARBALL \
	DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b \
	>"$work/build.log" 2>&1
rc=$?
[ $rc -ne 0 ] && tail -30 "$work/build.log" | sed 's/^/# /'
ok $rc "dpkg-buildpackage -us -uc -b from the release tarball ($(($(date +%s) - start)) s)"
deb=$work/hpcprobe_${version}_$arch.deb
rdeb=$work/hpcprobe-report_${version}_$arch.deb
[ -f "$deb" ] && [ -f "$rdeb" ]
ok $? "two packages: $(cd "$work" && echo *.deb)"

# --- lintian ----------------------------------------------------------------
# Errors and warnings fail; each override in debian/ says why.
lintian --fail-on error,warning --tag-display-limit 0 \
	"$work/hpcprobe_${version}_$arch.changes" >"$work/lintian.txt" 2>&1
rc=$?
ok $rc "lintian: no error or warning$(grep -E '^[EW]:' "$work/lintian.txt" | head -5 | sed 's/^/; /' | tr -d '\n')"

# --- contents ---------------------------------------------------------------
contents() { dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|'; }
contents "$deb" >deb.list
contents "$rdeb" >rdeb.list
missing=
for f in /usr/bin/hpcprobe /usr/share/man/man1/hpcprobe.1.gz \
	/usr/share/bash-completion/completions/hpcprobe \
	/usr/share/hpcprobe/hpcprobe-results.schema.json \
	/usr/share/hpcprobe/slurm/hpcprobe.sbatch \
	/usr/share/hpcprobe/aws/entrypoint.sh \
	/usr/share/hpcprobe/modulefiles/lmod/hpcprobe/$version.lua \
	/usr/share/doc/hpcprobe/README.md.gz /usr/share/doc/hpcprobe/copyright; do
	grep -qx "$f" deb.list || missing="$missing $f"
done
[ -z "$missing" ]
ok $? "hpcprobe holds the program, its page, completion, schema, batch files, modulefiles and docs${missing:+ (missing:$missing)}"
missing=
for f in /usr/bin/hpcprobe-report /usr/share/man/man1/hpcprobe-report.1.gz \
	/usr/share/bash-completion/completions/hpcprobe-report; do
	grep -qx "$f" rdeb.list || missing="$missing $f"
done
! grep -q '^/usr/bin/hpcprobe$' rdeb.list && [ -z "$missing" ]
ok $? "hpcprobe-report holds the report tool, its page and completion, not hpcprobe${missing:+ (missing:$missing)}"
rdeps=$(dpkg-deb -f "$rdeb" Depends 2>&1)
[ -f "$rdeb" ] && ! grep -qiE 'openmpi|libmpi|fabric|hwloc|papi|openblas' <<<"$rdeps"
ok $? "hpcprobe-report depends on no MPI, fabric, hwloc, PAPI or BLAS library: $rdeps"

# --- install, run, purge ------------------------------------------------------
dpkg -i "$deb" "$rdeb" >install.log 2>&1
rc=$?
[ $rc -ne 0 ] && sed 's/^/# /' install.log
ok $rc "dpkg -i both packages"
dpkg-query -L hpcprobe hpcprobe-report 2>/dev/null | sort -u >installed.list

env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
	OMPI_MCA_mpi_yield_when_idle=1 timeout 300 mpirun --oversubscribe -np 2 /usr/bin/hpcprobe --quick \
	--phases topology,pingpong,allreduce,compute --sizes 8,1k -o r.json \
	>run.log 2>&1
rc=$?
[ $rc -ne 0 ] && tail -20 run.log | sed 's/^/# /'
ok $rc "the installed hpcprobe: a 2-rank --quick job under mpirun exits 0"
if [ "${PYTHON_JSONSCHEMA:-no}" = no ] || [ -z "${HPCP_VALIDATE:-}" ]; then
	skip "its document against the installed schema" "no python3-jsonschema"
else
	out=$("$PYTHON_JSONSCHEMA" "$HPCP_VALIDATE" \
		/usr/share/hpcprobe/hpcprobe-results.schema.json r.json 2>&1)
	ok $? "its document against /usr/share/hpcprobe's schema: $out"
fi
/usr/bin/hpcprobe-report r.json -o r.html >report.log 2>&1 &&
	grep -q '</html>' r.html
ok $? "the installed hpcprobe-report renders it"
if command -v man >/dev/null; then
	page=$(man -w hpcprobe 2>&1)
	[ "$page" = /usr/share/man/man1/hpcprobe.1.gz ]
	ok $? "man hpcprobe finds the installed page: $page"
else
	skip "man hpcprobe finds the installed page" "man-db is not installed"
fi

dpkg --purge hpcprobe hpcprobe-report >purge.log 2>&1
rc=$?
left=
while IFS= read -r f; do
	# Directories other packages share (/usr, /usr/share/man/man1) stay.
	[ -e "$f" ] && [ ! -d "$f" ] && left="$left $f"
done <installed.list
[ $rc -eq 0 ] && [ -z "$left" ] && [ "$(wc -l <installed.list)" -gt 10 ] &&
	! dpkg-query -W -f='${Status}' hpcprobe 2>/dev/null | grep -q installed &&
	[ ! -e /usr/share/hpcprobe ] && [ ! -e /usr/share/doc/hpcprobe ]
ok $? "dpkg --purge: none of the $(wc -l <installed.list) installed paths is left${left:+ (left:$left)}"

done_testing
