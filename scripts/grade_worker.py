"""Run one submission and compute its verdicts (started by scripts/grade.py; not for direct use).

grade.py copies this file, a pristine copy of the `gan_course` package and `job.json` into a
fresh folder and runs `python grade_worker.py` there, in its own session and process group,
with its own HOME and TMPDIR. This process:

1. reads a one-time token from stdin (then closes stdin), and loads its own private copy of
   the checkers from the fresh package copy, before any of the student's code runs;
2. runs the student's code cells in an IPython shell, one at a time, each under a time limit,
   and notes each cell that raised or called sys.exit() or exit() (`cell 4 raised ...`: grade.py
   FAILs the submission for it); what they print goes to this process's stdout, a pipe that
   grade.py keeps only as a log;
3. runs each of the exercise's check calls (taken from the solution notebook, never from the
   submission) with the private checkers on the objects the student's cells defined;
4. writes one JSON line with the verdicts and the token to the file descriptor named on its
   command line, a pipe that only grade.py reads. Nothing the student's code prints can become
   a verdict.

It also reports whether the student's code changed the shared `gan_course.checks` module (the
private copy is unaffected either way): grade.py counts that as tampering.
"""

import ast
import importlib.util
import json
import os
import signal
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


class CellTimeout(BaseException):
    """A cell (or a check) ran past its time limit. BaseException: `except Exception` in
    student code cannot swallow it."""


def _alarm(signum, frame):
    raise CellTimeout()


def _load_private_checks():
    spec = importlib.util.spec_from_file_location(
        "_grading_checks", HERE / "gan_course" / "checks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fingerprint(module):
    """What a student could patch in a module: its names and, for classes, their attributes."""
    out = {}
    for name, value in vars(module).items():
        out[name] = id(value)
        if isinstance(value, type):
            out.update({f"{name}.{k}": id(v) for k, v in vars(value).items()})
    return out


def _one_line(number, error):
    """`cell 4 raised ZeroDivisionError: division by zero`: an error in a student's cell."""
    if isinstance(error, SystemExit):
        code = "" if error.code is None else repr(error.code)
        return f"cell {number} called sys.exit({code})"
    if isinstance(error, SyntaxError):
        text = f"{error.msg} (line {error.lineno})"
    else:
        try:
            text = (str(error).strip().splitlines() or [""])[0][:120]
        except Exception:  # noqa: BLE001 - a student's exception with a broken __str__
            text = ""
    return f"cell {number} raised {type(error).__name__}" + (f": {text}" if text else "")


def _check_call(source):
    """('check_generator', ['build_generator']) from `checks.check_generator(build_generator)`."""
    call = ast.parse(source.strip(), mode="eval").body
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr.startswith("check_")
        and all(isinstance(a, ast.Name) for a in call.args)
        and not call.keywords
    ):
        raise ValueError(f"not a check call: {source!r}")
    return call.func.attr, [a.id for a in call.args]


def main():
    token = sys.stdin.readline().strip()
    sys.stdin.close()
    report = os.fdopen(int(sys.argv[1]), "w")
    job = json.loads((HERE / "job.json").read_text())
    sys.path.insert(0, str(HERE))
    import gan_course  # the fresh copy in this folder, not the instructor's checkout

    if Path(gan_course.__file__).resolve().parent != HERE / "gan_course":
        raise SystemExit(f"gan_course came from {gan_course.__file__}, not the grading copy")
    private = _load_private_checks()
    import gan_course.checks as shared

    shared_before = _fingerprint(shared)
    checks = [_check_call(s) for s in job["checks"]]  # validated before any student code runs

    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    exits = []  # exit() and quit(): they would end a notebook's kernel
    shell.ask_exit = lambda: exits.append(True)
    signal.signal(signal.SIGALRM, _alarm)
    result = {"token": token, "cells": 0, "errors": [], "verdicts": [], "stopped": None}

    def limited(function, *args):
        signal.setitimer(signal.ITIMER_REAL, job["cell_timeout"])
        try:
            return function(*args)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    started = time.perf_counter()
    for number, item in enumerate(job["cells"], start=1):
        try:
            if item["kind"] == "code":
                outcome = limited(shell.run_cell, item["source"])
                error = outcome.error_in_exec
                if error is None:
                    error = outcome.error_before_exec
                if isinstance(error, CellTimeout):
                    raise error
                if error is not None:
                    result["errors"].append(_one_line(number, error))
                elif exits:
                    result["errors"].append(f"cell {number} called exit() or quit()")
                exits.clear()
                result["cells"] += 1
            else:
                name, arg_names = checks[item["check"]]
                missing = [a for a in arg_names if a not in shell.user_ns]
                if missing:
                    lines = [[False, f"your notebook does not define {', '.join(missing)}"]]
                else:
                    verdict = limited(
                        getattr(private, name), *(shell.user_ns[a] for a in arg_names)
                    )
                    if not isinstance(verdict, private.Verdict):  # cannot happen: private copy
                        raise TypeError(f"{name} returned {type(verdict).__name__}")
                    lines = [[bool(ok), str(text)] for ok, text in verdict.lines]
                result["verdicts"].append({"check": name, "lines": lines})
        except CellTimeout:
            result["stopped"] = (
                f"cell {number} ran past the {job['cell_timeout']:g}-second limit per cell"
            )
            break
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["tampered"] = sorted(
        k
        for k in set(shared_before) | set(_fingerprint(shared))
        if shared_before.get(k) != _fingerprint(shared).get(k)
    )
    sys.stdout.flush()
    report.write(json.dumps(result) + "\n")
    report.flush()
    os._exit(0)  # no atexit hooks or threads of the student's code run after the report


if __name__ == "__main__":
    main()
