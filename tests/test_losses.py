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
