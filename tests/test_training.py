"""The Keras 3 freeze, proven by comparing weights before and after each step."""

import os

import keras
import numpy as np
import pytest

from gan_course import callbacks, checkpoints, models, training

BATCH = 16


def weights(model):
    return [np.array(w) for w in model.weights]


def changed(before, model):
    return any(not np.array_equal(a, np.array(b)) for a, b in zip(before, model.weights))


@pytest.fixture
def batch():
    rng = np.random.default_rng(1)
    real = rng.uniform(-1, 1, (BATCH, 28, 28, 1)).astype("float32")
    noise = rng.normal(size=(BATCH, 100))
    return real, noise


@pytest.fixture
def x_train():
    rng = np.random.default_rng(2)
    return rng.uniform(-1, 1, (64, 28, 28, 1)).astype("float32")


def test_the_textbook_freeze_trains_nothing_on_keras_3(textbook_models, batch):
    """Why the course sets `trainable` before each step: the textbook order breaks on Keras 3."""
    _, discriminator, _ = textbook_models  # compiled, then frozen by build_gan: the textbook order
    real, _ = batch
    before = weights(discriminator)
    with pytest.warns(UserWarning, match="does not have any trainable weights"):
        discriminator.train_on_batch(real, np.ones((BATCH, 1)))
    assert not changed(before, discriminator), "Keras 3 now trains D here: revisit notebook 03"


def test_each_step_changes_exactly_what_it_should(textbook_models, batch):
    generator, discriminator, gan = textbook_models
    real, noise = batch
    for _ in range(3):
        d_before, g_before = weights(discriminator), weights(generator)
        metrics = training.discriminator_step(generator, discriminator, real, noise)
        assert changed(d_before, discriminator), "D must learn in its own step"
        assert not changed(g_before, generator), "G must not change in D's step"
        assert set(metrics) == {"d_loss", "d_acc_real", "d_acc_fake"}

        d_before, g_before = weights(discriminator), weights(generator)
        metrics = training.generator_step(gan, discriminator, noise)
        assert not changed(d_before, discriminator), "D must stay frozen in the combined step"
        assert changed(g_before, generator), "G must learn in the combined step"
        assert np.isfinite(metrics["g_loss"])


def test_train_gan_refuses_a_discriminator_traced_while_frozen(textbook_models, x_train):
    generator, discriminator, gan = textbook_models
    with pytest.warns(UserWarning):
        discriminator.train_on_batch(x_train[:BATCH], np.ones((BATCH, 1)))  # traced frozen
    with pytest.raises(RuntimeError, match="did not learn in its own step"):
        training.train_gan(generator, discriminator, gan, x_train, steps=2)


@pytest.mark.parametrize(
    "bad, message",
    [
        (lambda x: np.round((x + 1) * 127.5).astype("uint8"), "scale_images"),
        (lambda x: (x + 1) * 127.5, "scale_images"),
        (lambda x: (x + 1) / 2, r"\[0, 1\] scale"),
        (lambda x: x[:, :14, :14], "discriminator expects"),
        (lambda x: np.where(x > 0.9, np.nan, x), "NaN or infinite"),
    ],
)
def test_train_gan_refuses_wrongly_scaled_images(textbook_models, x_train, bad, message):
    generator, discriminator, gan = textbook_models
    with pytest.raises(ValueError, match=message):
        training.train_gan(generator, discriminator, gan, bad(x_train), steps=1)


def test_train_gan_records_history_and_saves_fixed_noise_grids(textbook_models, x_train, tmp_path):
    generator, discriminator, gan = textbook_models
    history = training.train_gan(
        generator,
        discriminator,
        gan,
        x_train,
        steps=7,
        batch_size=8,
        callbacks=[callbacks.SampleGrid(np.zeros((4, 100)), 3, tmp_path, per="step")],
    )
    assert set(history) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(len(values) == 7 for values in history.values())
    assert all(np.isfinite(history["d_loss"])) and all(0 <= a <= 1 for a in history["d_acc_fake"])
    assert sorted(p.name for p in tmp_path.glob("*.png")) == [
        "step_00000.png",
        "step_00003.png",
        "step_00006.png",
    ]


def test_train_gan_is_reproducible(x_train):
    histories = []
    for _ in range(2):
        keras.utils.set_random_seed(5)
        generator = models.build_generator()
        discriminator = models.build_discriminator()
        gan = models.build_gan(generator, discriminator)
        histories.append(
            training.train_gan(
                generator,
                discriminator,
                gan,
                x_train,
                steps=4,
                batch_size=8,
                seed=3,
            )
        )
    np.testing.assert_allclose(histories[0]["g_loss"], histories[1]["g_loss"], rtol=1e-5)


