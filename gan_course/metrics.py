"""How good are generated images? Measured in the feature space of the course's own classifier.

Inception weights cannot be downloaded offline, so instead of the FID's Inception network the
course uses a small CNN trained on MNIST (or Fashion-MNIST) by `scripts/train_classifier.py`;
its weights ship with the package. `evaluate_samples` reports, for a batch of generated images:

- the Fréchet distance between generated and real test images in the classifier's feature
  space, and the same distance between two halves of real test images (the floor: what a
  perfect generator would score with this many samples);
- the share of samples the classifier is confident about (max probability >= 0.9);
- the class histogram of the confident samples: mode collapse shows as missing classes.
"""

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from keras import layers

from gan_course import data

WEIGHTS = {
    "mnist": Path(__file__).parent / "data_files" / "mnist_classifier.weights.h5",
    "fashion_mnist": Path(__file__).parent / "data_files" / "fashion_mnist_classifier.weights.h5",
}
_cache = {}


def build_classifier(num_classes=10):
    """The metric's CNN: images (N, 28, 28, 1) in [-1, 1] -> class probabilities (N, 10).

    Its layer named "features" (Dense, 128 ReLU units) is the feature space of the metric.
    """
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(128, activation="relu", name="features"),
            layers.Dropout(0.4),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name="metric_classifier",
    )


def load_classifier(dataset="mnist"):
    """Return (classifier, feature_extractor) with the shipped weights for `dataset`."""
    if dataset not in WEIGHTS:
        raise ValueError(f"dataset must be one of {tuple(WEIGHTS)}, got {dataset!r}.")
    if dataset not in _cache:
        if not WEIGHTS[dataset].exists():
            raise FileNotFoundError(
                f"{WEIGHTS[dataset]} is missing: run "
                f"`python scripts/train_classifier.py {dataset}` or reinstall the package."
            )
        classifier = build_classifier()
        classifier.load_weights(WEIGHTS[dataset])
        features = keras.Model(classifier.inputs, classifier.get_layer("features").output)
        _cache[dataset] = (classifier, features)
    return _cache[dataset]


def frechet_distance(features_a, features_b):
    """||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)) between two feature sets (N, D)."""
    a = np.asarray(features_a, dtype=np.float64)
    b = np.asarray(features_b, dtype=np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError(
            f"Need two (N, D) feature arrays with the same D, got {a.shape}, {b.shape}."
        )
    if len(a) < 2 or len(b) < 2:
        raise ValueError("Need at least 2 samples on each side to estimate a covariance.")
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # Tr((S_a S_b)^(1/2)) = sum of sqrt(eigenvalues of S_a^(1/2) S_b S_a^(1/2)), a symmetric matrix.
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = np.linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sqrt(np.clip(middle, 0, None)).sum()
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root)


@dataclass
class SampleReport:
    """What evaluate_samples measured; print it for a summary."""

    frechet_distance: float
    floor: float
    confident_share: float
    class_histogram: np.ndarray
    n_samples: int
    dataset: str

    @property
    def distance_over_floor(self):
        return self.frechet_distance / self.floor

    @property
    def missing_classes(self):
        return [int(k) for k in np.flatnonzero(self.class_histogram == 0)]

    def __str__(self):
        return (
            f"{self.n_samples} samples vs real {self.dataset} test images\n"
            f"  Frechet distance (classifier features): {self.frechet_distance:.2f}"
            f"  (real vs real floor {self.floor:.2f}, {self.distance_over_floor:.1f}x the floor)\n"
            f"  confidently recognised: {self.confident_share:.0%}\n"
            f"  classes of the confident samples: {self.class_histogram.tolist()}"
            + (f"  (missing: {self.missing_classes})" if self.missing_classes else "")
        )


def evaluate_samples(images, value_range=(-1, 1), dataset="mnist", threshold=0.9, seed=0):
    """Measure a batch of generated images (N, 28, 28, 1) against real test images.

    value_range is the images' pixel range: (-1, 1) for GANs, (0, 1) for AE/VAE outputs.
    Returns a SampleReport. The real reference and the floor use as many real test images as
    there are samples (at most half the test set each), drawn with `seed`.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.shape[1:] != (28, 28, 1):
        raise ValueError(f"evaluate_samples expects images (N, 28, 28, 1), got {images.shape}.")
    low, high = value_range
    if images.min() < low - 1e-3 or images.max() > high + 1e-3:
        raise ValueError(
            f"Images hold values in [{images.min():g}, {images.max():g}], outside "
            f"value_range={value_range}: pass the range they are in."
        )
    images = (images - low) / (high - low) * 2.0 - 1.0  # the classifier's [-1, 1]
    classifier, features = load_classifier(dataset)
    load = data.load_mnist if dataset == "mnist" else data.load_fashion_mnist
    _, (x_test, _) = load()
    rng = np.random.default_rng(seed)
    n = min(len(images), len(x_test) // 2)
    if n < 2:
        raise ValueError("evaluate_samples needs at least 2 images.")
    order = rng.permutation(len(x_test))
    real_a = data.scale_images(x_test[order[:n]])
    real_b = data.scale_images(x_test[order[n : 2 * n]])
    f_fake = features.predict(images, verbose=0, batch_size=256)
    f_a = features.predict(real_a, verbose=0, batch_size=256)
    f_b = features.predict(real_b, verbose=0, batch_size=256)
    probabilities = classifier.predict(images, verbose=0, batch_size=256)
    confident = probabilities.max(axis=1) >= threshold
    histogram = np.bincount(probabilities.argmax(axis=1)[confident], minlength=10)
    return SampleReport(
        frechet_distance=frechet_distance(f_fake, f_a),
        floor=frechet_distance(f_b, f_a),
        confident_share=float(confident.mean()),
        class_histogram=histogram,
        n_samples=len(images),
        dataset=dataset,
    )


def plot_class_histogram(report, ax=None, class_names=None):
    """Bar chart of the confident samples' classes, with the uniform share; returns the axes."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3))
    names = class_names or [str(k) for k in range(10)]
    ax.bar(names, report.class_histogram)
    ax.axhline(report.class_histogram.sum() / 10, color="gray", linestyle="--", label="uniform")
    ax.set_ylabel("confident samples")
    ax.set_title(f"{report.confident_share:.0%} confident; classes they were given")
    ax.legend()
    return ax
