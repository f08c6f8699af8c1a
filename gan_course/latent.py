"""Walks and arithmetic in a latent space (잠재 공간): interpolation and attribute vectors.

A generator or decoder maps a latent vector z to an image. Nearby z give similar images, so
walking a straight (or great-circle) path between two z shows one image turning smoothly into
another, and adding a direction that encodes a feature ("thicker strokes", "more like a 7")
changes that feature. All functions take and return float numpy arrays; a batch of latent
vectors is shaped (N, latent_dim).
"""

from statistics import NormalDist

import numpy as np


def _as_vector(z, name):
    z = np.asarray(z, dtype=np.float64)
    if z.ndim == 2 and z.shape[0] == 1:
        z = z[0]
    if z.ndim != 1 or z.size == 0:
        raise ValueError(f"{name} must be one latent vector of shape (latent_dim,), got {z.shape}.")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{name} holds NaN or infinite values.")
    return z


def _pair(z0, z1, steps):
    z0, z1 = _as_vector(z0, "z0"), _as_vector(z1, "z1")
    if z0.shape != z1.shape:
        raise ValueError(f"z0 and z1 must have the same size, got {z0.shape} and {z1.shape}.")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise ValueError(f"steps must be a whole number >= 2 (both ends included), got {steps!r}.")
    return z0, z1, np.linspace(0.0, 1.0, steps)


def interpolate(z0, z1, steps=8):
    """Return `steps` points on the straight line from z0 to z1, ends included: (steps, dim)."""
    z0, z1, t = _pair(z0, z1, steps)
    path = (1 - t)[:, None] * z0 + t[:, None] * z1
    path[0], path[-1] = z0, z1
    return path


def slerp(z0, z1, steps=8):
    """Return `steps` points on the great-circle arc from z0 to z1, ends included: (steps, dim).

    Spherical interpolation keeps the norm between |z0| and |z1| (equal norms stay equal),
    where a straight line between two Gaussian latent vectors cuts through the low-norm middle
    that the generator rarely saw in training. Nearly parallel vectors fall back to a line.
    Opposite vectors (z1 = -c z0) have no single great circle between them: slerp takes the
    half circle through a fixed direction perpendicular to z0, so the norm is kept there too.
    """
    z0, z1, t = _pair(z0, z1, steps)
    n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
    if n0 == 0 or n1 == 0:
        raise ValueError("slerp needs non-zero vectors: the angle to a zero vector is undefined.")
    omega = np.arccos(np.clip(np.dot(z0 / n0, z1 / n1), -1.0, 1.0))
    if np.pi - omega < 1e-6:  # antipodal: go round through a direction perpendicular to z0
        if z0.size < 2:
            raise ValueError("slerp between opposite 1-D vectors has no arc: use interpolate.")
        axis = np.zeros_like(z0)
        axis[np.argmin(np.abs(z0))] = 1.0
        side = axis - np.dot(axis, z0 / n0) * z0 / n0
        side /= np.linalg.norm(side)
        angle = np.pi * t[:, None]
        path = np.cos(angle) * z0 / n0 + np.sin(angle) * side
        path *= ((1 - t) * n0 + t * n1)[:, None]
        path[0], path[-1] = z0, z1
        return path
    if np.sin(omega) < 1e-6:
        return interpolate(z0, z1, steps)
    # Interpolate the direction on the unit sphere and the length linearly.
    u = np.sin((1 - t) * omega)[:, None] * z0 / n0 + np.sin(t * omega)[:, None] * z1 / n1
    u /= np.sin(omega)
    path = u * ((1 - t) * n0 + t * n1)[:, None]
    path[0], path[-1] = z0, z1
    return path


def attribute_vector(latents, labels, positive, negative):
    """Return mean(latents of `positive`) - mean(latents of `negative`): shape (latent_dim,).

    latents: (N, latent_dim), e.g. a VAE encoder's means for labelled images; labels: (N,).
    Adding the result to a latent vector moves it from the `negative` group towards `positive`.
    """
    latents = np.asarray(latents, dtype=np.float64)
    labels = np.asarray(labels)
    if latents.ndim != 2 or len(latents) != len(labels):
        raise ValueError(
            f"latents must be (N, latent_dim) with one label each; got {latents.shape} latents "
            f"and {labels.shape} labels."
        )
    means = []
    for group in (positive, negative):
        chosen = latents[labels == group]
        if len(chosen) == 0:
            raise ValueError(f"No latent vector has the label {group!r}.")
        means.append(chosen.mean(axis=0))
    return means[0] - means[1]


