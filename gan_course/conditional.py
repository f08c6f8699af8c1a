"""The conditional GAN (조건부 GAN, Mirza and Osindero, 2014): ask for the digit you want.

Both players are told the label y. The generator gets [noise, y] and must make a y; the
discriminator gets [image, y] and asks "is this a real y?". A real 3 shown with the label 7
is then as wrong as a fake, so the generator cannot ignore y.

The label enters as a one-hot vector: concatenated to the noise for the generator, and spread
over the image as 10 extra channels for the discriminator (keras-io's conditional_gan does the
same). Behind that, both are the textbook networks of gan_course.models. Training is the
Keras-native GAN of notebook 10 with labels added: `ConditionalGAN.fit` on (images, labels).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from gan_course import models
from gan_course.gan_model import GAN, _noise


def check_labels(labels, num_classes=10, n=None):
    """Return labels as int32 (N,), or raise ValueError saying what was expected.

    Accepts whole numbers 0..num_classes-1 in a list or a 1-D array (a column (N, 1) is
    flattened); `n`, if given, is the number of labels needed (one per noise vector).
    """
    array = np.asarray(labels)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    hint = f"one whole number from 0 to {num_classes - 1} per image, e.g. np.arange(10)"
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"labels must be a 1-D list of {hint}; got shape {array.shape}.")
    if array.dtype.kind == "f" and np.all(array == np.round(array)):
        array = array.astype(np.int64)
    if array.dtype.kind not in "iu":
        raise ValueError(f"labels must be {hint}; got {array.dtype} values.")
    if array.min() < 0 or array.max() >= num_classes:
        raise ValueError(f"labels must be {hint}; got values from {array.min()} to {array.max()}.")
    if n is not None and len(array) != n:
        raise ValueError(f"got {len(array)} labels for {n} images: give one label per image.")
    return array.astype(np.int32)


def build_conditional_generator(latent_dim=100, num_classes=10, image_shape=(28, 28, 1)):
    """[noise (N, latent_dim), labels (N,) ints] -> images (N, H, W, C) in [-1, 1].

    one_hot(label) is concatenated to the noise and fed to the textbook generator
    (models.build_generator with latent_dim + num_classes inputs).
    """
    noise = keras.Input(shape=(latent_dim,), name="noise")
    label = keras.Input(shape=(1,), dtype="int32", name="label")
    one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot")(label)
    body = models.build_generator(latent_dim + num_classes, image_shape)
    images = body(layers.Concatenate()([noise, one_hot]))
    return keras.Model([noise, label], images, name="conditional_generator")


def build_conditional_discriminator(input_shape=(28, 28, 1), num_classes=10, dropout=0.3):
    """[images (N, H, W, C), labels (N,) ints] -> P(a real image of that label), (N, 1).

    one_hot(label) is repeated over every pixel as num_classes extra channels and stacked on
    the image; then the textbook discriminator's layers. Not compiled (ConditionalGAN trains it).
    """
    height, width, channels = input_shape
    image = keras.Input(shape=input_shape, name="image")
    label = keras.Input(shape=(1,), dtype="int32", name="label")
    one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot")(label)
    maps = layers.UpSampling2D((height, width))(layers.Reshape((1, 1, num_classes))(one_hot))
    x = layers.Concatenate()([image, maps])
    for filters in (64, 128):  # the textbook discriminator's layers
        x = layers.Conv2D(filters, 5, strides=2, padding="same")(x)
        x = layers.LeakyReLU(0.2)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    p_real = layers.Dense(1, activation="sigmoid", dtype="float32")(layers.Flatten()(x))
    return keras.Model([image, label], p_real, name="conditional_discriminator")


class ConditionalGAN(GAN):
    """GAN (gan_model) whose players also get the label: fit it on (images, labels) batches.

    Each step: D learns (real image, its label) -> real and (G(z, the same labels), labels) ->
    fake, then G learns through D with fresh noise and fresh random labels. Metrics as GAN's.
    """

    def __init__(self, generator, discriminator, num_classes=10, **kwargs):
        self.num_classes = int(num_classes)
        super().__init__(generator, discriminator, **kwargs)

    @staticmethod
    def _noise_shape(generator):
        return generator.input_shape[0] if isinstance(generator.input_shape, list) else (0,)

    def _check_pair(self, generator, discriminator):
        for role, first in (("generator", "noise"), ("discriminator", "images")):
            model = generator if role == "generator" else discriminator
            if not isinstance(model.input_shape, list) or len(model.input_shape) != 2:
                raise ValueError(
                    f"the {role} must take two inputs, [{first}, labels]: build it with "
                    f"conditional.build_conditional_{role}."
                )
        if tuple(generator.output_shape[1:]) != tuple(discriminator.input_shape[0][1:]):
            raise ValueError(
                f"the generator makes {generator.output_shape[1:]} images but the discriminator "
                f"takes {discriminator.input_shape[0][1:]}."
            )

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def train_step(self, data):
        real, labels = data[0], tf.reshape(tf.cast(data[1], "int32"), (-1, 1))
        n = tf.shape(real)[0]
        step = self.g_optimizer.iterations
        noise = _noise(n, self.latent_dim, self.seed, step, 0)
        fakes = self.generator([noise, labels], training=True)
        d_losses, scores = self._discriminator_steps([real, labels], [fakes, labels])
        noise = _noise(n, self.latent_dim, self.seed, step, 1)
        asked = tf.random.stateless_uniform(
            (n, 1),
            seed=tf.stack([tf.cast(self.seed, tf.int64), tf.cast(step, tf.int64)]),
            maxval=self.num_classes,
            dtype="int32",
        )
        g_loss = self._generator_step(
            lambda: self.discriminator(
                [self.generator([noise, asked], training=True), asked], training=True
            )
        )
        return self._report(d_losses, g_loss, scores)


def generate(generator, labels, seed=0, noise=None):
    """Images of the asked-for labels: one per label, noise drawn with `seed` (or given)."""
    labels = check_labels(labels, _num_classes(generator))
    latent_dim = generator.input_shape[0][1]
    if noise is None:
        noise = np.random.default_rng(seed).normal(size=(len(labels), latent_dim))
    noise = np.asarray(noise, dtype="float32")
    if noise.shape != (len(labels), latent_dim):
        raise ValueError(
            f"noise must be ({len(labels)}, {latent_dim}), one vector per label; got {noise.shape}."
        )
    return keras.ops.convert_to_numpy(generator([noise, labels[:, None]], training=False))


def control_shares(values):
    """What the noise and what the label control: (noise share, label share) of a variance.

    values: (n_noise, n_labels), one number per image (e.g. latent.slant) for every noise
    vector (rows) drawn with every label (columns). The noise share is the part of the variance
    that the row explains (1 - the mean variance within a row / the whole variance), the label
    share the part the column means explain (the variance of the column means / the whole
    variance): a two-way analysis of variance. A measure that only the label sets has noise
    share 0 and label share 1; one that only the noise sets, the other way round.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2 or min(values.shape) < 2 or not np.all(np.isfinite(values)):
        raise ValueError(
            "control_shares needs finite numbers (n_noise, n_labels), at least 2 x 2: one row "
            f"per noise vector, one column per label; got shape {values.shape}."
        )
    total = values.var()
    if total == 0:
        raise ValueError("every value is the same: there is no variance to share out.")
    by_noise = 1 - values.var(axis=1).mean() / total
    by_label = values.mean(axis=0).var() / total
    return float(by_noise), float(by_label)


