#!/usr/bin/env bash
# Packaging as a consumer meets it.  As a meson subproject of a tiny parent
# project, xornet gives the library through dependency('xornet') and adds
# no program, tests or benchmarks unless the parent asks.  Installed, its
# xornet.pc hands a consumer xornet's include folder and nothing else (the
# public headers compile with it alone), and the man page is in place.
# usage: packaging.sh MESON SOURCE_ROOT BUILD_ROOT PROGRAM_INSTALLED(true|false)
set -u
meson=$1
root=$2
build=$3
program=$4
. "$root/tests/cli/common.sh"

# run LOG CMD...: runs CMD with its output in $tmp/LOG; false (after saying
# so, with the log's tail) if it fails
run() {
    local log=$tmp/$1
    shift
    "$@" >"$log" 2>&1 && return 0
    fail "$* failed: $(tail -n 15 "$log")"
    return 1
}

# --- a parent project with xornet as its subproject -------------------------
parent=$tmp/parent
mkdir -p "$parent/subprojects"
ln -s "$root" "$parent/subprojects/xornet"
cat >"$parent/meson.build" <<'EOF'
project('parent', 'c', default_options : ['c_std=c11'])
xornet_dep = dependency('xornet', fallback : 'xornet')
executable('use', 'use.c', dependencies : xornet_dep)
EOF
cat >"$parent/use.c" <<'EOF'
#include <stdio.h>
#include <xornet/xornet.h>

int main(void)
{
    size_t sizes[] = {2, 2, 1};
    xn_act acts[] = {XN_ACT_RELU, XN_ACT_IDENTITY};
    xn_net_config cfg = {.n_layers = 2, .sizes = sizes, .acts = acts, .loss = XN_LOSS_MSE};
    xn_net *net;
    if (xn_net_create(&net, &cfg) != XN_OK)
        return 1;
    printf("%zu layers\n", xn_net_layers(net));
    xn_net_destroy(net);
    return 0;
}
EOF

# count_type LOG TYPE: how many targets of TYPE meson introspect listed
count_type() { grep -o "\"type\": \"$2\"" "$tmp/$1" | wc -l; }

if run setup.log "$meson" setup --force-fallback-for=xornet "$parent/b" "$parent"; then
    run tests.json "$meson" introspect --tests "$parent/b" &&
        { [ "$(cat "$tmp/tests.json")" = "[]" ] ||
              fail "as a subproject xornet adds tests: $(head -c 300 "$tmp/tests.json")"; }
    run bench.json "$meson" introspect --benchmarks "$parent/b" &&
        { [ "$(cat "$tmp/bench.json")" = "[]" ] ||
              fail "as a subproject xornet adds benchmarks: $(head -c 300 "$tmp/bench.json")"; }
    run targets.json "$meson" introspect --targets "$parent/b" &&
        { [ "$(count_type targets.json executable)" -eq 1 ] ||
              fail "as a subproject xornet builds programs besides the parent's one:" \
                   "$(grep -o '"name": "[^"]*"' "$tmp/targets.json" | tr '\n' ' ')"; }
    if run build.log "$meson" compile -C "$parent/b"; then
        run use.log "$parent/b/use" &&
            { [ "$(cat "$tmp/use.log")" = "2 layers" ] || fail "the parent's program said: $(cat "$tmp/use.log")"; }
    fi
fi

# a parent that asks gets them back
if run setup2.log "$meson" setup --force-fallback-for=xornet -Dxornet:tests=true -Dxornet:program=true \
        "$parent/b2" "$parent"; then
    run tests2.json "$meson" introspect --tests "$parent/b2" &&
        { grep -q '"name": "cli_train"' "$tmp/tests2.json" || fail "-Dxornet:tests=true did not add the tests"; }
    run targets2.json "$meson" introspect --targets "$parent/b2" &&
        { grep -q '"id": "[^"]*@xornet@exe"' "$tmp/targets2.json" ||
              fail "-Dxornet:program=true did not build the program"; }
fi

# --- the installed files: xornet.pc, the headers, the man page ---------------
dest=$tmp/root
if run install.log "$meson" install -C "$build" --no-rebuild --destdir "$dest"; then
    pc=$(find "$dest" -name xornet.pc | head -n 1)
    if [ -z "$pc" ]; then
        fail "meson install put no xornet.pc under $dest"
    else
        prefix=$(sed -n 's/^prefix=//p' "$pc")
        export PKG_CONFIG_PATH
        PKG_CONFIG_PATH=$(dirname "$pc")
        cflags=$(pkg-config --define-variable=prefix="$dest$prefix" --cflags xornet)
        cflags=$(echo $cflags)   # one space between flags, none at the ends
        [ "$cflags" = "-I$dest$prefix/include" ] ||
            fail "pkg-config --cflags xornet gives '$cflags', expected only -I$dest$prefix/include"
        libs=$(pkg-config --define-variable=prefix="$dest$prefix" --libs xornet)
        libs=$(echo $libs)
        case "$libs" in
            "-L$dest$prefix/"*" -lxornet") ;;
            *) fail "pkg-config --libs xornet gives '$libs', expected -L<libdir> -lxornet" ;;
        esac
        pkg-config --static --libs xornet | grep -q -- '-llapacke' ||
            fail "pkg-config --static --libs xornet lacks LAPACKE: $(pkg-config --static --libs xornet)"
        grep -q '^Requires' "$pc" && fail "xornet.pc requires packages (their Cflags reach consumers): $(grep '^Requires' "$pc")"
        # the public headers need nothing but those flags
        printf '#include <xornet/%s.h>\n' xornet approx export >"$tmp/h.c"
        echo 'int main(void) { return 0; }' >>"$tmp/h.c"
        run headers.log cc -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only $cflags "$tmp/h.c"
        # README's line for a program of one's own: the library's folder as
        # its rpath, so it runs wherever the prefix is, without LD_LIBRARY_PATH
        # (a library built with sanitizers needs their runtime, which a
        # user's program does not link: the normal build checks this)
        libdir=$(pkg-config --define-variable=prefix="$dest$prefix" --variable=libdir xornet)
        printf '#include <stdio.h>\n#include <xornet/xornet.h>\nint main(void) { puts(xn_strerror(XN_OK)); return 0; }\n' \
            >"$tmp/own.c"
        if nm -D --undefined-only "$libdir/libxornet.so" | grep -q '__[at]san_\|__ubsan_'; then
            echo "note: libxornet.so is built with sanitizers: a program of one's own is not linked against it"
        elif run own.log cc "$tmp/own.c" $cflags $libs -Wl,-rpath,"$libdir" -o "$tmp/own"; then
            run own-run.log env -u LD_LIBRARY_PATH "$tmp/own" ||
                fail "a program linked with -Wl,-rpath,\$(pkg-config --variable=libdir xornet) does not run"
        fi
    fi
    if [ "$program" = true ]; then
        [ -n "$(find "$dest" -path '*/man1/xornet.1')" ] || fail "meson install put no man1/xornet.1 under $dest"
    fi
fi

finish "packaging"
