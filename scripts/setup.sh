#!/usr/bin/env bash
# Create .venv (if missing) and install the course into it: requirements + gan_course (editable),
# at exactly the versions in constraints.txt (those the committed outputs were made with).
# With --fashion-mnist, also install Debian's offline Fashion-MNIST (needs root or sudo).
# VENV=.venv-oldest CONSTRAINTS=constraints-oldest.txt: the oldest supported TensorFlow/Keras pair
# in another folder; CONSTRAINTS=none: the newest versions requirements.txt allows.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "gan-course needs Python 3.10 or newer; $PYTHON is $("$PYTHON" --version 2>&1)." >&2
    exit 1
fi
VENV=${VENV:-.venv}
CONSTRAINTS=${CONSTRAINTS:-constraints.txt}
if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating the virtual environment $VENV"
    "$PYTHON" -m venv "$VENV"
fi
PIN=()
if [ "$CONSTRAINTS" != none ]; then PIN=(-c "$CONSTRAINTS"); fi
echo "==> installing requirements.txt ($CONSTRAINTS) and gan_course into $VENV (the first time takes a few minutes)"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -r requirements.txt "${PIN[@]}" -e .

if [ "${1:-}" = "--fashion-mnist" ] && [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
    echo "==> installing Debian's dataset-fashion-mnist (offline Fashion-MNIST)"
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi
    if command -v apt-get >/dev/null && $SUDO true 2>/dev/null; then
        $SUDO apt-get update -qq
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist
    else
        echo "Cannot install dataset-fashion-mnist here (no apt-get, or no root). Install it by hand," >&2
        echo "or set GAN_COURSE_FASHION_MNIST_DIR to a folder with the four Fashion-MNIST .gz files." >&2
        exit 1
    fi
fi
