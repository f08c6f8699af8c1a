"""Faces that don't exist (세상에 없는 얼굴): tools to ask whether a generated face is new.

A GAN trained on 400 photographs can learn to copy them. To tell, put each generated face
beside its nearest training face and compare that distance with the distance from a real
photograph the GAN never saw (a held-out picture of a known person) to its nearest training
face: much closer than that is a copy; about as close is as new as a new photo of someone.
Distances are measured in pixels and in a feature space (a small network trained to tell the
40 people apart, so that "near" means "looks like the same person").
"""

import keras
import numpy as np
from keras import layers

from gan_course import data


def split_by_person(images, people, held_out=1):
    """Hold out the last `held_out` pictures of every person: returns
    (train_images, train_people), (held_images, held_people). Every person is in both."""
    images, people = np.asarray(images), np.asarray(people)
    if len(images) != len(people) or len(images) == 0:
        raise ValueError(
            f"images and people must be equally long and not empty, got {len(images)} and "
            f"{len(people)}."
        )
    counts = np.bincount(people)
    if (
        isinstance(held_out, bool)
        or not isinstance(held_out, int)
        or not (1 <= held_out < counts[counts > 0].min())
    ):
        raise ValueError(
            f"held_out must be a whole number from 1 to {counts[counts > 0].min() - 1} (every "
            f"person keeps at least one training picture), got {held_out!r}."
        )
    held = np.zeros(len(people), bool)
    for person in np.unique(people):
        held[np.flatnonzero(people == person)[-held_out:]] = True
    return (images[~held], people[~held]), (images[held], people[held])


def add_mirror_images(images, people=None):
    """Double a set of faces with their left-right mirror images (faces are nearly symmetric,
    so a mirrored photo is a plausible photo). Images (N, H, W[, C]); returns 2N (and people)."""
    images = np.asarray(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"images must be (N, H, W) or (N, H, W, C), got {images.shape}.")
    doubled = np.concatenate([images, images[:, :, ::-1]])
    return doubled if people is None else (doubled, np.concatenate([people, people]))


def build_person_classifier(input_shape=(32, 32, 1), people=40):
    """A small CNN that tells the people apart: images in [-1, 1] -> P(person), compiled.

    Its 128-unit layer (named "features") is the feature space of `nearest_training_face`:
    `keras.Model(model.inputs, model.get_layer("features").output)`.
    """
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
            layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(128, activation="relu", name="features"),
            layers.Dense(people, activation="softmax"),
        ],
        name="person_classifier",
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def nearest_training_face(images, training_images, embed=None, batch_size=256):
    """For each image, the index of its nearest training image and the Euclidean distance.

    embed: None compares pixels; a model (e.g. the person classifier's features) compares its
    outputs. Returns (indices (N,), distances (N,)).
    """
    images = np.asarray(images, dtype="float32")
    training_images = np.asarray(training_images, dtype="float32")
    if images.shape[1:] != training_images.shape[1:]:
        raise ValueError(
            f"images {images.shape[1:]} and training_images {training_images.shape[1:]} must "
            "have the same shape."
        )

    def vectors(x):
        if embed is None:
            return x.reshape(len(x), -1)
        return np.asarray(embed.predict(x, batch_size=batch_size, verbose=0)).reshape(len(x), -1)

    a, b = vectors(images), vectors(training_images)
    squared = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T
    indices = squared.argmin(axis=1)
    return indices, np.sqrt(np.maximum(squared[np.arange(len(a)), indices], 0.0))


def sharpness(images):
    """Mean absolute Laplacian of each image (N, H, W[, 1]): how much fine detail (edges) it
    has; blurry images score low. It scales with the pixel range: compare images that are in
    the same range (e.g. all in [0, 1])."""
    images = np.asarray(images, dtype="float32")
    if images.ndim == 4:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images must be (N, H, W) or (N, H, W, 1), got {images.shape}.")
    lap = (
        images[:, :-2, 1:-1]
        + images[:, 2:, 1:-1]
        + images[:, 1:-1, :-2]
        + images[:, 1:-1, 2:]
        - 4 * images[:, 1:-1, 1:-1]
    )
    return np.abs(lap).mean(axis=(1, 2))


