"""Execute notebooks top to bottom and save them with their outputs (full mode by default).

    python scripts/execute_notebooks.py          # every chapter, then every solution notebook
    python scripts/execute_notebooks.py notebooks/01_gan_idea.ipynb

The committed notebooks carry outputs from a full-mode run (GAN_COURSE_FAST unset), so that
a student browsing the repository sees trained results. Run this after changing a notebook.
Progress bars are switched off (GAN_COURSE_PROGRESS=0): a stored notebook keeps the one line
per logged step, not every redraw of a bar. tests/test_notebooks.py checks the stored outputs
stay clean (no start-up logs, download attempts, warnings, local paths or huge cells).
Claims are strict here (GAN_COURSE_STRICT_CLAIMS=1): a sentence that no longer holds raises.
"""

import os
import shutil
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def execute(path):
    """Run the notebook at `path` in its own folder and write it back with outputs.

    Training checkpoints left by an earlier run are removed first: train_gan would resume from
    them, and the committed outputs must show a whole run.
    """
    for checkpoint in path.parent.glob("outputs/*/checkpoint"):
        shutil.rmtree(checkpoint)
    nb = nbformat.read(path, as_version=4)
    # TensorFlow's C++ start-up lines ("Could not find cuda drivers...") ignore
    # TF_CPP_MIN_LOG_LEVEL; with fd capture off they go to this script's stderr, not the cells.
    client = NotebookClient(
        nb,
        timeout=None,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        extra_arguments=["--IPKernelApp.capture_fd_output=False"],
    )
    start = time.perf_counter()
    client.execute()
    nbformat.write(nb, path)
    return time.perf_counter() - start


if __name__ == "__main__":
    from gan_course import fast_mode

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["COLUMNS"] = "80"  # the same width the tests use (see conftest.py)
    os.environ["GAN_COURSE_PROGRESS"] = "0"
    # The maintainers' re-execution: a claim that no longer holds stops the run (ClaimFailed).
    os.environ["GAN_COURSE_STRICT_CLAIMS"] = "1"
    mode = "fast" if fast_mode() else "full"
    paths = [Path(p).resolve() for p in sys.argv[1:]] or (
        sorted((ROOT / "notebooks").glob("*.ipynb"))
        + sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
    )
    minutes = {}
    for path in paths:
        print(f"{path.name}: executing in {mode} mode...", flush=True)
        seconds = execute(path)
        minutes[path.name] = seconds / 60
        print(f"{path.name}: done in {seconds:.0f} s ({seconds / 60:.1f} min)", flush=True)
    # The table the README's "minutes" column is filled from.
    print(f"\n{'notebook':<40} {'minutes':>8}")
    for name, value in minutes.items():
        print(f"{name:<40} {value:8.1f}")
    print(f"{'total':<40} {sum(minutes.values()):8.1f}", flush=True)
