"""Autoencoders (오토인코더) and the variational autoencoder (VAE).

An encoder maps an image x (d = 784 numbers) to a smaller latent vector z (잠재 벡터, p numbers),
and a decoder maps z back to an estimate x-hat. Images here are in [0, 1] (sigmoid outputs,
binary cross-entropy), unlike the GANs' [-1, 1]: scale with `images / 255.0`.

Each builder returns (autoencoder, encoder, decoder): the autoencoder is compiled and trains
with `fit(x, x)`; encoder and decoder share its layers.
"""

import keras
import numpy as np
from keras import layers, ops


def add_noise(images, std=0.5, rng=None):
    """Return images in [0, 1] plus Gaussian noise of `std`, clipped back to [0, 1] (float32).

    The input of a denoising autoencoder: it learns to map these back to the clean images.
    """
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating) or images.min() < 0 or images.max() > 1:
        raise ValueError(
            "add_noise expects float images in [0, 1] (scale_images(x, value_range=(0, 1)))."
        )
    rng = np.random.default_rng(0) if rng is None else rng
    noisy = images + rng.normal(0.0, std, size=images.shape)
    return np.clip(noisy, 0.0, 1.0).astype(np.float32)


def vae_loss_terms(images, reconstruction, z_mean, z_log_var):
    """Return (reconstruction_loss, kl_loss), each averaged over the batch.

    reconstruction_loss: binary cross-entropy summed over the pixels of each image.
    kl_loss: KL(N(z_mean, exp(z_log_var)) || N(0, I)) summed over the latent dimensions,
    = -1/2 * sum(1 + log_var - mean^2 - exp(log_var)).
    """
    per_pixel = keras.losses.binary_crossentropy(images[..., None], reconstruction[..., None])
    reconstruction_loss = ops.mean(ops.sum(per_pixel, axis=(1, 2, 3)))
    kl = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
    kl_loss = ops.mean(ops.sum(kl, axis=1))
    return reconstruction_loss, kl_loss


def build_dense_autoencoder(latent_dim=32, input_shape=(28, 28, 1), sparsity=0.0):
    """The bottleneck autoencoder: Flatten -> Dense(latent_dim, relu) -> Dense(d, sigmoid).

    With sparsity > 0 the code z gets an L1 activity penalty (a sparse autoencoder): most of
    its units stay at zero for any one image. Returns (autoencoder, encoder, decoder).
    """
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, int) or latent_dim < 1:
        raise ValueError(f"latent_dim must be a positive whole number, got {latent_dim!r}.")
    if sparsity < 0:
        raise ValueError(f"sparsity is an L1 penalty weight: it must be >= 0, got {sparsity!r}.")
    size = 1
    for n in input_shape:
        size *= n
    regularizer = keras.regularizers.L1(sparsity) if sparsity > 0 else None
    encoder = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Flatten(),
            layers.Dense(latent_dim, activation="relu", activity_regularizer=regularizer),
        ],
        name="encoder",
    )
    decoder = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(size, activation="sigmoid", dtype="float32"),  # float32: feeds a loss
            layers.Reshape(input_shape, dtype="float32"),
        ],
        name="decoder",
    )
    return _join(encoder, decoder)


def build_conv_autoencoder(input_shape=(28, 28, 1)):
    """The textbook's convolutional autoencoder for 28x28 images.

    Encoder: Conv2D(16) + MaxPooling2D, Conv2D(8) + MaxPooling2D, Conv2D(8, strides 2): a
    (4, 4, 8) code, 128 numbers. Decoder: Conv2D(8) + UpSampling2D, Conv2D(8) + UpSampling2D,
    Conv2D(16, 'valid') + UpSampling2D, Conv2D(1, sigmoid). Returns (autoencoder, encoder, decoder).
    """
    if tuple(input_shape[:2]) != (28, 28):
        raise ValueError(
            f"The textbook's conv autoencoder is sized for 28x28 images, got {input_shape}."
        )
    encoder = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(16, kernel_size=3, padding="same", activation="relu"),
            layers.MaxPooling2D(pool_size=2, padding="same"),
            layers.Conv2D(8, kernel_size=3, padding="same", activation="relu"),
            layers.MaxPooling2D(pool_size=2, padding="same"),
            layers.Conv2D(8, kernel_size=3, strides=2, padding="same", activation="relu"),
        ],
        name="encoder",
    )
    decoder = keras.Sequential(
        [
            keras.Input(shape=(4, 4, 8)),
            layers.Conv2D(8, kernel_size=3, padding="same", activation="relu"),
            layers.UpSampling2D(),
            layers.Conv2D(8, kernel_size=3, padding="same", activation="relu"),
            layers.UpSampling2D(),
            layers.Conv2D(16, kernel_size=3, activation="relu"),
            layers.UpSampling2D(),
            layers.Conv2D(  # float32 under a mixed policy too: the output feeds the loss
                input_shape[2], 3, padding="same", activation="sigmoid", dtype="float32"
            ),
        ],
        name="decoder",
    )
    return _join(encoder, decoder)


def _join(encoder, decoder):
    autoencoder = keras.Sequential([encoder, decoder], name="autoencoder")
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    return autoencoder, encoder, decoder


