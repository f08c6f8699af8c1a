"""A diffusion model (확산 모델, Ho et al., 2020; DDIM: Song et al., 2021), small enough for a CPU.

The forward process (순방향 과정) adds Gaussian noise in T small steps until an image is pure
noise; step t keeps sqrt(1 - beta_t) of the signal. Its closed form jumps there at once:

    x_t = sqrt(alpha_bar_t) * x_0 + sqrt(1 - alpha_bar_t) * noise,  alpha_bar_t = prod(1 - beta)

A network learns the reverse: given x_t and t, predict the noise (노이즈 예측). That is plain
regression with a mean squared error, so Keras' own `fit` trains it on batches that
`NoisyBatches` makes. Sampling starts from pure noise and removes the predicted noise step
by step: `ddpm_step` (T stochastic steps) or `ddim_step` (deterministic, may skip steps, so
50 steps do the work of 1,000).

Everything here is numpy plus a Keras model, so it runs on any Keras backend (TensorFlow on
the course's CPUs, JAX on a GPU).
"""

import math

import keras
import numpy as np
from keras import layers, ops

T = 1000


def cosine_schedule(steps=T, s=0.008, max_beta=0.999):
    """The betas of the cosine schedule (Nichol and Dhariwal, 2021): float64 (steps,).

    alpha_bar_t follows cos^2 from 1 to 0, so the signal fades evenly; the linear schedule of
    the DDPM paper destroys small images' signal too early (see `linear_schedule`).
    """
    _check_steps(steps)
    f = np.cos((np.arange(steps + 1) / steps + s) / (1 + s) * math.pi / 2) ** 2
    return np.clip(1 - f[1:] / f[:-1], 0, max_beta)


def linear_schedule(steps=T, beta_start=1e-4, beta_end=0.02):
    """The betas of the DDPM paper: linear from 1e-4 to 0.02 over 1,000 steps, float64."""
    _check_steps(steps)
    if not 0 < beta_start < beta_end < 1:
        raise ValueError(f"need 0 < beta_start < beta_end < 1, got {beta_start}, {beta_end}.")
    return np.linspace(beta_start, beta_end, steps)


def _check_steps(steps):
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(
            f"steps must be a whole number >= 2 (the course uses 1000), got {steps!r}."
        )


def alpha_bars(betas):
    """alpha_bar_t = prod_{s <= t} (1 - beta_s): how much of x_0 is left at step t."""
    betas = np.asarray(betas, dtype=np.float64)
    if betas.ndim != 1 or np.any(betas <= 0) or np.any(betas >= 1):
        raise ValueError("betas must be a 1-D array of values strictly between 0 and 1.")
    return np.cumprod(1 - betas)


def _at(values, t, like):
    """values[t] shaped to broadcast against a batch of images `like`."""
    t = np.asarray(t)
    if np.any(t < 0) or np.any(t >= len(values)):
        raise ValueError(f"t must be step numbers from 0 to {len(values) - 1}, got {t!r}.")
    return np.asarray(values)[t].reshape(t.shape + (1,) * (np.ndim(like) - t.ndim))


def forward_step(x_prev, t, noise, betas):
    """One step of the forward process: x_t = sqrt(1 - beta_t) x_{t-1} + sqrt(beta_t) noise."""
    beta = _at(betas, t, x_prev)
    return np.sqrt(1 - beta) * x_prev + np.sqrt(beta) * noise


def add_noise(x0, t, noise, alpha_bar):
    """The closed form: x_t = sqrt(alpha_bar_t) x_0 + sqrt(1 - alpha_bar_t) noise, any t at once."""
    a = _at(alpha_bar, t, x0)
    return np.sqrt(a) * x0 + np.sqrt(1 - a) * noise


def predict_x0(x_t, t, noise, alpha_bar):
    """Invert add_noise: the x_0 that `noise` (true or predicted) implies at step t."""
    a = _at(alpha_bar, t, x_t)
    return (x_t - np.sqrt(1 - a) * noise) / np.sqrt(a)


