"""Point every Colab badge and Colab install cell at the repository named in pyproject.toml.

The repository's public address lives in one place, [tool.gan_course] in pyproject.toml.
After changing it, run `python scripts/sync_links.py`; `--check` only reports what differs
(tests/test_notebooks.py runs that check).
"""

import re
import sys
from pathlib import Path

import nbformat
import tomllib

ROOT = Path(__file__).resolve().parents[1]
BADGE = re.compile(
    r"https://colab\.research\.google\.com/github/[^)\s]+?/(notebooks/[\w./-]+\.ipynb)"
)
INSTALL = re.compile(r"git\+https://github\.com/[\w.-]+/[\w.-]+?(@[\w./-]+)?(?=[\"'\s])")


def repository():
    """Return (owner/name, branch) from pyproject.toml."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["gan_course"]
    return config["github"], config["branch"]


def colab_url(notebook_path):
    """The Colab address of a notebook, given its path relative to the repository root."""
    repo, branch = repository()
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{notebook_path}"


def install_url():
    repo, branch = repository()
    return f"git+https://github.com/{repo}@{branch}"


def _sync_text(text):
    text = BADGE.sub(lambda m: colab_url(m.group(1)), text)
    return INSTALL.sub(install_url(), text)


def sync(check=False):
    """Rewrite (or with check=True, list) the files whose links are out of date."""
    stale = []
    for path in sorted((ROOT / "notebooks").rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        changed = False
        for cell in nb.cells:
            new = _sync_text(cell.source)
            if new != cell.source:
                cell.source, changed = new, True
        if changed:
            stale.append(path)
            if not check:
                nbformat.write(nb, path)
    readme = ROOT / "README.md"
    text = readme.read_text()
    if _sync_text(text) != text:
        stale.append(readme)
        if not check:
            readme.write_text(_sync_text(text))
    return stale


if __name__ == "__main__":
    check = "--check" in sys.argv
    stale = sync(check=check)
    for path in stale:
        print(f"{'out of date' if check else 'updated'}: {path.relative_to(ROOT)}")
    sys.exit(1 if check and stale else 0)
