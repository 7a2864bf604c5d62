#!/bin/bash
# Packaging: what building, running and testing each install.
# - quickstart's build and run package lists hold no test package, and the
#   real script (a scratch copy, with dpkg-query, apt-get, make and mpirun
#   stubbed) asks apt for exactly those in build and run mode, and for the
#   test packages as well only in test mode, where it also configures again
#   a tree configured before clang's libFuzzer was there;
# - batch/aws/Dockerfile: the runtime stage (the last FROM) installs no
#   test or build package (chromium, slurm*, prometheus, clang*, *-dev,
#   gcc, make, ...) and builds nothing; every package named exists in
#   Debian 12 (a SKIP where apt has no package lists);
# - the runtime stage's packages cover the shared libraries of the built
#   hpcprobe and hpcprobe-report: the package owning each library (dpkg -S)
#   is listed or a dependency of a listed one (apt-cache depends --recurse);
# - every tool the suite runs comes from a package quickstart test installs
#   (or one Debian always has).
. "$(dirname "$0")/tap.sh"

src=$(cd "$(dirname "$0")/.." && pwd)
qs=$src/quickstart
dockerfile=$src/batch/aws/Dockerfile
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# words STRING...: one word a line, sorted, unique.
words() {
	printf '%s\n' "$@" | tr -s ' \t' '\n\n' | sed '/^$/d' | sort -u
}

# qs_list VAR: the words of quickstart's VAR="..." (continued lines too).
qs_list() {
	awk -v v="$1" '
		!on && index($0, v "=\"") == 1 { on = 1; $0 = substr($0, length(v) + 3) }
		on {
			line = $0
			if (line ~ /"/) { sub(/".*/, "", line); print line; exit }
			sub(/\\$/, "", line); print line
		}' "$qs" | tr -s ' \t\n' '   '
}

# is_test_package NAME: a package only the tests need.
is_test_package() {
	case $1 in
	chromium* | slurm* | prometheus* | clang* | libclang* | llvm* | munge | \
		python3* | openssh-* | fio | hpcc | libfabric-bin) return 0 ;;
	esac
	return 1
}

# is_build_package NAME: a package only building needs.
is_build_package() {
	case $1 in
	*-dev | gcc* | cpp* | make | autoconf | automake | libtool | pkg-config | \
		pkgconf | git | build-essential) return 0 ;;
	esac
	return 1
}

# shellcheck disable=SC2046 # trimmed to single spaces
build_pkgs=$(echo $(qs_list build_packages))
# shellcheck disable=SC2046
run_pkgs=$(echo $(qs_list run_packages))
# shellcheck disable=SC2046
test_pkgs=$(echo $(qs_list test_packages))

# --- quickstart's lists -------------------------------------------------------
case " $build_pkgs " in *" gcc "*) found=0 ;; *) found=1 ;; esac
[ $found -eq 0 ] && [ -n "$run_pkgs" ] && [ -n "$test_pkgs" ]
ok $? "quickstart has build, run and test package lists (build: $build_pkgs; run: $run_pkgs)"

bad=
for p in $build_pkgs $run_pkgs; do
	if is_test_package "$p" || words $test_pkgs | grep -qxF -- "$p"; then
		bad="$bad $p"
	fi
done
[ -z "$bad" ]
ok $? "quickstart's build and run lists hold no test package${bad:+:$bad}"

# The real script in a scratch tree that looks configured: apt-get only
# logs what it was asked to install, nothing reads as installed.
tree=$work/tree
stubs=$work/bin
mkdir -p "$tree" "$stubs"
cp "$qs" "$tree/quickstart"
# The run sources the launcher helper that stops mpirun.
mkdir -p "$tree/batch/aws"
cp "$(dirname "$qs")/batch/aws/mpirun-stop.sh" "$tree/batch/aws/"
echo 0.0.0 >"$tree/VERSION"
printf '#!/bin/sh\necho "configure $*" >>"$QS_LOG"\n' >"$tree/configure"
# Configured before clang was there, as after "./quickstart build".
printf 'have_fuzzer = no\nPYTHON_JSONSCHEMA = /usr/bin/python3\n' >"$tree/Makefile"
touch -d 2000-01-01 "$tree/configure" "$tree/configure.ac" "$tree/Makefile.am"
printf '#!/bin/sh\n[ "$1" = --config ] && echo "'"'"'--enable-werror'"'"'"\nexit 0\n' \
	>"$tree/config.status"