def ddim_step(x_t, t, t_prev, noise, alpha_bar, clip=True, eta=0.0, rng=None):
    """DDIM: jump from step t to an earlier step t_prev (-1 means the clean image).

    Estimate x_0 from the noise, then noise it again to t_prev. With eta = 0 (deterministic)
    the same noise goes back in: given the true noise this lands exactly on
    add_noise(x_0, t_prev, noise). With eta = 1 part of it is fresh noise drawn from `rng`
    (then every step of the schedule is a DDPM step; with fewer steps, a strided DDPM).
    clip keeps the x_0 estimate in the images' range [-1, 1].
    """
    x0 = predict_x0(x_t, t, noise, alpha_bar)
    if clip:
        x0 = np.clip(x0, -1, 1)
    if np.all(np.asarray(t_prev) < 0):
        return x0
    a, a_prev = _at(alpha_bar, t, x_t), _at(alpha_bar, t_prev, x_t)
    sigma = eta * np.sqrt((1 - a_prev) / (1 - a) * (1 - a / a_prev))
    x_prev = np.sqrt(a_prev) * x0 + np.sqrt(1 - a_prev - sigma**2) * noise
    if eta > 0:
        x_prev = x_prev + sigma * rng.standard_normal(np.shape(x_t))
    return x_prev


def ddpm_step(x_t, t, noise, betas, rng, clip=True):
    """DDPM: one stochastic step from t to t - 1, x_{t-1} ~ q(x_{t-1} | x_t, x_0 estimate).

    The posterior's mean mixes the x_0 estimate and x_t; its variance is
    beta_t (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t). At t = 0 it returns the x_0 estimate.
    """
    alpha_bar = alpha_bars(betas)
    x0 = predict_x0(x_t, t, noise, alpha_bar)
    if clip:
        x0 = np.clip(x0, -1, 1)
    if t == 0:
        return x0
    beta, a, a_prev = betas[t], alpha_bar[t], alpha_bar[t - 1]
    mean = (np.sqrt(a_prev) * beta * x0 + np.sqrt(1 - beta) * (1 - a_prev) * x_t) / (1 - a)
    variance = beta * (1 - a_prev) / (1 - a)
    return mean + np.sqrt(variance) * rng.standard_normal(x_t.shape)


@keras.saving.register_keras_serializable(package="gan_course")
class SinusoidalEmbedding(layers.Layer):
    """The noise level t/T in [0, 1] -> sines and cosines of `dim` frequencies (N, dim),
    so the network can tell nearby noise levels apart (the Transformer's position code)."""

    def __init__(self, dim=32, max_frequency=1000.0, **kwargs):
        super().__init__(**kwargs)
        self.dim, self.max_frequency = dim, max_frequency

    def call(self, level):
        frequencies = ops.exp(ops.linspace(0.0, math.log(self.max_frequency), self.dim // 2)) * (
            2 * math.pi
        )
        angles = ops.cast(level, "float32") * frequencies
        return ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)

    def get_config(self):
        return {**super().get_config(), "dim": self.dim, "max_frequency": self.max_frequency}


def _residual_block(x, width):
    skip = x if x.shape[-1] == width else layers.Conv2D(width, 1)(x)
    x = layers.BatchNormalization(center=False, scale=False)(x)
    x = layers.Conv2D(width, 3, padding="same", activation="swish")(x)
    x = layers.Conv2D(width, 3, padding="same")(x)
    return layers.Add()([x, skip])


def build_unet(image_size=16, widths=(32, 64, 96), block_depth=2, embedding_dim=32):
    """A small U-Net: [noisy images (N, S, S, 1), noise level t/T (N, 1)] -> predicted noise.

    Down: residual blocks and average pooling at each width but the last; the bottom works at
    S / 2**(len(widths) - 1); up: bilinear upsampling and the skip connections of the same
    size. The noise level enters as a sinusoidal embedding spread over the image (keras-io's
    DDIM example does the same). The last layer starts at zero: the first guess is "no noise".
    """
    if image_size % 2 ** (len(widths) - 1):
        raise ValueError(
            f"image_size {image_size} must be divisible by 2**(len(widths) - 1) = "
            f"{2 ** (len(widths) - 1)}: each width but the last halves the image."
        )
    noisy = keras.Input((image_size, image_size, 1), name="noisy_images")
    level = keras.Input((1,), name="noise_level")
    e = SinusoidalEmbedding(embedding_dim)(level)
    e = layers.UpSampling2D(image_size)(layers.Reshape((1, 1, embedding_dim))(e))
    x = layers.Concatenate()([layers.Conv2D(widths[0], 1)(noisy), e])
    skips = []
    for width in widths[:-1]:
        for _ in range(block_depth):
            x = _residual_block(x, width)
            skips.append(x)
        x = layers.AveragePooling2D(2)(x)
    for _ in range(block_depth):
        x = _residual_block(x, widths[-1])
    for width in reversed(widths[:-1]):
        x = layers.UpSampling2D(interpolation="bilinear")(x)
        for _ in range(block_depth):
            x = _residual_block(layers.Concatenate()([x, skips.pop()]), width)
    out = layers.Conv2D(  # float32 under a mixed policy too: the output feeds the loss
        1, 1, kernel_initializer="zeros", name="predicted_noise", dtype="float32"
    )(x)
    return keras.Model([noisy, level], out, name="unet")