@pytest.mark.parametrize("steps", [0, -1, 2.5])
def test_train_gan_refuses_nonsense_steps(textbook_models, x_train, steps):
    with pytest.raises(ValueError, match="steps must be a positive whole number"):
        training.train_gan(*textbook_models, x_train, steps=steps)


def _fresh_models():
    keras.utils.set_random_seed(7)
    generator = models.build_generator()
    discriminator = models.build_discriminator()
    return generator, discriminator, models.build_gan(generator, discriminator)


def test_checkpoint_resume_continues_the_same_run(x_train, tmp_path, capsys):
    """A run interrupted after 4 steps and resumed in new models matches an uninterrupted run."""
    straight = _fresh_models()
    full = training.train_gan(
        *straight,
        x_train,
        steps=8,
        batch_size=8,
        callbacks=[checkpoints.Checkpoint(tmp_path / "a", every=4)],
    )

    first = _fresh_models()
    training.train_gan(
        *first,
        x_train,
        steps=4,
        batch_size=8,
        callbacks=[checkpoints.Checkpoint(tmp_path / "b", every=4)],
    )
    resumed_models = _fresh_models()  # a new runtime: new models, weights from the checkpoint
    resumed = training.train_gan(
        *resumed_models,
        x_train,
        steps=8,
        batch_size=8,
        callbacks=[checkpoints.Checkpoint(tmp_path / "b", every=4)],
    )
    assert "Resuming from the checkpoint" in capsys.readouterr().out
    assert len(resumed["g_loss"]) == 8
    np.testing.assert_allclose(resumed["d_loss"][:4], full["d_loss"][:4])
    np.testing.assert_allclose(resumed["g_loss"], full["g_loss"], rtol=1e-4, atol=1e-5)
    for a, b in zip(straight[0].weights, resumed_models[0].weights):
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-4, atol=1e-5)
    assert int(resumed_models[2].optimizer.iterations) == int(straight[2].optimizer.iterations)


def test_load_checkpoint_of_an_empty_folder_is_none(textbook_models, tmp_path):
    assert training.load_checkpoint(tmp_path, *textbook_models) is None


def test_a_checkpoint_beyond_the_requested_steps_is_refused(x_train, tmp_path):
    training.train_gan(
        *_fresh_models(),
        x_train,
        steps=4,
        batch_size=8,
        callbacks=[checkpoints.Checkpoint(tmp_path, every=4)],
    )
    with pytest.raises(ValueError, match="beyond steps=2"):
        training.train_gan(
            *_fresh_models(),
            x_train,
            steps=2,
            batch_size=8,
            callbacks=[checkpoints.Checkpoint(tmp_path)],
        )


def test_weight_helpers_see_a_change():
    model = models.build_discriminator()
    before = training.snapshot_weights(model)
    assert not training.weights_changed(before, model)
    model.weights[0].assign(model.weights[0] + 1.0)
    assert training.weights_changed(before, model)


def test_k_discriminator_steps_per_generator_step(x_train):
    """With d_steps=3 the discriminator's optimizer steps 3 times per generator step."""
    generator, discriminator, gan = _fresh_models()
    history = training.train_gan(
        generator, discriminator, gan, x_train, steps=2, batch_size=8, d_steps=3
    )
    assert len(history["d_loss"]) == 2
    assert int(discriminator.optimizer.iterations) == 2 * 3 * 2  # 2 train_on_batch per D step
    assert int(gan.optimizer.iterations) == 2


def test_epoch_means():
    history = {"d_loss": [1.0, 2.0, 3.0, 4.0, 5.0], "g_loss": [0.0] * 5}
    assert training.epoch_means(history, 2) == {"d_loss": [1.5, 3.5, 5.0], "g_loss": [0.0] * 3}
    with pytest.raises(ValueError, match="positive"):
        training.epoch_means(history, 0)


def test_load_or_train_generator_trains_once_then_loads(x_train, tmp_path, capsys):
    path = tmp_path / "g" / "generator.keras"
    trained = training.load_or_train_generator(path, x_train, steps=2)
    assert path.exists()
    said = capsys.readouterr().out  # training instead of loading is never silent
    assert "No saved generator at generator.keras in g/" in said and "for 2 steps" in said
    loaded = training.load_or_train_generator(path, x_train, steps=2)
    assert "No saved generator" not in capsys.readouterr().out
    noise = np.random.default_rng(0).normal(size=(3, 100))
    np.testing.assert_allclose(
        loaded.predict_on_batch(noise), trained.predict_on_batch(noise), atol=1e-6
    )


