#!/usr/bin/env bash
# Set up, then run every check: lint, unit tests, and nbval in strict mode over all notebooks
# (fast mode). This is the README's test command and exactly what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --fashion-mnist

export GAN_COURSE_FAST=1 TF_CPP_MIN_LOG_LEVEL=3
echo "==> lint: ruff over the package, tests, scripts and (through nbqa) the notebooks"
.venv/bin/ruff check gan_course tests scripts benchmarks conftest.py
.venv/bin/ruff format --check gan_course tests scripts benchmarks conftest.py
# Exercise notebooks are generated from the solutions (their stubs leave names undefined).
.venv/bin/nbqa ruff notebooks --nbqa-exclude notebooks/exercises/ --extend-ignore=E501,I001

echo "==> unit tests and nbval (strict, fast mode); the 30 slowest are listed at the end"
.venv/bin/python -m pytest tests notebooks \
    --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg \
    --ignore=notebooks/exercises --ignore=tests/submissions \
    -n 2 --dist loadscope --durations=30 "$@"

if [ "${GAN_COURSE_SKIP_OLDEST:-0}" != 1 ]; then
    # The oldest supported TensorFlow/Keras pair (constraints-oldest.txt, Colab's of July 2025):
    # the unit tests and the chapters' nbval again, in .venv-oldest.
    echo "==> the oldest supported pair: $(grep -E '^(tensorflow|keras)==' constraints-oldest.txt | tr '\n' ' ')"
    VENV=.venv-oldest CONSTRAINTS=constraints-oldest.txt bash scripts/setup.sh
    # Models the run above saved (.keras files) come from a newer Keras than this pair can read.
    rm -rf notebooks/outputs
    .venv-oldest/bin/python -m pytest tests notebooks \
        --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg \
        --ignore=notebooks/exercises --ignore=notebooks/solutions --ignore=tests/submissions \
        --ignore=tests/test_packaging.py -n 2 --dist loadscope --durations=30 "$@"
fi
