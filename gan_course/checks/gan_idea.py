"""Checks for chapter 01, the GAN idea: the value function, the generator's two losses and the
optimal discriminator."""

import math

import numpy as np

from ._common import _array, _checker, _close, _number


@_checker
def check_value_function(v, value_function):
    """value_function(d_real, d_fake) = mean(log D(x)) + mean(log(1 - D(G(z))))."""
    d_real, d_fake = np.array([0.9, 0.8]), np.array([0.1, 0.3])
    expected = np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake))
    got = _number(value_function(d_real, d_fake))
    v.expect(
        _close(got, expected),
        "V(D, G) on D(x) = [0.9, 0.8], D(G(z)) = [0.1, 0.3] is mean(log D(x)) + "
        "mean(log(1 - D(G(z))))",
        f"V on D(x) = [0.9, 0.8], D(G(z)) = [0.1, 0.3] should be {expected:.4f}, got {got:.4f}: "
        "average log D(x) over real and log(1 - D(G(z))) over fakes, then add",
    )
    half = np.full(4, 0.5)
    got = _number(value_function(half, half))
    v.expect(
        _close(got, -math.log(4)),
        "at D = 1/2 everywhere V = -log 4 (the equilibrium)",
        f"at D = 1/2 everywhere V should be -log 4 = -1.3863, got {got:.4f}",
    )


@_checker
def check_generator_losses(v, saturating_loss, non_saturating_loss):
    """saturating: mean(log(1 - D(G(z)))); non-saturating: -mean(log D(G(z)))."""
    d_fake = np.array([0.01, 0.2])
    want_s, want_n = np.mean(np.log(1 - d_fake)), -np.mean(np.log(d_fake))
    got_s, got_n = _number(saturating_loss(d_fake)), _number(non_saturating_loss(d_fake))
    v.expect(
        _close(got_s, want_s),
        "saturating (minimax) loss = mean(log(1 - D(G(z))))",
        f"saturating loss on D(G(z)) = [0.01, 0.2] should be {want_s:.4f}, got {got_s:.4f}: "
        "it is G's term of the value function, mean(log(1 - D(G(z))))",
    )
    v.expect(
        _close(got_n, want_n),
        "non-saturating loss = -mean(log D(G(z)))",
        f"non-saturating loss on D(G(z)) = [0.01, 0.2] should be {want_n:.4f}, got {got_n:.4f}: "
        "use -mean(log D(G(z))), the loss of training G with the label 'real'",
    )
    falls = _number(non_saturating_loss(np.array([0.9]))) < _number(
        non_saturating_loss(np.array([0.1]))
    )
    v.expect(
        falls,
        "the non-saturating loss falls as D is fooled more",
        "the non-saturating loss should be lower when D(G(z)) is higher: check the sign",
    )


@_checker
def check_optimal_discriminator(v, optimal_discriminator):
    """D*(x) = p_data(x) / (p_data(x) + p_model(x))."""
    p_data, p_model = np.array([0.3, 0.1, 0.2]), np.array([0.1, 0.3, 0.2])
    got = _array(optimal_discriminator(p_data, p_model)).reshape(-1)
    v.expect(
        got.shape == (3,) and np.allclose(got, [0.75, 0.25, 0.5], atol=1e-6),
        "D*(x) = p_data / (p_data + p_model), elementwise",
        f"D* for p_data = [0.3, 0.1, 0.2], p_model = [0.1, 0.3, 0.2] should be "
        f"[0.75, 0.25, 0.5], got {np.round(got, 4).tolist()}",
    )