def test_load_or_train_generator_loads_a_stored_model_instead_of_training(
    x_train, tmp_path, capsys, monkeypatch
):
    from gan_course import models, stored

    monkeypatch.setattr(stored, "STORE", tmp_path / "store")
    keras.utils.set_random_seed(3)
    shipped = models.build_generator()
    noise = np.random.default_rng(0).normal(size=(4, 100)).astype("float32")
    stored.save_weights(shipped, "g05", noise, note="a test's stored run")
    missing = tmp_path / "05" / "generator.keras"
    generator = training.load_or_train_generator(missing, x_train, steps=2, stored_name="g05")
    said = capsys.readouterr().out
    assert "No saved generator at generator.keras in 05/" in said
    assert "Loaded the stored 'g05', not trained here: a test's stored run" in said
    assert "training" not in said and not missing.exists()
    assert stored.reproduces(generator, "g05") < 0.02


def _critic():
    return models.build_critic()


@pytest.mark.parametrize("gp_weight, clip_value", [(10.0, None), (0.0, 0.01)])
def test_critic_step_trains_the_critic_only(gp_weight, clip_value, batch):
    keras.utils.set_random_seed(0)
    generator, critic = models.build_generator(), _critic()
    real, noise = batch
    c_before, g_before = weights(critic), weights(generator)
    metrics = training.critic_step(
        generator,
        critic,
        keras.optimizers.Adam(1e-4),
        real,
        noise,
        gp_weight=gp_weight,
        clip_value=clip_value,
    )
    assert changed(c_before, critic) and not changed(g_before, generator)
    assert set(metrics) == {"critic_loss", "wasserstein_estimate"}
    if clip_value:
        assert max(np.abs(np.array(w)).max() for w in critic.trainable_weights) <= clip_value

    c_before, g_before = weights(critic), weights(generator)
    training.critic_generator_step(generator, critic, keras.optimizers.Adam(1e-4), noise)
    assert changed(g_before, generator) and not changed(c_before, critic)


def test_one_sided_label_smoothing_asks_d_for_the_real_label(textbook_models, batch, monkeypatch):
    generator, discriminator, _ = textbook_models
    real, noise = batch
    targets = []
    original = discriminator.train_on_batch

    def spy(x, y):
        targets.append(np.array(y))
        return original(x, y)

    monkeypatch.setattr(discriminator, "train_on_batch", spy)
    training.discriminator_step(generator, discriminator, real, noise, real_label=0.9)
    np.testing.assert_allclose(targets[0], 0.9)  # real images
    np.testing.assert_allclose(targets[1], 0.0)  # fakes keep 0: smoothing is one-sided


@pytest.mark.parametrize("bad", [0.3, 1.5, True])
def test_nonsense_real_labels_are_refused(textbook_models, x_train, bad):
    generator, discriminator, gan = textbook_models
    with pytest.raises(ValueError, match="real_label"):
        training.train_gan(generator, discriminator, gan, x_train, steps=1, real_label=bad)


def test_lsgan_trains_through_the_textbook_loop(x_train):
    keras.utils.set_random_seed(0)
    generator = models.build_generator()
    discriminator = models.build_discriminator(loss="mse")
    gan = models.build_gan(generator, discriminator)
    history = training.train_gan(generator, discriminator, gan, x_train, steps=3, batch_size=8)
    assert all(np.isfinite(history["d_loss"])) and all(np.isfinite(history["g_loss"]))


