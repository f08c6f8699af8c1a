"""Checks for chapter 09, better losses: LSGAN, Wasserstein and the gradient penalty."""

import keras
import numpy as np

from ._common import _checker, _close, _number


@_checker
def check_lsgan_losses(v, discriminator_loss, generator_loss):
    """LSGAN: D: 1/2 mean((D(x) - 1)^2) + 1/2 mean(D(G(z))^2); G: 1/2 mean((D(G(z)) - 1)^2)."""
    d_real, d_fake = np.array([1.0, 0.5]), np.array([0.0, 2.0])
    got = _number(discriminator_loss(d_real, d_fake))
    v.expect(
        _close(got, 1.0625),
        "discriminator: 1/2 mean((D(x) - 1)^2) + 1/2 mean(D(G(z))^2)",
        f"on D(x) = [1, 0.5], D(G(z)) = [0, 2] the discriminator loss is 1.0625, got {got:.4f}",
    )
    got = _number(generator_loss(d_fake))
    v.expect(
        _close(got, 0.5),
        "generator: 1/2 mean((D(G(z)) - 1)^2)",
        f"on D(G(z)) = [0, 2] the generator loss is 0.5, got {got:.4f}: a fake scored 2 "
        "(far past 'real') is penalised too",
    )


@_checker
def check_wasserstein_losses(v, critic_loss, generator_loss):
    """WGAN: critic mean(C(G(z))) - mean(C(x)); generator -mean(C(G(z)))."""
    c_real, c_fake = np.array([2.0, 4.0]), np.array([-1.0, 0.0])
    got = _number(critic_loss(c_real, c_fake))
    v.expect(
        _close(got, -3.5),
        "critic: mean(C(G(z))) - mean(C(x)) (minus its Wasserstein estimate)",
        f"on C(x) = [2, 4], C(G(z)) = [-1, 0] the critic loss is -3.5, got {got:.4f}",
    )
    got = _number(generator_loss(c_fake))
    v.expect(
        _close(got, 0.5),
        "generator: -mean(C(G(z)))",
        f"on C(G(z)) = [-1, 0] the generator loss is 0.5, got {got:.4f}",
    )


def _linear_critic(slope):
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    critic.layers[0].set_weights([np.array([[slope], [0.0]]), np.zeros(1)])
    return critic


def _kinked_critic(at):
    """C(x) = x_1 + 2 relu(x_1 - at): slope 1 up to x_1 = at (included), slope 3 beyond it."""
    x = keras.Input((2,))
    kink = keras.layers.Dense(1, activation="relu")
    out = keras.layers.Dense(1)
    critic = keras.Model(x, out(keras.layers.Concatenate()([x, kink(x)])))
    kink.set_weights([np.array([[1.0], [0.0]]), np.array([-at])])
    out.set_weights([np.array([[1.0], [0.0], [2.0]]), np.zeros(1)])
    return critic


@_checker
def check_gradient_penalty(v, gradient_penalty):
    """gradient_penalty(critic, real, fake) = mean((||grad C(x_hat)|| - 1)^2)."""
    rng = np.random.default_rng(0)
    real = rng.normal(size=(8, 2)).astype("float32")
    fake = rng.normal(size=(8, 2)).astype("float32")
    for slope, want, words in (
        (1.0, 0.0, "zero for a critic of slope 1 (1-Lipschitz)"),
        (3.0, 4.0, "(3 - 1)^2 = 4 for a critic of slope 3"),
        (0.5, 0.25, "(0.5 - 1)^2 = 0.25 for a critic of slope 0.5"),
    ):
        got = _number(gradient_penalty(_linear_critic(slope), real, fake))
        v.expect(
            _close(got, want, tol=1e-3),
            words,
            f"for a linear critic of slope {slope:g} the penalty is {want:g}, got {got:.4f}: "
            "take the gradient of C at points between real and fake, and average "
            "(norm - 1)^2",
        )
    # A critic whose slope at the real (or the fake) images differs from its slope everywhere
    # between them: only a penalty taken at the points in between gives 4.
    edge = np.stack([np.zeros(8), rng.normal(size=8)], axis=1).astype("float32")
    inside = np.stack([rng.uniform(0.5, 2.0, 8), rng.normal(size=8)], axis=1).astype("float32")
    for real, fake, where in ((edge, inside, "real"), (inside, edge, "fake")):
        got = _number(gradient_penalty(_kinked_critic(0.0), real, fake))
        v.expect(
            _close(got, 4.0, tol=1e-3),
            f"taken between real and fake, not at the {where} images",
            f"for a critic of slope 3 between real and fake but 1 at the {where} images the "
            f"penalty is 4, got {got:.4f}: take it at x_hat = eps * real + (1 - eps) * fake, "
            "with eps uniform in [0, 1) for each image",
        )
