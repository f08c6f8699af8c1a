"""The package's shape: no import circle, and the textbook loop stays small."""

import ast
import inspect
from pathlib import Path

import gan_course
from gan_course import training

PACKAGE = Path(gan_course.__file__).parent


def _imports(path):
    """The gan_course modules a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "gan_course":
                found.update(f"gan_course.{alias.name}" for alias in node.names)
            elif node.module.startswith("gan_course."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("gan_course."))
    return found


def _graph():
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        graph[name] = _imports(path)
    # a subpackage's modules count as the package (gan_course.checks.x is gan_course.checks)
    known = set(graph)
    for name, targets in graph.items():
        graph[name] = {t for t in targets if t in known and t != name}
    return graph


def _cycle(graph):
    """One import circle as a list of modules, or None."""
    state = {}

    def visit(node, path):
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if target == "gan_course" or node == "gan_course":
                continue  # the package's __init__ re-exports; its modules may import its helpers
            if state.get(target) == "open":
                return path[path.index(target) :] + [target]
            if target not in state:
                found = visit(target, path + [target])
                if found:
                    return found
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [node])
            if found:
                return found
    return None


def test_the_cycle_finder_sees_a_circle():
    """The measure first: a made-up package where a imports b, b imports c, c imports a."""
    graph = {"p.a": {"p.b"}, "p.b": {"p.c"}, "p.c": {"p.a"}, "p.d": {"p.a"}}
    assert _cycle(graph) == ["p.a", "p.b", "p.c", "p.a"]
    assert _cycle({"p.a": {"p.b"}, "p.b": set()}) is None


def test_no_import_circle_in_the_package():
    assert _cycle(_graph()) is None, f"import circle: {' -> '.join(_cycle(_graph()))}"


def test_the_textbook_loop_stays_small():
    """train_gan keeps the textbook's words: about 10 parameters, a body of about 60 lines."""
    signature = inspect.signature(training.train_gan)
    assert len(signature.parameters) <= 11
    source = inspect.getsource(training.train_gan)
    body = ast.parse(source).body[0]
    doc = body.body[0]
    lines = body.end_lineno - doc.end_lineno
    assert lines <= 60, f"train_gan's body is {lines} lines"