printf '#!/bin/sh\nexit 1\n' >"$stubs/dpkg-query"
printf '#!/bin/sh\necho "$*" >>"$QS_LOG"\n' >"$stubs/apt-get"
printf '#!/bin/sh\nexit 0\n' >"$stubs/make"
printf '#!/bin/sh\nexit 0\n' >"$stubs/autoreconf"
printf '#!/bin/sh\necho "mpirun $*" >>"$QS_LOG"\n' >"$stubs/mpirun"
printf '#!/bin/sh\n[ "$1" = -u ] && { echo 0; exit 0; }\nexec /usr/bin/id "$@"\n' >"$stubs/id"
chmod +x "$tree/configure" "$tree/config.status" "$stubs"/*

# asked MODE: the packages quickstart MODE asked apt-get to install.
asked() {
	QS_LOG=$work/$1.log
	: >"$QS_LOG"
	(cd "$work" && QS_LOG=$QS_LOG PATH="$stubs:$PATH" \
		bash "$tree/quickstart" "$1" >"$work/$1.out" 2>&1)
	echo $? >"$work/$1.status"
	sed -n 's/^install //p' "$QS_LOG" | tr ' ' '\n' | grep -v '^-' | sed '/^$/d' | sort -u
}

want=$(words $build_pkgs $run_pkgs)
for mode in build run; do
	got=$(asked $mode)
	label=./quickstart
	[ $mode = run ] || label="$label $mode"
	[ "$got" = "$want" ] && [ "$(cat "$work/$mode.status")" = 0 ]
	ok $? "$label: asks for the build and run packages only (asked: $(echo $got); exit $(cat "$work/$mode.status"))"
	if [ "$got" != "$want" ]; then
		sed 's/^/# /' "$work/$mode.out"
	fi
done
! grep -q '^configure' "$work/build.log" "$work/run.log"
ok $? "./quickstart build and ./quickstart: a configured tree is not configured again"
grep -q "^mpirun --oversubscribe -np 2 $tree/hpcprobe\$" "$work/run.log"
ok $? "./quickstart: runs mpirun --oversubscribe -np 2 hpcprobe ($(grep '^mpirun' "$work/run.log"))"
got=$(asked test)
missing=$(comm -23 <(words $build_pkgs $run_pkgs $test_pkgs) <(echo "$got"))
[ -z "$missing" ]
ok $? "./quickstart test: asks for the build, run and test packages${missing:+ (not asked: $(echo $missing))}"
grep -q '^configure --enable-werror' "$work/test.log"
ok $? "./quickstart test: configures again a tree configured without libFuzzer"

# --- the Dockerfile ---------------------------------------------------------
# Logical lines (continuations joined, comments dropped), each prefixed
# with its stage number (0 before the first FROM).
awk '
	/^[ \t]*#/ { next }
	{
		line = line $0
		if (line ~ /\\[ \t]*$/) { sub(/\\[ \t]*$/, " ", line); next }
		if (line ~ /^[ \t]*$/) { line = ""; next }
		sub(/^[ \t]+/, "", line)
		if (toupper(line) ~ /^FROM[ \t]/) stage++
		print stage "\t" line
		line = ""
	}' "$dockerfile" >"$work/docker.lines"
stages=$(awk -F'\t' 'END { print $1 + 0 }' "$work/docker.lines")
awk -F'\t' -v s="$stages" '$1 == s { print $2 }' "$work/docker.lines" >"$work/runtime.lines"

# apt_installs FILE: the packages of every "apt-get install" in FILE's lines.
apt_installs() {
	awk '{
		n = split($0, w, /[ \t]+/)
		for (i = 1; i <= n; i++) {
			if (w[i] == "install" && i > 1 && w[i - 1] ~ /apt(-get)?$/) { on = 1; continue }
			if (w[i] ~ /^(&&|;|\|\||\|)$/ || w[i] ~ /;$/) { on = 0; continue }
			if (on && w[i] !~ /^-/) print w[i]
		}
		on = 0
	}' "$1" | sort -u
}
runtime_pkgs=$(apt_installs "$work/runtime.lines")
all_docker_pkgs=$(awk -F'\t' '{ print $2 }' "$work/docker.lines" >"$work/all.lines"; apt_installs "$work/all.lines")

[ "$stages" -ge 2 ] && grep -q '^COPY --from=' "$work/runtime.lines" && [ -n "$runtime_pkgs" ]
ok $? "Dockerfile: $stages stages, the runtime stage copies the build and installs packages ($(echo $runtime_pkgs))"

bad=
for p in $runtime_pkgs; do
	case $p in
	openssh-*) continue ;; # the entrypoint's sshd and ssh
	esac
	if is_test_package "$p" || is_build_package "$p"; then
		bad="$bad $p"
	fi
done
[ -z "$bad" ]
ok $? "Dockerfile runtime stage installs no test or build package${bad:+:$bad}"

! grep -E '^RUN' "$work/runtime.lines" |
	grep -qE '(quickstart|autoreconf|configure|(^|[ ;&|])make([ ;&|]|$))'
ok $? "Dockerfile runtime stage builds nothing (no quickstart, configure or make)"

grep -q 'quickstart build' "$work/docker.lines" &&
	! grep -q 'quickstart test' "$work/docker.lines"
ok $? "Dockerfile build stage builds through ./quickstart build"

# --- against Debian 12's package lists ----------------------------------------
why=
if ! command -v apt-cache >/dev/null || ! command -v dpkg >/dev/null; then
	why="no apt-cache or dpkg here"
elif ! grep -qs '^VERSION_ID="12"' /etc/os-release || ! grep -qs '^ID=debian' /etc/os-release; then
	why="not Debian 12"
elif ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
	why="apt has no package lists (run apt-get update)"
fi
if [ -n "$why" ]; then
	skip "every package named exists in Debian 12" "$why"
	skip "the runtime stage covers the libraries hpcprobe links" "$why"
	skip "every tool the suite runs comes from quickstart test's packages" "$why"
	done_testing
	exit $?
fi

# One apt-cache call (each loads the whole cache): it shows the packages it
# knows and says nothing of the others.
# shellcheck disable=SC2086 # one package a word
named=$(words $all_docker_pkgs $build_pkgs $run_pkgs $test_pkgs)
# shellcheck disable=SC2086 # one package a word
unknown=$(comm -23 <(echo "$named") <(apt-cache show --no-all-versions $named 2>/dev/null |
	sed -n 's/^Package: //p' | sort -u))
unknown=$(echo $unknown)
[ -n "$named" ] && [ -z "$unknown" ]
ok $? "every package named in the Dockerfile and quickstart exists in Debian 12${unknown:+; unknown: $unknown}"

# closure PACKAGES...: the packages and everything they depend on.
closure() {
	apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances "$@" 2>/dev/null |
		sed -e 's/^ *|\{0,1\}\(Pre\)\{0,1\}Depends: //' -e 's/^ *//' -e 's/[<>]//g' \
			-e 's/:[a-z0-9]*$//' | sort -u
}

