"""Grade exercise notebooks: each submission alone, time-limited, with verdicts it cannot print.

    python scripts/grade.py SUBMISSION.ipynb [SUBMISSION.ipynb | FOLDER ...]
        [--report grades.csv] [--junitxml grades.xml]
        [--cell-timeout 300] [--timeout 900] [--max-output 1000000]

A submission is a student's copy of notebooks/exercises/NN_name.ipynb; its file name must start
with the exercise's number (NN_). A folder stands for every notebook under it. For each one:

1. A fresh temporary folder gets a pristine copy of the `gan_course` package (read into memory
   when grading starts), the worker script and the submission's code cells. The check cells
   are taken from the solution notebook, never from the submission; tags are ignored.
2. `grade_worker.py` runs there in its own session and process group, with its own HOME and
   TMPDIR, resource limits, a time limit per cell and one per submission (see its docstring).
   The verdicts come back over a private pipe with a one-time token; what the student's code
   prints comes back over another pipe and is only a log. Neither is a file in the folder.
3. Afterwards every process the submission started is killed (this script is their
   subreaper, so even processes that detach themselves are found), the folder's copy of the
   package and worker is checked (deleted or changed files: tampering), the folder is removed,
   and the instructor's grading material (package, solutions, exercises, scripts, the Python
   environment's start-up files) is compared with its state before the submission: any change
   is undone and reported as that student's failure (tampering).

A submission passes when every check's verdict is exactly the solution's (all ✓) and none of
its cells raised an error or called sys.exit() or exit(), as under nbval. A broken file, a
missing check cell, a cell that raised, a time limit or too much output is that student's FAIL
with a one-line reason; the batch goes on. At the end: a table (student file, exercise, checks
passed / total, verdict, reason), a report (CSV, or JSON if the name ends in .json) and, if
asked, JUnit XML, written where you asked (paths are relative to where you run the command).
Exit status: 0 when every submission passed, 1 otherwise, 2 for a usage error.

What this does NOT protect against: grading runs the students' code as your user. Code that
deliberately attacks the grading process's memory, or files outside the checked material that
you care about, is not stopped by this script; for credit, run it in a container (see
docs/instructor_guide.md).
"""

import argparse
import ast
import csv
import ctypes
import json
import os
import resource
import secrets
import select
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "notebooks" / "solutions"
WORKER = Path(__file__).resolve().parent / "grade_worker.py"
PASS, FAIL = "PASS", "FAIL"


def is_check_call(source):
    """Is this cell's code exactly one call `checks.check_...(...)`?"""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return (
        len(body) == 1
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Call)
        and isinstance(body[0].value.func, ast.Attribute)
        and body[0].value.func.attr.startswith("check_")
    )


def is_check_cell(cell):
    """A check cell of a solution or exercise: tagged `check`, or a bare check call. (In a
    submission only the code counts: students' tags are ignored.)"""
    return cell.cell_type == "code" and (
        "check" in cell.metadata.get("tags", []) or is_check_call(cell.source)
    )


def _verdict_lines(cell):
    """[(ok, text)] from a solution's stored verdict output."""
    text = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
    return [(line.strip()[0] == "✓", line.strip()[2:]) for line in text.splitlines()[1:]]


def solution_for(submission, solutions=SOLUTIONS):
    """The solution notebook whose number (NN_) starts the submission's file name, or ValueError."""
    number = Path(submission).name[:3]
    matches = sorted(Path(solutions).glob(f"{number}*.ipynb"))
    if len(number) < 3 or not number[:2].isdigit() or number[2] != "_" or len(matches) != 1:
        raise ValueError(
            "cannot tell which exercise this is: keep the exercise's number at the start of "
            "the file name (e.g. 03_generator_kim.ipynb)"
        )
    return matches[0]


def grading_job(submission_text, solution):
    """The cells the worker runs: the student's code cells, and the solution's check calls in
    place of the student's check cells. ValueError with a one-line reason if it cannot be
    graded."""
    try:
        student = nbformat.reads(submission_text, as_version=4)
    except Exception as error:  # noqa: BLE001 - any unreadable file is the student's FAIL
        reason = str(error).strip().splitlines()[0][:120] if str(error).strip() else ""
        raise ValueError(f"not a readable notebook ({type(error).__name__}: {reason})") from None
    reference = [c for c in nbformat.read(solution, as_version=4).cells if is_check_cell(c)]
    code = [c for c in student.cells if c.cell_type == "code"]
    n_checks = sum(is_check_call(c.source) for c in code)
    if n_checks != len(reference):
        raise ValueError(
            f"it has {n_checks} check cells, the exercise has {len(reference)}: restore the "
            "check cells (the `checks.check_...` lines) from the exercise notebook"
        )
    cells, index = [], 0
    for cell in code:
        if is_check_call(cell.source):
            cells.append({"kind": "check", "check": index})
            index += 1
        else:
            cells.append({"kind": "code", "source": cell.source})
    return {
        "cells": cells,
        "checks": [c.source.strip() for c in reference],
        "expected": [_verdict_lines(c) for c in reference],
    }


