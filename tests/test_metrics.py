import numpy as np
import pytest

from gan_course import data, metrics


@pytest.mark.parametrize("dataset, minimum", [("mnist", 0.95), ("fashion_mnist", 0.85)])
def test_shipped_classifiers_recognise_real_test_images(dataset, minimum):
    load = data.load_mnist if dataset == "mnist" else data.load_fashion_mnist
    _, (x_test, y_test) = load()
    classifier, features = metrics.load_classifier(dataset)
    predictions = classifier.predict(data.scale_images(x_test[:1000]), verbose=0).argmax(axis=1)
    assert np.mean(predictions == y_test[:1000]) >= minimum
    assert features.output_shape == (None, 128)


def test_frechet_distance_of_a_shift_is_the_squared_shift():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(500, 4))
    shift = np.array([1.0, -2.0, 0.0, 0.5])
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert metrics.frechet_distance(a, a + shift) == pytest.approx(np.sum(shift**2), rel=1e-6)


def test_frechet_distance_sees_a_change_of_spread():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2000, 3)) @ np.array([[1.0, 0.3, 0.0], [0.0, 1.0, 0.5], [0.0, 0.0, 2.0]])
    # b = 2a: S_b = 4 S_a, so Tr((S_a S_b)^(1/2)) = 2 Tr(S_a) and FD = |mu_a|^2 + Tr(S_a).
    expected = np.sum(a.mean(axis=0) ** 2) + np.trace(np.cov(a, rowvar=False))
    assert metrics.frechet_distance(a, 2 * a) == pytest.approx(expected, rel=1e-6)


def test_frechet_distance_refuses_mismatched_features():
    with pytest.raises(ValueError, match="same D"):
        metrics.frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="at least 2"):
        metrics.frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))


def test_real_images_score_near_the_floor_and_noise_far_from_it():
    (_, _), (x_test, _) = data.load_mnist()
    real = data.scale_images(x_test[-400:])
    report = metrics.evaluate_samples(real, value_range=(-1, 1), seed=1)
    assert report.distance_over_floor < 2.0
    assert report.confident_share > 0.9 and report.missing_classes == []
    noise = np.random.default_rng(0).uniform(-1, 1, (400, 28, 28, 1))
    bad = metrics.evaluate_samples(noise, value_range=(-1, 1))
    assert bad.distance_over_floor > 10 * report.distance_over_floor
    assert "Frechet distance" in str(bad) and "floor" in str(bad)


def test_one_repeated_digit_shows_as_missing_classes():
    (_, _), (x_test, y_test) = data.load_mnist()
    sevens = data.scale_images(x_test[y_test == 7][:1], value_range=(0, 1))
    report = metrics.evaluate_samples(np.repeat(sevens, 100, axis=0), value_range=(0, 1))
    assert report.missing_classes == [0, 1, 2, 3, 4, 5, 6, 8, 9]


def test_evaluate_samples_refuses_the_wrong_range_and_shape():
    with pytest.raises(ValueError, match="outside value_range"):
        metrics.evaluate_samples(np.full((200, 28, 28, 1), 200.0), value_range=(-1, 1))
    with pytest.raises(ValueError, match=r"\(N, 28, 28, 1\)"):
        metrics.evaluate_samples(np.zeros((4, 32, 32, 1)))
    with pytest.raises(ValueError, match="dataset must be"):
        metrics.load_classifier("cifar10")


def test_plot_class_histogram():
    import matplotlib

    matplotlib.use("Agg")
    report = metrics.SampleReport(3.0, 1.0, 0.5, np.arange(10), 45, "mnist")
    ax = metrics.plot_class_histogram(report)
    assert len(ax.patches) == 10 and report.distance_over_floor == 3.0


def test_precision_recall_of_a_set_against_itself_and_a_collapsed_copy():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 8))
    other = rng.normal(size=(400, 8))
    precision, recall = metrics.precision_recall(real, other)
    assert precision > 0.8 and recall > 0.8
    # One mode of the data, repeated with tiny jitter: every sample is realistic, little is covered.
    collapsed = real[:5].repeat(80, axis=0) + rng.normal(scale=1e-3, size=(400, 8))
    precision, recall = metrics.precision_recall(real, collapsed)
    assert precision > 0.95 and recall < 0.1
    # Far-off samples: neither realistic nor covering.
    precision, recall = metrics.precision_recall(real, other + 50.0)
    assert precision == 0.0 and recall == 0.0


