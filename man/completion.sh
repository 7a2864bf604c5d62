#!/bin/bash
# Writes the bash completion of NAME on stdout, from BIN --help (the options
# and their values) and, with --list, BIN --list (the phase names).  Run by
# make, so the completion never drifts from the option table and runs no
# program at tab time.
#
# usage: completion.sh NAME BIN [--list]
#
# An option's value is completed from its metavar in --help: a|b the
# choices, FILE and *.html any file, *.json JSON files, DIR folders; the
# option whose help says "see --list" takes a comma list of phases (or all).
# A usage line with a *.json argument: JSON files outside options too.
set -eu

name=$1 bin=$2
func=_${name//-/_}
help=$("$bin" --help)
phases=''
if [ "${3:-}" = --list ]; then
	list=$("$bin" --list)
	phases="$(printf '%s\n' "$list" | cut -d' ' -f1 | tr '\n' ' ')all"
fi

words='' arms='' values='' optional='' opt_eq='' opt_sep=''
# "  -o, --output FILE  ...", "      --emf[=FILE]  ...", "  --summary  ..."
re='^ +(-[A-Za-z0-9], )?(--[a-z0-9-]+)(\[=([^] ]+)\]| ([^ ]+))?( |$)'
while IFS= read -r line; do
	[[ $line =~ $re ]] || continue
	short=${BASH_REMATCH[1]%, } long=${BASH_REMATCH[2]}
	opt_mv=${BASH_REMATCH[4]} mv=${BASH_REMATCH[5]}
	words+="${short:+$short }$long "
	if [ -n "$opt_mv" ]; then
		# --emf[=FILE]: the value only after "=".
		case $opt_mv in
		FILE)
			optional+="${optional:+|}$long"
			opt_eq+="${opt_eq:+|}$long=*"
			opt_sep+="${opt_sep:+|}$long/="
			;;
		esac
		continue
	fi
	[ -n "$mv" ] || continue
	if [[ $line == *"see --list"* ]] && [ -n "$phases" ]; then
		action="_hpcp_comp_list \"\$cur\" $phases"
	else
		# shellcheck disable=SC2016 # \$cur is the completion's, not ours
		case $mv in
		*'|'*) action="_hpcp_comp_words \"\$cur\" ${mv//|/ }" ;;
		*.json) action='_hpcp_comp_files "$cur" .json' ;;
		FILE | *.html) action='_hpcp_comp_files "$cur"' ;;
		DIR) action='_hpcp_comp_dirs "$cur"' ;;
		*) # a number, a name: nothing to offer
			values+="${values:+|}${short:+$short|}$long"
			continue
			;;
		esac
	fi
	arms+="	${short:+$short|}$long) $action ;;
"
done <<<"$help"

[ -z "$values" ] || arms+="	$values) ;;
"
# Anything else: the options, and where the usage takes *.json files,
# those unless the word starts with "-".
other="_hpcp_comp_words \"\$cur\" ${words% }"
if printf '%s\n' "$help" | grep -q '^Usage: .* [A-Z]*\.json'; then
	other="if [[ \$cur == -* ]]; then
			$other
		else
			_hpcp_comp_files \"\$cur\" .json
		fi"
fi
# --opt[=FILE]: "--opt=VALUE" is one word, or three where COMP_WORDBREAKS
# holds "=" (bash's default).
optional_code=''
[ -z "$optional" ] || optional_code="	local before=''
	((COMP_CWORD > 1)) && before=\${COMP_WORDS[COMP_CWORD - 2]}
	case \$cur in $opt_eq)
		_hpcp_comp_files \"\${cur#*=}\" \"\" \"\${cur%%=*}=\"
		return ;;
	esac
	case \$prev/\$cur in $opt_sep)
		_hpcp_comp_files \"\"
		return ;;
	esac
	[ \"\$prev\" = = ] && case \$before in $optional)
		_hpcp_comp_files \"\$cur\"
		return ;;
	esac
"

cat <<EOF
# bash completion for $name: written by make from \`$name --help\`${phases:+ and
# \`$name --list\`} (man/completion.sh); edit that, not this.

# Shared by hpcprobe's and hpcprobe-report's completions (the same text in
# both, as each is loaded on its own).
_hpcp_comp_words()
{
	local cur=\$1
	shift
	mapfile -t COMPREPLY < <(compgen -W "\$*" -- "\$cur")
}

# _hpcp_comp_list CUR WORD...: CUR is a comma list; complete its last item.
_hpcp_comp_list()
{
	local cur=\$1 head='' w
	shift
	[[ \$cur == *,* ]] && head=\${cur%,*},
	COMPREPLY=()
	for w in \$(compgen -W "\$*" -- "\${cur##*,}"); do
		COMPREPLY+=("\$head\$w")
	done
}

# _hpcp_comp_files CUR [SUFFIX [PREFIX]]: files (with SUFFIX) and folders.
_hpcp_comp_files()
{
	local cur=\$1 suffix=\${2:-} prefix=\${3:-} f
	compopt -o filenames 2>/dev/null # only inside a completion
	COMPREPLY=()
	while IFS= read -r f; do
		if [ -z "\$suffix" ] || [ -d "\$f" ] || [[ \$f == *"\$suffix" ]]; then
			COMPREPLY+=("\$prefix\$f")
		fi
	done < <(compgen -f -- "\$cur")
}

_hpcp_comp_dirs()
{
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -d -- "\$1")
}

$func()
{
	local cur=\${COMP_WORDS[COMP_CWORD]} prev=''
	((COMP_CWORD > 0)) && prev=\${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
$optional_code	case \$prev in
$arms	*)
		$other ;;
	esac
}
complete -F $func $name
EOF
