"""The Keras-native GAN: one keras.Model whose train_step trains D, then G, run with fit().

This is how keras-io writes its GANs (dcgan_overriding_train_step, wgan_gp, conditional_gan).
It is the same game as the textbook loop of notebook 05, written the other way round: instead
of two compiled models and the `trainable` switch, one model holds both networks and their two
optimizers, and `train_step` differentiates each loss with respect to one network's weights
only, so nothing needs freezing. `fit()` then brings what Keras gives every model: tf.data
input, callbacks (sample grids, checkpoints that resume, early stopping), per-epoch logs, and
training on several devices with `tf.distribute` (the global batch is split between replicas).

The step follows the textbook exactly: the discriminator takes one optimizer step on real
images (target `real_label`) and one on fakes (target 0), then the generator one step through
the discriminator with fresh noise and target 1. Fakes are made in training mode (batch norm
on the batch's own statistics), as the generator is when it trains.

Needs Keras' TensorFlow backend (it differentiates with tf.GradientTape).
"""

import keras
import numpy as np
import tensorflow as tf

from gan_course import precision
from gan_course.callbacks import MovingAverage, SampleGrid  # noqa: F401 (importable here too)


def _noise(n, latent_dim, seed, step, salt):
    """This replica's share of the step's noise: reproducible, new every step and draw, and
    the same numbers however the global batch is split between replicas (each replica draws
    the global batch's noise and keeps its own slice)."""
    context = tf.distribute.get_replica_context()
    replicas = 1 if context is None else context.num_replicas_in_sync
    replica = 0 if context is None else context.replica_id_in_sync_group
    pair = tf.stack(
        [tf.cast(seed, tf.int64) * 1_000_003 + tf.cast(step, tf.int64), tf.cast(salt, tf.int64)]
    )
    full = tf.random.stateless_normal((n * replicas, latent_dim), seed=pair)
    return full[replica * n : (replica + 1) * n]


class GAN(keras.Model):
    """generator + discriminator, trained with fit(): GAN(generator, discriminator).compile(...)

    generator: noise (N, latent_dim) -> images; discriminator: images -> P(real), (N, 1). Build
    them (and the optimizers) inside `strategy.scope()` to train on several devices.
    real_label: D's target for real images (1 in the textbook, 0.9 for one-sided smoothing).
    seed: makes the noise reproducible; every step and draw gets its own, the same on one
    device as on several.
    """

    def __init__(self, generator, discriminator, real_label=1.0, seed=0, **kwargs):
        super().__init__(**kwargs)
        if not 0 < real_label <= 1:
            raise ValueError(f"real_label must be in (0, 1], got {real_label!r}.")
        self._check_pair(generator, discriminator)
        for role, model in (("generator", generator), ("discriminator", discriminator)):
            if not model.trainable:
                raise ValueError(
                    f"the {role} is frozen (trainable=False), as the textbook freezes D for its "
                    f"combined model; GAN trains both itself: set {role}.trainable = True."
                )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(self._noise_shape(generator)[1])
        self.real_label = float(real_label)
        self.seed = int(seed)
        self.built = True  # both networks are built: fit's callbacks may save and load weights

    @staticmethod
    def _noise_shape(generator):
        return generator.input_shape

    def _check_pair(self, generator, discriminator):
        if len(self._noise_shape(generator)) != 2:
            raise ValueError(
                f"the generator must take noise vectors (N, latent_dim), got input shape "
                f"{generator.input_shape}."
            )
        if tuple(generator.output_shape[1:]) != tuple(discriminator.input_shape[1:]):
            raise ValueError(
                f"the generator makes {generator.output_shape[1:]} images but the discriminator "
                f"takes {discriminator.input_shape[1:]}."
            )

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss="binary_crossentropy"):
        """Two optimizers (names or instances; the textbook's Keras "adam" by default) and the
        loss both players use ("mse" makes it an LSGAN when D has no sigmoid)."""
        super().compile(optimizer=None)  # the two players' optimizers are below
        self.d_optimizer = keras.optimizers.get(d_optimizer)
        self.g_optimizer = keras.optimizers.get(g_optimizer)
        if self.d_optimizer is self.g_optimizer:
            raise ValueError("D and G need two optimizers: pass two instances, not the same one.")
        # Under mixed_float16, loss scaling as compile() gives a model's own optimizer.
        self.d_optimizer = precision.loss_scaled(self.d_optimizer, self)
        self.g_optimizer = precision.loss_scaled(self.g_optimizer, self)
        # Built now, so that a checkpoint (e.g. keras.callbacks.BackupAndRestore) restores their
        # state, step counts included, instead of skipping it.
        for optimizer, model in (
            (self.d_optimizer, self.discriminator),
            (self.g_optimizer, self.generator),
        ):
            if not optimizer.built:
                optimizer.build(model.trainable_variables)
        self.loss_fn = keras.losses.get(loss)
        self.trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ("d_loss", "g_loss", "d_acc_real", "d_acc_fake")
        }

    @property
    def metrics(self):
        return list(getattr(self, "trackers", {}).values())

    def call(self, noise, training=False):
        return self.generator(noise, training=training)

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        n = tf.shape(real)[0]
        step = self.g_optimizer.iterations
        fakes = self.generator(_noise(n, self.latent_dim, self.seed, step, 0), training=True)
        d_losses, scores = self._discriminator_steps(real, fakes)
        noise = _noise(n, self.latent_dim, self.seed, step, 1)
        g_loss = self._generator_step(
            lambda: self.discriminator(self.generator(noise, training=True), training=True)
        )
        return self._report(d_losses, g_loss, scores)

    def _discriminator_steps(self, real, fakes):
        """The textbook's order: one D update on real (real_label), one on fakes (0).

        real and fakes are D's inputs (a list where D takes labels too). Returns D's two
        losses and its two batches of scores.
        """
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        d_weights = self.discriminator.trainable_weights
        d_losses, scores = [], []
        for inputs, target in ((real, self.real_label), (fakes, 0.0)):
            with tf.GradientTape() as tape:
                p = self.discriminator(inputs, training=True)
                loss = tf.reduce_mean(self.loss_fn(tf.fill(tf.shape(p), target), p))
                # inside the tape, so that it is differentiated; scale_loss: mixed_float16's
                scaled = self.d_optimizer.scale_loss(loss / replicas)
            grads = tape.gradient(scaled, d_weights)
            self.d_optimizer.apply_gradients(zip(grads, d_weights))
            d_losses.append(loss)
            scores.append(p)
        return d_losses, scores

    def _generator_step(self, scores_of_new_fakes):
        """One G update: `scores_of_new_fakes()` makes fakes and returns D's scores for them,
        which G wants D to call real (target 1). Returns G's loss."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        g_weights = self.generator.trainable_weights
        with tf.GradientTape() as tape:
            p = scores_of_new_fakes()
            g_loss = tf.reduce_mean(self.loss_fn(tf.ones_like(p), p))
            scaled = self.g_optimizer.scale_loss(g_loss / replicas)
        grads = tape.gradient(scaled, g_weights)
        self.g_optimizer.apply_gradients(zip(grads, g_weights))
        return g_loss

    def _report(self, d_losses, g_loss, scores):
        """Update the four metrics from one step: D's losses and scores on (real, fake)."""
        self.trackers["d_loss"].update_state(0.5 * (d_losses[0] + d_losses[1]))
        self.trackers["g_loss"].update_state(g_loss)
        self.trackers["d_acc_real"].update_state(tf.cast(scores[0] > 0.5, "float32"))
        self.trackers["d_acc_fake"].update_state(tf.cast(scores[1] < 0.5, "float32"))
        return {name: tracker.result() for name, tracker in self.trackers.items()}


