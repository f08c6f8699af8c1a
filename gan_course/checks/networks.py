"""Checks for chapters 02-04, the networks: the textbook's generator and discriminator, DCGAN
and MLP."""

import keras
import numpy as np

from ._common import _array, _changed, _checker, _close, _computes_like, _images, _noise, _weights


def _dropout_rates(model):
    return [
        round(float(layer.rate), 4)
        for layer in model.layers
        if isinstance(layer, keras.layers.Dropout)
    ]


def _generator_checks(v, generator, latent_dim, count, last_layer, reference=None):
    in_shape = tuple(generator.input_shape[1:])
    v.expect(
        in_shape == (latent_dim,),
        f"takes noise vectors of size {latent_dim}",
        f"takes inputs shaped {in_shape}: the textbook's takes noise of size {latent_dim} "
        f"(keras.Input(shape=({latent_dim},)))",
    )
    size = in_shape[0] if len(in_shape) == 1 and in_shape[0] else latent_dim
    images = _array(generator(_noise(8, size)))
    v.expect(
        images.shape == (8, 28, 28, 1),
        "makes images shaped (N, 28, 28, 1)",
        f"makes outputs shaped (N, {', '.join(map(str, images.shape[1:]))}), not "
        "(N, 28, 28, 1): check the Reshape and the last layer's channels (1 for grey)",
    )
    big = _array(generator(_noise(64, size, seed=2) * 30.0))
    low, high = float(big.min()), float(big.max())
    if low < -1 - 1e-6 or high > 1 + 1e-6:
        problem = "outputs go beyond [-1, 1]"
    else:
        problem = "outputs never go below 0 (a sigmoid?)"
    v.expect(
        low >= -1 - 1e-6 and high <= 1 + 1e-6 and low < -0.01,
        "outputs lie in [-1, 1] (tanh), like the scaled training images",
        f"{problem}: {last_layer} needs activation='tanh' so images lie in [-1, 1] like the "
        "scaled training data",
    )
    n = generator.count_params()
    v.expect(
        n == count,
        f"{count:,} parameters, as in the textbook",
        f"{n:,} parameters, the textbook's has {count:,}: compare your layers' sizes with "
        "the chapter",
    )
    different = not np.allclose(images[0], images[1])
    v.expect(
        different,
        "different noise gives different images",
        "different noise vectors give the same image: the noise must flow into the first layer",
    )
    if reference is not None and v.passed:  # one thing to fix at a time
        _computes_like(v, generator, reference(), _noise(8, latent_dim))


@_checker
def check_generator(v, build_generator):
    """The textbook DCGAN generator: build_generator() -> (N, 100) noise to (N, 28, 28, 1)."""
    from gan_course import models

    _generator_checks(v, build_generator(), 100, 865_281, "the last Conv2D", models.build_generator)


@_checker
def check_mlp_generator(v, build_mlp_generator):
    """The MLP GAN generator: build_mlp_generator() -> (N, 128) noise to (N, 28, 28, 1)."""
    from gan_course import models

    _generator_checks(
        v, build_mlp_generator(), 128, 1_493_520, "the last Dense layer", models.build_mlp_generator
    )


def _discriminator_checks(v, discriminator, count, dropout, reference):
    images = _images(16)
    out = _array(discriminator(images))
    v.expect(
        out.shape == (16, 1),
        "maps images (N, 28, 28, 1) to one number each, (N, 1)",
        f"outputs shaped {out.shape} for 16 images: end with Flatten and Dense(1)",
    )
    v.expect(
        out.min() >= 0 and out.max() <= 1,
        "outputs are probabilities in [0, 1] (sigmoid)",
        "outputs leave [0, 1]: the last Dense needs activation='sigmoid' (P(real))",
    )
    n = discriminator.count_params()
    v.expect(
        n == count,
        f"{count:,} parameters, as in the textbook",
        f"{n:,} parameters, the textbook's has {count:,}: compare your layers (filters, "
        "kernel size, strides) with the chapter",
    )
    rates = _dropout_rates(discriminator)
    v.expect(
        rates == dropout,
        f"{len(dropout)} Dropout({dropout[0]:g}) layers, as in the textbook",
        f"its Dropout layers have rates {rates}, the textbook's {dropout}: add Dropout"
        f"({dropout[0]:g}) after each LeakyReLU",
    )
    if v.passed:  # one thing to fix at a time
        _computes_like(v, discriminator, reference(), images)
    if not v.expect(
        getattr(discriminator, "compiled", False),
        "compiled, ready for train_on_batch",
        "not compiled: call discriminator.compile(loss='binary_crossentropy', optimizer=...)",
    ):
        return
    labels = np.ones((16, 1), dtype="float32")
    labels[::2] = 0
    probabilities = np.clip(_array(discriminator(images, training=False)), 1e-7, 1 - 1e-7)
    bce = float(
        np.mean(-(labels * np.log(probabilities) + (1 - labels) * np.log(1 - probabilities)))
    )
    result = discriminator.test_on_batch(images, labels)
    loss = float(np.atleast_1d(result)[0])
    v.expect(
        _close(loss, bce, tol=1e-3),
        "its loss is the binary cross-entropy",
        "its loss is not the binary cross-entropy: compile with loss='binary_crossentropy'",
    )
    before = _weights(discriminator)
    discriminator.train_on_batch(images, labels)
    v.expect(
        _changed(before, discriminator),
        "learns in train_on_batch",
        "train_on_batch leaves its weights unchanged: is discriminator.trainable False?",
    )


@_checker
def check_discriminator(v, build_discriminator):
    """The textbook DCGAN discriminator: build_discriminator() -> compiled, (N, 1) P(real)."""
    from gan_course import models

    _discriminator_checks(v, build_discriminator(), 212_865, [0.3, 0.3], models.build_discriminator)


@_checker
def check_mlp_discriminator(v, build_mlp_discriminator):
    """The MLP GAN discriminator: build_mlp_discriminator() -> compiled, (N, 1) P(real)."""
    from gan_course import models

    _discriminator_checks(
        v, build_mlp_discriminator(), 1_460_225, [0.3, 0.3, 0.3], models.build_mlp_discriminator
    )
