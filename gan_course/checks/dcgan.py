"""Checks for chapter 11: the DCGAN paper's rules for the generator."""

import numpy as np

from ._common import _array, _checker, _noise


def _layer_kinds(model):
    return [type(layer).__name__ for layer in model.layers]


@_checker
def check_dcgan_generator(v, build_dcgan_generator):
    """build_dcgan_generator(): noise (N, 100) -> (N, 28, 28, 1) in [-1, 1], by the DCGAN
    paper's rules: strided Conv2DTranspose (no UpSampling2D, no pooling), batch norm after every
    layer but the output, ReLU (not LeakyReLU), tanh at the end."""
    generator = build_dcgan_generator()
    images = _array(generator(_noise(4), training=False))
    v.expect(
        images.shape == (4, 28, 28, 1),
        "noise (4, 100) becomes images (4, 28, 28, 1)",
        f"noise (4, 100) became {images.shape}: start from a 7x7 grid and double it twice "
        "with Conv2DTranspose(..., strides=2, padding='same')",
    )
    kinds = _layer_kinds(generator)
    v.expect(
        "UpSampling2D" not in kinds
        and not any("Pooling" in k for k in kinds)
        and kinds.count("Conv2DTranspose") >= 2,
        "the image grows by strided Conv2DTranspose layers, no UpSampling2D or pooling",
        "rule 1: replace UpSampling2D (and any pooling) by Conv2DTranspose(..., strides=2)",
    )
    v.expect(
        "Dense" in kinds and kinds.count("Dense") == 1,
        "one Dense layer, the projection of the noise (no hidden fully connected layers)",
        f"{kinds.count('Dense')} Dense layers: keep only the first, which projects the noise "
        "onto the 7x7 grid",
    )
    v.expect(
        "LeakyReLU" not in kinds and kinds.count("ReLU") >= 2,
        "ReLU in the generator",
        "rule 4: the generator uses ReLU (layers.ReLU()), the discriminator LeakyReLU",
    )
    last = generator.layers[-1]
    v.expect(
        kinds[-1] == "Conv2DTranspose"
        and last.get_config().get("activation") == "tanh"
        and np.abs(images).max() <= 1,
        "the last layer is a Conv2DTranspose with tanh (images in [-1, 1])",
        "end with Conv2DTranspose(1, 5, strides=2, padding='same', activation='tanh')",
    )
    norms = kinds.count("BatchNormalization")
    v.expect(
        norms >= 2 and "BatchNormalization" not in kinds[-2:],
        "batch norm after every hidden layer, none at the output",
        "rule 3: BatchNormalization after the Dense and the hidden Conv2DTranspose layers, "
        "but not on the output",
    )
