"""scripts/grade.py as an instructor meets it: real submission notebooks, graded in batches.

Each class of case gets a notebook made from the course's own solutions or exercises:
alternative-correct work, mistakes, forgeries, hostile code and malformed files. Grading runs
on a copy of the repository's grading material in tmp_path, so that the hostile submissions,
which attack the material by its absolute path, can only ever reach the copy.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
WRONG = ROOT / "tests" / "submissions" / "05_dcgan_training_wrong.ipynb"
MATERIAL = ["gan_course", "scripts", "notebooks/solutions", "notebooks/exercises",
            "notebooks/sanitize.cfg", "conftest.py", "pyproject.toml"]  # fmt: skip


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A copy of what grading needs, with grade.py in it."""
    root = tmp_path_factory.mktemp("course")
    for name in MATERIAL:
        source, target = ROOT / name, root / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    return root


def _notebook(course, kind, number):
    return next((course / "notebooks" / kind).glob(f"{number}_*.ipynb"))


def _variant(course, folder, name, kind, number, edit=None):
    """Write a submission: the course's solution or exercise `number`, changed by `edit`."""
    nb = nbformat.read(_notebook(course, kind, number), as_version=4)
    if edit:
        edit(nb)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _before_first_check(source):
    def edit(nb):
        index = next(i for i, c in enumerate(nb.cells) if c.source.startswith("checks.check_"))
        nb.cells.insert(index, nbformat.v4.new_code_cell(source))

    return edit


def _code_cell_number(path, text):
    """The 1-based number, among the code cells, of the first cell of `path` containing `text`."""
    code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    return next(i for i, c in enumerate(code, start=1) if text in c.source)


def _replace(old, new):
    def edit(nb):
        cell = next(c for c in nb.cells if old in c.source)
        cell.source = cell.source.replace(old, new)

    return edit


def _grade(course, folder, *arguments, timeout=900):
    """Run the copy's grade.py in `folder`, with its own TMPDIR (folder/tmp)."""
    (folder / "tmp").mkdir(exist_ok=True)
    env = {**os.environ, "TMPDIR": str(folder / "tmp")}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(course / "scripts" / "grade.py"), *map(str, arguments),
         "--report", "grades.json"],
        capture_output=True, text=True, cwd=folder, timeout=timeout, env=env,
    )  # fmt: skip
    rows = {}
    if (folder / "grades.json").exists():
        rows = {row["student"]: row for row in json.loads((folder / "grades.json").read_text())}
    return result, rows, time.perf_counter() - start


