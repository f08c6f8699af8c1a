"""The textbook DCGAN: generator (생성자), discriminator (판별자) and the combined model.

The networks are exactly the lecture notes' Keras code (with its typos fixed): for MNIST the
generator has 865,281 parameters and the discriminator 212,865. Notebooks 01-03 build them
step by step; later notebooks import these builders.
"""

import math

import keras
from keras import layers, ops


def _check_latent_dim(latent_dim):
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, int) or latent_dim < 1:
        raise ValueError(
            f"latent_dim must be a positive whole number (the textbook uses 100), "
            f"got {latent_dim!r}."
        )


def _check_image_shape(image_shape, name, multiple=1):
    ok = (
        isinstance(image_shape, (tuple, list))
        and len(image_shape) == 3
        and all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in image_shape)
    )
    if not ok:
        raise ValueError(
            f"{name} must be (height, width, channels) with positive whole numbers, "
            f"e.g. (28, 28, 1) for MNIST; got {image_shape!r}."
        )
    height, width, _ = image_shape
    if height % multiple or width % multiple:
        raise ValueError(
            f"{name} height and width must be multiples of {multiple} (the generator doubles "
            f"them from a {multiple}x smaller grid); got {image_shape!r}."
        )
    return tuple(image_shape)


@keras.saving.register_keras_serializable(package="gan_course")
class MixtureLatent(layers.Layer):
    """Turn z ~ N(0, I) into a draw from a mixture of `components` separated Gaussians.

    The first `components` coordinates of z choose a component, the largest of them (each
    component is equally likely), and are replaced by its one-hot code times `scale`; the
    other coordinates pass through. So the generator sees `components` separate islands of
    input instead of one connected cloud.

    Why: MNIST is ten separate groups of shapes, but a continuous generator maps a connected
    latent space to a connected set of images, so with N(0, I) some of its samples must lie
    between digits (half a 4, half a 9). Gaps in its input give those transitions somewhere
    to go where no z lands (Gurumurthy et al., 2017, DeLiGAN; Khayatkhoei et al., 2018).
    The layer has no weights, and the noise fed to the generator stays N(0, I).
    """

    def __init__(self, components, scale=4.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(components, bool) or not isinstance(components, int) or components < 2:
            raise ValueError(
                f"components must be a whole number >= 2 (the best recipe uses 20), "
                f"got {components!r}."
            )
        if (
            isinstance(scale, bool)
            or not isinstance(scale, (int, float))
            or not (math.isfinite(scale) and scale > 0)
        ):
            raise ValueError(
                f"scale must be a positive number (the best recipe uses 4.0), got {scale!r}."
            )
        self.components, self.scale = components, float(scale)

    def build(self, input_shape):
        if input_shape[-1] is None or input_shape[-1] <= self.components:
            raise ValueError(
                f"MixtureLatent({self.components}) needs latent vectors longer than "
                f"{self.components} (some coordinates must stay Gaussian); got {input_shape}."
            )

    def call(self, z):
        k = self.components
        code = ops.one_hot(ops.argmax(z[:, :k], axis=-1), k, dtype=z.dtype) * self.scale
        return ops.concatenate([code, z[:, k:]], axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "components": self.components, "scale": self.scale}


def build_generator(latent_dim=100, image_shape=(28, 28, 1), latent_components=0, latent_scale=4.0):
    """Return the textbook DCGAN generator: noise (N, latent_dim) -> images (N, H, W, C) in [-1, 1].

    Dense(128*7*7) + LeakyReLU(0.2), BatchNormalization, Reshape((7, 7, 128)), UpSampling2D,
    Conv2D(64, 5, 'same'), BatchNormalization, LeakyReLU(0.2), UpSampling2D,
    Conv2D(C, 5, 'same', tanh). Not compiled: it learns only through the combined model.
    latent_components: 0 (the textbook) feeds z straight to the Dense layer; K >= 2 puts a
    MixtureLatent(K, latent_scale) layer first, which adds no weights (notebook 09's best recipe).
    """
    _check_latent_dim(latent_dim)
    height, width, channels = _check_image_shape(image_shape, "image_shape", multiple=4)
    h, w = height // 4, width // 4
    generator = keras.Sequential(name="generator")
    generator.add(keras.Input(shape=(latent_dim,)))
    if latent_components != 0:
        generator.add(MixtureLatent(latent_components, latent_scale))
    generator.add(layers.Dense(128 * h * w))
    generator.add(layers.LeakyReLU(0.2))
    generator.add(layers.BatchNormalization())
    generator.add(layers.Reshape((h, w, 128)))
    generator.add(layers.UpSampling2D())
    generator.add(layers.Conv2D(64, kernel_size=5, padding="same"))
    generator.add(layers.BatchNormalization())
    generator.add(layers.LeakyReLU(0.2))
    generator.add(layers.UpSampling2D())
    generator.add(  # float32 under a mixed policy too: the output feeds a loss
        layers.Conv2D(channels, kernel_size=5, padding="same", activation="tanh", dtype="float32")
    )
    return generator


def _check_filters(filters):
    if (
        not isinstance(filters, (tuple, list))
        or not filters
        or not all(isinstance(f, int) and not isinstance(f, bool) and f > 0 for f in filters)
    ):
        raise ValueError(
            f"filters must be a non-empty tuple of positive whole numbers, e.g. (128, 64); "
            f"got {filters!r}."
        )
    return tuple(filters)


def build_dcgan_generator(latent_dim=100, image_shape=(28, 28, 1), filters=(128, 64)):
    """Return a generator that follows the DCGAN paper's rules (Radford et al., 2016).

    Dense(h*w*filters[0]) (the paper's "project and reshape") + BatchNormalization + ReLU,
    Reshape, then for each further entry of `filters` Conv2DTranspose(f, 5, strides 2) + BN +
    ReLU, and a last Conv2DTranspose(C, 5, strides 2, tanh) with no BN. len(filters) strided
    upsamplings, so H and W must be multiples of 2**len(filters): (128, 64) for 28x28 MNIST
    (7 -> 14 -> 28), (128, 64, 32) for 32x32 faces (4 -> 8 -> 16 -> 32; notebook 11).
    Against the textbook generator: learned (strided transposed) upsampling instead of
    UpSampling2D, and ReLU instead of LeakyReLU in G.
    """
    _check_latent_dim(latent_dim)
    filters = _check_filters(filters)
    height, width, channels = _check_image_shape(image_shape, "image_shape", 2 ** len(filters))
    h, w = height // 2 ** len(filters), width // 2 ** len(filters)
    generator = keras.Sequential(name="dcgan_generator")
    generator.add(keras.Input(shape=(latent_dim,)))
    generator.add(layers.Dense(h * w * filters[0], use_bias=False))
    generator.add(layers.BatchNormalization())
    generator.add(layers.ReLU())
    generator.add(layers.Reshape((h, w, filters[0])))
    for f in filters[1:]:
        generator.add(layers.Conv2DTranspose(f, 5, strides=2, padding="same", use_bias=False))
        generator.add(layers.BatchNormalization())
        generator.add(layers.ReLU())
    generator.add(
        layers.Conv2DTranspose(
            channels, 5, strides=2, padding="same", activation="tanh", dtype="float32"
        )
    )
    return generator


def build_dcgan_discriminator(input_shape=(28, 28, 1), filters=(64, 128)):
    """Return a discriminator that follows the DCGAN paper's rules: images -> P(real), (N, 1).

    For each entry of `filters` a Conv2D(f, 5, strides 2) (strided convolution, no pooling),
    BatchNormalization except after the first (the paper leaves D's input layer without it),
    LeakyReLU(0.2); then Flatten and Dense(1, sigmoid): no fully connected hidden layers.
    Not compiled: train it with gan_course.gan_model.GAN (notebook 10).
    """
    input_shape = _check_image_shape(input_shape, "input_shape")
    filters = _check_filters(filters)
    discriminator = keras.Sequential(name="dcgan_discriminator")
    discriminator.add(keras.Input(shape=input_shape))
    for i, f in enumerate(filters):
        discriminator.add(layers.Conv2D(f, 5, strides=2, padding="same", use_bias=i == 0))
        if i > 0:
            discriminator.add(layers.BatchNormalization())
        discriminator.add(layers.LeakyReLU(0.2))
    discriminator.add(layers.Flatten())
    discriminator.add(layers.Dense(1, activation="sigmoid", dtype="float32"))
    return discriminator


DISCRIMINATOR_LOSSES = {"binary_crossentropy": "sigmoid", "mse": None}


def _discriminator_backbone(input_shape, activation, name, dropout=0.3):
    """The textbook discriminator's layers, ending in Dense(1, activation); dropout=0: none."""
    input_shape = _check_image_shape(input_shape, "input_shape")
    if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout < 1:
        raise ValueError(
            f"dropout must be a rate in [0, 1): 0.3 in the textbook, 0 for none; got {dropout!r}."
        )
    model = keras.Sequential(name=name)
    model.add(keras.Input(shape=input_shape))
    for filters in (64, 128):
        model.add(layers.Conv2D(filters, kernel_size=5, strides=2, padding="same"))
        model.add(layers.LeakyReLU(0.2))
        if dropout:
            model.add(layers.Dropout(dropout))
    model.add(layers.Flatten())
    model.add(layers.Dense(1, activation=activation, dtype="float32"))  # float32: feeds a loss
    return model


def build_discriminator(
    input_shape=(28, 28, 1), optimizer="adam", loss="binary_crossentropy", dropout=0.3
):
    """Return the textbook discriminator, compiled: images in [-1, 1] -> P(real), shape (N, 1).

    Conv2D(64, 5, strides 2) + LeakyReLU(0.2) + Dropout(0.3), Conv2D(128, 5, strides 2) +
    LeakyReLU(0.2) + Dropout(0.3), Flatten, Dense(1, sigmoid). Compiled with
    binary_crossentropy and `optimizer` (the textbook's "adam"), and accuracy as a metric.

    loss="mse" makes the LSGAN discriminator: the same network without the sigmoid (it outputs
    a raw score, pulled towards 1 for real images and 0 for fakes by least squares).
    build_gan compiles the combined model with the same loss.
    dropout: the rate of both Dropout layers; 0 leaves them out (the "best" recipe does).
    """
    if loss not in DISCRIMINATOR_LOSSES:
        raise ValueError(
            f"loss must be 'binary_crossentropy' (the textbook GAN) or 'mse' (LSGAN), got {loss!r}."
        )
    discriminator = _discriminator_backbone(
        input_shape, DISCRIMINATOR_LOSSES[loss], name="discriminator", dropout=dropout
    )
    discriminator.compile(loss=loss, optimizer=optimizer, metrics=["accuracy"])
    return discriminator


def build_critic(input_shape=(28, 28, 1)):
    """Return the WGAN critic: the textbook discriminator's layers with a raw score at the end.

    No sigmoid: the critic outputs a real number, high for real images, and is trained by
    gan_course.training.critic_step (not compiled). Same 212,865 parameters for MNIST.
    """
    return _discriminator_backbone(input_shape, None, name="critic")


def build_gan(generator, discriminator, optimizer="adam"):
    """Return the combined model noise -> G -> D, compiled, with the discriminator frozen inside.

    The combined model uses the discriminator's loss (binary_crossentropy, or mse for LSGAN).
    Sets `discriminator.trainable = False` as the textbook does. On Keras 3 that flag is read
    when a model first trains, so the training step sets it before each model's own step
    (see gan_course.training.discriminator_step and generator_step).
    """
    out_shape = tuple(generator.output_shape[1:])
    in_shape = tuple(discriminator.input_shape[1:])
    if out_shape != in_shape:
        raise ValueError(
            f"The generator makes images shaped {out_shape} but the discriminator expects "
            f"{in_shape}: build both with the same image shape."
        )
    discriminator.trainable = False
    noise = keras.Input(shape=generator.input_shape[1:], name="noise")
    gan = keras.Model(noise, discriminator(generator(noise)), name="gan")
    gan.compile(loss=discriminator.loss or "binary_crossentropy", optimizer=optimizer)
    return gan


def build_mlp_generator(latent_dim=128, image_shape=(28, 28, 1)):
    """Return the textbook's first GAN generator (an MLP): noise (N, latent_dim) -> [-1, 1] images.

    Dense 256 -> 512 -> 1024, each with LeakyReLU(0.2), then Dense(H*W*C, tanh) reshaped to
    image_shape. 1,493,520 parameters for latent_dim=128 and MNIST.
    """
    _check_latent_dim(latent_dim)
    image_shape = _check_image_shape(image_shape, "image_shape")
    generator = keras.Sequential(name="mlp_generator")
    generator.add(keras.Input(shape=(latent_dim,)))
    for units in (256, 512, 1024):
        generator.add(layers.Dense(units))
        generator.add(layers.LeakyReLU(0.2))
    size = image_shape[0] * image_shape[1] * image_shape[2]
    generator.add(layers.Dense(size, activation="tanh", dtype="float32"))  # feeds a loss
    generator.add(layers.Reshape(image_shape, dtype="float32"))  # float32 kept: no cast back
    return generator


def build_mlp_discriminator(input_shape=(28, 28, 1), learning_rate=0.0002, beta_1=0.5):
    """Return the textbook's MLP discriminator, compiled: images in [-1, 1] -> P(real), (N, 1).

    Flatten, Dense 1024 -> 512 -> 256, each with LeakyReLU(0.2) and Dropout(0.3), then
    Dense(1, sigmoid). Compiled with binary_crossentropy and Adam(learning_rate, beta_1),
    accuracy as a metric. 1,460,225 parameters for MNIST. The seed uses Adam's default
    beta_1=0.9; on the 5,000-digit subset that lets D win outright within a hundred steps,
    so the default here is the DCGAN paper's 0.5 (notebook 02 explains).
    """
    input_shape = _check_image_shape(input_shape, "input_shape")
    discriminator = keras.Sequential(name="mlp_discriminator")
    discriminator.add(keras.Input(shape=input_shape))
    discriminator.add(layers.Flatten())
    for units in (1024, 512, 256):
        discriminator.add(layers.Dense(units))
        discriminator.add(layers.LeakyReLU(0.2))
        discriminator.add(layers.Dropout(0.3))
    discriminator.add(layers.Dense(1, activation="sigmoid", dtype="float32"))
    discriminator.compile(
        loss="binary_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1),
        metrics=["accuracy"],
    )
    return discriminator
