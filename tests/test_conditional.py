import keras
import numpy as np
import pytest

from gan_course import conditional, data, metrics


@pytest.fixture(scope="module")
def cgan():
    keras.utils.set_random_seed(0)
    return conditional.build_conditional_recipe(seed=0)[0]


def test_generator_and_discriminator_take_the_label(cgan):
    images = conditional.generate(cgan.generator, [0, 1, 2, 9])
    assert images.shape == (4, 28, 28, 1) and np.abs(images).max() <= 1
    p = np.asarray(cgan.discriminator([images, np.array([[0], [1], [2], [9]])]))
    assert p.shape == (4, 1)


def test_the_label_changes_the_output(cgan):
    noise = np.random.default_rng(1).normal(size=(1, 100)).repeat(10, axis=0)
    images = conditional.generate(cgan.generator, np.arange(10), noise=noise)
    # same noise, ten labels: ten different images, already before training
    differences = [np.abs(images[k] - images[0]).mean() for k in range(1, 10)]
    assert min(differences) > 1e-3
    same = conditional.generate(cgan.generator, [3, 3], noise=noise[:2])
    np.testing.assert_allclose(same[0], same[1], atol=1e-6)  # same noise and label: same image
    # and D's verdict on one image depends on the label it is shown with
    p = np.asarray(cgan.discriminator([images[:1].repeat(10, 0), np.arange(10)[:, None]]))
    assert np.ptp(p) > 1e-4


@pytest.mark.parametrize(
    "labels, message",
    [
        ([0, 10], "from 0 to 9"),
        ([-1], "from 0 to 9"),
        ([0.5], "got float64 values"),
        (["3"], "whole number"),
        (np.zeros((2, 2), int), "1-D"),
        ([], "1-D"),
    ],
)
def test_bad_labels_get_a_clear_error(cgan, labels, message):
    with pytest.raises(ValueError, match=message):
        conditional.generate(cgan.generator, labels)


def test_label_and_noise_counts_must_agree(cgan):
    with pytest.raises(ValueError, match="one vector per label"):
        conditional.generate(cgan.generator, [1, 2], noise=np.zeros((3, 100)))
    x = np.zeros((8, 28, 28, 1), "float32")
    with pytest.raises(ValueError, match="one label per image"):
        conditional.fit_conditional_gan(cgan, x, [1] * 7, steps=1, batch_size=4)


def test_unconditional_networks_are_refused():
    from gan_course import models

    with pytest.raises(ValueError, match="two inputs"):
        conditional.ConditionalGAN(models.build_generator(), models.build_discriminator())


def test_training_moves_both_players_and_learns_the_labels():
    keras.utils.set_random_seed(0)
    cgan, fit_kwargs = conditional.build_conditional_recipe(steps=20, seed=0)
    (x, y), _ = data.load_mnist(source="offline")
    x = data.scale_images(x[:640])
    before_g = [w.numpy().copy() for w in cgan.generator.trainable_weights]
    before_d = [w.numpy().copy() for w in cgan.discriminator.trainable_weights]
    history = conditional.fit_conditional_gan(cgan, x, y[:640], **fit_kwargs)
    ema = fit_kwargs["callbacks"][0].ema_generator  # the moving average follows G
    assert not np.allclose(ema.weights[0].numpy(), before_g[0])
    assert set(history.history) >= {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(np.isfinite(v).all() for v in history.history.values())
    for before, model in ((before_g, cgan.generator), (before_d, cgan.discriminator)):
        assert any(not np.allclose(b, w.numpy()) for b, w in zip(before, model.trainable_weights))


def test_conditional_accuracy_counts_the_asked_for_digit():
    _, (x, y) = data.load_mnist(source="offline")
    images = data.scale_images(x[:200])
    share, per_class = metrics.conditional_accuracy(images, y[:200])
    assert share > 0.9 and per_class.shape == (10,)
    wrong, _ = metrics.conditional_accuracy(images, (y[:200] + 1) % 10)
    assert wrong < 0.05  # real digits asked to be the next digit: almost none match
    with pytest.raises(ValueError, match="N labels"):
        metrics.conditional_accuracy(images, y[:10])


def test_control_shares_tell_what_the_noise_and_what_the_label_set():
    rng = np.random.default_rng(0)
    by_noise = rng.normal(size=(100, 1))  # one slant per noise vector
    by_label = rng.normal(size=(1, 10))  # one slant per digit
    noise_only = np.repeat(by_noise, 10, axis=1) + rng.normal(0, 0.1, (100, 10))
    label_only = np.repeat(by_label, 100, axis=0) + rng.normal(0, 0.1, (100, 10))
    noise_share, label_share = conditional.control_shares(noise_only)
    assert noise_share > 0.95 and label_share < 0.02
    # the counterfeit of "the noise, not the label, sets the slant": only the label sets it
    noise_share, label_share = conditional.control_shares(label_only)
    assert noise_share < 0.05 and label_share > 0.95
    # both at once, the noise twice as spread: it explains 4 times the label's share
    mixed = (
        2 * np.repeat(by_noise, 10, axis=1) / by_noise.std()
        + np.repeat(by_label, 100, axis=0) / by_label.std()
    )
    noise_share, label_share = conditional.control_shares(mixed)
    assert noise_share == pytest.approx(0.8, abs=0.05)
    assert label_share == pytest.approx(0.2, abs=0.05)
    with pytest.raises(ValueError, match="n_noise, n_labels"):
        conditional.control_shares(np.zeros(10))
    with pytest.raises(ValueError, match="no variance"):
        conditional.control_shares(np.ones((3, 3)))
