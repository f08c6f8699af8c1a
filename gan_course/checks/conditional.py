"""Checks for chapter 12, the conditional GAN: its generator."""

import numpy as np

from ._common import _array, _checker, _noise


@_checker
def check_conditional_generator(v, build_conditional_generator):
    """build_conditional_generator(): [noise (N, 100), labels (N, 1) ints] -> (N, 28, 28, 1)
    in [-1, 1]; the label changes the image, the same noise and label give the same image."""
    generator = build_conditional_generator()
    if not v.expect(
        isinstance(generator.input_shape, list) and len(generator.input_shape) == 2,
        "the generator takes two inputs, [noise, label]",
        "make a keras.Model([noise, label], images): two keras.Input layers",
    ):
        return
    noise = np.repeat(_noise(1), 10, axis=0)
    labels = np.arange(10).reshape(10, 1)
    images = _array(generator([noise, labels], training=False))
    v.expect(
        images.shape == (10, 28, 28, 1) and np.abs(images).max() <= 1,
        "[noise (10, 100), labels (10, 1)] becomes images (10, 28, 28, 1) in [-1, 1]",
        f"got {images.shape} with values up to {np.abs(images).max():.2f}: feed the joined "
        "input to the textbook generator (tanh at the end)",
    )
    spread = min(np.abs(images[k] - images[0]).mean() for k in range(1, 10))
    v.expect(
        spread > 1e-4,
        "the same noise with ten labels gives ten different images",
        "two labels gave the same image for the same noise: join one_hot(label) to the noise "
        "(layers.CategoryEncoding(10, output_mode='one_hot'), layers.Concatenate())",
    )
    again = _array(generator([noise[:2], np.array([[3], [3]])], training=False))
    v.expect(
        np.allclose(again[0], again[1], atol=1e-5),
        "the same noise and label give the same image",
        "the same noise and label gave two images: the label must be the only other input "
        "(no randomness inside the model)",
    )
