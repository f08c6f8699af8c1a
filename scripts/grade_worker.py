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

It also reports whether the student's code changed the shared `gan_course.checks` package, in
its `__init__` or in any of its modules (the private copy is unaffected either way): grade.py
counts that as tampering.
"""

import ast
import importlib.util
import json
import os
import pkgutil
import signal
import sys
import time
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent


class CellTimeout(BaseException):
    """A cell (or a check) ran past its time limit. BaseException: `except Exception` in
    student code cannot swallow it."""


def _alarm(signum, frame):
    raise CellTimeout()


PRIVATE = "_grading_checks"


def _load_private_checks():
    """The checks package, loaded afresh from the grading copy as `_grading_checks`: its modules
    are taken out of sys.modules again once loaded, so the student's code cannot import them."""
    folder = HERE / "gan_course" / "checks"
    spec = importlib.util.spec_from_file_location(
        PRIVATE, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[PRIVATE] = module  # the package's relative imports of its modules need it
    try:
        spec.loader.exec_module(module)
    finally:
        for name in [n for n in sys.modules if n == PRIVATE or n.startswith(PRIVATE + ".")]:
            del sys.modules[name]
    return module


def _shared_checks():
    """{"gan_course.checks": the package, "gan_course.checks.networks": ..., ...}: the shared
    package and every module in its folder, imported."""
    import gan_course.checks as package

    modules = {package.__name__: package}
    for info in pkgutil.iter_modules(package.__path__):
        name = f"{package.__name__}.{info.name}"
        modules[name] = importlib.import_module(name)
    return modules


def _fingerprint(modules):
    """What a student could patch in the checks package, in any of its modules: each module's
    names, for classes their attributes, for functions their code (and the function a checker
    wraps), and which module sys.modules holds under each module's name. Keys: `check_generator`
    and `Verdict.passed` in the package itself, `networks.check_generator` in its modules."""
    out = {}
    for module_name, module in modules.items():
        prefix = module_name.removeprefix("gan_course.checks").lstrip(".")
        prefix = f"{prefix}." if prefix else ""
        out[f"sys.modules[{module_name!r}]"] = id(sys.modules.get(module_name))
        for name, value in vars(module).items():
            key = prefix + name
            out[key] = id(value)
            if isinstance(value, type):
                out.update({f"{key}.{k}": id(v) for k, v in vars(value).items()})
            elif isinstance(value, types.FunctionType):
                out[f"{key}.__code__"] = id(value.__code__)
                wrapped = getattr(value, "__wrapped__", None)
                out[f"{key}.__wrapped__"] = id(wrapped)
                if isinstance(wrapped, types.FunctionType):
                    out[f"{key}.__wrapped__.__code__"] = id(wrapped.__code__)
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
    shared = _shared_checks()
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
    shared_after = _fingerprint(shared)
    result["tampered"] = sorted(
        k
        for k in set(shared_before) | set(shared_after)
        if shared_before.get(k) != shared_after.get(k)
    )
    sys.stdout.flush()
    report.write(json.dumps(result) + "\n")
    report.flush()
    os._exit(0)  # no atexit hooks or threads of the student's code run after the report


if __name__ == "__main__":
    main()
