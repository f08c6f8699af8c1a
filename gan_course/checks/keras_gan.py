"""Checks for chapter 10, the Keras-native GAN: its train_step."""

import keras
import numpy as np

from ._common import _array, _checker, _images, _noise


def _fit_pair(gan_class, d_rate, g_rate):
    from gan_course import models

    keras.utils.set_random_seed(0)
    gan = gan_class(models.build_generator(), models.build_discriminator(dropout=0))
    gan.compile(keras.optimizers.SGD(d_rate), keras.optimizers.SGD(g_rate))
    return gan


def _trainable(model):
    return [np.array(w) for w in model.trainable_weights]


def _moved(before, model):
    """Did a trainable weight change? (Batch norm's moving averages move in any training-mode
    call, so they are left out.)"""
    return any(not np.array_equal(a, np.array(b)) for a, b in zip(before, model.trainable_weights))


def _margin(gan, real, noise):
    """mean D(real) - mean D(G(noise)), and mean D(G(noise))."""
    fake = _array(gan.discriminator(gan.generator(noise, training=False), training=False))
    return float(_array(gan.discriminator(real, training=False)).mean() - fake.mean()), fake.mean()


def _train_one_player(gan_class, player, real, noise):
    """Three steps with the other player's learning rate at 0. Returns (did the other's weights
    move, the player's aim before, after): D aims at D(real) - D(G(z)), G at D(G(z))."""
    gan = _fit_pair(gan_class, 0.05 * (player == "discriminator"), 0.05 * (player == "generator"))
    other = gan.generator if player == "discriminator" else gan.discriminator
    other_before = _trainable(other)
    before = _margin(gan, real, noise)[player == "generator"]
    for _ in range(3):
        gan.train_step(real)
    return _moved(other_before, other), before, _margin(gan, real, noise)[player == "generator"]


@_checker
def check_gan_train_step(v, gan_class):
    """gan_class(generator, discriminator), compiled with (d_optimizer, g_optimizer): its
    train_step trains D on real (1) and fake (0) images, then G through D, each with its own
    optimizer on its own weights."""
    real = np.clip(_images(32) * 0.2 + 0.5, -1, 1).astype("float32")  # brighter than G's start
    noise = _noise(32)
    gan = _fit_pair(gan_class, 0.05, 0.05)
    d_before, g_before = _trainable(gan.discriminator), _trainable(gan.generator)
    logs = gan.train_step(real)
    v.expect(
        isinstance(logs, dict) and {"d_loss", "g_loss"} <= set(logs),
        "train_step returns a dict with d_loss and g_loss",
        f"train_step returned a {type(logs).__name__} without both losses: return "
        "{'d_loss': ..., 'g_loss': ...}",
    )
    v.expect(
        _moved(d_before, gan.discriminator) and _moved(g_before, gan.generator),
        "one step changes both networks",
        "one step leaves a network unchanged: take one gradient per network and apply it with "
        "that network's optimizer",
    )
    other_moved, before, after = _train_one_player(gan_class, "discriminator", real, noise)
    v.expect(
        not other_moved,
        "the discriminator's optimizer moves only the discriminator",
        "with G's learning rate at 0 the generator still changed: apply D's optimizer to "
        "discriminator.trainable_weights only",
    )
    v.expect(
        after > before,
        "the discriminator learns to score real images above fakes (labels 1 and 0)",
        "the discriminator's steps did not push D(real) above D(fake): real images get label "
        "1 and fakes label 0",
    )
    other_moved, before, after = _train_one_player(gan_class, "generator", real, noise)
    v.expect(
        not other_moved,
        "the generator's optimizer moves only the generator (nothing needs freezing)",
        "with D's learning rate at 0 the discriminator still changed: apply G's optimizer to "
        "generator.trainable_weights only",
    )
    v.expect(
        after > before,
        "the generator learns to make D call its fakes real (label 1)",
        "the generator's steps did not raise D(G(z)): in G's step, label the fakes 1 (real)",
    )
