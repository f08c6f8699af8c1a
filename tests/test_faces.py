import keras
import numpy as np
import pytest

from gan_course import data, faces


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
