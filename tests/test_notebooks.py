"""The notebooks' structure: badges, install cells, and no drift from the package.

Cells tagged `package-twin` define in full a function that also lives in gan_course (the
notebook teaches it, later notebooks import it). These tests run each such cell after its
notebook's import cell and check that it behaves exactly like the package's copy.
"""

import ast
import re
import sys
from pathlib import Path

import keras
import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import check_outputs  # noqa: E402
import sync_links  # noqa: E402

from gan_course import models, training  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))  # the chapters
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb"))
EVERY = NOTEBOOKS + SOLUTIONS + EXERCISES
EXECUTED = NOTEBOOKS + SOLUTIONS


def _id(path):
    return str(path.relative_to(ROOT / "notebooks"))


def read(path):
    return nbformat.read(path, as_version=4)


def test_there_are_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == [f"{i:02d}" for i in range(15)]


@pytest.mark.parametrize("path", EVERY, ids=_id)
def test_colab_badge_points_to_this_notebook(path):
    first = read(path).cells[0]
    assert first.cell_type == "markdown"
    expected = sync_links.colab_url(str(path.relative_to(ROOT)))
    assert re.findall(r"https://colab\.research\.google\.com/github/[^)\s]+", first.source) == [
        expected
    ]


@pytest.mark.parametrize("path", EVERY, ids=_id)
def test_first_code_cell_installs_the_package_in_colab_only(path):
    setup = next(c for c in read(path).cells if c.cell_type == "code")
    assert 'if "google.colab" in sys.modules:' in setup.source
    assert f'"{sync_links.install_url()}"' in setup.source
    assert "TF_CPP_MIN_LOG_LEVEL" in setup.source
    assert setup.outputs == [] or all(o.get("name") == "stderr" for o in setup.outputs), (
        "locally the setup cell prints nothing"
    )


def test_links_are_in_sync_with_pyproject():
    assert sync_links.sync(check=True) == [], "run: python scripts/sync_links.py"


def test_readme_lists_every_notebook_with_its_badge():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert sync_links.colab_url(f"notebooks/{path.name}") in readme, path.name
        assert f"(notebooks/{path.name})" in readme, path.name


@pytest.mark.parametrize("path", EXECUTED, ids=_id)
def test_committed_outputs_come_from_a_full_run_in_order(path):
    nb = read(path)
    code = [c for c in nb.cells if c.cell_type == "code"]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), "execute top to bottom before committing"
    text = "".join(o.get("text", "") for c in code for o in c.outputs if o.output_type == "stream")
    assert "Fast mode:" not in text, "commit outputs from a full-mode run"
    assert not any(o.output_type == "error" for c in code for o in c.outputs)


def _namespace_after_imports(nb):
    """Run the notebook's setup and import cells (the first two code cells) in a new namespace."""
    namespace = {}
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code[:2]:
        exec(compile(cell.source, "<notebook>", "exec"), namespace)
    return namespace


def _twins(name):
    nb = read(ROOT / "notebooks" / name)
    namespace = _namespace_after_imports(nb)
    for cell in nb.cells:
        if "package-twin" in cell.metadata.get("tags", []):
            exec(compile(cell.source, name, "exec"), namespace)
    return namespace


def _taught_function(name, function):
    """A function a notebook defines in a longer cell, without running the rest of that cell."""
    nb = read(ROOT / "notebooks" / name)
    namespace = _namespace_after_imports(nb)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.FunctionDef) and node.name == function:
                exec(compile(ast.Module([node], type_ignores=[]), name, "exec"), namespace)
                return namespace[function]
    raise AssertionError(f"{name} defines no function {function}")


def _layer_configs(model):
    configs = []
    for layer in model.layers:
        config = {k: v for k, v in layer.get_config().items() if k != "name"}
        configs.append((type(layer).__name__, config))
    return configs