class NoisyBatches(keras.utils.PyDataset):
    """Training batches for noise prediction: ((x_t, t / T), noise) from clean images x_0.

    Each batch draws fresh steps t uniformly and fresh noise, so one pass over the images
    (an "epoch") shows each at a new noise level. images: float (N, S, S, 1) in [-1, 1].
    """

    def __init__(self, images, betas, batch_size=64, seed=0, **kwargs):
        super().__init__(**kwargs)
        images = np.asarray(images, dtype=np.float32)
        if images.ndim != 4 or images.shape[-1] != 1 or images.min() < -1 or images.max() > 1:
            raise ValueError(
                f"NoisyBatches expects images (N, S, S, 1) in [-1, 1] "
                f"(data.scale_images gives that); got {images.shape}."
            )
        self.images, self.batch_size = images, batch_size
        self.alpha_bar = alpha_bars(betas)
        self.rng = np.random.default_rng(seed)

    def __len__(self):
        return len(self.images) // self.batch_size

    def __getitem__(self, index):
        x0 = self.images[self.rng.integers(len(self.images), size=self.batch_size)]
        t = self.rng.integers(len(self.alpha_bar), size=self.batch_size)
        noise = self.rng.standard_normal(x0.shape).astype(np.float32)
        x_t = add_noise(x0, t, noise, self.alpha_bar).astype(np.float32)
        level = (t[:, None] / len(self.alpha_bar)).astype(np.float32)
        return (x_t, level), noise


def resize(images, size):
    """Images (N, S, S, 1) -> (N, size, size, 1): area averaging down, bilinear up."""
    images = np.asarray(images, dtype=np.float32)
    method = "area" if size < images.shape[1] else "bilinear"
    return np.asarray(ops.image.resize(images, (size, size), interpolation=method))


def predict_noise(model, x_t, t, steps=T):
    """The model's noise estimate for images x_t at step t (one int for the whole batch)."""
    level = np.full((len(x_t), 1), t / steps, dtype=np.float32)
    inputs = [x_t.astype(np.float32), level]
    if isinstance(model, keras.Model):  # its compiled predict function: twice as fast as a call
        return np.asarray(model.predict_on_batch(inputs), dtype=np.float64)
    return np.asarray(model(inputs, training=False), dtype=np.float64)


def sample(model, n, betas, method="ddim", sampling_steps=50, seed=0, image_size=None, eta=0.0):
    """Draw n images (n, S, S, 1) in [-1, 1], starting from pure noise.

    method "ddim": sampling_steps evenly spaced steps; eta = 0 is deterministic given the
    seed's starting noise, eta = 1 adds fresh noise at each step (a strided DDPM);
    "ddpm": all T steps, each adding fresh noise (sampling_steps and eta are ignored).
    """
    if method not in ("ddim", "ddpm"):
        raise ValueError(f"method must be 'ddim' or 'ddpm', got {method!r}.")
    steps = len(betas)
    if method == "ddim" and not 1 <= sampling_steps <= steps:
        raise ValueError(f"sampling_steps must be from 1 to {steps}, got {sampling_steps!r}.")
    if not 0 <= eta <= 1:
        raise ValueError(f"eta must be from 0 (deterministic) to 1 (DDPM-like), got {eta!r}.")
    size = image_size or model.inputs[0].shape[1]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, size, size, 1))
    alpha_bar = alpha_bars(betas)
    if method == "ddpm":
        for t in range(steps - 1, -1, -1):
            x = ddpm_step(x, t, predict_noise(model, x, t, steps), betas, rng)
    else:
        schedule = np.linspace(steps - 1, 0, sampling_steps).round().astype(int)
        for t, t_prev in zip(schedule, list(schedule[1:]) + [-1]):
            noise = predict_noise(model, x, t, steps)
            x = ddim_step(x, t, t_prev, noise, alpha_bar, eta=eta, rng=rng)
    return np.clip(x, -1, 1).astype(np.float32)
