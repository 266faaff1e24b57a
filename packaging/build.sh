#!/usr/bin/env bash
# Build the one-folder app into dist/nn-playground/ (run from the repository root, with or
# without a display). The build venv (.build-venv) holds PyInstaller and the app's dependencies,
# apart from any development venv; it is made on the first run and reused.
#   packaging/build.sh            build
#   packaging/build.sh --check    build, then run the frozen app's selftest and classify a drawing
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${BUILD_VENV:-.build-venv}
PY=${PYTHON:-python3}
if [ ! -x "$VENV/bin/pyinstaller" ]; then
    "$PY" -m venv "$VENV"
    # The app's own dependencies, read from pyproject.toml, so the two never drift apart.
    deps=$("$VENV/bin/python" -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))')
    mapfile -t deps <<< "$deps"
    "$VENV/bin/pip" install --quiet pyinstaller "${deps[@]}"
fi

# No display needed: nothing in the analysis opens a window, and offscreen keeps any Qt import quiet.
# PYTHONPATH: the hooks import playground from this checkout (it is not installed in the build venv).
PYTHONPATH="$PWD" QT_QPA_PLATFORM=offscreen "$VENV/bin/pyinstaller" --noconfirm --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/nn-playground.spec
# LLVM (llvmlite) and libpython ship with their symbol tables: 36 MB that nothing reads. Only these
# two: strip breaks the auditwheel-patched ones (numpy's OpenBLAS: "ELF load command ... not page-aligned").
if command -v strip >/dev/null; then
    strip --strip-unneeded dist/nn-playground/_internal/llvmlite/binding/libllvmlite.so \
        dist/nn-playground/_internal/libpython3*.so*
fi
# playground ships as .py files (numba reads the kernels' source); compile their bytecode now, so a
# first start (or an install the user cannot write to) does not compile it at every launch.
"$VENV/bin/python" -m compileall -q dist/nn-playground/_internal/playground
echo "built dist/nn-playground ($(du -sm dist/nn-playground | cut -f1) MB)"

if [ "${1:-}" = "--check" ]; then
    app=dist/nn-playground/nn-playground
    # A fresh numba cache, as on a first start after installing; settings go to a temporary HOME.
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    NUMBA_CACHE_DIR="$tmp/numba" HOME="$tmp" QT_QPA_PLATFORM=offscreen "$app" selftest --seconds 3
    # Two digits drawn as the Draw tab draws them (tests/drawn_digits.py), read by the frozen classify.
    PYTHONPATH="$PWD:$PWD/tests" QT_QPA_PLATFORM=offscreen "$VENV/bin/python" -c '
import sys, drawn_digits as d
for digit in (7, 3):
    d.draw(d.DIGITS[digit][0], 30, 30, 220, 20.0).save(f"{sys.argv[1]}/drawn-{digit}.png")' "$tmp"
    "$app" classify --json "$tmp/drawn-7.png" "$tmp/drawn-3.png" | "$VENV/bin/python" -c '
import json, sys
got = [json.loads(line)["predicted"] for line in sys.stdin if line.startswith("{")]
print("classify read", got)
sys.exit(0 if got == [7, 3] else 1)'
    echo "frozen app OK: selftest and classify"
fi