@pytest.mark.parametrize(
    "notebook, name, kwargs",
    [
        ("03_generator.ipynb", "build_generator", {}),
        ("03_generator.ipynb", "build_generator", {"latent_dim": 16, "image_shape": (32, 32, 3)}),
        ("04_discriminator.ipynb", "build_discriminator", {}),
        ("04_discriminator.ipynb", "build_discriminator", {"input_shape": (32, 32, 3)}),
        ("02_mlp_gan.ipynb", "build_mlp_generator", {}),
        ("02_mlp_gan.ipynb", "build_mlp_generator", {"latent_dim": 8, "image_shape": (8, 8, 3)}),
        ("02_mlp_gan.ipynb", "build_mlp_discriminator", {}),
        ("02_mlp_gan.ipynb", "build_mlp_discriminator", {"beta_1": 0.9}),
        ("11_dcgan_faces.ipynb", "build_dcgan_generator", {}),
        (
            "11_dcgan_faces.ipynb",
            "build_dcgan_generator",
            {"image_shape": (32, 32, 1), "filters": (256, 128, 64)},
        ),
        ("11_dcgan_faces.ipynb", "build_dcgan_discriminator", {}),
        ("11_dcgan_faces.ipynb", "build_dcgan_discriminator", {"filters": (64, 128, 256)}),
    ],
)
def test_notebook_builders_equal_the_package_builders(notebook, name, kwargs):
    taught = _twins(notebook)[name](**kwargs)
    packaged = getattr(models, name)(**kwargs)
    assert _layer_configs(taught) == _layer_configs(packaged)
    assert taught.count_params() == packaged.count_params()
    assert getattr(taught, "loss", None) == getattr(packaged, "loss", None)
    if getattr(packaged, "optimizer", None) is not None:
        assert taught.optimizer.get_config() | {"name": ""} == packaged.optimizer.get_config() | {
            "name": ""
        }


def test_notebook_training_step_equals_the_package_step():
    twins = _twins("05_dcgan_training.ipynb")
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    noise = rng.normal(size=(8, 100))
    results = []
    for d_step, g_step in (
        (twins["discriminator_step"], twins["generator_step"]),
        (training.discriminator_step, training.generator_step),
    ):
        keras.utils.set_random_seed(3)
        g, d = models.build_generator(), models.build_discriminator()
        gan = models.build_gan(g, d)
        metrics = {**d_step(g, d, real, noise), **g_step(gan, d, noise)}
        results.append((metrics, training.snapshot_weights(g) + training.snapshot_weights(d)))
    (taught_metrics, taught_weights), (package_metrics, package_weights) = results
    for key in package_metrics:
        assert float(taught_metrics[key]) == pytest.approx(package_metrics[key], rel=1e-6)
    for a, b in zip(taught_weights, package_weights):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_notebook_vae_pieces_equal_the_package_pieces():
    from gan_course import autoencoders

    twins = _twins("07_vae.ipynb")
    mean = np.full((500, 2), 1.5, "float32")
    log_var = np.full((500, 2), -1.0, "float32")
    taught = np.asarray(twins["Sampling"](seed=4)([mean, log_var]))
    packaged = np.asarray(autoencoders.Sampling(seed=4)([mean, log_var]))
    np.testing.assert_allclose(taught, packaged)
    rng = np.random.default_rng(0)
    images = (rng.uniform(size=(4, 28, 28, 1)) > 0.5).astype("float32")
    reconstruction = rng.uniform(0.01, 0.99, size=(4, 28, 28, 1)).astype("float32")
    z_mean, z_log_var = rng.normal(size=(2, 4, 3)).astype("float32")
    taught = twins["vae_loss_terms"](images, reconstruction, z_mean, z_log_var)
    packaged = autoencoders.vae_loss_terms(images, reconstruction, z_mean, z_log_var)
    np.testing.assert_allclose([float(t) for t in taught], [float(p) for p in packaged], rtol=1e-6)


def test_check_outputs_flags_what_a_reader_should_not_see(tmp_path):

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", outputs=[nbformat.v4.new_output("stream", text="ok\n")]),
        nbformat.v4.new_code_cell(
            "load()",
            outputs=[
                nbformat.v4.new_output(
                    "stream", text="Downloading data from https://x/mnist.npz\n"
                ),
                nbformat.v4.new_output("stream", name="stderr", text="/work/main/.venv/x.py:1\n"),
            ],
        ),
        nbformat.v4.new_code_cell(
            "fit()",
            outputs=[nbformat.v4.new_output("stream", text="training: 10%|█  | 1/10\n" * 400)],
        ),
    ]
    path = tmp_path / "dirty.ipynb"
    nbformat.write(nb, path)
    found = check_outputs.problems(path)
    assert "cell 1: a download attempt" in found and "cell 1: a local path" in found
    assert "cell 2: a progress bar" in found
    assert any(line.startswith("cell 2:") and "bytes of text output" in line for line in found)
    assert not [line for line in found if line.startswith("cell 0")]


