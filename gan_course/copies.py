"""Is a generated image new, or a copy of a training image?

A generator that memorised its data would hand back training images, perhaps a little blurred,
shifted by a pixel or two, or with another contrast. A plain pixel distance misses those: a
blurred copy is far, in pixels, from its original. `copy_similarity` compares two images after
taking those three differences out:

- the training image is also compared blurred, by several amounts (a blurred copy then meets
  its original blurred about as much);
- the image is shifted by up to `max_shift` pixels each way and the best shift is kept (only
  the central crop that every shift covers is compared, so nothing wraps around);
- each crop's mean and spread are removed, so brightness and contrast do not count.

What is left is a correlation: 1.0 for the same picture up to blur, shift and contrast, about
0 for unrelated ones. `find_copies` calls an image a copy when it is more similar to some
training image than any held-out real image (real, so certainly no copy) is: the held-out
images say how close "new" may come.
"""

from dataclasses import dataclass

import numpy as np


def _as_stack(images, name):
    images = np.asarray(images, dtype="float32")
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.shape[0] == 0:
        raise ValueError(
            f"{name} must be a non-empty stack of grey images, (N, H, W) or (N, H, W, 1); got "
            f"shape {images.shape}."
        )
    if not np.all(np.isfinite(images)):
        raise ValueError(f"{name} contains NaN or infinite pixels.")
    return images


def blur(images, sigma=1.0):
    """Gaussian blur of each image of a stack (N, H, W), separable, edges repeated."""
    if sigma <= 0:
        return images
    radius = max(1, int(round(3 * sigma)))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    padded = np.pad(images, ((0, 0), (radius, radius), (radius, radius)), mode="edge")
    height, width = images.shape[1:]
    rows = sum(t * padded[:, i : i + height, :] for i, t in enumerate(taps))
    return sum(t * rows[:, :, i : i + width] for i, t in enumerate(taps))


def _unit_rows(crops):
    flat = crops.reshape(len(crops), -1).astype("float64")
    flat -= flat.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    return (flat / np.maximum(norms, 1e-8)).astype("float32")  # a blank crop correlates 0


def copy_similarity(images, training_images, blurs=(0.0, 0.35, 0.7, 1.0, 1.4, 2.0), max_shift=2):
    """For each image, its highest similarity to any training image, and which one.

    The similarity is the correlation of the image with a training image blurred by one of
    `blurs` (Gaussian sigmas, in pixels; a blurred copy matches its original blurred the same
    way), at the best shift of the image by up to `max_shift` pixels each way, on the central
    crop, with mean and contrast removed (see the module's text). Images in any one range, as
    long as both sets share it. Returns (similarity (N,), index of that training image (N,)).
    """
    images = _as_stack(images, "images")
    training_images = _as_stack(training_images, "training_images")
    if images.shape[1:] != training_images.shape[1:]:
        raise ValueError(
            f"images {images.shape[1:]} and training_images {training_images.shape[1:]} must "
            "have the same height and width."
        )
    s = int(max_shift)
    height, width = images.shape[1:]
    if s < 0 or 2 * s >= min(height, width):
        raise ValueError(f"max_shift must be between 0 and {min(height, width) // 2 - 1}.")
    crop = (slice(None), slice(s, height - s), slice(s, width - s))
    shifted = [
        _unit_rows(np.roll(images, (dy, dx), axis=(1, 2))[crop])
        for dy in range(-s, s + 1)
        for dx in range(-s, s + 1)
    ]
    best = np.full(len(images), -np.inf)
    index = np.zeros(len(images), dtype=int)
    for sigma in blurs:
        train = _unit_rows(blur(training_images, sigma)[crop])
        for rows in shifted:
            similarity = rows @ train.T
            closest = similarity.argmax(axis=1)
            value = similarity[np.arange(len(images)), closest]
            better = value > best
            best[better], index[better] = value[better], closest[better]
    return best, index


@dataclass
class CopyReport:
    """What find_copies measured: each image's similarity, the threshold and the flags."""

    similarity: np.ndarray
    nearest: np.ndarray
    threshold: float
    held_out_similarity: np.ndarray

    @property
    def is_copy(self):
        return self.similarity > self.threshold

    @property
    def copies(self):
        return int(self.is_copy.sum())

    def __str__(self):
        return (
            f"{self.copies} of {len(self.similarity)} images are copies (more similar to a "
            f"training image than any of {len(self.held_out_similarity)} held-out real images, "
            f"{self.threshold:.3f}); most similar: {self.similarity.max():.3f}"
        )


def find_copies(images, training_images, held_out_images, **kwargs):
    """Flag the images that are copies of training images (see the module's text).

    held_out_images: real images the generator never saw (e.g. test digits, a held-out photo
    of each person). Their highest similarity to the training set is the threshold. kwargs go
    to copy_similarity (blurs, max_shift).
    """
    held_out, _ = copy_similarity(held_out_images, training_images, **kwargs)
    similarity, nearest = copy_similarity(images, training_images, **kwargs)
    return CopyReport(similarity, nearest, float(held_out.max()), held_out)