# owners PATHS...: "path package" for each path dpkg knows (also as the
# other half of a merged /usr: /lib/x and /usr/lib/x).
owners() {
	local p c
	for p in "$@"; do
		for c in "$p" "$(readlink -f "$p")"; do
			echo "$c"
			case $c in
			/usr/*) echo "${c#/usr}" ;;
			*) echo "/usr$c" ;;
			esac
		done
	done | sort -u >"$work/paths"
	# shellcheck disable=SC2046 # one path a word
	dpkg -S $(cat "$work/paths") 2>/dev/null |
		awk '!/^diversion/ { i = index($0, ": "); pk = substr($0, 1, i - 1); sub(/,.*/, "", pk); sub(/:.*/, "", pk); print substr($0, i + 2), pk }'
}

# owner PATH: the package owning PATH, from $work/owners.
owner() {
	local c d
	for c in "$1" "$(readlink -f "$1")"; do
		for d in "$c" "${c#/usr}" "/usr$c"; do
			awk -v p="$d" '$1 == p { print $2; f = 1; exit } END { exit !f }' "$work/owners" && return 0
		done
	done
	return 1
}

if [ "${HPCP_SANITIZED:-}" = 1 ]; then
	skip "the runtime stage covers the libraries hpcprobe links" "a sanitizer build links the sanitizer runtimes, which no image ships"