# --- Ghosts: does a face look like one photograph, or like two laid over each other? ----------
#
# Sharpness alone cannot tell: two faces averaged keep their edges, and noise adds "detail".
# The realism judge is trained on the training photos against exactly those counterfeits, made
# from the same photos, and is then asked about faces it never saw.

GHOSTS = ("average", "double", "noise")


def ghost_counterfeits(images, kind, seed=0):
    """Counterfeit faces made from real ones (N, H, W, 1) in [-1, 1]:

    "average": the pixel average of each face and another face of the set (weights 0.35-0.65),
    a ghost of two people; "double": a face averaged with itself shifted by 2-4 pixels, a double
    exposure; "noise": the face plus Gaussian noise of spread 0.1-0.3, clipped to [-1, 1].
    """
    if kind not in GHOSTS:
        raise ValueError(f"kind must be one of {GHOSTS}, got {kind!r}.")
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or len(images) < 2:
        raise ValueError(f"images must be at least two faces (N, H, W, C), got {images.shape}.")
    rng = np.random.default_rng(seed)
    n = len(images)
    each = lambda low, high: rng.uniform(low, high, (n, 1, 1, 1)).astype(np.float32)  # noqa: E731
    if kind == "average":
        others = images[(np.arange(n) + rng.integers(1, n, n)) % n]  # never the face itself
        weight = each(0.35, 0.65)
        return weight * images + (1 - weight) * others
    if kind == "double":
        shifted = np.stack(
            [
                np.roll(x, tuple(rng.choice([-1, 1], 2) * rng.integers(2, 5, 2)), (0, 1))
                for x in images
            ]
        )
        return 0.5 * images + 0.5 * shifted
    noise = rng.normal(size=images.shape).astype(np.float32) * each(0.1, 0.3)
    return np.clip(images + noise, -1.0, 1.0)


def build_realism_judge(input_shape=(32, 32, 1)):
    """A small CNN: P(the face is one real photograph), (N, 1). Trained by train_realism_judge."""
    conv = lambda f: layers.Conv2D(f, 3, strides=2, padding="same", activation="relu")  # noqa: E731
    return keras.Sequential(
        [keras.Input(input_shape), conv(32), conv(64), conv(128), layers.Flatten()]
        + [layers.Dropout(0.3), layers.Dense(1, activation="sigmoid", dtype="float32")],
        name="realism_judge",
    )


def train_realism_judge(training_faces, epochs=15, seed=0):
    """Train build_realism_judge: the training faces (1) against their ghost_counterfeits of
    every kind (0), the classes weighted equally; returns it. Judge with realism_score, on faces
    it did not train on (held-out photos, a generator's samples)."""
    faces = np.asarray(training_faces, np.float32)
    data.check_gan_images(faces, name="training_faces")
    keras.utils.set_random_seed(seed)
    fakes = [ghost_counterfeits(faces, kind, seed + i) for i, kind in enumerate(GHOSTS)]
    x = np.concatenate([faces, *fakes])
    y = np.r_[np.ones(len(faces)), np.zeros(len(x) - len(faces))].astype(np.float32)
    weights = np.where(y == 1, len(GHOSTS), 1.0).astype(np.float32)
    judge = build_realism_judge(faces.shape[1:])
    judge.compile("adam", "binary_crossentropy")
    judge.fit(x, y, sample_weight=weights, epochs=epochs, batch_size=32, shuffle=True, verbose=0)
    return judge


def realism_score(judge, images):
    """The realism judge's P(one real photograph) per face, (N,); >= 0.5 passes."""
    images = np.asarray(images, np.float32)
    data.check_gan_images(images, name="images")
    return np.asarray(judge.predict(images, batch_size=256, verbose=0), np.float32).reshape(-1)
