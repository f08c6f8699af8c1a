"""gan_course.stored: a model's weights stored in float16 load back into the same architecture,
reproduce its samples, and refuse another architecture without changing it."""

import keras
import numpy as np
import pytest

from gan_course import autoencoders, conditional, diffusion, models, stored


def _trained_like_generator(seed):
    """A textbook generator whose weights are moved away from their initial values, as training
    would, including the batch-norm statistics."""
    keras.utils.set_random_seed(seed)
    generator = models.build_generator()
    rng = np.random.default_rng(seed)
    generator.set_weights(
        [w + rng.normal(0, 0.05, w.shape).astype(w.dtype) for w in generator.get_weights()]
    )
    return generator


def test_a_stored_generator_loads_back_and_reproduces_its_samples(tmp_path, capsys):
    generator = _trained_like_generator(0)
    noise = np.random.default_rng(1).normal(size=(16, 100)).astype("float32")
    path = stored.save_weights(generator, "textbook", noise, note="test run", directory=tmp_path)
    float32_bytes = sum(w.nbytes for w in generator.get_weights())
    assert path.stat().st_size < 0.55 * float32_bytes  # float16: about half
    # the counterfeit: the same architecture with other weights does not reproduce the samples
    other = _trained_like_generator(5)
    assert stored.reproduces(other, "textbook", directory=tmp_path) > 0.2
    loaded = stored.load_weights(other, "textbook", directory=tmp_path)
    assert "Loaded the stored 'textbook', not trained here: test run" in capsys.readouterr().out
    assert stored.reproduces(loaded, "textbook", directory=tmp_path) < 0.02
    fresh = np.random.default_rng(2).normal(size=(64, 100)).astype("float32")
    difference = np.abs(loaded.predict(fresh, verbose=0) - generator.predict(fresh, verbose=0))
    assert difference.max() < 0.02  # under 3 grey levels of 256 in [-1, 1]


def test_a_conditional_generator_with_two_inputs_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    generator = conditional.build_conditional_generator()
    inputs = [np.random.default_rng(0).normal(size=(10, 100)), np.arange(10)[:, None]]
    log = {"d_loss": [0.7, 0.6, 0.55], "g_loss": np.array([1.2, 1.5, 1.4])}
    stored.save_weights(generator, "cgan", inputs, directory=tmp_path, log=log)
    got = stored.load_log("cgan", directory=tmp_path)
    assert set(got) == {"d_loss", "g_loss"}
    np.testing.assert_allclose(got["g_loss"], log["g_loss"], rtol=1e-6)
    keras.utils.set_random_seed(1)
    other = conditional.build_conditional_generator()
    assert stored.reproduces(other, "cgan", directory=tmp_path) > 0.05
    stored.load_weights(other, "cgan", directory=tmp_path, verbose=False)
    assert stored.reproduces(other, "cgan", directory=tmp_path) < 0.02


def test_another_architecture_is_refused_and_left_unchanged(tmp_path):
    stored.save_weights(_trained_like_generator(0), "g", np.zeros((2, 100)), directory=tmp_path)
    discriminator = models.build_discriminator()
    before = [w.copy() for w in discriminator.get_weights()]
    with pytest.raises(ValueError, match="another architecture|shape"):
        stored.load_weights(discriminator, "g", directory=tmp_path)
    assert all(np.array_equal(a, b) for a, b in zip(before, discriminator.get_weights()))
    wider = models.build_generator(latent_dim=64)
    with pytest.raises(ValueError, match="builder and arguments"):
        stored.load_weights(wider, "g", directory=tmp_path)


def test_missing_files_bad_names_and_diverged_weights_get_clear_errors(tmp_path):
    generator = models.build_generator()
    with pytest.raises(FileNotFoundError, match="TRAIN = True"):
        stored.load_weights(generator, "nothing_here", directory=tmp_path)
    with pytest.raises(ValueError, match="one number per step"):
        stored.save_weights(
            generator, "g", np.zeros((1, 100)), directory=tmp_path, log={"x": [[1]]}
        )
    with pytest.raises(ValueError, match="plain file name"):
        stored.save_weights(generator, "../escape", np.zeros((1, 100)), directory=tmp_path)
    weights = generator.get_weights()
    generator.set_weights([np.full_like(weights[0], 1e6)] + weights[1:])
    with pytest.raises(ValueError, match="float16's range"):
        stored.save_weights(generator, "huge", np.zeros((1, 100)), directory=tmp_path)
    generator.set_weights([np.full_like(weights[0], np.nan)] + weights[1:])
    with pytest.raises(ValueError, match="diverged"):
        stored.save_weights(generator, "nan", np.zeros((1, 100)), directory=tmp_path)
    assert not list(tmp_path.glob("*.npz"))


def _best_generator():
    from gan_course.recipes import RECIPES

    best = RECIPES["best"]
    return models.build_generator(
        latent_components=best["latent_components"], latent_scale=best["latent_scale"]
    )


def _vae():
    return autoencoders.build_vae(latent_dim=2, seed=0, hidden_units=256)  # notebook 07's


