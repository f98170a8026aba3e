#!/bin/sh
# Installs the built library into a scratch prefix, then builds examples/ against it twice:
# through pkg-config, and through CMake's find_package(kmm). Both programs must run.
# Usage: examples_installed.sh BUILD_DIR EXAMPLES_DIR WORK_DIR CC CMAKE [EXTRA_CFLAGS]
# EXTRA_CFLAGS: what a sanitizer build of the library needs its users to compile with.
set -eu
build=$1 examples=$2 work=$3 cc=$4 cmake=$5 extra=${6:-}
rm -rf "$work"
mkdir -p "$work"
"$cmake" --install "$build" --prefix "$work/prefix" >"$work/install.log"
libdir=$(find "$work/prefix" -name kmm.pc -path '*pkgconfig*' | head -n 1 | xargs dirname | xargs dirname)

echo "== pkg-config"
PKG_CONFIG_PATH="$libdir/pkgconfig"
export PKG_CONFIG_PATH
pkg-config --exists kmm
# shellcheck disable=SC2046
"$cc" $extra -std=c11 -Wall -Wextra -Werror -o "$work/hello_pc" "$examples/hello/hello.c" \
	$(pkg-config --cflags --libs kmm)
LD_LIBRARY_PATH="$libdir" "$work/hello_pc" | tee "$work/hello_pc.out"
grep -q "System RAM" "$work/hello_pc.out"
# and statically, with the private dependencies from Requires.private
# shellcheck disable=SC2046
"$cc" $extra -std=c11 -o "$work/hello_static" "$examples/hello/hello.c" \
	$(pkg-config --cflags kmm) "$libdir/libkmm.a" $(pkg-config --static --libs-only-l kmm | sed 's/-lkmm//')
"$work/hello_static" >/dev/null
# the kernel-named compat headers (<kmm/linux/...>), strictly
# shellcheck disable=SC2046
"$cc" $extra -std=c11 -Wall -Wextra -Werror -o "$work/compat_pc" "$examples/compat/compat.c" \
	$(pkg-config --cflags --libs kmm)
LD_LIBRARY_PATH="$libdir" "$work/compat_pc" | grep -q "compat: ok"

echo "== find_package(kmm)"
"$cmake" -S "$examples/hello" -B "$work/cmake-build" -DCMAKE_PREFIX_PATH="$work/prefix" \
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$extra" >"$work/cmake-configure.log"
"$cmake" --build "$work/cmake-build" >"$work/cmake-build.log"
LD_LIBRARY_PATH="$libdir" "$work/cmake-build/hello" | grep -q "System RAM"
"$cmake" -S "$examples/compat" -B "$work/cmake-build-compat" -DCMAKE_PREFIX_PATH="$work/prefix" \
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="$extra" >"$work/cmake-configure-compat.log"
"$cmake" --build "$work/cmake-build-compat" >"$work/cmake-build-compat.log"
LD_LIBRARY_PATH="$libdir" "$work/cmake-build-compat/compat" | grep -q "compat: ok"
echo "== installed kmmsim, docs and scenarios"
prefix=$(cd "$work/prefix" && pwd)
for f in share/doc/kmm/README.md share/doc/kmm/scenarios.md share/doc/kmm/mmu.md \
	share/doc/kmm/status.md share/doc/kmm/examples/hello/hello.c \
	share/doc/kmm/examples/compat/compat.c share/doc/kmm/compat.md \
	share/kmm/scenarios/default.kmm share/kmm/scenarios/frag1.kmm; do
	test -f "$prefix/$f" || { echo "not installed: $f"; exit 1; }
done
"$prefix/bin/kmmsim" --help >"$work/kmmsim-help.txt"
# --help names the installed files, and every path it names exists
grep -q "($prefix/share/kmm/scenarios/default.kmm;" "$work/kmmsim-help.txt"
grep -q "$prefix/share/doc/kmm/scenarios.md" "$work/kmmsim-help.txt"
grep -q "$prefix/share/doc/kmm/mmu.md" "$work/kmmsim-help.txt"
src=$(cd "$examples/.." && pwd)
if grep -q -e "$src/docs" -e "$src/examples" "$work/kmmsim-help.txt"; then
	echo "installed kmmsim --help points into the source tree"
	exit 1
fi
"$prefix/bin/kmmsim" run "$prefix/share/kmm/scenarios/default.kmm" | grep -q "check: all invariants hold"
# the Python package (cmake/KmmPython.cmake): imports from the prefix and loads the installed
# library, not the build tree's (a sanitizer build's library needs the ASan runtime preloaded)
pkg=$(find "$prefix" -path '*-packages/kmm/__init__.py' | head -n 1)
if [ -n "$pkg" ] && [ -z "$extra" ] && [ -x /usr/bin/python3 ]; then
	echo "== Python package kmm"
	(cd "$work" && env -u KMM_LIBRARY PYTHONPATH="$(dirname "$(dirname "$pkg")")" /usr/bin/python3 -c "
import kmm, sys
assert kmm.LIBRARY_PATH.startswith('$prefix/'), kmm.LIBRARY_PATH
with kmm.Machine(m='256M', smp=1) as m:
    assert m.zones()[0].name == 'DMA'
print('import kmm: ok', kmm.LIBRARY_PATH)") | grep -q "import kmm: ok"
fi
echo "examples built and ran against the installed library both ways"
