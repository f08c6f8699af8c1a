"""The copy measure proves itself on counterfeits: a training digit blurred, shifted by a pixel
or two, or with another contrast is flagged; held-out real digits and noise are not."""

import numpy as np
import pytest

from gan_course import copies, data


@pytest.fixture(scope="module")
def digits():
    (x_train, _), (x_test, _) = data.load_mnist(source="offline")
    scaled = lambda x: x.astype("float32") / 255.0  # noqa: E731
    return scaled(x_train[:1500]), scaled(x_test[:400])


def _shift(images, dy, dx):
    return np.roll(images, (dy, dx), axis=(1, 2))


def test_counterfeits_of_training_digits_are_flagged(digits):
    train, test = digits
    originals = train[:40]
    counterfeits = {
        "exact": originals,
        "slightly blurred": copies.blur(originals, 0.5),
        "blurred": copies.blur(originals, 0.85),
        "more blurred": copies.blur(originals, 1.7),
        "shifted by 1 px": _shift(originals, 1, 0),
        "shifted by 2 px": _shift(originals, -2, 2),
        "other contrast": 0.6 * originals + 0.2,
        "blurred, shifted, faded": 0.7 * copies.blur(_shift(originals, 1, -1), 1.2) + 0.1,
    }
    for name, fakes in counterfeits.items():
        report = copies.find_copies(fakes, train, test)
        assert report.copies == len(fakes), (name, report.similarity.min(), report.threshold)
        assert np.all(report.nearest == np.arange(40)), name


def test_a_plain_pixel_distance_misses_a_blurred_copy(digits):
    # Why the measure exists: in pixels, a blurred training digit is farther from its original
    # than some held-out digits are from their nearest training digit.
    train, test = digits
    blurred = copies.blur(train[:40], 1.5)
    flat = lambda x: x.reshape(len(x), -1)  # noqa: E731
    copy_gap = np.linalg.norm(flat(blurred) - flat(train[:40]), axis=1)
    d = (
        (flat(test) ** 2).sum(1)[:, None]
        + (flat(train) ** 2).sum(1)[None]
        - 2 * flat(test) @ flat(train).T
    )
    held_out_nearest = np.sqrt(np.maximum(d.min(axis=1), 0))
    assert np.median(copy_gap) > held_out_nearest.min()


def test_new_real_digits_and_noise_are_not_copies(digits):
    train, test = digits
    # calibrate on 300 held-out digits, judge 100 others: a new digit beats the most similar of
    # 300 with chance 1/301, so about none of the 100 should be flagged
    report = copies.find_copies(test[300:], train, test[:300])
    assert report.copies <= 2, str(report)
    noise = np.random.default_rng(0).uniform(0, 1, (50, 28, 28)).astype("float32")
    assert copies.find_copies(noise, train, test).copies == 0
    assert "of 50 images are copies" in str(copies.find_copies(noise, train, test))


def test_copy_similarity_is_one_for_the_same_picture_and_refuses_bad_input(digits):
    train, _ = digits
    similarity, index = copies.copy_similarity(train[5:6, :, :, None], train[:10])
    assert index[0] == 5 and similarity[0] == pytest.approx(1.0, abs=1e-5)
    with pytest.raises(ValueError, match="same height and width"):
        copies.copy_similarity(train[:2, :20, :20], train[:10])
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        copies.copy_similarity(train[0], train[:10])
    with pytest.raises(ValueError, match="NaN"):
        copies.copy_similarity(np.full((1, 28, 28), np.nan), train[:10])
    with pytest.raises(ValueError, match="max_shift"):
        copies.copy_similarity(train[:1], train[:10], max_shift=14)
