"""Make the student notebooks (notebooks/exercises/) from the solutions (notebooks/solutions/).

In a solution notebook, the code a student writes sits between `# BEGIN SOLUTION` and
`# END SOLUTION` lines. The exercise keeps everything else (prose, signatures, check cells)
and replaces each such block with `# YOUR CODE HERE` and a `raise NotImplementedError`.
Outputs are cleared: students run the notebook themselves.

    python scripts/make_exercises.py           # rewrite notebooks/exercises/
    python scripts/make_exercises.py --check   # exit 1 if they are out of date (CI)
"""

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS, EXERCISES = ROOT / "notebooks" / "solutions", ROOT / "notebooks" / "exercises"
BLOCK = re.compile(r"^([ \t]*)# BEGIN SOLUTION\n.*?^[ \t]*# END SOLUTION$", re.S | re.M)
STUB = (
    "{0}# YOUR CODE HERE\n"
    '{0}raise NotImplementedError("Write this part, then run the check below.")'
)


def exercise_source(source):
    """The student's version of one cell's source."""
    return BLOCK.sub(lambda m: STUB.format(m.group(1)), source)


def make_exercise(solution_path):
    """Return the exercise notebook (a NotebookNode) for one solution notebook."""
    nb = nbformat.read(solution_path, as_version=4)
    for cell in nb.cells:
        cell.source = exercise_source(cell.source)
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace("notebooks/solutions/", "notebooks/exercises/")
            cell.source = cell.source.replace(" (solution)\n", "\n", 1)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
    return nb


def main(check=False):
    stale = []
    for solution in sorted(SOLUTIONS.glob("*.ipynb")):
        target = EXERCISES / solution.name
        text = nbformat.writes(make_exercise(solution)) + "\n"
        if not target.exists() or target.read_text() != text:
            stale.append(target)
            if not check:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
    for path in stale:
        print(f"{'out of date' if check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv))