# --- What grading must not let a submission change ----------------------------------------


def _material_paths():
    """The instructor's grading material, and the files that change what Python runs."""
    paths = [p for p in (ROOT / "gan_course").rglob("*") if "__pycache__" not in p.parts]
    for folder in ("notebooks", "notebooks/solutions", "notebooks/exercises", "scripts"):
        paths += [p for p in (ROOT / folder).glob("*") if p.is_file()]
    paths += [ROOT / "conftest.py", ROOT / "pyproject.toml"]
    start_up = set(sysconfig.get_paths().values()) | {site.getusersitepackages()}
    for folder in map(Path, start_up):
        if folder.is_dir():
            paths += [p for p in folder.glob("*.pth")]
            paths += [folder / "sitecustomize.py", folder / "usercustomize.py"]
    return sorted({p for p in paths if p.is_file()} | {p for p in paths if "customize" in p.name})


def snapshot():
    """{path: bytes or None}: the material as it is now (None: the file does not exist)."""
    return {p: (p.read_bytes() if p.is_file() else None) for p in _material_paths()}


def restore(before):
    """Undo every change to the material since `before`; return the changed paths."""
    changed = []
    now = set(_material_paths())
    for path in sorted(now | set(before)):
        old = before.get(path)
        current = path.read_bytes() if path.is_file() else None
        if current == old:
            continue
        changed.append(path)
        if old is None:
            path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(old)
    return changed


# --- Running one submission -----------------------------------------------------------------


def _become_subreaper():
    """Orphaned descendants of a submission get re-parented to this process (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _children():
    me = str(os.getpid())
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == me:
            out.append(int(status.parent.name))
    return out


def kill_everything(process):
    """Kill the worker's process group, then every process left re-parented to us."""
    for _ in range(50):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        leftovers = _children()
        for pid in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in leftovers:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        process.poll()
        if not leftovers and process.returncode is not None:
            return
        time.sleep(0.1)


def _limits(cpu_seconds, file_bytes):
    def apply():
        os.setsid()
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))

    return apply


