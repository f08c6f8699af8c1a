import keras
import numpy as np
import pytest

from gan_course import copies, data, faces


def test_split_by_person_keeps_everyone_on_both_sides():
    images = np.arange(400 * 4).reshape(400, 2, 2)
    people = np.repeat(np.arange(40), 10)
    (train, train_people), (held, held_people) = faces.split_by_person(images, people, 2)
    assert len(train) == 320 and len(held) == 80
    assert set(train_people) == set(held_people) == set(range(40))
    together = np.concatenate([train, held]).reshape(400, -1)[:, 0]
    assert sorted(together) == sorted(images.reshape(400, -1)[:, 0])  # a partition
    with pytest.raises(ValueError, match="from 1 to 9"):
        faces.split_by_person(images, people, 10)
    with pytest.raises(ValueError, match="equally long"):
        faces.split_by_person(images, people[:5])


def test_mirror_images_double_the_set():
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    doubled, people = faces.add_mirror_images(images, np.array([5, 6]))
    assert doubled.shape == (4, 3, 4) and people.tolist() == [5, 6, 5, 6]
    np.testing.assert_array_equal(doubled[2], images[0][:, ::-1])
    with pytest.raises(ValueError, match="images must be"):
        faces.add_mirror_images(np.zeros(5))


def test_nearest_training_face_finds_a_copy_and_measures_the_distance():
    rng = np.random.default_rng(0)
    training = rng.uniform(-1, 1, (50, 8, 8, 1)).astype("float32")
    queries = training[[7, 3]] + 0.01
    indices, distances = faces.nearest_training_face(queries, training)
    assert indices.tolist() == [7, 3]
    np.testing.assert_allclose(distances, 0.01 * 8, rtol=1e-3)  # sqrt(64 * 0.01^2)
    # in a feature space: the embedding decides what "near" means
    embed = keras.Sequential(
        [keras.Input((8, 8, 1)), keras.layers.Flatten(), keras.layers.Lambda(lambda x: x[:, :1])]
    )
    indices, _ = faces.nearest_training_face(
        training[:1] * 0 + training[9, 0, 0, 0], training, embed=embed
    )
    assert indices[0] == 9
    with pytest.raises(ValueError, match="same shape"):
        faces.nearest_training_face(queries[:, :4], training)


def test_sharpness_is_low_for_blur_and_zero_for_flat_images():
    rng = np.random.default_rng(0)
    sharp = rng.uniform(0, 1, (4, 16, 16))
    blurred = (
        sharp + np.roll(sharp, 1, 1) + np.roll(sharp, 1, 2) + np.roll(sharp, (1, 1), (1, 2))
    ) / 4
    assert (faces.sharpness(blurred) < 0.6 * faces.sharpness(sharp)).all()
    np.testing.assert_allclose(faces.sharpness(np.full((2, 8, 8, 1), 0.3)), 0.0, atol=1e-6)


def test_person_classifier_learns_the_orl_people():
    keras.utils.set_random_seed(0)
    images, people = data.load_faces(32)
    (train, train_people), (held, held_people) = faces.split_by_person(
        data.scale_images(images), people
    )
    train, train_people = faces.add_mirror_images(train, train_people)
    model = faces.build_person_classifier()
    model.fit(train, train_people, epochs=15, batch_size=32, verbose=0)
    accuracy = (model.predict(held, verbose=0).argmax(1) == held_people).mean()
    assert accuracy >= 0.8  # chance is 1/40
    features = keras.Model(model.inputs, model.get_layer("features").output)
    assert features.predict(held[:2], verbose=0).shape == (2, 128)


@pytest.fixture(scope="module")
def orl_split():
    pictures, people = data.load_faces(size=32)
    (train, train_people), (held, _) = faces.split_by_person(
        data.scale_images(pictures), people, held_out=1
    )
    return faces.add_mirror_images(train, train_people)[0], held


@pytest.fixture(scope="module")
def realism_judge(orl_split):
    return faces.train_realism_judge(orl_split[0], seed=0)


def test_realism_judge_passes_new_photos_and_rejects_ghosts(orl_split, realism_judge):
    # Proves itself on faces it never saw: held-out photos pass, ghosts made from them fail
    _, held = orl_split
    passes = lambda x: (faces.realism_score(realism_judge, x) >= 0.5).mean()  # noqa: E731
    assert passes(held) >= 0.85
    for kind in faces.GHOSTS:
        assert passes(faces.ghost_counterfeits(held, kind, seed=7)) <= 0.15, kind
    assert passes(copies.blur(held[..., 0], 1.0)[..., None]) <= 0.15  # a soft face is no photo


def test_sharpness_alone_cannot_see_a_ghost(orl_split):
    # Why the judge exists: two faces averaged, or a face plus noise, keep a real photo's detail
    _, held = orl_split
    real = np.median(faces.sharpness(held))
    assert np.median(faces.sharpness(faces.ghost_counterfeits(held, "noise", seed=7))) > real
    assert (
        np.median(faces.sharpness(faces.ghost_counterfeits(held, "average", seed=7))) > 0.6 * real
    )


def test_copies_of_training_faces_are_flagged_and_new_photos_are_not(orl_split):
    train, held = orl_split
    originals = train[:30]
    shift = lambda x, dy, dx: np.roll(x, (dy, dx), axis=(1, 2))  # noqa: E731
    counterfeits = {
        "blurred": copies.blur(originals[..., 0], 1.2),
        "shifted by 2 px": shift(originals, 2, -1),
        "other contrast": 0.6 * originals + 0.1,
        "blurred, shifted, faded": 0.7 * copies.blur(shift(originals, 1, 1)[..., 0], 1.0),
    }
    for name, fakes in counterfeits.items():
        report = copies.find_copies(fakes, train, held)
        assert report.copies == len(fakes), (name, report.similarity.min(), report.threshold)
    # a new photo of a known person is no copy: calibrate on 30 held-out photos, judge 10 others
    assert copies.find_copies(held[30:], train, held[:30]).copies <= 1
    ghosts = faces.ghost_counterfeits(held, "average", seed=3)
    assert copies.find_copies(ghosts, train, held).copies <= 4  # a ghost is no copy either


def test_ghost_counterfeits_refuse_bad_input(orl_split):
    _, held = orl_split
    with pytest.raises(ValueError, match="kind must be one of"):
        faces.ghost_counterfeits(held, "blur")
    with pytest.raises(ValueError, match="at least two faces"):
        faces.ghost_counterfeits(held[:1], "average")
    np.testing.assert_array_equal(
        faces.ghost_counterfeits(held, "double", 1), faces.ghost_counterfeits(held, "double", 1)
    )
    with pytest.raises(ValueError, match="must lie in"):
        faces.realism_score(None, held * 127.5 + 127.5)
