#!/usr/bin/env bash
# Every option of every command, as its --help lists it: the man page lists
# it too, and a bad value for it is refused with one line naming the flag
# (or, for a file, the file), exit status 2; a flag that takes no value is
# refused with a value glued to it.  The help and the man page come from
# the commands' option tables (src/cli/opts.h), so a flag added to a table
# is checked here without a line of this test changing.
# usage: test_options.sh XORNET REPO_ROOT
set -u
xornet=$1
root=$2
. "$(dirname "$0")/common.sh"

man=$root/docs/xornet.1
checked=0
for cmd in train predict eval grad approx models export; do
    "$xornet" "$cmd" --help >"$tmp/help" || fail "$cmd --help exited $?"
    # "  --flag ARG  text" and "  --flag, --no-flag  text" lines
    grep -oE '^  --[a-z-]+(, --[a-z-]+)?( [A-Za-z0-9,]+)?' "$tmp/help" >"$tmp/flags"
    [ -s "$tmp/flags" ] || fail "$cmd --help lists no option"
    while read -r tag; do
        flag=${tag%% *}
        flag=${flag%,}
        arg=${tag#"$flag"}
        arg=${arg# }
        # the man page writes each flag with escaped minus signs
        grep -qF -- "$(printf '%s' "$flag" | sed 's/-/\\-/g')" "$man" ||
            fail "$cmd $flag: not in docs/xornet.1"
        if [ -z "$arg" ] || [ "${arg#, --}" != "$arg" ]; then
            # no value: a value glued on with '=' is an unknown option
            run "$cmd" "$flag=1"
            one_line "$cmd $flag=1" 2 "unknown option '$flag=1'"
            checked=$((checked + 1))
            continue
        fi
        case "$arg" in FILE | DIR) bad=/nonexistent/x ;; *) bad=@bad ;; esac
        # the command's required options, so the bad one is what fails
        case $cmd in
        predict | eval | grad) base=(--model "$root/data/nb0_tf_model4.xn") ;;
        export) base=(--model "$root/data/nb0_tf_model4.xn" --c "$tmp/x.c") ;;
        *) base=() ;;
        esac
        [ "$cmd $flag" = "export --model" ] && base=(--c "$tmp/x.c")
        [ "$cmd $flag" = "export --c" ] && base=(--model "$root/data/nb0_tf_model4.xn")
        [ "$flag" = "--model" ] && [ "$cmd" != export ] && base=()
        run "$cmd" "${base[@]}" "$flag" "$bad"
        if [ "$rc" -ne 2 ] && ! { [ "$rc" -eq 1 ] && [ "$bad" = /nonexistent/x ]; }; then
            fail "$cmd $flag $bad: exit $rc, expected 2 (or 1 for a file not written): $(head -c 300 "$tmp/err")"
        fi
        [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$cmd $flag $bad: not one line: $(cat "$tmp/err")"
        grep -qF -- "$flag" "$tmp/err" || grep -qF -- "$bad" "$tmp/err" ||
            fail "$cmd $flag $bad: the message names neither the flag nor the value: $(cat "$tmp/err")"
        checked=$((checked + 1))
    done <"$tmp/flags"
done
[ "$checked" -ge 60 ] || fail "only $checked options checked: the help lists fewer than it should"
finish "options ($checked)"
