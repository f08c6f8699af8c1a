"""One callback object, both engines: the textbook loop and fit() call it the same way."""

import keras
import numpy as np
import pytest

from gan_course import callbacks, checkpoints, gan_model, models, recipes, training


@pytest.fixture
def x_train():
    return np.random.default_rng(2).uniform(-1, 1, (64, 28, 28, 1)).astype("float32")


def _textbook():
    keras.utils.set_random_seed(0)
    g, d = models.build_generator(), models.build_discriminator()
    return g, d, models.build_gan(g, d)


def test_the_same_callbacks_drive_the_textbook_loop_and_fit(x_train, tmp_path, capsys):
    ema = models.build_generator()
    grid = callbacks.SampleGrid(np.zeros((4, 100)), every=3, folder=tmp_path, per="step")
    seen = callbacks.MeasureSamples(lambda step, g: float(np.mean(g(np.ones((2, 100))))), 3)
    average, log = callbacks.MovingAverage(ema, decay=0.5), callbacks.TrainingLog(3, bar=False)
    used = [grid, seen, average, log]
    training.train_gan(*_textbook(), x_train, steps=7, batch_size=8, callbacks=used)
    after_loop = [np.array(w) for w in ema.weights]
    assert [step for step, _ in grid.grids] == [0, 3, 6] == [step for step, _ in seen.results]
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["0", "3", "6"]

    keras.utils.set_random_seed(0)
    keras_gan, _ = recipes.build_fit_recipe("textbook")
    gan_model.fit_gan(keras_gan, x_train, 7, batch_size=8, callbacks=used)  # the same objects
    assert [step for step, _ in grid.grids] == [0, 3, 6, 0, 3, 6]
    assert len(seen.results) == 6 and all(np.isfinite(v) for _, v in seen.results)
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["0", "3", "6"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "step_00000.png", "step_00003.png", "step_00006.png"
    ]  # fmt: skip
    # the average restarted from fit()'s generator and followed it, not the loop's
    assert any(not np.allclose(a, np.array(b)) for a, b in zip(after_loop, ema.weights))
    moved = [
        not np.allclose(e, w) for e, w in zip(ema.get_weights(), keras_gan.generator.get_weights())
    ]
    assert any(moved)


def test_keras_own_per_epoch_callbacks_work_with_the_textbook_loop(x_train, tmp_path):
    """An epoch of the textbook loop is one pass over the data: 64 images / batch 8 = 8 steps."""
    log = tmp_path / "log.csv"
    ends = []
    training.train_gan(
        *_textbook(), x_train, steps=20, batch_size=8,
        callbacks=[keras.callbacks.CSVLogger(str(log)),
                   keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: ends.append(e))],
    )  # fmt: skip
    rows = log.read_text().splitlines()
    assert rows[0].split(",")[:5] == ["epoch", "d_acc_fake", "d_acc_real", "d_loss", "g_loss"]
    assert len(rows) == 4 and ends == [0, 1, 2]  # 8 + 8 + the last 4 steps


def test_a_callback_can_stop_the_textbook_loop(x_train):
    class StopAtThree(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                self.model.stop_training = True

    history = training.train_gan(*_textbook(), x_train, steps=9, batch_size=8,
                                 callbacks=[StopAtThree()])  # fmt: skip
    assert len(history["g_loss"]) == 3


def test_each_engine_refuses_the_other_engines_checkpoint(x_train, tmp_path):
    with pytest.raises(TypeError, match="checkpoints.Checkpoint"):
        backup = keras.callbacks.BackupAndRestore(str(tmp_path / "b"))
        training.train_gan(*_textbook(), x_train, steps=1, batch_size=8, callbacks=[backup])
    keras_gan, _ = recipes.build_fit_recipe("textbook")
    with pytest.raises(TypeError, match="BackupAndRestore"):
        gan_model.fit_gan(keras_gan, x_train, 2, batch_size=8,
                          callbacks=[checkpoints.Checkpoint(tmp_path / "c")])  # fmt: skip
    with pytest.raises(TypeError, match="keras.callbacks.Callback"):
        training.train_gan(*_textbook(), x_train, steps=1, batch_size=8, callbacks=[print])


def test_a_failing_run_releases_its_checkpoint_folder(x_train, tmp_path, monkeypatch):
    """The loop ends its callbacks also when a step fails: the folder lock is let go."""
    folder = tmp_path / "checkpoint"

    def broken(*args):
        raise RuntimeError("the runtime died")

    monkeypatch.setattr(training, "generator_step", broken)
    g, d, gan = _textbook()
    with pytest.raises(RuntimeError, match="died"):  # fails at step 1, after the checked step 0
        training.train_gan(g, d, gan, x_train, steps=3, batch_size=8,
                           callbacks=[checkpoints.Checkpoint(folder, every=1)])  # fmt: skip
    monkeypatch.undo()
    history = training.train_gan(*_textbook(), x_train, steps=3, batch_size=8,
                                 callbacks=[checkpoints.Checkpoint(folder, every=1)])  # fmt: skip
    assert len(history["g_loss"]) == 3  # resumed from step 1 and ran to the end


def test_callbacks_refuse_nonsense():
    with pytest.raises(ValueError, match='per must be "step" or "epoch"'):
        callbacks.SampleGrid(np.zeros((4, 100)), per="minute")
    with pytest.raises(ValueError, match="every must be a positive whole number"):
        checkpoints.Checkpoint("x", every=0)
    with pytest.raises(ValueError, match="decay"):
        callbacks.MovingAverage(models.build_generator(), decay=0.0)