def _grading_files():
    """{path in a grading folder: bytes}: the `gan_course` package and the worker script, read
    once, so that every submission gets the same pristine copy."""
    root = ROOT / "gan_course"
    files = {
        Path("gan_course") / p.relative_to(root): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    files[Path("grade_worker.py")] = WORKER.read_bytes()
    return files


def damaged_files(workdir, files):
    """The grading folder's files (from `files`) that the submission deleted or changed."""
    damaged = []
    for relative, content in files.items():
        try:
            intact = (workdir / relative).read_bytes() == content
        except OSError:
            intact = False
        if not intact:
            damaged.append(str(relative))
    return sorted(damaged)


LOG_KEPT = 20000  # bytes of the worker's output kept for the reason line
CHANNEL_MAX = 2**20  # bytes read from the verdict channel at most


def run_submission(job, files, options, workdir):
    """Run one job in `workdir`; return (worker result dict or None, reason or None, log).

    The worker's output (its log) and its verdicts come back over two pipes, never through
    files: nothing the submission does in its folder can hide, forge or break them."""
    for relative, content in files.items():
        target = workdir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    job = dict(job, cell_timeout=options.cell_timeout)
    (workdir / "job.json").write_text(json.dumps(job))
    for name in ("home", "tmp"):
        (workdir / name).mkdir()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(workdir / "home"),
        "TMPDIR": str(workdir / "tmp"),
        "MPLBACKEND": "Agg",
        "GAN_COURSE_FAST": "1",
        "GAN_COURSE_PROGRESS": "0",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "tensorflow"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    for name in ("GAN_COURSE_FASHION_MNIST_DIR", "LANG", "LC_ALL"):
        if name in os.environ:
            env[name] = os.environ[name]
    log_read, log_write = os.pipe()
    channel_read, channel_write = os.pipe()
    token = secrets.token_hex(16)
    try:
        process = subprocess.Popen(
            [sys.executable, "-I", str(workdir / "grade_worker.py"), str(channel_write)],
            cwd=workdir, env=env, stdin=subprocess.PIPE, stdout=log_write,
            stderr=subprocess.STDOUT, pass_fds=(channel_write,),
            preexec_fn=_limits(int(3 * options.timeout) + 1, 64 * 2**20),
        )  # fmt: skip
    except BaseException:
        for fd in (log_read, log_write, channel_read, channel_write):
            os.close(fd)
        raise
    os.close(log_write)
    os.close(channel_write)
    try:
        process.stdin.write(token.encode() + b"\n")
        process.stdin.close()
    except BrokenPipeError:
        pass
    log, channel, log_size = bytearray(), bytearray(), 0

    def drain(fd):
        """Read what `fd` has now, up to its limit; False at its end."""
        nonlocal log_size
        while log_size <= options.max_output and len(channel) <= CHANNEL_MAX:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                return True
            if not chunk:
                return False
            if fd == log_read:
                log_size += len(chunk)
                log.extend(chunk[: max(0, LOG_KEPT - len(log))])
            else:
                channel.extend(chunk)
        return True

    reason = None
    try:
        open_fds = {log_read, channel_read}
        for fd in open_fds:
            os.set_blocking(fd, False)
        deadline = time.monotonic() + options.timeout
        while process.poll() is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                reason = f"ran past the {options.timeout:g}-second limit per submission"
                break
            ready, _, _ = select.select(sorted(open_fds), [], [], min(remaining, 0.5))
            open_fds -= {fd for fd in ready if not drain(fd)}
            if log_size > options.max_output:
                break  # no need to wait: it already printed too much
        kill_everything(process)
        drain(log_read)
        drain(channel_read)
    finally:
        os.close(log_read)
        os.close(channel_read)
    log_text = bytes(log).decode("utf-8", "replace")
    if reason is None and log_size > options.max_output:
        reason = f"printed {log_size:,} bytes, over the {options.max_output:,}-byte limit"
    result = None
    lines = bytes(channel).decode("utf-8", "replace").splitlines()
    if reason is None:
        candidates = []
        for line in lines:
            try:
                candidates.append(json.loads(line))
            except ValueError:
                continue
        genuine = [c for c in candidates if isinstance(c, dict) and c.get("token") == token]
        if len(genuine) == 1 and len(lines) == 1:
            result = genuine[0]
        elif genuine or lines:
            reason = "the grading channel was written to by the submission (tampering)"
        else:
            code = process.returncode
            last = log_text.strip().splitlines()[-1][:160] if log_text.strip() else ""
            reason = (
                f"the grading process ended (exit status {code}) before it finished: does the "
                f"notebook call os._exit or kill? last output: {last!r}"
            )
    return result, reason, log_text


def grade_one(path, label, files, options):
    """One row of the report for the submission at `path`."""
    row = {"student": label, "exercise": "", "passed": 0, "total": 0, "verdict": FAIL,
           "reason": "", "feedback": [], "seconds": 0.0}  # fmt: skip
    start = time.perf_counter()
    try:
        solution = solution_for(path, options.solutions)
        row["exercise"] = solution.stem
        text = Path(path).read_bytes().decode("utf-8")
        job = grading_job(text, solution)
    except (ValueError, UnicodeDecodeError, OSError) as error:
        row["reason"] = str(error) if isinstance(error, ValueError) else f"unreadable: {error}"
        return row
    row["total"] = len(job["checks"])
    before = snapshot()
    workdir = Path(tempfile.mkdtemp(prefix="gan_course_grading_"))
    try:
        result, reason, log = run_submission(job, files, options, workdir)
    except Exception as error:  # noqa: BLE001 - one submission must never stop the batch
        first = (str(error).strip().splitlines() or [""])[0][:160]
        result, reason = None, f"could not be graded ({type(error).__name__}: {first})"
    finally:
        damaged = damaged_files(workdir, files)
        shutil.rmtree(workdir, ignore_errors=True)
        changed = restore(before)
    row["seconds"] = round(time.perf_counter() - start, 1)
    if changed:
        names = ", ".join(
            str(p.relative_to(ROOT)) if ROOT in p.parents else str(p) for p in changed
        )
        row["reason"] = f"tampering: the submission changed {names} (undone)"
        return row
    if damaged:
        more = f" and {len(damaged) - 2} more" if len(damaged) > 2 else ""
        row["reason"] = (
            "tampering: the submission deleted or changed its grading folder's files "
            f"({', '.join(damaged[:2])}{more})"
        )
        return row
    if reason:
        row["reason"] = reason
        return row
    if result.get("tampered"):
        row["reason"] = (
            f"tampering: the submission changed gan_course.checks "
            f"({', '.join(result['tampered'][:3])})"
        )
        return row
    verdicts = result["verdicts"]
    for verdict, expected in zip(verdicts, job["expected"]):
        lines = [tuple(line) for line in verdict["lines"]]
        if lines == [tuple(line) for line in expected]:
            row["passed"] += 1
        else:
            right = sum(ok for ok, _ in lines)
            row["feedback"].append(f"{verdict['check']}: {right} of {len(lines)} right")
            row["feedback"] += [f"  ✗ {text}" for ok, text in lines if not ok]
    errors = result.get("errors", [])
    if result.get("stopped"):
        row["reason"] = result["stopped"]
    elif row["passed"] == row["total"] and not errors:
        row["verdict"] = PASS
    else:  # a wrong check, or a cell that raised or exited (a failure under nbval too)
        failed = [f.split(":")[0] for f in row["feedback"] if not f.startswith(" ")]
        parts = ["wrong: " + ", ".join(failed)] if failed else []
        if errors:
            more = f" (and {len(errors) - 1} more cells)" if len(errors) > 1 else ""
            parts.append(errors[0] + more)
        row["reason"] = "; ".join(parts)
    return row


# --- Batches and reports ----------------------------------------------------------------------


def _submissions(arguments):
    paths = []
    for argument in arguments:
        if argument.is_dir():
            paths += sorted(argument.rglob("*.ipynb"))
        else:
            paths.append(argument)
    paths = [p for p in paths if ".ipynb_checkpoints" not in p.parts]
    labels = []
    for p in paths:
        try:
            labels.append(str(p.resolve().relative_to(Path.cwd().resolve())))
        except ValueError:
            labels.append(str(p))
    return paths, labels


def write_report(rows, path):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fields = ["student", "exercise", "passed", "total", "verdict", "reason", "seconds"]
    if path.suffix == ".json":
        path.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    else:
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fields, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
    return path


def write_junit(rows, path):
    suite = ET.Element("testsuite", name="gan_course grading", tests=str(len(rows)),
                       failures=str(sum(r["verdict"] != PASS for r in rows)))  # fmt: skip
    for row in rows:
        case = ET.SubElement(suite, "testcase", classname=row["exercise"] or "unknown",
                             name=row["student"], time=str(row["seconds"]))  # fmt: skip
        if row["verdict"] != PASS:
            failure = ET.SubElement(case, "failure", message=row["reason"])
            failure.text = "\n".join(row["feedback"])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
    return path


def print_table(rows):
    header = ("student file", "exercise", "checks", "verdict", "reason")
    table = [header] + [
        (r["student"], r["exercise"], f"{r['passed']}/{r['total']}", r["verdict"], r["reason"])
        for r in rows
    ]
    widths = [min(40, max(len(str(line[i])) for line in table)) for i in range(4)]
    for line in table:
        cells = [str(c)[:40].ljust(w) for c, w in zip(line, widths)] + [str(line[4])]
        print("  ".join(cells).rstrip())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="+", type=Path, help="notebooks or folders")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS)
    parser.add_argument(
        "--report",
        type=Path,
        default=Path("grades.csv"),
        help="CSV report, or JSON if the name ends in .json (default grades.csv)",
    )
    parser.add_argument("--junitxml", type=Path, help="also write JUnit XML here")
    parser.add_argument("--cell-timeout", type=float, default=300, help="seconds per cell")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per submission")
    parser.add_argument("--max-output", type=int, default=1_000_000,
                        help="bytes a submission may print")  # fmt: skip
    options = parser.parse_args(argv)
    for name in ("cell_timeout", "timeout", "max_output"):
        if not getattr(options, name) > 0:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    missing = [str(p) for p in options.submissions if not p.exists()]
    if missing:
        parser.error(f"no such file or folder: {', '.join(missing)}")
    paths, labels = _submissions(options.submissions)
    if not paths:
        parser.error("no notebooks found in the given paths")
    if not _become_subreaper():
        print(
            "note: cannot become a subreaper here; detached processes may escape", file=sys.stderr
        )
    files = _grading_files()  # read once: every submission gets this pristine copy
    rows = []
    for path, label in zip(paths, labels):
        row = grade_one(path, label, files, options)
        rows.append(row)
        counts = f"{row['passed']}/{row['total']} checks, {row['seconds']:.0f} s"
        print(f"{row['verdict']} {label} ({counts})"
              + (f": {row['reason']}" if row["reason"] else ""), flush=True)  # fmt: skip
        for line in row["feedback"]:
            print(f"    {line}", flush=True)
    print()
    print_table(rows)
    report = write_report(rows, options.report)
    print(f"\nreport: {report.resolve()}")
    if options.junitxml:
        print(f"JUnit XML: {write_junit(rows, options.junitxml).resolve()}")
    passed = sum(r["verdict"] == PASS for r in rows)
    print(f"{passed} of {len(rows)} submissions passed")
    return 0 if passed == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