def test_precision_recall_refuses_bad_features():
    with pytest.raises(ValueError, match="same D"):
        metrics.precision_recall(np.zeros((10, 3)), np.zeros((10, 4)))
    with pytest.raises(ValueError, match="k must be"):
        metrics.precision_recall(np.zeros((10, 3)), np.zeros((10, 3)), k=0)
    with pytest.raises(ValueError, match="NaN"):
        metrics.precision_recall(np.full((10, 3), np.nan), np.zeros((10, 3)))


def test_within_class_collapse_shows_in_recall_not_in_the_classes():
    (_, _), (x_test, y_test) = data.load_mnist()
    # Ten real digits per class, each repeated: every class present, little variety.
    few = np.concatenate([x_test[y_test == k][:2] for k in range(10)])
    collapsed = data.scale_images(np.repeat(few, 25, axis=0))
    report = metrics.evaluate_samples(collapsed, value_range=(-1, 1), seed=1)
    assert report.missing_classes == []
    assert report.recall_over_real < 0.5
    assert "recall" in str(report)
    real = metrics.evaluate_samples(data.scale_images(x_test[-500:]), value_range=(-1, 1), seed=1)
    assert real.recall_over_real > 0.8


@pytest.mark.parametrize(
    "images, value_range, message",
    [
        (np.full((200, 28, 28, 1), np.nan), (-1, 1), "NaN"),
        (np.zeros((200, 28, 28, 1)), (0, 0), "low < high"),
        (np.zeros((200, 28, 28, 1)), (1,), "low < high"),
        (np.zeros((0, 28, 28, 1)), (-1, 1), "at least 100"),
        (np.zeros((3, 28, 28, 1)), (-1, 1), "at least 100"),
    ],
)
def test_evaluate_samples_refuses_what_it_cannot_measure(images, value_range, message):
    with pytest.raises(ValueError, match=message):
        metrics.evaluate_samples(images, value_range=value_range)


def test_same_quality_needs_seeds_and_rejects_a_clearly_different_recipe():
    from gan_course.metrics import same_quality

    assert same_quality([7.3, 9.8], [8.1, 11.5])  # overlapping seed ranges
    assert same_quality([7.0, 7.2], [7.9, 8.1])  # within the 10% slack
    assert not same_quality([6.5, 7.0], [13.0, 15.5])  # every seed of one is twice as far
    assert not same_quality([1.5, 1.6], [6.1, 7.4])  # the best recipe against the textbook's
    with pytest.raises(ValueError, match="at least two seeds"):
        same_quality([7.3], [11.5])  # one seed is not "the same"
    with pytest.raises(ValueError, match="NaN"):
        same_quality([7.3, np.nan], [8.0, 9.0])


def _near_copies(image, n, rng):
    """n renderings of one digit that differ in little more than the stroke's weight and a
    pixel of position: the "six near-identical renderings" a component's column shows."""
    out = []
    for _ in range(n):
        x = image.copy()
        if rng.random() < 0.5:  # a heavier stroke
            x = np.maximum.reduce([x, np.roll(x, 1, 0), np.roll(x, 1, 1)])
        x = np.roll(x, tuple(rng.integers(-1, 2, 2)), axis=(0, 1))
        out.append(np.clip(x + rng.normal(0, 0.05, x.shape), -1, 1))
    return np.stack(out)


def test_spread_tells_near_copies_from_real_digits_of_one_class():
    """The measure of notebook 09's claim "a component's samples vary less than real digits of
    its commonest digit" (median ratio <= 0.9 and three in four below 1): real digits of each
    class, the counterfeit, fail it; near-copies of one digit pass it by far."""
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    rng = np.random.default_rng(0)
    real_ratios, copy_ratios = [], []
    for digit in range(10):
        reference = metrics.spread(data.scale_images(x_test[y_test == digit][:200]))
        others = data.scale_images(x_train[y_train == digit][:200])
        real_ratios.append(metrics.spread(others) / reference)
        copy_ratios.append(metrics.spread(_near_copies(others[0], 200, rng)) / reference)
    real_ratios, copy_ratios = np.array(real_ratios), np.array(copy_ratios)
    assert np.median(real_ratios) > 0.95 and np.mean(real_ratios < 1) < 0.75
    assert np.all((real_ratios > 0.85) & (real_ratios < 1.15))
    assert np.all(copy_ratios < 0.65)
    # a (0, 1) batch is measured in the same units as its (-1, 1) form
    zeros = data.scale_images(x_test[y_test == 0][:50])
    assert metrics.spread((zeros + 1) / 2, value_range=(0, 1)) == pytest.approx(
        metrics.spread(zeros), rel=1e-4
    )
    with pytest.raises(ValueError, match="2 or more images"):
        metrics.spread(zeros[:1])