@pytest.mark.parametrize("gp_weight, clip_value", [(10.0, None), (0.0, 0.01)])
def test_train_wgan_records_the_wasserstein_estimate(x_train, tmp_path, gp_weight, clip_value):
    keras.utils.set_random_seed(0)
    generator, critic = models.build_generator(), models.build_critic()
    history = training.train_wgan(
        generator,
        critic,
        x_train,
        steps=3,
        batch_size=8,
        n_critic=2,
        gp_weight=gp_weight,
        clip_value=clip_value,
        sample_every=2,
        sample_dir=tmp_path,
        progress=False,
    )
    assert set(history) == {"critic_loss", "wasserstein_estimate", "g_loss"}
    assert all(len(values) == 3 and np.all(np.isfinite(values)) for values in history.values())
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["step_00000.png", "step_00002.png"]
    if clip_value:
        assert max(np.abs(np.array(w)).max() for w in critic.trainable_weights) <= clip_value
    else:  # the critic loss includes the (non-negative) penalty, so it is >= -estimate
        assert all(
            c >= -w - 1e-5 for c, w in zip(history["critic_loss"], history["wasserstein_estimate"])
        )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"gp_weight": 10.0, "clip_value": 0.01}, "exactly one way"),
        ({"gp_weight": 0.0, "clip_value": None}, "exactly one way"),
        ({"n_critic": 0}, "n_critic"),
        ({"gp_weight": -10.0}, "gp_weight must be a number >= 0"),
        ({"gp_weight": 0.0, "clip_value": -0.01}, "clip_value must be a positive"),
    ],
)
def test_train_wgan_refuses_nonsense(x_train, kwargs, message):
    generator, critic = models.build_generator(), models.build_critic()
    with pytest.raises(ValueError, match=message):
        training.train_wgan(generator, critic, x_train, steps=1, progress=False, **kwargs)


def test_train_wgan_refuses_a_sigmoid_critic(textbook_models, x_train):
    generator, discriminator, _ = textbook_models
    with pytest.raises(ValueError, match="sigmoid"):
        training.train_wgan(generator, discriminator, x_train, steps=1, progress=False)


def test_ema_generator_follows_the_average_of_the_generator(x_train):
    keras.utils.set_random_seed(0)
    generator, discriminator = models.build_generator(), models.build_discriminator()
    gan = models.build_gan(generator, discriminator)
    ema = models.build_generator()
    start = weights(generator)
    training.train_gan(
        generator, discriminator, gan, x_train, steps=1, batch_size=8,
        callbacks=[callbacks.MovingAverage(ema, 0.25)],
    )  # fmt: skip
    for w0, w1, averaged in zip(start, weights(generator), ema.weights):
        np.testing.assert_allclose(np.array(averaged), 0.25 * w0 + 0.75 * w1, rtol=1e-5, atol=1e-6)
    assert changed(start, ema)


def test_ema_generator_is_checkpointed(x_train, tmp_path):
    def run(steps, folder):
        keras.utils.set_random_seed(0)
        g, d = models.build_generator(), models.build_discriminator()
        gan, ema = models.build_gan(g, d), models.build_generator()
        training.train_gan(
            g, d, gan, x_train, steps=steps, batch_size=8,
            callbacks=[callbacks.MovingAverage(ema), checkpoints.Checkpoint(folder, every=2)],
        )  # fmt: skip
        return ema

    straight = run(4, tmp_path / "a")
    run(2, tmp_path / "b")
    resumed = run(4, tmp_path / "b")
    for a, b in zip(straight.weights, resumed.weights):
        np.testing.assert_allclose(np.array(a), np.array(b), rtol=1e-4, atol=1e-5)


def test_ema_generator_must_match_the_generator(textbook_models, x_train):
    generator, discriminator, gan = textbook_models
    with pytest.raises(ValueError, match="built exactly like the generator"):
        training.train_gan(
            generator, discriminator, gan, x_train, steps=1,
            callbacks=[callbacks.MovingAverage(models.build_generator(latent_dim=10))],
        )  # fmt: skip