else
	# shellcheck disable=SC2086 # one package a word
	closure $runtime_pkgs >"$work/runtime.closure"
	bins=
	for b in "${HPCP_BIN:-$src/hpcprobe}" "${HPCP_REPORT_BIN:-$src/hpcprobe-report}"; do
		[ -x "$b" ] && bins="$bins $b"
	done
	if [ -z "$bins" ]; then
		skip "the runtime stage covers the libraries hpcprobe links" "hpcprobe is not built"
	else
		# shellcheck disable=SC2086 # one binary a word
		libs=$(for b in $bins; do ldd "$b"; done | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
		notfound=$(for b in $bins; do ldd "$b"; done | grep 'not found' | sort -u)
		# shellcheck disable=SC2086 # one path a word
		owners $libs >"$work/owners"
		bad=
		n=0
		for l in $libs; do
			n=$((n + 1))
			if ! pk=$(owner "$l"); then
				bad="$bad $l(no package)"
			elif ! grep -qxF -- "$pk" "$work/runtime.closure"; then
				bad="$bad $l($pk)"
			fi
		done
		[ -z "$bad" ] && [ -z "$notfound" ] && [ "$n" -gt 0 ]
		ok $? "the runtime stage covers the $n libraries$bins link${bad:+; not covered:$bad}${notfound:+; unresolved: $notfound}"
	fi
fi

# The tools the suite runs (grep the tests for more), each from a package
# quickstart test installs, a dependency of one, or one Debian always has.
# Looked up where Debian puts them, not in PATH (a tool elsewhere, e.g.
# under /usr/local, says nothing of the packages).
tools="python3 pgrep sysctl ip promtool chromium munged slurmctld slurmd
sbatch sshd ssh ssh-keygen clang mpirun cc nsenter unshare chrt taskset
timeout mount hostname help2man man lintian dpkg-buildpackage dh objcopy"
# shellcheck disable=SC2086 # one package a word
closure $build_pkgs $run_pkgs $test_pkgs >"$work/test.closure"
paths=
absent=
for t in $tools; do
	found=
	for d in /usr/bin /usr/sbin /bin /sbin; do
		if [ -x "$d/$t" ]; then
			found=$d/$t
			break
		fi
	done
	if [ -n "$found" ]; then
		paths="$paths $found"
	else
		absent="$absent $t"
	fi
done
# shellcheck disable=SC2086 # one path a word
owners $paths >"$work/owners"
bad=
for p in $paths; do
	if ! pk=$(owner "$p"); then
		bad="$bad $p(no package)"
	elif ! grep -qxF -- "$pk" "$work/test.closure" &&
		! dpkg-query -W -f='${Essential} ${Priority}\n' "$pk" 2>/dev/null |
		grep -qE '^yes|required$'; then
		bad="$bad ${p##*/}($pk)"
	fi
done
[ -z "$bad" ]
ok $? "every tool the suite runs comes from quickstart test's packages${bad:+; not:$bad}${absent:+ (not installed here:$absent)}"

done_testing
