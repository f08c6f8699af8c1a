"""Exercises: made from the solutions, graded by nbval against the solutions' verdicts."""

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import grade  # noqa: E402
import make_exercises  # noqa: E402

CHAPTERS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
WRONG = ROOT / "tests" / "submissions" / "05_dcgan_training_wrong.ipynb"


def test_every_chapter_has_an_exercise_and_a_solution():
    chapters = [name for name in CHAPTERS if not name.startswith("00_")]  # 00 is setup only
    assert [p.name for p in SOLUTIONS] == chapters
    assert sorted(p.name for p in (ROOT / "notebooks" / "exercises").glob("*.ipynb")) == chapters


def test_exercises_are_made_from_the_solutions():
    assert make_exercises.main(check=True) == 0, "run python scripts/make_exercises.py"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_each_solution_has_checked_exercises_and_all_right_verdicts(solution):
    nb = nbformat.read(solution, as_version=4)
    checks = [c for c in nb.cells if grade.is_check_cell(c)]
    assert checks, "an exercise needs at least one check cell"
    for cell in checks:
        text = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
        assert " right" in text and "✓" in text and "✗" not in text, cell.source
    exercise = make_exercises.make_exercise(solution)
    sources = "\n".join(c.source for c in exercise.cells if c.cell_type == "code")
    assert "# BEGIN SOLUTION" not in sources
    assert sources.count("# YOUR CODE HERE") == sum(
        c.source.count("# BEGIN SOLUTION") for c in nb.cells
    )
    assert all(not c.get("outputs") for c in exercise.cells if c.cell_type == "code")


def test_the_stub_replaces_only_the_solution_block():
    source = "def f(x):\n    # BEGIN SOLUTION\n    y = x + 1\n    # END SOLUTION\n    return y\n"
    assert make_exercises.exercise_source(source) == (
        "def f(x):\n    # YOUR CODE HERE\n"
        '    raise NotImplementedError("Write this part, then run the check below.")\n'
        "    return y\n"
    )


def _grade(*notebooks):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "grade.py"), *map(str, notebooks)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_grading_passes_the_solution():
    result = _grade(ROOT / "notebooks" / "solutions" / "05_dcgan_training.ipynb")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "passed" in result.stdout and "failed" not in result.stdout


def test_grading_fails_a_wrong_submission_on_the_right_cell_with_a_readable_diff():
    """The submission's train step sets `trainable` once, the Keras 2 way."""
    result = _grade(WRONG)
    out = result.stdout
    assert result.returncode == 1, out[-3000:]
    failed = set(re.findall(r"_ (\S+::Cell \d+) _", out))
    cells = [c for c in nbformat.read(WRONG, as_version=4).cells if c.cell_type == "code"]
    index = next(i for i, c in enumerate(cells) if c.source.startswith("checks.check_train_step"))
    # Only the train-step check fails; build_gan is right.
    assert failed == {f"{WRONG.name}::Cell {index}"}, out[-3000:]
    # nbval shows the expected and the obtained verdicts; the obtained one names the fix.
    assert "check_train_step: 5 of 5 right" in out
    assert "check_train_step: 4 of 5 right" in out
    assert "✗ the discriminator did not learn in its own step" in out
    assert "discriminator.trainable = True right before its train_on_batch" in out


def test_grading_an_untouched_exercise_fails_at_every_check():
    result = _grade(ROOT / "notebooks" / "exercises" / "03_generator.ipynb")
    assert result.returncode == 1
    assert "your code raised NotImplementedError: Write this part" in result.stdout


def test_a_submission_missing_a_check_cell_is_refused(tmp_path):
    nb = nbformat.read(WRONG, as_version=4)
    nb.cells = [c for c in nb.cells if not c.source.startswith("checks.check_train_step")]
    path = tmp_path / "05_dcgan_training_lee.ipynb"
    nbformat.write(nb, path)
    result = _grade(path)
    assert result.returncode != 0
    assert "it has 1 check cells, the exercise has 2" in result.stderr


def test_a_submission_must_keep_its_number(tmp_path):
    path = tmp_path / "my_homework.ipynb"
    nbformat.write(nbformat.read(WRONG, as_version=4), path)
    result = _grade(path)
    assert result.returncode != 0 and "Keep the exercise's number" in result.stderr
