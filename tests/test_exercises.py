"""Exercises: made from the solutions, whose stored verdicts are all right (grading itself:
test_grading.py)."""

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