def _linear_pair():
    """A generator z (3,) -> image (2, 2, 1) and a discriminator scoring an image by its sum."""
    generator = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4), keras.layers.Reshape((2, 2, 1))]
    )
    discriminator = keras.Sequential(
        [keras.Input((2, 2, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]
    )
    discriminator.layers[-1].set_weights([np.ones((4, 1)), np.zeros(1)])
    return generator, discriminator


def test_sample_best_keeps_the_samples_the_discriminator_rates_highest():
    generator, discriminator = _linear_pair()
    kept = training.sample_best(generator, discriminator, n=10, keep=0.25, seed=3)
    assert kept.shape == (10, 2, 2, 1)
    noise = np.random.default_rng(3).normal(size=(40, 3)).astype("float32")
    every = generator.predict(noise, verbose=0)
    sums = every.reshape(40, 4).sum(axis=1)
    top = np.sort(np.argsort(-sums)[:10])  # the 10 best of 40, in the order they were drawn
    np.testing.assert_allclose(kept, every[top], rtol=1e-6)
    assert kept.reshape(10, 4).sum(axis=1).min() >= np.sort(sums)[-10] - 1e-5
    np.testing.assert_allclose(  # keep=1 keeps everything drawn
        training.sample_best(generator, discriminator, n=40, keep=1, seed=3), every, rtol=1e-6
    )


def test_sample_best_refuses_bad_arguments():
    generator, discriminator = _linear_pair()
    for keep in (0, 1.5, True):
        with pytest.raises(ValueError, match="keep must be a fraction in"):
            training.sample_best(generator, discriminator, n=4, keep=keep)
    with pytest.raises(ValueError, match="n must be a positive whole number"):
        training.sample_best(generator, discriminator, n=0)
    other = keras.Sequential(
        [keras.Input((3, 3, 1)), keras.layers.Flatten(), keras.layers.Dense(1)]
    )
    with pytest.raises(ValueError, match="pass the pair trained together"):
        training.sample_best(generator, other, n=4)


def test_fakes_mode_chooses_how_batch_norm_normalizes_the_fakes(textbook_models, batch):
    generator, discriminator, _ = textbook_models
    _, noise = batch
    inference = training.make_fakes(generator, noise, "inference")
    np.testing.assert_allclose(inference, generator.predict_on_batch(noise), atol=1e-6)
    moving_before = weights(generator)
    in_training = training.make_fakes(generator, noise, "training")
    assert in_training.shape == inference.shape and np.all(np.abs(in_training) <= 1)
    assert np.abs(in_training - inference).mean() > 1e-3, "batch statistics differ from averages"
    assert changed(moving_before, generator), "training mode updates BN's moving averages"
    with pytest.raises(ValueError, match="fakes_mode must be 'inference'"):
        training.make_fakes(generator, noise, "train")


def test_the_freeze_holds_with_fakes_made_in_training_mode(textbook_models, x_train):
    generator, discriminator, gan = textbook_models
    history = training.train_gan(
        generator,
        discriminator,
        gan,
        x_train,
        steps=2,
        batch_size=8,
        fakes_mode="training",
    )
    assert len(history["d_loss"]) == 2 and np.isfinite(history["g_loss"]).all()


def test_progress_prints_one_line_per_log_step_and_no_bar_when_switched_off(
    textbook_models, x_train, capsys, monkeypatch
):
    monkeypatch.setenv("GAN_COURSE_PROGRESS", "0")
    training.train_gan(
        *textbook_models, x_train, steps=5, batch_size=8, callbacks=[callbacks.TrainingLog(2)]
    )
    out, err = capsys.readouterr()
    assert [line.split()[1] for line in out.splitlines()] == ["0", "2", "4"]
    assert err == "", "no progress bar on stderr"
    with pytest.raises(ValueError, match="every must be a positive whole number"):
        training.train_gan(*textbook_models, x_train, steps=1, callbacks=[callbacks.TrainingLog(0)])


def test_epoch_logger_prints_every_few_epochs(capsys):
    logger = training.epoch_logger(every=5, epochs=12)
    for epoch in range(12):
        logger.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1), "val_loss": 0.5})
    lines = capsys.readouterr().out.splitlines()
    assert [int(line.split()[1]) for line in lines] == [1, 5, 10, 12]
    assert "loss 1.0000  val_loss 0.5000" in lines[0]


def test_on_sample_sees_the_generator_every_sample_step(textbook_models, x_train):
    generator, discriminator, gan = textbook_models
    seen = []
    training.train_gan(
        generator,
        discriminator,
        gan,
        x_train,
        steps=5,
        batch_size=8,
        callbacks=[
            callbacks.MeasureSamples(lambda step, g: seen.append((step, g is generator)), 2)
        ],
    )
    assert seen == [(0, True), (2, True), (4, True)]
    with pytest.raises(TypeError, match="measure must be a function"):
        callbacks.MeasureSamples(3)


def test_a_diverging_run_stops_and_keeps_the_last_good_checkpoint(x_train, tmp_path, monkeypatch):
    keras.utils.set_random_seed(0)
    generator, discriminator = models.build_generator(), models.build_discriminator()
    gan = models.build_gan(generator, discriminator)
    folder = tmp_path / "checkpoint"
    run = dict(batch_size=8, callbacks=[checkpoints.Checkpoint(folder, every=2)])
    training.train_gan(generator, discriminator, gan, x_train, steps=2, **run)
    saved = (folder / "latest" / "variables.npz").read_bytes()
    step = training.generator_step  # the real step, whose loss then turns NaN (as with lr 1e6)
    monkeypatch.setattr(
        training, "generator_step", lambda *args: {"g_loss": step(*args)["g_loss"] * np.nan}
    )
    with pytest.raises(training.TrainingDiverged, match="step 2: .*last good checkpoint"):
        training.train_gan(generator, discriminator, gan, x_train, steps=6, **run)
    assert (folder / "latest" / "variables.npz").read_bytes() == saved


