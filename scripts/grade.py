"""Grade exercise notebooks with nbval against the verdicts stored in the solutions.

    python scripts/grade.py SUBMISSION.ipynb [SUBMISSION.ipynb ...]

For each submission (a student's copy of notebooks/exercises/NN_name.ipynb, any file name that
starts with NN_), this writes a graded copy into a temporary folder: the student's cells, but
each check cell replaced by the solution's, with the solution's stored all-✓ verdict as the
expected output. Every other cell is marked nbval-ignore-output: only the verdicts count. Then
it runs `pytest --nbval` (strict) on the copies. A submission passes exactly when all its check
cells print the solution's verdicts; a failing check cell shows the difference, line by line,
with the ✗ line naming the one thing to fix. Exit status: pytest's (0 = everything passed).

Extra arguments after `--` go to pytest, e.g. `-- -n 2` or `-- --junitxml=grades.xml`.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "notebooks" / "solutions"
IGNORE = "nbval-ignore-output"


def is_check_cell(cell):
    return cell.cell_type == "code" and (
        "check" in cell.metadata.get("tags", []) or cell.source.lstrip().startswith("checks.check_")
    )


def solution_for(submission, solutions=SOLUTIONS):
    """The solution notebook whose number (NN_) starts the submission's file name."""
    number = Path(submission).name[:3]
    matches = sorted(Path(solutions).glob(f"{number}*.ipynb"))
    if len(number) < 3 or not number[:2].isdigit() or number[2] != "_" or len(matches) != 1:
        raise SystemExit(
            f"{submission}: cannot tell which exercise this is. Keep the exercise's number at "
            f"the start of the file name (e.g. 03_generator_kim.ipynb)."
        )
    return matches[0]


def graded_copy(submission, solution):
    """The submission with the solution's check cells and verdicts; other outputs ignored."""
    student = nbformat.read(submission, as_version=4)
    reference = [c for c in nbformat.read(solution, as_version=4).cells if is_check_cell(c)]
    checks = [c for c in student.cells if is_check_cell(c)]
    if len(checks) != len(reference):
        raise SystemExit(
            f"{submission}: it has {len(checks)} check cells, the exercise has {len(reference)}. "
            "Restore the check cells (the `checks.check_...` lines) from the exercise notebook."
        )
    expected = iter(reference)
    for cell in student.cells:
        if cell.cell_type != "code":
            continue
        if is_check_cell(cell):
            model = next(expected)
            cell.source, cell.outputs = model.source, model.outputs
            cell.execution_count = model.execution_count or 1
            cell.metadata["tags"] = [t for t in cell.metadata.get("tags", []) if t != IGNORE]
        else:
            cell.outputs = []
            cell.metadata["tags"] = sorted(set(cell.metadata.get("tags", [])) | {IGNORE})
    return student


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="+", type=Path)
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="gan_course_grading_"))
    shutil.copy(ROOT / "conftest.py", folder / "conftest.py")
    graded = []
    for submission in args.submissions:
        solution = solution_for(submission, args.solutions)
        path = folder / submission.name
        nbformat.write(graded_copy(submission, solution), path)
        graded.append(path)
        print(f"grading {submission} against {solution.relative_to(ROOT)}")
    command = [
        sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
        "--nbval-sanitize-with", str(ROOT / "notebooks" / "sanitize.cfg"),
        "-p", "no:cacheprovider", "-vv", "--rootdir", str(folder), *extra, *map(str, graded),
    ]  # fmt: skip
    return subprocess.run(command, cwd=folder).returncode


if __name__ == "__main__":
    sys.exit(main())
