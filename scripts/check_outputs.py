"""Check the stored outputs of executed notebooks: what a reader sees on GitHub.

    python scripts/check_outputs.py                      # every chapter and solution notebook
    python scripts/check_outputs.py notebooks/05_dcgan_training.ipynb

Reports, per cell, a download attempt ("Downloading data from"), a TensorFlow warning or
start-up log, a progress bar, a local path, or more than 5 KB of text output; exits 1 if any
notebook has one. scripts/execute_notebooks.py makes outputs that pass.
"""

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
DIRTY_OUTPUT = {
    "a download attempt": re.compile(r"Downloading data from"),
    "a TensorFlow warning or start-up log": re.compile(
        r"WARNING:tensorflow|triggered tf\.function retracing|cuda_drivers|absl::|"
        r"cpu_feature_guard|oneDNN custom operations"
    ),
    "a progress bar": re.compile(r"\d+%\|[█▏▎▍▌▋▊▉ ]*\||\d+/\d+ \[=+>?\.*\]"),
    "a local path": re.compile(r"(/work/|/root/|/home/|/tmp/|/Users/|C:\\)"),
}
MAX_BYTES = 5000


def output_text(output):
    """The text a reader sees for one output: a stream, or a rich output's plain text (the
    HTML of a Keras summary() table is mostly styling; its text is the plain one)."""
    if output.output_type == "stream":
        return output.text
    data = output.get("data", {})
    for kind in ("text/plain", "text/markdown", "text/html"):
        if kind in data:
            return str(data[kind])
    return ""


def problems(path):
    """One line per problem found in the stored outputs of the notebook at `path`."""
    found = []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code":
            continue
        texts = [output_text(o) for o in cell.outputs]
        size = sum(len(t.encode()) for t in texts)
        if size > MAX_BYTES:
            found.append(f"cell {index}: {size} bytes of text output (at most {MAX_BYTES:,})")
        for what, pattern in DIRTY_OUTPUT.items():
            if any(pattern.search(t) for t in texts):
                found.append(f"cell {index}: {what}")
    return found


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or (
        sorted((ROOT / "notebooks").glob("*.ipynb"))
        + sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
    )
    dirty = 0
    for path in paths:
        found = problems(path)
        for line in found:
            print(f"{path.name}: {line}")
        dirty += bool(found)
    print(f"{len(paths) - dirty} clean, {dirty} with problems")
    sys.exit(1 if dirty else 0)