def test_images_with_nan_are_refused_by_the_picture_helpers(tmp_path):
    from gan_course import viz

    bad = np.zeros((4, 28, 28, 1))
    bad[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        viz.save_image_grid(bad, tmp_path / "grid.png", value_range=(-1, 1))


def _two_step_run(x_train, folder, meta=None, **kwargs):
    settings = dict(batch_size=8, callbacks=[checkpoints.Checkpoint(folder, every=2, meta=meta)])
    training.train_gan(*_fresh_models(), x_train, steps=2, **{**settings, **kwargs})


def test_a_broken_latest_checkpoint_falls_back_to_the_previous_one(x_train, tmp_path, capsys):
    folder = tmp_path / "checkpoint"
    _two_step_run(x_train, folder)
    (folder / "old").mkdir()
    for name in ("state.json", "variables.npz"):  # a previous, good checkpoint
        (folder / "old" / name).write_bytes((folder / "latest" / name).read_bytes())
    (folder / "latest" / "state.json").unlink()  # a save that died half-way
    restored = training.load_checkpoint(folder, *_fresh_models())
    assert restored is not None and restored[0] == 2
    assert "resuming from the previous checkpoint" in capsys.readouterr().err


@pytest.mark.parametrize(
    "damage",
    [
        lambda f: (f / "state.json").unlink(),
        lambda f: (f / "state.json").write_text("{not json"),
        lambda f: (f / "state.json").write_bytes(b"\xff\xfe\x00garbage"),
        lambda f: (f / "variables.npz").write_bytes((f / "variables.npz").read_bytes()[:100]),
    ],
)
def test_an_unreadable_checkpoint_is_one_clear_error_never_a_fresh_start(x_train, tmp_path, damage):
    folder = tmp_path / "checkpoint"
    _two_step_run(x_train, folder)
    damage(folder / "latest")
    with pytest.raises(training.CheckpointError, match="incomplete or unreadable.*--fresh"):
        training.load_checkpoint(folder, *_fresh_models())
    with pytest.raises(training.CheckpointError):
        _two_step_run(x_train, folder)


def test_resuming_with_other_settings_is_refused(x_train, tmp_path):
    folder = tmp_path / "checkpoint"
    _two_step_run(x_train, folder, meta={"dataset": "mnist"})
    with pytest.raises(training.CheckpointError, match="dataset: checkpoint 'mnist', now 'fashion"):
        _two_step_run(x_train, folder, meta={"dataset": "fashion_mnist"})
    with pytest.raises(training.CheckpointError, match="batch_size: checkpoint 8, now 4"):
        _two_step_run(x_train, folder, meta={"dataset": "mnist"}, batch_size=4)


def test_a_second_run_on_a_checkpoint_folder_in_use_stops_at_once(x_train, tmp_path):
    folder = tmp_path / "checkpoint"
    with training._locked(folder):
        with pytest.raises(training.CheckpointError, match=f"in use by PID {os.getpid()}"):
            _two_step_run(x_train, folder)
    _two_step_run(x_train, folder)  # free again once the first run ends


def test_train_wgan_stops_when_a_loss_diverges(x_train, monkeypatch):
    keras.utils.set_random_seed(0)
    generator, critic = models.build_generator(), models.build_critic()
    real_update = training._generator_update
    monkeypatch.setattr(
        training, "_generator_update", lambda *args: real_update(*args) * float("nan")
    )
    with pytest.raises(training.TrainingDiverged, match="step 0: critic_loss"):
        training.train_wgan(generator, critic, x_train, steps=3, batch_size=8, progress=False)


def test_load_or_train_generator_survives_an_unreadable_file(x_train, tmp_path, capsys):
    path = tmp_path / "generator.keras"
    path.write_bytes(b"not a keras file (as if saved by another Keras version or cut off)")
    generator = training.load_or_train_generator(path, x_train, steps=2)
    assert generator.output_shape == (None, 28, 28, 1)
    assert "Could not load the saved generator generator.keras" in capsys.readouterr().err
    kept = tmp_path / "generator.keras.unreadable"
    assert kept.read_bytes().startswith(b"not a keras file")  # nothing is lost
    assert training.load_or_train_generator(path, x_train, steps=2) is not None  # now it loads