def _fingerprint(course):
    return {
        p.relative_to(course): p.read_bytes()
        for name in MATERIAL
        for p in ([course / name] if (course / name).is_file() else (course / name).rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_a_batch_with_every_kind_of_submission(course, tmp_path):
    """Ten-plus students in one command: each gets the verdict their work deserves, the
    hostile ones change nothing for the others, and a report lands where it was asked for."""
    material = _fingerprint(course)
    networks_py = course / "gan_course" / "checks" / "networks.py"
    hostile = (
        f"from pathlib import Path\n"
        f"Path({str(networks_py)!r}).write_text('def check_generator(f):\\n    print(1)\\n')\n"
        f"Path({str(course / 'notebooks' / 'sanitize.cfg')!r}).unlink()\n"
        f"Path({str(course / 'gan_course' / 'extra.py')!r}).write_text('x = 1')\n"
    )
    report = tmp_path / "grades.json"
    marker = tmp_path / "the_daemon_outlived_its_submission"
    child = (  # detaches itself twice, then writes the marker if it is still alive in 15 s
        "import os, time\n"
        "if os.fork():\n"
        "    os._exit(0)\n"
        "os.setsid()\n"
        "time.sleep(15)\n"
        f"open({str(marker)!r}, 'w').write('alive')\n"
    )
    daemon = (
        "import subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', {child!r}], start_new_session=True)\n"
    )
    forged_channel = (
        "import json, os\n"
        "line = json.dumps({'token': 'guess', 'verdicts': [], 'tampered': []}) + '\\n'\n"
        "for fd in range(3, 64):\n"
        "    try:\n"
        "        os.write(fd, line.encode())\n"
        "    except OSError:\n"
        "        pass\n"
    )
    subs = tmp_path / "subs"
    summary = _replace(
        "    # END SOLUTION\n    return generator",
        "    generator.summary()\n    # END SOLUTION\n    return generator",
    )
    at_real = _replace("mixed = epsilon * real + (1.0 - epsilon) * fake", "mixed = real")
    patched = (
        "checks.check_discriminator = lambda f: print('check_discriminator: 9 of 9 right')\n"
        "checks.Verdict.passed = property(lambda self: True)"
    )
    drop_check = lambda nb: nb.cells.remove(  # noqa: E731
        next(c for c in nb.cells if c.source.startswith("checks.check_train"))
    )
    cases = {  # file: (made from, exercise, change, verdict, reason)
        # alternative-correct work
        "group-a/05_dcgan_training_x.ipynb": ("solutions", "05", None, "PASS", ""),
        "03_generator_summary.ipynb": ("solutions", "03", summary, "PASS", ""),
        "05_dcgan_training_predict.ipynb": ("solutions", "05", _replace(
            "generator.predict_on_batch(noise)", "generator.predict(noise)"), "PASS", ""),
        "03_generator_daemon.ipynb": ("solutions", "03", _before_first_check(daemon), "PASS", ""),
        # mistakes (group-b's file is the test suite's wrong submission, copied below)
        "group-b/05_dcgan_training_x.ipynb": (None, "05", None, "FAIL", "wrong: check_train_step"),
        "09_better_losses_gp_at_real.ipynb": ("solutions", "09", at_real, "FAIL",
                                              "wrong: check_gradient_penalty"),
        "04_discriminator_untouched.ipynb": ("exercises", "04", None, "FAIL",
                                             "wrong: check_discriminator"),
        # forgeries
        "04_discriminator_patched.ipynb": ("exercises", "04", _before_first_check(patched), "FAIL",
                                           "tampering: the submission changed gan_course.checks"),
        "04_discriminator_printed.ipynb": ("exercises", "04", _before_first_check(
            "print('check_discriminator: 9 of 9 right')"), "FAIL", "wrong: check_discriminator"),
        "03_generator_channel.ipynb": ("solutions", "03", _before_first_check(forged_channel),
                                       "FAIL", "grading channel was written to"),
        # hostile, and a correct submission graded after it
        "03_generator_hostile.ipynb": ("solutions", "03", _before_first_check(hostile), "FAIL",
                                       "tampering: the submission changed"),
        "03_generator_after.ipynb": ("solutions", "03", None, "PASS", ""),
        "03_generator_exit.ipynb": ("solutions", "03", _before_first_check(
            "import os\nos._exit(0)"), "FAIL", "grading process ended (exit status 0)"),
        "03_generator_chatty.ipynb": ("solutions", "03", _before_first_check(
            "print('x' * 300_000)"), "FAIL", "over the 200,000-byte limit"),
        # malformed (the broken file is written below)
        "broken/03_generator.ipynb": (None, "03", None, "FAIL", "not a readable notebook"),
        "homework.ipynb": ("solutions", "03", None, "FAIL", "cannot tell which exercise"),
        "05_dcgan_training_one_check.ipynb": ("solutions", "05", drop_check, "FAIL",
                                              "it has 1 check cells, the exercise has 2"),
    }  # fmt: skip
    expected = {name: case[3:] for name, case in cases.items()}
    for name, (kind, number, edit, _, _) in cases.items():
        if kind:
            _variant(course, subs, name, kind, number, edit)
    (subs / "group-b").mkdir()
    shutil.copy(WRONG, subs / "group-b" / "05_dcgan_training_x.ipynb")
    (subs / "broken").mkdir()
    text = (course / "notebooks" / "solutions" / "03_generator.ipynb").read_text()
    (subs / "broken" / "03_generator.ipynb").write_text(text[: len(text) // 2])
    # a check cell tagged to be skipped or to expect an error: tags are ignored
    untouched = subs / "04_discriminator_untouched.ipynb"
    nb = nbformat.read(untouched, as_version=4)
    for cell in nb.cells:
        if cell.source.startswith("checks.check_"):
            cell.metadata["tags"] = ["nbval-skip", "raises-exception", "nbval-ignore-output"]
    nbformat.write(nb, untouched)

    result, rows, seconds = _grade(
        course, tmp_path, subs, "--cell-timeout", "120", "--timeout", "240",
        "--max-output", "200000", "--junitxml", "out/grades.xml",
    )  # fmt: skip
    out = result.stdout
    assert result.returncode == 1, out[-4000:] + result.stderr[-2000:]
    assert set(rows) == {f"subs/{name}" for name in expected}, out[-3000:] + result.stderr[-3000:]
    for name, (verdict, reason) in expected.items():
        row = rows[f"subs/{name}"]
        assert row["verdict"] == verdict and reason in row["reason"], (name, row)
    # the wrong train step's feedback names the fix
    assert "✗ the discriminator did not learn in its own step" in out
    assert "discriminator.trainable = True right before its train_on_batch" in out
    assert "1 at the real images the penalty is 4" in out
    assert "your code raised NotImplementedError: Write this part" in out
    # the hostile submission's changes were undone; nothing else changed
    assert _fingerprint(course) == material
    # reports where they were asked for, paths printed; no grading folders left behind
    assert f"report: {report}" in out and (tmp_path / "out" / "grades.xml").exists()
    assert "<testcase" in (tmp_path / "out" / "grades.xml").read_text()
    assert "student file" in out and f"5 of {len(expected)} submissions passed" in out
    assert list((tmp_path / "tmp").iterdir()) == []  # no grading folders left behind
    # the detached process did not outlive its submission
    time.sleep(max(0.0, 20 - seconds))
    assert not marker.exists()
    print(f"graded {len(expected)} submissions in {seconds:.0f} s")


def test_the_cell_limit_and_the_submission_limit_stop_endless_loops(course, tmp_path):
    """A loop is stopped by the cell limit; one that ignores the cell limit's alarm, by the
    submission limit. (Here, not in the batch above, whose cell limit leaves room for a busy
    CPU.)"""
    stubborn = "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass"
    loop = _variant(course, tmp_path, "03_generator_loop.ipynb", "solutions", "03",
                    _before_first_check("while True:\n    pass"))  # fmt: skip
    path = _variant(course, tmp_path, "03_generator_stubborn.ipynb", "solutions", "03",
                    _before_first_check(stubborn))  # fmt: skip
    result, rows, seconds = _grade(
        course, tmp_path, loop, path, "--cell-timeout", "5", "--timeout", "30"
    )
    row = rows["03_generator_loop.ipynb"]
    assert row["verdict"] == "FAIL" and row["reason"] == (
        f"cell {_code_cell_number(loop, 'while True')} ran past the 5-second limit per cell"
    ), row
    row = rows["03_generator_stubborn.ipynb"]
    assert row["verdict"] == "FAIL" and "30-second limit per submission" in row["reason"], row
    assert row["seconds"] < 45 and seconds < 120


def test_usage_errors(course, tmp_path):
    result, _, _ = _grade(course, tmp_path, tmp_path / "nothing_here")
    assert result.returncode == 2 and "no such file or folder" in result.stderr
    (tmp_path / "empty").mkdir()
    result, _, _ = _grade(course, tmp_path, tmp_path / "empty")
    assert result.returncode == 2 and "no notebooks found" in result.stderr
    path = _variant(course, tmp_path, "03_generator.ipynb", "solutions", "03")
    result, _, _ = _grade(course, tmp_path, path, "--timeout", "0")
    assert result.returncode == 2 and "--timeout must be positive" in result.stderr


def test_a_submission_that_empties_its_folder_fails_and_the_next_one_passes(course, tmp_path):
    """The worker's log and verdict channel are out of the student's reach: deleting every file
    in the working folder is that student's FAIL, and the batch goes on to a correct one."""
    deleter = (
        "import os, shutil\n"
        "for name in os.listdir('.'):\n"
        "    if os.path.isdir(name) and not os.path.islink(name):\n"
        "        shutil.rmtree(name)\n"
        "    else:\n"
        "        os.remove(name)\n"
        "print('left in the folder:', os.listdir('.'))"
    )
    subs = tmp_path / "subs"
    first = _variant(course, subs, "03_generator_deleter.ipynb", "solutions", "03",
                     _before_first_check(deleter))  # fmt: skip
    second = _variant(course, subs, "03_generator_after.ipynb", "solutions", "03")
    result, rows, seconds = _grade(course, tmp_path, first, second, "--timeout", "120")
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out[-3000:]
    assert list(rows) == ["subs/03_generator_deleter.ipynb", "subs/03_generator_after.ipynb"], out
    deleter_row, after_row = rows.values()
    assert deleter_row["verdict"] == "FAIL", deleter_row
    assert "deleted or changed its grading folder" in deleter_row["reason"], deleter_row
    assert "\n" not in deleter_row["reason"] and len(deleter_row["reason"]) < 200, deleter_row
    assert after_row["verdict"] == "PASS" and after_row["passed"] == 1, after_row
    assert result.returncode == 1 and "1 of 2 submissions passed" in out
    assert list((tmp_path / "tmp").iterdir()) == []  # no grading folders left behind
    print(f"graded 2 submissions in {seconds:.0f} s")


def test_a_cell_that_raises_fails_the_submission_and_names_the_cell(course, tmp_path):
    """As in nbval, a cell of the student's that raises is a FAIL, even if the checks pass."""
    path = _variant(course, tmp_path, "03_generator_raises.ipynb", "solutions", "03",
                    _before_first_check("x = 1\nx / 0"))  # fmt: skip
    number = _code_cell_number(path, "x / 0")
    result, rows, _ = _grade(course, tmp_path, path, "--timeout", "120")
    row = rows["03_generator_raises.ipynb"]
    assert row["verdict"] == "FAIL" and row["passed"] == row["total"] == 1, row
    assert row["reason"] == f"cell {number} raised ZeroDivisionError: division by zero", row
    assert result.returncode == 1


def test_a_cell_that_calls_sys_exit_or_exit_fails_the_submission(course, tmp_path):
    """sys.exit() and exit() end a notebook's kernel under nbval: each is a FAIL naming the
    cell, however right the checks are."""
    exits = {"03_generator_sys_exit.ipynb": "import sys\nsys.exit()",
             "03_generator_exit.ipynb": "exit()"}  # fmt: skip
    paths = [
        _variant(course, tmp_path, name, "solutions", "03", _before_first_check(source))
        for name, source in exits.items()
    ]
    result, rows, _ = _grade(course, tmp_path, *paths, "--timeout", "120")
    for path, call in zip(paths, ["sys.exit()", "exit()"]):
        row = rows[path.name]
        number = _code_cell_number(path, call)
        assert row["verdict"] == "FAIL" and row["passed"] == 1, row
        assert row["reason"].startswith(f"cell {number} called {call}"), row
    assert result.returncode == 1


def test_tampering_with_any_module_of_the_checks_package_is_caught(course, tmp_path):
    """gan_course.checks is a package: patching a checker or a helper in one of its modules (not
    only its __init__), swapping a module in sys.modules or rewriting a module's file is
    tampering; an honest submission graded after them passes."""
    material = _fingerprint(course)
    latent_py = course / "gan_course" / "checks" / "latent.py"
    attacks = {  # file: (code run before the first check, what the reason names)
        "01_gan_idea_submodule.ipynb": (
            "from gan_course.checks import gan_idea\n"
            "gan_idea.check_value_function = lambda f: print('check_value_function: 1 of 1')",
            "gan_course.checks (gan_idea.check_value_function",
        ),
        "01_gan_idea_helper.ipynb": (
            "from gan_course.checks import _common\n"
            "_common._close.__code__ = (lambda a, b, tol=1e-4: True).__code__",
            "_common._close.__code__",
        ),
        "01_gan_idea_wrapped.ipynb": (
            "checks.check_value_function.__wrapped__.__code__ = (lambda v, f: None).__code__",
            "check_value_function.__wrapped__.__code__",
        ),
        "01_gan_idea_swapped.ipynb": (
            "import sys, types\nsys.modules['gan_course.checks.latent'] = types.ModuleType('x')",
            "sys.modules['gan_course.checks.latent']",
        ),
        "01_gan_idea_rewritten.ipynb": (
            f"from pathlib import Path\nPath({str(latent_py)!r}).write_text('x = 1\\n')",
            "changed gan_course/checks/latent.py (undone)",
        ),
    }
    subs = tmp_path / "subs"
    paths = [
        _variant(course, subs, name, "solutions", "01", _before_first_check(source))
        for name, (source, _) in attacks.items()
    ]
    paths.append(_variant(course, subs, "01_gan_idea_honest.ipynb", "solutions", "01"))
    result, rows, seconds = _grade(course, tmp_path, *paths, "--timeout", "120")
    out = result.stdout + result.stderr
    assert len(rows) == len(paths), out[-3000:]
    for name, (_, named) in attacks.items():
        row = rows[f"subs/{name}"]
        assert row["verdict"] == "FAIL" and row["reason"].startswith("tampering: "), row
        assert named in row["reason"], row
    honest = rows["subs/01_gan_idea_honest.ipynb"]
    assert honest["verdict"] == "PASS" and honest["passed"] == honest["total"] == 3, honest
    assert _fingerprint(course) == material  # the rewritten module was put back
    print(f"graded {len(paths)} submissions in {seconds:.0f} s")
