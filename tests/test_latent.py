import numpy as np
import pytest

from gan_course import latent


@pytest.fixture
def pair():
    rng = np.random.default_rng(0)
    return rng.normal(size=16), rng.normal(size=16)


@pytest.mark.parametrize("walk", [latent.interpolate, latent.slerp])
def test_endpoints_are_exact_and_shape_is_steps_by_dim(walk, pair):
    z0, z1 = pair
    path = walk(z0, z1, steps=9)
    assert path.shape == (9, 16)
    np.testing.assert_array_equal(path[0], z0)
    np.testing.assert_array_equal(path[-1], z1)


def test_linear_interpolation_is_evenly_spaced(pair):
    z0, z1 = pair
    path = latent.interpolate(z0, z1, steps=5)
    np.testing.assert_allclose(path[2], (z0 + z1) / 2)
    np.testing.assert_allclose(np.diff(path, axis=0), np.tile((z1 - z0) / 4, (4, 1)))


def test_slerp_keeps_equal_norms_and_walks_the_arc(pair):
    z0, z1 = pair
    z1 = z1 / np.linalg.norm(z1) * np.linalg.norm(z0)  # equal norms
    path = latent.slerp(z0, z1, steps=11)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(z0))
    cos = [np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b) for a, b in zip(path, path[1:])]
    np.testing.assert_allclose(cos, cos[0], rtol=1e-9)  # equal angles between neighbours
    # The straight line cuts inside the sphere:
    assert np.linalg.norm(latent.interpolate(z0, z1, 11)[5]) < np.linalg.norm(z0)


def test_slerp_norms_go_from_one_end_to_the_other():
    path = latent.slerp([1.0, 0.0], [0.0, 3.0], steps=5)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), [1.0, 1.5, 2.0, 2.5, 3.0])


def test_slerp_of_parallel_vectors_falls_back_to_a_line():
    np.testing.assert_allclose(
        latent.slerp([1.0, 1.0], [2.0, 2.0], 3), [[1, 1], [1.5, 1.5], [2, 2]]
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (([1.0, 2.0], [1.0, 2.0, 3.0]), "same size"),
        (([[1.0, 2.0], [3.0, 4.0]], [1.0, 2.0]), "one latent vector"),
        (([np.nan, 1.0], [1.0, 2.0]), "NaN"),
        (([1.0, 2.0], [3.0, 4.0], 1), "steps must be"),
    ],
)
@pytest.mark.parametrize("walk", [latent.interpolate, latent.slerp])
def test_bad_input_is_refused(walk, args, message):
    with pytest.raises(ValueError, match=message):
        walk(*args)


def test_slerp_refuses_zero_vectors():
    with pytest.raises(ValueError, match="non-zero"):
        latent.slerp([0.0, 0.0], [1.0, 0.0])


def test_attribute_vector_is_the_difference_of_class_means():
    latents = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 2.0], [0.0, 4.0]])
    labels = np.array([7, 7, 1, 1])
    np.testing.assert_allclose(latent.attribute_vector(latents, labels, 7, 1), [2.0, -3.0])
    with pytest.raises(ValueError, match="label 5"):
        latent.attribute_vector(latents, labels, 5, 1)
    with pytest.raises(ValueError, match="one label each"):
        latent.attribute_vector(latents, labels[:3], 7, 1)


def test_score_direction_points_from_low_to_high_scores():
    rng = np.random.default_rng(0)
    latents = rng.normal(size=(400, 3))
    scores = 2 * latents[:, 0] + 0.1 * rng.normal(size=400)  # the score lives on axis 0
    direction = latent.score_direction(latents, scores)
    assert direction[0] > 2 and abs(direction[1]) < 0.3 and abs(direction[2]) < 0.3
    with pytest.raises(ValueError, match="fraction"):
        latent.score_direction(latents, scores, fraction=0.9)


