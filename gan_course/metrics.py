"""How good are generated images? Measured in the feature space of the course's own classifier.

Inception weights cannot be downloaded offline, so instead of the FID's Inception network the
course uses a small CNN trained on MNIST (or Fashion-MNIST) by `scripts/train_classifier.py`;
its weights ship with the package. `evaluate_samples` reports, for a batch of generated images:

- the Fréchet distance between generated and real test images in the classifier's feature
  space, and the same distance between two halves of real test images (the floor: what a
  perfect generator would score with this many samples);
- the share of samples the classifier is confident about (max probability >= 0.9);
- the class histogram of the confident samples: mode collapse shows as missing classes;
- precision and recall (Kynkäänniemi et al., 2019) in the same feature space, each beside its
  real-vs-real value: precision is the share of samples that look like some real image, recall
  the share of real images that some sample looks like. A generator that draws one good shape
  per digit (collapse within a class) keeps its precision and loses recall.
"""

import math
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
        features = keras.Model(classifier.inputs[0], classifier.get_layer("features").output)
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


def _kth_neighbour_distances(features, k):
    """Distance from each row to its k-th nearest other row: the radius of its k-NN ball."""
    d = _pairwise_distances(features, features)
    np.fill_diagonal(d, np.inf)
    return np.partition(d, k - 1, axis=1)[:, k - 1]


def _pairwise_distances(a, b):
    squared = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2.0 * a @ b.T
    return np.sqrt(np.clip(squared, 0, None))


def precision_recall(real_features, fake_features, k=3):
    """(precision, recall) of fake features against real ones, each in [0, 1].

    The real data's manifold is the union of balls around each real feature, each reaching
    its k-th nearest real neighbour; precision is the share of fakes inside it. Recall swaps
    the roles: the share of real features inside the fakes' manifold (Kynkäänniemi et al.,
    2019, "Improved precision and recall"). Use the same number of each for fair numbers.
    """
    real = np.asarray(real_features, dtype=np.float64)
    fake = np.asarray(fake_features, dtype=np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"Need two (N, D) feature arrays with the same D, got {real.shape}, {fake.shape}."
        )
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive whole number, e.g. 3; got {k!r}.")
    if min(len(real), len(fake)) <= k:
        raise ValueError(f"Need more than k={k} feature rows on each side.")
    if not (np.isfinite(real).all() and np.isfinite(fake).all()):
        raise ValueError("The features hold NaN or infinite values.")
    real_radius = _kth_neighbour_distances(real, k)
    fake_radius = _kth_neighbour_distances(fake, k)
    fake_to_real = _pairwise_distances(fake, real)
    precision = np.mean((fake_to_real <= real_radius[None, :]).any(axis=1))
    recall = np.mean((fake_to_real.T <= fake_radius[None, :]).any(axis=1))
    return float(precision), float(recall)


@dataclass
class SampleReport:
    """What evaluate_samples measured; print it for a summary."""

    frechet_distance: float
    floor: float
    confident_share: float
    class_histogram: np.ndarray
    n_samples: int
    dataset: str
    precision: float = math.nan
    recall: float = math.nan
    real_precision: float = math.nan
    real_recall: float = math.nan

    @property
    def distance_over_floor(self):
        return self.frechet_distance / self.floor

    @property
    def recall_over_real(self):
        """Recall as a share of the real-vs-real recall: 1.0 covers the data as real images do."""
        return self.recall / self.real_recall

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
            + (
                f"\n  precision {self.precision:.2f} (real vs real {self.real_precision:.2f}),"
                f" recall {self.recall:.2f} (real vs real {self.real_recall:.2f},"
                f" {self.recall_over_real:.2f}x)"
                if not math.isnan(self.recall)
                else ""
            )
        )


MIN_SAMPLES = 100


def _features(model, images, batch_size=250):
    """Run `model` on images in fixed-size chunks (no tf.function retracing warnings)."""
    out = [
        np.asarray(model(images[i : i + batch_size], training=False))
        for i in range(0, len(images), batch_size)
    ]
    return np.concatenate(out)


def _check_value_range(value_range):
    if (
        not isinstance(value_range, (tuple, list))
        or len(value_range) != 2
        or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in value_range)
        or not value_range[0] < value_range[1]
    ):
        raise ValueError(
            f"value_range must be (low, high) with low < high: (-1, 1) for GAN samples, (0, 1) "
            f"for AE/VAE outputs; got {value_range!r}."
        )


def _to_classifier_range(images, value_range):
    """Images in value_range -> the classifier's [-1, 1]; refuse values outside the range."""
    low, high = value_range
    if images.min() < low - 1e-3 or images.max() > high + 1e-3:
        raise ValueError(
            f"Images hold values in [{images.min():g}, {images.max():g}], outside "
            f"value_range={value_range}: pass the range they are in."
        )
    return (images - low) / (high - low) * 2.0 - 1.0


