"""Checks for chapter 07, the VAE: the sampling layer and the two loss terms."""

import math

import numpy as np

from ._common import _array, _checker, _close, _number


@_checker
def check_sampling(v, sampling_layer_class):
    """Sampling()([z_mean, z_log_var]) = z_mean + exp(z_log_var / 2) * eps, eps ~ N(0, I)."""
    layer = sampling_layer_class()
    z_mean = np.full((20000, 2), 3.0, dtype="float32")
    z_log_var = np.full((20000, 2), math.log(4.0), dtype="float32")
    z = _array(layer([z_mean, z_log_var]))
    v.expect(
        z.shape == (20000, 2),
        "returns one z per (z_mean, z_log_var) pair",
        f"returns shape {z.shape} for inputs (20000, 2)",
    )
    v.expect(
        abs(z.mean() - 3.0) < 0.05,
        "z is centred on z_mean",
        f"z averages {z.mean():.2f} where z_mean = 3: z = z_mean + sigma * eps",
    )
    v.expect(
        abs(z.std() - 2.0) < 0.05,
        "z spreads by sigma = exp(z_log_var / 2)",
        f"z spreads by {z.std():.2f} where exp(log(4) / 2) = 2: the standard deviation is "
        "exp(0.5 * z_log_var), not the variance or the log-variance",
    )
    first = _array(layer([z_mean[:4], z_log_var[:4]]))
    second = _array(layer([z_mean[:4], z_log_var[:4]]))
    v.expect(
        not np.allclose(first, second),
        "draws new noise on every call",
        "two calls gave the same z: keep a keras.random.SeedGenerator in the layer (made in "
        "__init__) and pass it as the seed, so each call draws new noise",
    )
    tight = _array(layer([z_mean[:4], np.full((4, 2), -40.0, dtype="float32")]))
    v.expect(
        np.allclose(tight, 3.0, atol=1e-3),
        "with a tiny variance z = z_mean (the randomness is all in eps)",
        "with z_log_var = -40, z should equal z_mean",
    )


@_checker
def check_vae_loss_terms(v, vae_loss_terms):
    """vae_loss_terms(images, reconstruction, z_mean, z_log_var) -> (reconstruction, kl)."""
    images = np.zeros((2, 28, 28, 1), dtype="float32")
    images[:, ::2] = 1.0
    reconstruction = np.full((2, 28, 28, 1), 0.5, dtype="float32")
    z_mean = np.array([[1.0, 2.0], [1.0, 2.0]], dtype="float32")
    z_log_var = np.zeros((2, 2), dtype="float32")
    rec, kl = vae_loss_terms(images, reconstruction, z_mean, z_log_var)
    rec, kl = _number(rec), _number(kl)
    want = 784 * math.log(2)
    v.expect(
        _close(rec, want, tol=1e-3),
        "reconstruction loss: binary cross-entropy summed over the pixels, averaged over images",
        f"reconstruction loss should be 784 * log 2 = {want:.2f} for reconstructions of 0.5, "
        f"got {rec:.2f}: sum the per-pixel cross-entropy over each image, then average",
    )
    v.expect(
        _close(kl, 2.5, tol=1e-3),
        "KL term: -1/2 sum(1 + log_var - mean^2 - exp(log_var)) per image",
        f"KL for z_mean = [1, 2], z_log_var = [0, 0] should be 2.5, got {kl:.3f}: "
        "-0.5 * sum(1 + log_var - mean**2 - exp(log_var)) over the latent dimensions",
    )
    _, zero = vae_loss_terms(images, reconstruction, np.zeros((2, 2), "float32"), z_log_var)
    v.expect(
        _close(_number(zero), 0.0),
        "KL is 0 when the code distribution is N(0, I)",
        "KL should be 0 for z_mean = 0, z_log_var = 0",
    )
