"""Checks for chapter 06, autoencoders: the dense autoencoder and add_noise."""

import numpy as np

from ._common import _array, _checker, _computes_like, _images


@_checker
def check_autoencoder(v, build_autoencoder):
    """build_autoencoder(latent_dim=32) -> (autoencoder, encoder, decoder), images in [0, 1]."""
    autoencoder, encoder, decoder = build_autoencoder(latent_dim=32)
    images = _images(32, value_range=(0, 1))
    codes = _array(encoder(images))
    v.expect(
        codes.shape == (32, 32),
        "the encoder squeezes each image into a code of 32 numbers",
        f"the encoder makes codes shaped {codes.shape[1:]}: it should end in Dense(latent_dim)",
    )
    out = _array(decoder(codes))
    extreme = _array(decoder(np.random.default_rng(3).normal(0, 50, codes.shape)))
    v.expect(
        out.shape == (32, 28, 28, 1) and extreme.min() >= 0 and extreme.max() <= 1,
        "the decoder turns codes back into images (N, 28, 28, 1) in [0, 1]",
        f"the decoder makes outputs shaped {out.shape[1:]} that can leave [0, 1]: end with "
        "Dense(784, activation='sigmoid') and Reshape((28, 28, 1))",
    )
    whole = _array(autoencoder(images))
    v.expect(
        whole.shape == out.shape and np.allclose(whole, out, atol=1e-5),
        "the autoencoder is decoder(encoder(x))",
        "autoencoder(x) differs from decoder(encoder(x)): chain the two models you return",
    )
    from gan_course import autoencoders

    if v.passed:
        _computes_like(v, autoencoder, autoencoders.build_dense_autoencoder(32)[0], images)
    if not v.expect(
        getattr(autoencoder, "compiled", False),
        "compiled",
        "the autoencoder is not compiled: compile(optimizer='adam', loss='binary_crossentropy')",
    ):
        return
    first = float(np.atleast_1d(autoencoder.train_on_batch(images, images))[0])
    for _ in range(30):
        last = float(np.atleast_1d(autoencoder.train_on_batch(images, images))[0])
    v.expect(
        last < first,
        "learns to reconstruct: its loss falls over 30 steps",
        "its loss did not fall over 30 steps of train_on_batch(x, x): the target is the input",
    )


@_checker
def check_add_noise(v, add_noise):
    """add_noise(images, std=0.5, rng=None) -> noisy copies, still in [0, 1]."""
    images = _images(8, value_range=(0, 1))
    noisy = _array(add_noise(images, 0.5, np.random.default_rng(0)))
    v.expect(
        noisy.shape == images.shape,
        "keeps the images' shape",
        f"returns shape {noisy.shape} for images {images.shape}",
    )
    v.expect(
        noisy.min() >= 0 and noisy.max() <= 1,
        "stays in [0, 1] (clipped)",
        "noisy images leave [0, 1]: clip them (np.clip(noisy, 0, 1))",
    )
    spread = float(np.std(noisy - images))
    v.expect(
        0.2 < spread < 0.6,
        "adds noise of the asked strength",
        "the noise is much weaker or stronger than std=0.5: images + rng.normal(0, std, shape)",
    )
    again = _array(add_noise(images, 0.5, np.random.default_rng(0)))
    v.expect(
        np.array_equal(noisy, again),
        "the same random generator gives the same noise (reproducible)",
        "two calls with the same seeded rng gave different noise: draw from the rng passed in",
    )