def _face_generator():
    return models.build_dcgan_generator(image_shape=(32, 32, 1), filters=(128, 64, 32))


def _face_vae():
    return autoencoders.build_vae(latent_dim=64, input_shape=(32, 32, 1), seed=0, hidden_units=256)


SHIPPED = {
    "05_textbook_generator": models.build_generator,
    "07_vae": _vae,
    "09_best_generator": _best_generator,
    "11_face_generator": _face_generator,
    "11_face_average": _face_generator,
    "11_face_vae": _face_vae,
    "12_conditional_generator": conditional.build_conditional_generator,
    "14_diffusion_unet": lambda: diffusion.build_unet(16, widths=(32, 64, 96), block_depth=2),
}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_each_shipped_model_reproduces_its_stored_run(name):
    """The models shipped with the package load into the chapter's architecture and give the
    stored run's outputs, to within float16's rounding; a fresh model of it does not."""
    keras.utils.set_random_seed(0)
    model = SHIPPED[name]()
    assert stored.reproduces(model, name) > 0.1
    stored.load_weights(model, name, verbose=False)
    # float16's rounding, in the outputs' units: 05's generator 0.003 of the range [-1, 1];
    # 14's U-Net, whose noise predictions reach 17, 0.012 (0.07% of that)
    with np.load(stored.STORE / f"{name}.npz", allow_pickle=False) as file:
        scale = max(1.0, float(np.abs(file["outputs"].astype(np.float32)).max()))
    assert stored.reproduces(model, name) < 0.01 * scale


def test_every_stored_file_is_tested_and_all_of_them_are_small():
    files = sorted(stored.STORE.glob("*.npz"))
    assert sorted(p.stem for p in files) == sorted(SHIPPED)
    assert sum(p.stat().st_size for p in files) < 20e6  # the budget for all of them


def _run_with_train_false(notebook, tmp_path, monkeypatch):
    """Execute `notebook` in fast mode with TRAIN = False in its parameters, in tmp_path;
    return the text of all its outputs."""
    from pathlib import Path

    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("GAN_COURSE_FAST", "1")
    root = Path(__file__).resolve().parents[1]
    nb = nbformat.read(root / "notebooks" / notebook, as_version=4)
    (params,) = [c for c in nb.cells if c.cell_type == "code" and "\nTRAIN = True" in c.source]
    params.source = params.source.replace("\nTRAIN = True", "\nTRAIN = False")
    NotebookClient(nb, timeout=900, kernel_name="python3").execute(cwd=str(tmp_path))
    return "".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def _number(pattern, text):
    import re

    return float(re.search(pattern, text).group(1))


def test_notebook_12_with_train_false_shows_the_stored_runs_digits(tmp_path, monkeypatch):
    """TRAIN = False in the chapter's parameters: no training, the stored generator and its log
    load in seconds, and the chapter's measures see the stored run's quality."""
    text = _run_with_train_false("12_conditional_gan.ipynb", tmp_path, monkeypatch)
    assert "Loaded the stored '12_conditional_generator', not trained here" in text
    assert "steps in" not in text and not (tmp_path / "outputs" / "12_cgan_fast").exists()
    share = _number(r"recognised as the asked-for digit: (\d+)%", text)
    assert share >= 90  # the stored run: 97% (here in fast mode: 20 of each digit)


def test_notebook_07_with_train_false_shows_the_stored_runs_codes(tmp_path, monkeypatch):
    text = _run_with_train_false("07_vae.ipynb", tmp_path, monkeypatch)
    assert "Loaded the stored '07_vae', not trained here" in text
    assert "80 epochs in" in text and "(the stored run)" in text  # the stored run's log
    assert not (tmp_path / "outputs" / "07_vae_fast" / "log.npz").exists()
    # the stored run's codes keep the digits apart (0.8 or more); an untrained VAE's do not
    assert _number(r"2-D codes: (0\.\d+)", text) >= 0.8


def test_notebook_11_with_train_false_shows_the_stored_runs_faces(tmp_path, monkeypatch):
    text = _run_with_train_false("11_dcgan_faces.ipynb", tmp_path, monkeypatch)
    for name in ("11_face_generator", "11_face_average", "11_face_vae"):
        assert f"Loaded the stored '{name}', not trained here" in text
    assert "3000 steps (133 passes over the faces)" in text  # the stored run's, not fast mode's
    assert "0 of 200 images are copies" in text


def test_notebook_14_with_train_false_draws_the_stored_runs_digits(tmp_path, monkeypatch):
    text = _run_with_train_false("14_diffusion.ipynb", tmp_path, monkeypatch)
    assert "Loaded the stored '14_diffusion_unet', not trained here" in text
    assert "(the stored run)" in text and not (tmp_path / "outputs" / "14_diffusion_fast").exists()
    # 100 DDPM samples of the stored U-Net (the stored run: 1,000 of them, 73%); an untrained
    # one draws noise (0%)
    assert _number(r"confidently recognised: (\d+)%", text) >= 55