def weights_moved_by_generator_step(gan, batch_size=8, seed=0):
    """Run one generator update of a fitted `gan` on its own; say whose weights moved.

    Returns {"generator": bool, "discriminator": bool} for the trainable weights. In a correct
    GAN only the generator's move: its train_step applies G's gradients to G's weights, so the
    discriminator needs no freeze. (A check before and after a whole fit() cannot show this:
    D moves in its own updates anyway.) The update is real: G takes one more step.
    """
    if not isinstance(gan, GAN) or not gan.compiled:
        raise ValueError("weights_moved_by_generator_step needs a compiled gan_model.GAN.")
    noise = tf.random.stateless_normal((batch_size, gan.latent_dim), seed=[seed, 7])
    before = {
        name: [np.array(w) for w in model.trainable_weights]
        for name, model in (("generator", gan.generator), ("discriminator", gan.discriminator))
    }
    gan._generator_step(
        lambda: gan.discriminator(gan.generator(noise, training=True), training=True)
    )
    models = {"generator": gan.generator, "discriminator": gan.discriminator}
    return {
        name: any(
            not np.array_equal(a, np.array(b))
            for a, b in zip(weights, models[name].trainable_weights)
        )
        for name, weights in before.items()
    }


def make_dataset(x_train, batch_size=32, seed=0):
    """x_train (N, H, W, C) in [-1, 1] as a shuffled tf.data pipeline of full batches.

    batch_size is the global batch: under tf.distribute, fit() splits it between replicas.
    """
    x_train = np.asarray(x_train, dtype="float32")
    if x_train.ndim != 4:
        raise ValueError(f"x_train must be images (N, H, W, C), got shape {x_train.shape}.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive whole number, got {batch_size!r}.")
    if batch_size > len(x_train):
        raise ValueError(f"batch_size {batch_size} is more than the {len(x_train)} images.")
    return (
        tf.data.Dataset.from_tensor_slices(x_train)
        .shuffle(len(x_train), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )


def fit_gan(gan, x_train, steps, batch_size=32, callbacks=(), seed=0, verbose=0):
    """gan.fit() for `steps` steps (rounded down to whole epochs): an epoch is one pass over
    x_train (the last partial batch dropped), or `steps` batches if that is fewer. Returns
    fit's History (one number per epoch for each metric)."""
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive whole number, got {steps!r}.")
    per_epoch = min(len(x_train) // batch_size, steps)
    dataset = make_dataset(x_train, batch_size, seed=seed).repeat()
    return gan.fit(
        dataset,
        epochs=steps // per_epoch,
        steps_per_epoch=per_epoch,
        callbacks=list(callbacks),
        verbose=verbose,
        shuffle=False,
    )