STORED = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + sorted(
    (ROOT / "notebooks" / "solutions").glob("*.ipynb")
)


@pytest.mark.parametrize("path", STORED, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_stored_outputs_are_clean(path):
    """What a reader sees on GitHub: no download attempts, TensorFlow logs or warnings,
    progress bars, local paths, and at most 5 KB of text per cell."""
    assert check_outputs.problems(path) == []


def test_notebook_conditional_builders_equal_the_package_builders():
    from gan_course import conditional

    def unnamed(value):  # nested models carry automatic layer names ("dense_3"): drop them
        if isinstance(value, dict):
            return {k: unnamed(v) for k, v in value.items() if k != "name"}
        if isinstance(value, (list, tuple)):
            return [unnamed(v) for v in value]
        return value

    twins = _twins("12_conditional_gan.ipynb")
    for name in ("build_conditional_generator", "build_conditional_discriminator"):
        keras.utils.set_random_seed(0)
        taught = twins[name]()
        keras.utils.set_random_seed(0)
        packaged = getattr(conditional, name)()
        assert unnamed(_layer_configs(taught)) == unnamed(_layer_configs(packaged))
        assert taught.count_params() == packaged.count_params()
        inputs = (
            [np.ones((2, 100), "float32"), np.array([[1], [7]])]
            if "generator" in name
            else [np.zeros((2, 28, 28, 1), "float32"), np.array([[1], [7]])]
        )
        np.testing.assert_allclose(
            np.asarray(taught(inputs)), np.asarray(packaged(inputs)), atol=1e-6
        )


def test_notebook_cyclegan_losses_equal_the_package_losses():
    from gan_course import cyclegan

    twins = _twins("13_cyclegan.ipynb")
    rng = np.random.default_rng(0)
    a, b = rng.uniform(-1, 1, (2, 4, 28, 28, 1)).astype("float32")
    scores = rng.normal(size=(4, 7, 7, 1)).astype("float32")
    for name, args in (
        ("cycle_consistency_loss", (a, b)),
        ("identity_loss", (a, b)),
        ("generator_adversarial_loss", (scores,)),
    ):
        taught, packaged = twins[name](*args), getattr(cyclegan, name)(*args)
        assert float(taught) == pytest.approx(float(packaged), rel=1e-6), name


def test_notebook_diffusion_noising_equals_the_package_noising():
    from gan_course import diffusion

    twins = _twins("14_diffusion.ipynb")
    alpha_bar = diffusion.alpha_bars(diffusion.cosine_schedule())
    rng = np.random.default_rng(0)
    x0, noise = rng.uniform(-1, 1, (2, 5, 16, 16, 1))
    t = np.array([0, 10, 300, 700, 999])
    np.testing.assert_allclose(
        twins["add_noise"](x0, t, noise, alpha_bar), diffusion.add_noise(x0, t, noise, alpha_bar)
    )


def test_notebook_ddim_step_equals_the_package_step():
    from gan_course import diffusion

    taught = _taught_function("14_diffusion.ipynb", "ddim_step")
    alpha_bar = diffusion.alpha_bars(diffusion.cosine_schedule())
    rng = np.random.default_rng(0)
    x_t, noise = rng.normal(size=(2, 3, 16, 16, 1))
    for t, t_prev in ((999, 979), (700, 300), (40, -1)):
        np.testing.assert_allclose(
            taught(x_t, t, t_prev, noise, alpha_bar),
            diffusion.ddim_step(x_t, t, t_prev, noise, alpha_bar),
            err_msg=f"{t} -> {t_prev}",
        )


def test_notebook_residual_block_equals_the_package_block():
    from gan_course import diffusion

    taught = _taught_function("14_diffusion.ipynb", "residual_block")
    for width_in, width in ((16, 16), (16, 32)):
        blocks = []
        for block in (taught, diffusion._residual_block):
            keras.utils.set_random_seed(0)
            x = keras.Input((8, 8, width_in))
            blocks.append(keras.Model(x, block(x, width)))
        assert _layer_configs(blocks[0]) == _layer_configs(blocks[1])
        sample = np.random.default_rng(1).normal(size=(2, 8, 8, width_in)).astype("float32")
        np.testing.assert_allclose(blocks[0](sample), blocks[1](sample), rtol=1e-5, atol=1e-6)