def evaluate_samples(images, value_range=(-1, 1), dataset="mnist", threshold=0.9, seed=0):
    """Measure a batch of generated images (N, 28, 28, 1) against real test images.

    value_range is the images' pixel range: (-1, 1) for GANs, (0, 1) for AE/VAE outputs.
    Returns a SampleReport. The real reference and the floor use as many real test images as
    there are samples (at most half the test set each), drawn with `seed`; precision and
    recall compare that many samples with that many real images. Needs at least MIN_SAMPLES
    (100) images: with fewer the numbers mean little (1,000 is what the course uses).
    """
    _check_value_range(value_range)
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(f"evaluate_samples expects images (N, 28, 28, 1), got {images.shape}.")
    if len(images) < MIN_SAMPLES:
        raise ValueError(
            f"evaluate_samples needs at least {MIN_SAMPLES} images for numbers that mean "
            f"something, got {len(images)}; 1,000 is what the course uses."
        )
    if not np.isfinite(images).all():
        raise ValueError(
            f"{np.sum(~np.isfinite(images))} pixel values are NaN or infinite: the generator "
            "has diverged (check its losses) or the images were computed wrongly."
        )
    images = _to_classifier_range(images, value_range)
    classifier, features = load_classifier(dataset)
    load = data.load_mnist if dataset == "mnist" else data.load_fashion_mnist
    _, (x_test, _) = load()
    rng = np.random.default_rng(seed)
    n = min(len(images), len(x_test) // 2)
    order = rng.permutation(len(x_test))
    real_a = data.scale_images(x_test[order[:n]])
    real_b = data.scale_images(x_test[order[n : 2 * n]])
    f_fake, f_a, f_b = (_features(features, x) for x in (images, real_a, real_b))
    probabilities = _features(classifier, images)
    confident = probabilities.max(axis=1) >= threshold
    histogram = np.bincount(probabilities.argmax(axis=1)[confident], minlength=10)
    precision, recall = precision_recall(f_a, f_fake[:n])
    real_precision, real_recall = precision_recall(f_a, f_b)
    return SampleReport(
        frechet_distance=frechet_distance(f_fake, f_a),
        floor=frechet_distance(f_b, f_a),
        confident_share=float(confident.mean()),
        class_histogram=histogram,
        n_samples=len(images),
        dataset=dataset,
        precision=precision,
        recall=recall,
        real_precision=real_precision,
        real_recall=real_recall,
    )


def conditional_accuracy(images, labels, value_range=(-1, 1), dataset="mnist", threshold=0.9):
    """The share of images the classifier recognises, with confidence >= threshold, as the
    class they were asked for (labels (N,), one per image): a conditional GAN's score.

    Returns (share, per_class) where per_class[k] is the share for the images asked to be k.
    """
    _check_value_range(value_range)
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    labels = np.asarray(labels).reshape(-1)
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1) or len(labels) != len(images):
        raise ValueError(
            f"conditional_accuracy expects images (N, 28, 28, 1) and N labels; got images "
            f"{images.shape} and {len(labels)} labels."
        )
    classifier, _ = load_classifier(dataset)
    p = _features(classifier, _to_classifier_range(images, value_range))
    hit = (p.argmax(axis=1) == labels) & (p.max(axis=1) >= threshold)
    per_class = np.array(
        [hit[labels == k].mean() if np.any(labels == k) else np.nan for k in range(p.shape[1])]
    )
    return float(hit.mean()), per_class


def spread(images, value_range=(-1, 1), dataset="mnist"):
    """How much a batch of images varies: the mean distance between two of them in the
    classifier's feature space (the features evaluate_samples uses).

    Compare it with the spread of as many real images of the same class: near-copies of one
    image spread a small fraction of that, real digits about as much (ratio near 1). The
    features were trained to tell classes apart, not styles of one class, so a ratio near 1
    is necessary for varied samples, not proof of it. Needs at least 2 images (N, 28, 28, 1).
    """
    _check_value_range(value_range)
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1) or len(images) < 2:
        raise ValueError(f"spread expects 2 or more images (N, 28, 28, 1), got {images.shape}.")
    _, features = load_classifier(dataset)
    f = _features(features, _to_classifier_range(images, value_range)).astype(np.float64)
    distances = _pairwise_distances(f, f)
    np.fill_diagonal(distances, 0.0)
    return float(distances.sum() / (len(f) * (len(f) - 1)))


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


def same_quality(first, second, slack=0.1):
    """Are two ways of training equally good, judged over seeds? True or False.

    first, second: one number per seed for each way (e.g. each run's distance_over_floor),
    at least two seeds each, because one run of each says nothing: two seeds of the same
    recipe often differ by a third. They are "the same quality" when their seed-to-seed
    ranges overlap once each range is widened by `slack` (a fraction of its own values); a
    way whose every seed is clearly better or worse than every seed of the other is not.
    """
    first, second = (np.asarray(values, dtype="float64").ravel() for values in (first, second))
    if min(first.size, second.size) < 2:
        raise ValueError(
            "same_quality needs at least two seeds of each way of training (one run of each "
            f"cannot tell a difference from luck); got {first.size} and {second.size}."
        )
    if not (np.all(np.isfinite(first)) and np.all(np.isfinite(second))):
        raise ValueError("same_quality got NaN or infinite numbers: a run diverged.")
    (lo1, hi1), (lo2, hi2) = (
        (v.min() * (1 - slack), v.max() * (1 + slack)) for v in (first, second)
    )
    return bool(lo1 <= hi2 and lo2 <= hi1)