@keras.saving.register_keras_serializable(package="gan_course")
class Sampling(layers.Layer):
    """The reparameterisation trick: z = mu + exp(log_var / 2) * eps, eps ~ N(0, I).

    The randomness sits in eps, outside the network, so gradients flow through mu and log_var.
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def build_vae_encoder(latent_dim=2, input_shape=(28, 28, 1), seed=None, hidden_units=16):
    """Images in [0, 1] -> [z_mean, z_log_var, z], each (N, latent_dim).

    hidden_units: the Dense layer before z_mean and z_log_var (16 in keras-io's VAE).
    """
    images = keras.Input(shape=input_shape)
    x = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(images)
    x = layers.Conv2D(64, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(hidden_units, activation="relu")(x)
    # float32 under a mixed policy too: z_mean and z_log_var feed the KL loss
    z_mean = layers.Dense(latent_dim, name="z_mean", dtype="float32")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var", dtype="float32")(x)
    z = Sampling(seed=seed, name="z", dtype="float32")([z_mean, z_log_var])
    return keras.Model(images, [z_mean, z_log_var, z], name="vae_encoder")


def build_vae_decoder(latent_dim=2, output_shape=(28, 28, 1)):
    """z (N, latent_dim) -> images in [0, 1], shaped like MNIST by default."""
    h, w = output_shape[0] // 4, output_shape[1] // 4
    z = keras.Input(shape=(latent_dim,))
    x = layers.Dense(h * w * 64, activation="relu")(z)
    x = layers.Reshape((h, w, 64))(x)
    x = layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, strides=2, padding="same", activation="relu")(x)
    images = layers.Conv2DTranspose(  # float32 under a mixed policy too: feeds the loss
        output_shape[2], 3, padding="same", activation="sigmoid", dtype="float32"
    )(x)
    return keras.Model(z, images, name="vae_decoder")


@keras.saving.register_keras_serializable(package="gan_course")
class VAE(keras.Model):
    """A variational autoencoder that trains with `fit(x)` (x in [0, 1]).

    loss = reconstruction + KL: the reconstruction term is the binary cross-entropy summed over
    pixels, the KL term pulls each q(z|x) = N(mu, exp(log_var)) towards N(0, I). Both are
    reported by fit as `reconstruction_loss` and `kl_loss`. Calling the model returns the
    reconstruction of its input from z_mean.
    """

    def __init__(self, encoder, decoder, kl_weight=1.0, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.kl_weight = kl_weight
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")
        self.built = True  # encoder and decoder are functional models, built already

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker]

    def call(self, inputs, training=False):
        z_mean, _, _ = self.encoder(inputs, training=training)
        return self.decoder(z_mean, training=training)

    def _vae_losses(self, images, training):
        z_mean, z_log_var, z = self.encoder(images, training=training)
        reconstruction = self.decoder(z, training=training)
        return vae_loss_terms(images, reconstruction, z_mean, z_log_var)

    def _report(self, reconstruction_loss, kl_loss):
        self.loss_tracker.update_state(reconstruction_loss + self.kl_weight * kl_loss)
        self.reconstruction_tracker.update_state(reconstruction_loss)
        self.kl_tracker.update_state(kl_loss)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        import tensorflow as tf  # the course runs Keras on the TensorFlow backend

        images = data[0] if isinstance(data, tuple) else data
        with tf.GradientTape() as tape:
            reconstruction_loss, kl_loss = self._vae_losses(images, training=True)
            total = reconstruction_loss + self.kl_weight * kl_loss
            # Under mixed_float16 compile() made the optimizer a LossScaleOptimizer, whose
            # apply_gradients divides by the scale: the loss must be scaled to match.
            total = self.optimizer.scale_loss(total)
        grads = tape.gradient(total, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return self._report(reconstruction_loss, kl_loss)

    def test_step(self, data):
        images = data[0] if isinstance(data, tuple) else data
        return self._report(*self._vae_losses(images, training=False))

    def get_config(self):
        return {
            **super().get_config(),
            "encoder": keras.saving.serialize_keras_object(self.encoder),
            "decoder": keras.saving.serialize_keras_object(self.decoder),
            "kl_weight": self.kl_weight,
        }

    @classmethod
    def from_config(cls, config):
        config["encoder"] = keras.saving.deserialize_keras_object(config["encoder"])
        config["decoder"] = keras.saving.deserialize_keras_object(config["decoder"])
        return cls(**config)


def build_vae(latent_dim=2, input_shape=(28, 28, 1), seed=None, kl_weight=1.0, hidden_units=16):
    """Return a compiled VAE (adam) with a conv encoder and a transposed-conv decoder.

    input_shape: (height, width, channels), height and width multiples of 4; images in [0, 1].
    kl_weight scales the KL term (1 is the VAE; below 1 trades a tidy latent space for sharper
    reconstructions and codes that sit further apart). hidden_units: the encoder's last Dense
    layer (16 as in keras-io's VAE; wider learns faster on small data).
    """
    for name, value in (("latent_dim", latent_dim), ("hidden_units", hidden_units)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}.")
    if (
        not isinstance(input_shape, (tuple, list))
        or len(input_shape) != 3
        or not all(isinstance(v, int) and v > 0 for v in input_shape)
    ):
        raise ValueError(
            f"input_shape must be (height, width, channels), e.g. (28, 28, 1); got {input_shape!r}."
        )
    if input_shape[0] % 4 or input_shape[1] % 4:
        raise ValueError(f"input_shape height and width must be multiples of 4, got {input_shape}.")
    if isinstance(kl_weight, bool) or not kl_weight > 0:
        raise ValueError(f"kl_weight must be a positive number, e.g. 1.0; got {kl_weight!r}.")
    vae = VAE(
        build_vae_encoder(latent_dim, input_shape, seed=seed, hidden_units=hidden_units),
        build_vae_decoder(latent_dim, input_shape),
        kl_weight=kl_weight,
        name="vae",
    )
    vae.compile(optimizer="adam")
    return vae