def score_direction(latents, scores, fraction=0.25, labels=None):
    """Return the direction from low-score to high-score latents: shape (latent_dim,).

    Sorts by `scores` (one number per latent, e.g. the ink in each image for "stroke thickness")
    and returns mean(top `fraction`) - mean(bottom `fraction`).
    labels: optionally one class per latent. Each score then has its class's mean score taken
    off first, so that the direction follows the score *within* a class: a 0 has more ink than
    a 1, and without labels the "thickness" direction would partly turn 1s into 0s.
    """
    latents = np.asarray(latents, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64).ravel()
    if latents.ndim != 2 or len(latents) != len(scores):
        raise ValueError(
            f"latents must be (N, latent_dim) with one score each; got {latents.shape} latents "
            f"and {scores.shape} scores."
        )
    if labels is not None:
        labels = np.asarray(labels).ravel()
        if len(labels) != len(scores):
            raise ValueError(f"labels must hold one class per latent, got {labels.shape}.")
        scores = scores.copy()
        for label in np.unique(labels):
            scores[labels == label] -= scores[labels == label].mean()
    if not 0 < fraction <= 0.5:
        raise ValueError(f"fraction must be in (0, 0.5], got {fraction!r}.")
    count = max(1, int(len(scores) * fraction))
    order = np.argsort(scores, kind="stable")
    return latents[order[-count:]].mean(axis=0) - latents[order[:count]].mean(axis=0)


def apply_attribute(z, vector, strengths=(-2, -1, 0, 1, 2)):
    """Return z + s * vector for each s in `strengths`: shape (len(strengths), latent_dim)."""
    z, vector = _as_vector(z, "z"), _as_vector(vector, "vector")
    if z.shape != vector.shape:
        raise ValueError(f"z and vector must have the same size, got {z.shape} and {vector.shape}.")
    strengths = np.asarray(strengths, dtype=np.float64).ravel()
    return z + strengths[:, None] * vector


def quantile_grid(n=15, low=0.05, high=0.95):
    """Return an n x n grid of 2-D latent points at the normal quantiles: shape (n * n, 2).

    Rows go from high to low z[1] (top of a picture = large values), columns from low to high
    z[0]. Decoding the grid through a 2-D VAE decoder draws its learned manifold.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"n must be a whole number >= 2, got {n!r}.")
    if not 0 < low < high < 1:
        raise ValueError(f"Need 0 < low < high < 1 (quantiles), got {low!r}, {high!r}.")
    values = np.array([NormalDist().inv_cdf(q) for q in np.linspace(low, high, n)])
    return np.array([[x, y] for y in values[::-1] for x in values])


def ink(images):
    """Return each image's mean brightness (N,): a score for stroke thickness."""
    images = np.asarray(images, dtype=np.float64)
    return images.reshape(len(images), -1).mean(axis=1)


def slant(images):
    """Return each image's slant (N,): how far the ink leans right as it goes up.

    The shear moment sum(I * dx * dy) / sum(I * dy**2) about the ink's centre, with y up;
    positive for a digit leaning right (/), negative leaning left (\\).
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim == 4:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"slant expects images (N, H, W) or (N, H, W, 1), got {images.shape}.")
    h, w = images.shape[1:]
    ys, xs = np.mgrid[0:h, 0:w]
    ys = (h - 1) - ys  # y grows upwards
    mass = images.sum(axis=(1, 2)) + 1e-9
    cx = (images * xs).sum(axis=(1, 2)) / mass
    cy = (images * ys).sum(axis=(1, 2)) / mass
    dx = xs[None] - cx[:, None, None]
    dy = ys[None] - cy[:, None, None]
    return (images * dx * dy).sum(axis=(1, 2)) / ((images * dy**2).sum(axis=(1, 2)) + 1e-9)


def knn_accuracy(train_codes, train_labels, test_codes, test_labels, k=5):
    """Share of test codes whose k nearest training codes (Euclidean) vote for the right label.

    A number for "the codes of different digits sit apart": 1.0 when every digit has its own
    region of the latent space, 0.1 for ten digits mixed at random. codes: (N, latent_dim).
    """
    a = np.asarray(train_codes, dtype=np.float64)
    b = np.asarray(test_codes, dtype=np.float64)
    ya, yb = np.asarray(train_labels), np.asarray(test_labels)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(
            f"codes must be (N, latent_dim) with the same size, got {a.shape}, {b.shape}."
        )
    if len(a) != len(ya) or len(b) != len(yb):
        raise ValueError("Every code needs exactly one label.")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= len(a):
        raise ValueError(f"k must be a whole number from 1 to {len(a)}, got {k!r}.")
    d = (b**2).sum(1)[:, None] + (a**2).sum(1)[None, :] - 2.0 * b @ a.T
    nearest = np.argpartition(d, k - 1, axis=1)[:, :k]
    votes = ya[nearest]
    predicted = np.array([np.bincount(v).argmax() for v in votes.astype(np.int64)])
    return float(np.mean(predicted == yb))


def largest_step(images):
    """How much bigger the largest step of a walk is than its average step (a jump shows up).

    images: the walk's images in order, (steps, ...). Each step is the pixel distance between
    neighbours; returns max step / mean step: 1.0 for evenly spaced images, about `steps - 1`
    when all the change happens in one step.
    """
    images = np.asarray(images, dtype="float64")
    if images.ndim < 2 or len(images) < 3:
        raise ValueError(
            f"largest_step needs a walk of 3 or more images, got shape {images.shape}."
        )
    steps = np.linalg.norm(np.diff(images.reshape(len(images), -1), axis=0), axis=1)
    if steps.sum() == 0:
        return 1.0  # nothing changes at all: no jump either
    return float(steps.max() / steps.mean())
