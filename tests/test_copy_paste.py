"""Copy-paste-safe cells: each cell of a chapter notebook that defines a model or a training
step runs alone in a fresh kernel, after only the notebook's setup and import cells."""

import ast
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# What makes a definition a model or a training step.
KERAS = re.compile(
    r"keras\.(Sequential|Model|Input)\b|layers\.\w+\(|layers\.Layer\b|keras\.random\.|"
    r"train_on_batch|GradientTape|"
    r"apply_gradients|\.compile\(|train_gan\(|train_wgan\(|\.fit\("
)


def _defines_model_or_step(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    defines = any(isinstance(n, (ast.FunctionDef, ast.ClassDef)) for n in tree.body)
    return defines and bool(KERAS.search(source))


def _cases():
    for path in CHAPTERS:
        code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        for index, cell in enumerate(code[2:], start=2):
            if _defines_model_or_step(cell.source):
                yield pytest.param(path, index, id=f"{path.stem}-code{index}")


CASES = list(_cases())


def test_the_chapters_have_cells_to_copy():
    names = {case.values[0].stem for case in CASES}
    assert {"02_mlp_gan", "03_generator", "04_discriminator", "05_dcgan_training"} <= names


@pytest.mark.parametrize("path, index", CASES)
def test_cell_runs_alone_after_the_import_cell(path, index, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_FAST", "1")
    code = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    setup, imports, cell = code[0], code[1], code[index]
    assert "Setup" in setup.source and "import" in imports.source
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c.source) for c in (setup, imports, cell)]
    client = NotebookClient(nb, timeout=300, kernel_name="python3")
    client.execute(cwd=str(path.parent))  # raises CellExecutionError, with the cell, on failure
