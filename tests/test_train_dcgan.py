"""The main job writes its three pictures and resumes an interrupted run."""

import imageio.v2 as imageio
import numpy as np

from gan_course import train_dcgan


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
    assert kwargs == {"steps": 4001, "batch_size": 32, "real_label": 1.0}
    assert np.isclose(float(d.optimizer.learning_rate), 0.001) and d.optimizer.beta_1 == 0.9
    best = train_dcgan.RECIPES["best"]
    g, d, gan, kwargs = train_dcgan.build_recipe("best")
    assert d.loss == gan.loss == best["loss"]
    assert np.isclose(float(gan.optimizer.learning_rate), best["g_learning_rate"])
    assert np.isclose(float(d.optimizer.beta_1), best["beta_1"])
    assert kwargs["real_label"] == best["real_label"]
    if best["ema_decay"]:
        assert kwargs["ema_generator"].count_params() == g.count_params()


def test_an_unknown_recipe_is_refused():
    import pytest

    with pytest.raises(ValueError, match="textbook"):
        train_dcgan.build_recipe("magic")


def test_main_job_runs_the_best_recipe(tmp_path):
    history = train_dcgan.main(["--recipe", "best", "--steps", "3", "--out", str(tmp_path)])
    assert len(history["g_loss"]) == 3 and (tmp_path / "dcgan_samples.png").exists()