def test_apply_attribute():
    out = latent.apply_attribute([1.0, 1.0], [0.5, 0.0], strengths=[-2, 0, 2])
    np.testing.assert_allclose(out, [[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    with pytest.raises(ValueError, match="same size"):
        latent.apply_attribute([1.0, 1.0], [1.0])


def test_quantile_grid():
    grid = latent.quantile_grid(n=3, low=0.1, high=0.9)
    assert grid.shape == (9, 2)
    np.testing.assert_allclose(grid[4], [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(grid[0], [-1.2815516, 1.2815516], rtol=1e-6)  # top left
    with pytest.raises(ValueError, match="n must be"):
        latent.quantile_grid(n=1)


def test_ink_and_slant_scores():
    image = np.zeros((9, 9))
    for i in range(9):
        image[8 - i, i] = 1.0  # a stroke from bottom left to top right: leans right
    leaning_left = image[:, ::-1]
    upright = np.zeros((9, 9))
    upright[:, 4] = 1.0
    scores = latent.slant(np.stack([image, leaning_left, upright]))
    assert scores[0] > 0.5 and scores[1] < -0.5 and abs(scores[2]) < 1e-9
    np.testing.assert_allclose(latent.ink(np.stack([image, upright]))[0], 9 / 81)


def test_slerp_between_opposite_vectors_keeps_the_norm():
    z = np.random.default_rng(0).normal(size=16)
    path = latent.slerp(z, -z, 9)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(z), rtol=1e-9)
    np.testing.assert_allclose(path[0], z)
    np.testing.assert_allclose(path[-1], -z)
    assert np.min(np.linalg.norm(path, axis=1)) > 0.99 * np.linalg.norm(z), "never through 0"
    longer = latent.slerp(z, -2 * z, 5)
    np.testing.assert_allclose(
        np.linalg.norm(longer, axis=1), np.linalg.norm(z) * np.linspace(1, 2, 5), rtol=1e-9
    )


def test_knn_accuracy_tells_separated_codes_from_mixed_ones():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(10), 50)
    centres = rng.normal(scale=10, size=(10, 2))
    separated = centres[labels] + rng.normal(size=(500, 2))
    assert latent.knn_accuracy(separated, labels, separated[::5] + 0.01, labels[::5]) > 0.95
    mixed = rng.normal(size=(500, 2))
    assert latent.knn_accuracy(mixed, labels, rng.normal(size=(200, 2)), labels[:200]) < 0.3
    with pytest.raises(ValueError, match="k must be"):
        latent.knn_accuracy(mixed, labels, mixed, labels, k=0)
    with pytest.raises(ValueError, match="one label"):
        latent.knn_accuracy(mixed, labels[:10], mixed, labels)


def test_score_direction_within_classes_ignores_the_class_confound():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 200)
    latents = rng.normal(size=(400, 2))
    latents[:, 0] += 4 * labels  # coordinate 0 encodes the class
    # The score is mostly the class (0s carry more ink) plus a within-class part along coordinate 1.
    scores = 5.0 * (labels == 0) + latents[:, 1]
    confounded = latent.score_direction(latents, scores)
    within = latent.score_direction(latents, scores, labels=labels)
    assert abs(confounded[0]) > abs(confounded[1]), "without labels the class dominates"
    assert abs(within[1]) > 5 * abs(within[0]), "with labels only the within-class part is left"
    with pytest.raises(ValueError, match="one class per latent"):
        latent.score_direction(latents, scores, labels=labels[:10])


def test_largest_step_tells_a_smooth_walk_from_one_with_a_jump():
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0, 1, (2, 28, 28))
    smooth = np.stack([(1 - t) * a + t * b for t in np.linspace(0, 1, 10)])
    assert latent.largest_step(smooth) == pytest.approx(1.0)
    # the counterfeit: the same end points, but the picture snaps from a to b half-way
    snapping = np.stack([a] * 5 + [b] * 5) + rng.normal(0, 0.01, (10, 28, 28))
    assert latent.largest_step(snapping) > 6.0  # far beyond the notebook's limit of 2
    # a walk that changes slowly, then fast over two steps, also fails a limit of 2
    t = np.array([0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.5, 0.9, 0.95, 1.0])
    uneven = np.stack([(1 - s) * a + s * b for s in t])
    assert latent.largest_step(uneven) > 2.0
    assert latent.largest_step(np.zeros((4, 3, 3))) == 1.0
    with pytest.raises(ValueError, match="3 or more"):
        latent.largest_step(smooth[:2])
