#!/usr/bin/env bash
# The package as pip builds and installs it (pyproject.toml, meson-python):
# a wheel of the checkout holds the package alone (no program, headers,
# library, man page or tests), installs into a virtual environment that
# sees Debian's packages, and its xornet trains, predicts, saves and loads
# away from the checkout.
# usage: wheel.sh PYTHON SOURCE_ROOT
set -eu
py=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# pip builds from a copy of the checkout without its build folders (pip
# and meson-python write into the tree they build)
mkdir "$work/src"
tar -C "$src" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$work/src" -xf -
"$py" -m pip wheel --no-build-isolation --no-deps --no-index -q "$work/src" -w "$work/dist" >"$work/log" 2>&1 || {
    cat "$work/log" >&2
    echo "wheel.sh: pip could not build the wheel" >&2
    exit 1
}
wheel=$(ls "$work"/dist/xornet-*.whl)
"$py" - "$wheel" <<'EOF'
import sys, zipfile
names = [n for n in zipfile.ZipFile(sys.argv[1]).namelist() if not n.startswith("xornet-")]
outside = [n for n in names if not n.startswith("xornet/")]
assert not outside, "files outside the package: %s" % outside
assert any(n.startswith("xornet/_xornet.") and n.endswith(".so") for n in names), names
assert "xornet/__init__.py" in names, names
EOF
"$py" -m venv --system-site-packages "$work/venv"
"$work/venv/bin/python" -m pip install --no-index --no-deps -q "$wheel"
cd "$work"
"$work/venv/bin/python" - <<'EOF'
import numpy as np
import xornet
assert xornet.__file__.startswith(__import__("sys").prefix), xornet.__file__
x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
y = np.array([[0], [1], [1], [0]], float)
net = xornet.Net([2, 8, 1], ["tanh", "sigmoid"], "bce")
net.init_default(3)
net.set_optimizer(kind="adam", lr=0.05)
net.fit(x, y, 300)
assert ((net.predict(x) > 0.5) == (y > 0.5)).all()
net.save("xor.xn")
assert (xornet.Net.load("xor.xn").predict(x) == net.predict(x)).all()
from sklearn.datasets import load_iris
X, t = load_iris(return_X_y=True)
clf = xornet.MLPClassifier(random_state=0, max_iter=400).fit(X, t)
assert clf.score(X, t) > 0.9
clf.save_model("iris.xn")
assert (xornet.load_model("iris.xn", classes=clf.classes_).predict(X) == clf.predict(X)).all()
EOF
echo "wheel.sh: the wheel holds the package alone and its xornet trains, predicts, saves and loads"
