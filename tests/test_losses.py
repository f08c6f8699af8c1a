import numpy as np
import pytest
import tensorflow as tf

from gan_course import losses


def test_value_function_on_hand_computed_inputs():
    # log(0.8) + log(1 - 0.25), and the means over a batch
    assert float(losses.value_function([0.8], [0.25])) == pytest.approx(np.log(0.8) + np.log(0.75))
    v = losses.value_function([0.5, 0.9], [0.1, 0.3])
    expected = np.mean(np.log([0.5, 0.9])) + np.mean(np.log([0.9, 0.7]))
    assert float(v) == pytest.approx(expected, rel=1e-6)


def test_at_equilibrium_the_value_is_minus_log_4():
    half = np.full(10, 0.5)
    assert float(losses.value_function(half, half)) == pytest.approx(-np.log(4.0), rel=1e-6)
    assert float(losses.discriminator_loss(half, half)) == pytest.approx(np.log(4.0), rel=1e-6)


def test_generator_losses_on_hand_computed_inputs():
    assert float(losses.saturating_generator_loss([0.2, 0.6])) == pytest.approx(
        np.mean(np.log([0.8, 0.4])), rel=1e-6
    )
    assert float(losses.non_saturating_generator_loss([0.2, 0.6])) == pytest.approx(
        -np.mean(np.log([0.2, 0.6])), rel=1e-6
    )


def test_discriminator_loss_is_binary_cross_entropy():
    bce = tf.keras.losses.BinaryCrossentropy()
    d_real, d_fake = np.array([[0.7], [0.9]]), np.array([[0.2], [0.4]])
    expected = float(bce(np.ones((2, 1)), d_real)) + float(bce(np.zeros((2, 1)), d_fake))
    assert float(losses.discriminator_loss(d_real, d_fake)) == pytest.approx(expected, rel=1e-5)


def test_saturated_discriminator_gives_finite_losses():
    assert np.isfinite(float(losses.non_saturating_generator_loss([0.0])))
    assert np.isfinite(float(losses.discriminator_loss([0.0], [1.0])))


def test_saturating_loss_gradient_vanishes_where_non_saturating_does_not():
    """At the start of training D(G(z)) is near 0: compare the gradients w.r.t. D's logit."""
    logit = tf.Variable([-6.0])  # D(G(z)) = sigmoid(-6), about 0.0025
    grads = {}
    for name, loss in (
        ("saturating", losses.saturating_generator_loss),
        ("non_saturating", losses.non_saturating_generator_loss),
    ):
        with tf.GradientTape() as tape:
            value = loss(tf.sigmoid(logit))
        grads[name] = abs(float(tape.gradient(value, logit)[0]))
    assert grads["saturating"] < 0.01 < 0.99 < grads["non_saturating"]


@pytest.mark.parametrize("bad", [[1.5], [-0.1], [3.0, 4.0]])
def test_logits_instead_of_probabilities_are_refused(bad):
    with pytest.raises(ValueError, match="probabilities in"):
        losses.value_function(bad, [0.5])
    with pytest.raises(ValueError, match="Apply a sigmoid"):
        losses.non_saturating_generator_loss(bad)


def test_empty_batch_is_refused():
    with pytest.raises(ValueError, match="empty"):
        losses.saturating_generator_loss([])


def test_optimal_discriminator():
    d = losses.optimal_discriminator([1.0, 3.0, 0.0, 0.0], [1.0, 1.0, 2.0, 0.0])
    np.testing.assert_allclose(d, [0.5, 0.75, 0.0, 0.5])
    with pytest.raises(ValueError, match="must not be negative"):
        losses.optimal_discriminator([-1.0], [1.0])


def test_lsgan_losses_on_hand_computed_inputs():
    # D: 1/2 mean((x - 1)^2) + 1/2 mean(f^2) with real scores [1, 3] and fake scores [0, 2]
    assert float(losses.lsgan_discriminator_loss([1.0, 3.0], [0.0, 2.0])) == pytest.approx(
        0.5 * 2.0 + 0.5 * 2.0
    )
    assert float(losses.lsgan_generator_loss([1.0, 3.0])) == pytest.approx(0.5 * 2.0)


def test_lsgan_penalises_a_fooling_but_far_fake_bce_does_not():
    """A fake scored far past the boundary (logit 8): BCE barely cares, least squares does."""
    far = 8.0
    bce_gradient = 1 - 1 / (1 + np.exp(-far))  # d/dlogit of -log sigmoid(logit)
    logit = tf.Variable([far])
    with tf.GradientTape() as tape:
        value = losses.lsgan_generator_loss(logit)
    assert bce_gradient < 1e-3 < abs(float(tape.gradient(value, logit)[0]))


def test_wasserstein_losses_on_hand_computed_inputs():
    assert float(losses.wasserstein_critic_loss([2.0, 4.0], [1.0, 0.0])) == pytest.approx(-2.5)
    assert float(losses.wasserstein_generator_loss([1.0, 0.0])) == pytest.approx(-0.5)


def _linear_critic(slope):
    import keras

    critic = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False)])
    direction = np.array([[1.0], [2.0], [2.0]]) / 3.0  # unit vector
    critic.layers[0].kernel.assign(slope * direction)
    return critic


def test_gradient_penalty_is_zero_for_a_slope_one_linear_critic():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(2, 16, 3)).astype("float32")
    assert float(losses.gradient_penalty(_linear_critic(1.0), real, fake, seed=1)) == (
        pytest.approx(0.0, abs=1e-6)
    )
    assert float(losses.gradient_penalty(_linear_critic(2.0), real, fake, seed=1)) == (
        pytest.approx(1.0, rel=1e-5)
    )
    assert float(losses.gradient_penalty(_linear_critic(0.5), real, fake)) == pytest.approx(0.25)


def test_clip_weights_keeps_weights_in_range():
    critic = _linear_critic(3.0)
    losses.clip_weights(critic, 0.01)
    values = np.concatenate([np.ravel(w) for w in critic.get_weights()])
    assert values.min() >= -0.01 and values.max() <= 0.01 and np.abs(values).max() == 0.01
    with pytest.raises(ValueError, match="positive"):
        losses.clip_weights(critic, 0)
