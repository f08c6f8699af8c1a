"""The main job writes its three pictures and resumes an interrupted run."""

import subprocess
import sys

import imageio.v2 as imageio
import numpy as np
import pytest

from gan_course import recipes, train_dcgan


def test_main_job_writes_pictures_and_resumes(tmp_path, capsys):
    args = ["--steps", "4", "--sample-every", "2", "--out", str(tmp_path)]
    history = train_dcgan.main(args)
    assert len(history["g_loss"]) == 4
    for name in ("dcgan_samples.png", "dcgan_training.gif", "dcgan_losses.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert len(imageio.mimread(tmp_path / "dcgan_training.gif")) == 2  # steps 0 and 2
    history = train_dcgan.main(["--steps", "6", "--sample-every", "2", "--out", str(tmp_path)])
    assert "Resuming from the checkpoint" in capsys.readouterr().out
    assert len(history["g_loss"]) == 6


def test_the_recipes_build_what_they_say():
    g, d, gan, kwargs = train_dcgan.build_recipe("textbook")
    assert kwargs == {"steps": 4001, "batch_size": 32, "real_label": 1.0, "callbacks": []}
    assert "MixtureLatent" not in [type(layer).__name__ for layer in g.layers]
    assert np.isclose(float(d.optimizer.learning_rate), 0.001) and d.optimizer.beta_1 == 0.9
    best = train_dcgan.RECIPES["best"]
    g, d, gan, kwargs = train_dcgan.build_recipe("best")
    assert d.loss == gan.loss == best["loss"]
    assert np.isclose(float(gan.optimizer.learning_rate), best["g_learning_rate"])
    assert np.isclose(float(d.optimizer.beta_1), best["beta_1"])
    assert kwargs["real_label"] == best["real_label"]
    dropout = [layer.rate for layer in d.layers if layer.__class__.__name__ == "Dropout"]
    assert dropout == ([best["d_dropout"]] * 2 if best["d_dropout"] else [])
    if best["ema_decay"]:
        averaged = recipes.final_generator(g, kwargs["callbacks"])
        assert averaged is not g and averaged.count_params() == g.count_params()
    for generator in (g, recipes.final_generator(g, kwargs["callbacks"])):
        mixture = generator.layers[0]
        assert type(mixture).__name__ == "MixtureLatent"
        assert (mixture.components, mixture.scale) == (
            best["latent_components"],
            best["latent_scale"],
        )


def test_the_best_recipes_learning_rates_fall_linearly_to_zero_over_the_run():
    from gan_course import data, training

    best = train_dcgan.RECIPES["best"]
    assert best["lr_decay"] == "linear"
    g, d, gan, kwargs = train_dcgan.build_recipe("best", steps=4)
    assert kwargs["steps"] == 4
    assert np.isclose(float(d.optimizer.learning_rate), best["d_learning_rate"])
    assert np.isclose(float(gan.optimizer.learning_rate), best["g_learning_rate"])
    (x, _), _ = data.load_mnist()
    training.train_gan(g, d, gan, data.scale_images(x[:64]), **kwargs)
    # 4 steps: halfway after 2 (4 of D's 8 updates), 0 at the end.
    assert int(d.optimizer.iterations) == 8 and int(gan.optimizer.iterations) == 4
    assert float(d.optimizer.learning_rate) == 0.0 == float(gan.optimizer.learning_rate)
    g, d, gan, _ = train_dcgan.build_recipe("best", steps=4)
    d.optimizer.iterations.assign(4)
    gan.optimizer.iterations.assign(2)
    assert np.isclose(float(d.optimizer.learning_rate), best["d_learning_rate"] / 2)
    assert np.isclose(float(gan.optimizer.learning_rate), best["g_learning_rate"] / 2)


def test_a_recipe_refuses_a_bad_step_count():
    import pytest

    for steps in (0, 2.5, True):
        with pytest.raises(ValueError, match="steps must be a whole number"):
            train_dcgan.build_recipe("best", steps=steps)


def test_an_unknown_recipe_is_refused():
    import pytest

    with pytest.raises(ValueError, match="textbook"):
        train_dcgan.build_recipe("magic")


def test_main_job_runs_the_best_recipe(tmp_path):
    history = train_dcgan.main(["--recipe", "best", "--steps", "3", "--out", str(tmp_path)])
    assert len(history["g_loss"]) == 3 and (tmp_path / "dcgan_samples.png").exists()


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--batch-size", "0"], "--batch-size: must be 1 or more, got 0"),
        (["--steps", "-5"], "--steps: must be 1 or more"),
        (["--steps", "ten"], "--steps: expected a whole number, got 'ten'"),
        (["--sample-every", "0"], "--sample-every: must be 1 or more"),
    ],
)
def test_cli_refuses_bad_counts_in_one_line_before_tensorflow(argv, message):
    script = "import sys; from gan_course.train_dcgan import main; main(sys.argv[1:])"
    done = subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr
    probe = (
        "import sys, gan_course.train_dcgan as t; t.parse_args(sys.argv[1:]); "
        "print('tensorflow' in sys.modules)"
    )
    assert (
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60
        ).stdout.strip()
        == "False"
    ), "the options are checked before TensorFlow is imported"


def test_cli_refuses_a_fast_mode_it_cannot_read(monkeypatch):
    monkeypatch.setenv("GAN_COURSE_FAST", "maybe")
    with pytest.raises(SystemExit):
        train_dcgan.parse_args([])


def test_cli_resuming_another_data_set_is_one_line_of_error(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_COURSE_FAST", "1")
    common = ["--steps", "2", "--sample-every", "2", "--out", str(tmp_path)]
    train_dcgan.main(common)
    with pytest.raises(
        SystemExit, match="error: .*dataset: checkpoint 'mnist', now 'fashion_mnist'"
    ):
        train_dcgan.main([*common, "--dataset", "fashion_mnist"])


def test_main_job_with_fit_on_two_devices(tmp_path):
    """--engine fit --devices 2: the Keras-native GAN under MirroredStrategy (two logical CPUs
    here), with its pictures; run in a fresh process, as devices are set before TensorFlow
    starts."""
    script = "import sys; from gan_course.train_dcgan import main; main(sys.argv[1:])"
    argv = ["--engine", "fit", "--devices", "2", "--steps", "4", "--recipe", "best",
            "--out", str(tmp_path)]  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-c", script, *argv], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "with fit() on 2 devices" in done.stdout
    for name in ("fit_samples.png", "fit_training.gif", "fit_losses.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert not (tmp_path / "fit_backup").exists()  # a finished run leaves nothing to resume


def test_fit_engine_refuses_to_resume_other_settings(tmp_path):
    backup = tmp_path / "fit_backup"
    backup.mkdir()
    (backup / "settings.json").write_text('{"recipe": "textbook"}')
    with pytest.raises(SystemExit, match="error: .*holds a run with other settings"):
        train_dcgan.main(["--engine", "fit", "--steps", "2", "--out", str(tmp_path)])


def test_devices_need_the_fit_engine():
    with pytest.raises(SystemExit):
        train_dcgan.parse_args(["--devices", "2"])