def _num_classes(generator):
    for layer in generator.layers:
        if isinstance(layer, layers.CategoryEncoding):
            return layer.num_tokens
    raise ValueError("not a conditional generator: it has no CategoryEncoding of its labels.")


def build_conditional_recipe(steps=4000, seed=0, latent_dim=100, num_classes=10):
    """The chapter's conditional GAN, compiled, with the settings of the course's best MNIST
    recipe (recipes.RECIPES["best"], notebook 09) where they apply: no dropout in D,
    Adam(beta_1=0.5) with D at 5e-4 and G at 2e-3, both falling linearly to 0 over `steps`,
    real label 0.9, batches of 32, and samples from a moving average of G (decay 0.999). The
    best recipe's latent mixture is left out: the label already splits the latent space into
    ten islands, one per digit.

    Returns (cgan, fit_kwargs); train with fit_conditional_gan(cgan, x, y, **fit_kwargs) and
    sample from fit_kwargs["callbacks"][0].ema_generator (or cgan.generator, the raw one).
    """
    from gan_course.callbacks import MovingAverage
    from gan_course.recipes import RECIPES

    best = RECIPES["best"]

    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive whole number, got {steps!r}.")

    def adam(rate, updates_per_step):
        schedule = keras.optimizers.schedules.PolynomialDecay(
            rate, decay_steps=steps * updates_per_step, end_learning_rate=0.0
        )
        return keras.optimizers.Adam(schedule, beta_1=best["beta_1"])

    cgan = ConditionalGAN(
        build_conditional_generator(latent_dim, num_classes),
        build_conditional_discriminator(num_classes=num_classes, dropout=best["d_dropout"]),
        num_classes=num_classes,
        real_label=best["real_label"],
        seed=seed,
    )
    cgan.compile(
        adam(best["d_learning_rate"], updates_per_step=2),
        adam(best["g_learning_rate"], updates_per_step=1),
    )
    ema_generator = build_conditional_generator(latent_dim, num_classes)
    ema = MovingAverage(ema_generator, decay=best["ema_decay"])
    return cgan, {"steps": steps, "batch_size": best["batch_size"], "callbacks": [ema]}


def fit_conditional_gan(cgan, x_train, y_train, steps, batch_size=32, callbacks=(), seed=0):
    """cgan.fit() on shuffled (images, labels) batches for `steps` steps (whole epochs of
    len(x_train) // batch_size batches, or `steps` batches if fewer). Returns the History."""
    x_train = np.asarray(x_train, dtype="float32")
    y_train = check_labels(y_train, cgan.num_classes, n=len(x_train))
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive whole number, got {steps!r}.")
    per_epoch = min(len(x_train) // batch_size, steps)
    dataset = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train))
        .shuffle(len(x_train), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size, drop_remainder=True)
        .repeat()
        .prefetch(tf.data.AUTOTUNE)
    )
    return cgan.fit(
        dataset,
        epochs=steps // per_epoch,
        steps_per_epoch=per_epoch,
        callbacks=list(callbacks),
        verbose=0,
        shuffle=False,
    )
