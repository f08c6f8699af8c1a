import keras
import numpy as np
import pytest

from gan_course import models


def test_parameter_counts_are_the_textbook_ones(textbook_models):
    generator, discriminator, _ = textbook_models
    assert generator.count_params() == 865_281
    assert discriminator.count_params() == 212_865


def test_generator_maps_noise_to_images_in_tanh_range(textbook_models):
    generator, _, _ = textbook_models
    images = generator.predict_on_batch(np.random.default_rng(0).normal(size=(4, 100)))
    assert images.shape == (4, 28, 28, 1)
    assert images.min() >= -1 and images.max() <= 1


def test_generator_layers_follow_the_textbook():
    generator = models.build_generator()
    kinds = [type(layer).__name__ for layer in generator.layers]
    assert kinds == [
        "Dense",
        "LeakyReLU",
        "BatchNormalization",
        "Reshape",
        "UpSampling2D",
        "Conv2D",
        "BatchNormalization",
        "LeakyReLU",
        "UpSampling2D",
        "Conv2D",
    ]
    assert generator.layers[1].negative_slope == pytest.approx(0.2)
    assert generator.layers[3].target_shape == (7, 7, 128)
    assert generator.layers[-1].get_config()["activation"] == "tanh"
    assert generator.layers[5].get_config()["padding"] == "same"


def test_discriminator_is_compiled_strided_and_outputs_a_probability(textbook_models):
    _, discriminator, _ = textbook_models
    convs = [layer for layer in discriminator.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.strides for c in convs] == [(2, 2), (2, 2)]
    assert [
        layer.rate for layer in discriminator.layers if isinstance(layer, keras.layers.Dropout)
    ] == [0.3, 0.3]
    assert discriminator.loss == "binary_crossentropy"
    assert discriminator.output_shape == (None, 1)
    p = discriminator.predict_on_batch(np.zeros((2, 28, 28, 1)))
    assert ((0 < p) & (p < 1)).all()


def test_build_gan_freezes_the_discriminator_inside(textbook_models):
    generator, discriminator, gan = textbook_models
    assert discriminator.trainable is False
    assert {id(w) for w in gan.trainable_weights} == {id(w) for w in generator.trainable_weights}
    assert gan.input_shape == (None, 100) and gan.output_shape == (None, 1)


def test_other_latent_sizes_and_image_shapes():
    generator = models.build_generator(latent_dim=16, image_shape=(32, 32, 3))
    discriminator = models.build_discriminator(input_shape=(32, 32, 3))
    gan = models.build_gan(generator, discriminator)
    assert gan.predict_on_batch(np.zeros((2, 16))).shape == (2, 1)


@pytest.mark.parametrize("latent_dim", [0, -3, 2.5, "100", True])
def test_nonsense_latent_dim_is_refused(latent_dim):
    with pytest.raises(ValueError, match="latent_dim must be a positive whole number"):
        models.build_generator(latent_dim=latent_dim)


@pytest.mark.parametrize("shape", [(28, 28), (28, 28, 0), (28.0, 28, 1), "28x28"])
def test_nonsense_image_shapes_are_refused(shape):
    with pytest.raises(ValueError, match=r"\(height, width, channels\)"):
        models.build_discriminator(input_shape=shape)


def test_generator_image_shape_must_be_divisible_by_four():
    with pytest.raises(ValueError, match="multiples of 4"):
        models.build_generator(image_shape=(30, 30, 1))


def test_mismatched_generator_and_discriminator_are_refused():
    with pytest.raises(ValueError, match="same image shape"):
        models.build_gan(models.build_generator(), models.build_discriminator((32, 32, 1)))


def test_mlp_gan_has_the_textbook_shape_and_counts():
    generator = models.build_mlp_generator()
    discriminator = models.build_mlp_discriminator()
    assert generator.input_shape == (None, 128) and generator.output_shape == (None, 28, 28, 1)
    assert generator.count_params() == 1_493_520
    assert discriminator.count_params() == 1_460_225
    dense = [layer.units for layer in generator.layers if isinstance(layer, keras.layers.Dense)]
    assert dense == [256, 512, 1024, 784]
    dense = [layer.units for layer in discriminator.layers if isinstance(layer, keras.layers.Dense)]
    assert dense == [1024, 512, 256, 1]
    assert float(discriminator.optimizer.learning_rate) == pytest.approx(0.0002)
    assert discriminator.optimizer.beta_1 == 0.5
    assert models.build_mlp_discriminator(beta_1=0.9).optimizer.beta_1 == 0.9
    assert generator.layers[-2].get_config()["activation"] == "tanh"
    gan = models.build_gan(generator, discriminator, optimizer=keras.optimizers.Adam(0.0002))
    assert float(gan.optimizer.learning_rate) == pytest.approx(0.0002)
    assert gan.predict_on_batch(np.zeros((2, 128))).shape == (2, 1)


def test_lsgan_discriminator_has_no_sigmoid_and_the_gan_uses_its_loss():
    discriminator = models.build_discriminator(loss="mse")
    assert discriminator.layers[-1].activation.__name__ == "linear"
    assert discriminator.count_params() == 212_865
    gan = models.build_gan(models.build_generator(), discriminator)
    assert gan.loss == "mse" and discriminator.loss == "mse"


def test_discriminator_dropout_is_a_parameter_and_0_leaves_it_out():
    textbook = models.build_discriminator()
    assert [layer.rate for layer in textbook.layers if isinstance(layer, keras.layers.Dropout)] == [
        0.3,
        0.3,
    ]
    plain = models.build_discriminator(dropout=0)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in plain.layers)
    assert plain.count_params() == textbook.count_params()  # dropout has no weights
    images = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    # Without dropout a training-mode call is deterministic; with it, it is not.
    np.testing.assert_allclose(plain(images, training=True), plain(images, training=True))
    assert not np.allclose(textbook(images, training=True), textbook(images, training=True))
    for rate in (1, -0.1, True, "0.3"):
        with pytest.raises(ValueError, match="dropout must be a rate"):
            models.build_discriminator(dropout=rate)


def test_unknown_discriminator_loss_is_refused():
    with pytest.raises(ValueError, match="mse"):
        models.build_discriminator(loss="hinge")


def test_critic_is_the_discriminator_without_sigmoid():
    critic = models.build_critic()
    assert critic.count_params() == 212_865
    assert critic.layers[-1].activation.__name__ == "linear"
    assert not critic.compiled  # trained by training.critic_step, not compiled


def test_mixture_latent_replaces_the_first_coordinates_by_a_scaled_one_hot_code():
    z = np.random.default_rng(0).normal(size=(500, 12)).astype("float32")
    out = keras.ops.convert_to_numpy(models.MixtureLatent(4, scale=3.0)(z))
    assert out.shape == (500, 12)
    expected = np.eye(4)[z[:, :4].argmax(axis=1)] * 3.0  # the largest of the first 4 wins
    np.testing.assert_array_equal(out[:, :4], expected)
    np.testing.assert_array_equal(out[:, 4:], z[:, 4:])  # the rest passes through


def test_mixture_latent_picks_every_component_about_equally_often():
    z = np.random.default_rng(1).normal(size=(20_000, 100)).astype("float32")
    out = keras.ops.convert_to_numpy(models.MixtureLatent(20)(z))
    counts = np.bincount(out[:, :20].argmax(axis=1), minlength=20)
    # 1,000 expected each; a binomial standard deviation is about 31.
    assert counts.min() > 850 and counts.max() < 1150


def test_mixture_latent_refuses_bad_settings():
    for components in (0, 1, 2.5, True):
        with pytest.raises(ValueError, match="components must be a whole number >= 2"):
            models.MixtureLatent(components)
    for scale in (0, -1.0, float("inf"), "4"):
        with pytest.raises(ValueError, match="scale must be a positive number"):
            models.MixtureLatent(4, scale=scale)
    with pytest.raises(ValueError, match="longer than 100"):
        models.build_generator(latent_dim=100, latent_components=100)


def test_generator_with_latent_components_adds_no_weights_and_survives_saving(tmp_path):
    generator = models.build_generator(latent_components=20, latent_scale=4.0)
    assert type(generator.layers[0]).__name__ == "MixtureLatent"
    assert generator.count_params() == 865_281  # the textbook's count: the layer has no weights
    z = np.random.default_rng(2).normal(size=(6, 100)).astype("float32")
    generator.save(tmp_path / "g.keras")
    loaded = keras.saving.load_model(tmp_path / "g.keras")
    np.testing.assert_allclose(loaded.predict_on_batch(z), generator.predict_on_batch(z), atol=1e-6)
    # Only the winning component of the first 20 coordinates reaches the Dense layer:
    # changing their values but not which is largest leaves the image as it was.
    moved = z.copy()
    winner = moved[:, :20].argmax(axis=1)
    moved[:, :20] *= 0.5
    moved[np.arange(6), winner] += 10.0
    np.testing.assert_allclose(
        generator.predict_on_batch(moved), generator.predict_on_batch(z), atol=1e-6
    )


# --- the DCGAN paper's rules -------------------------------------------------------------------


def _kinds(model):
    return [type(layer).__name__ for layer in model.layers]


@pytest.mark.parametrize(
    "image_shape, filters", [((28, 28, 1), (128, 64)), ((32, 32, 1), (256, 128, 64))]
)
def test_dcgan_generator_follows_the_papers_rules(image_shape, filters):
    generator = models.build_dcgan_generator(image_shape=image_shape, filters=filters)
    kinds = _kinds(generator)
    assert "UpSampling2D" not in kinds and "MaxPooling2D" not in kinds
    assert kinds.count("Conv2DTranspose") == len(filters)  # learned, strided upsampling
    assert kinds.count("BatchNormalization") == len(filters)  # everywhere but the output
    assert kinds.count("ReLU") == len(filters) and "LeakyReLU" not in kinds
    assert (
        kinds[-1] == "Conv2DTranspose" and generator.layers[-1].get_config()["activation"] == "tanh"
    )
    assert kinds[-2] == "ReLU"  # no batch norm right before the output
    noise = np.random.default_rng(0).normal(size=(3, 100)).astype("float32")
    images = np.asarray(generator(noise))
    assert images.shape == (3, *image_shape) and np.abs(images).max() <= 1


def test_dcgan_discriminator_follows_the_papers_rules():
    discriminator = models.build_dcgan_discriminator(filters=(64, 128))
    kinds = _kinds(discriminator)
    assert kinds == [
        "Conv2D",
        "LeakyReLU",
        "Conv2D",
        "BatchNormalization",
        "LeakyReLU",
        "Flatten",
        "Dense",
    ]  # no BN on the input layer, no hidden FC layer
    assert all(
        layer.get_config()["strides"] == (2, 2)
        for layer in discriminator.layers
        if isinstance(layer, keras.layers.Conv2D)
    )
    assert discriminator.layers[1].negative_slope == pytest.approx(0.2)
    p = np.asarray(discriminator(np.zeros((2, 28, 28, 1), "float32")))
    assert p.shape == (2, 1) and ((p > 0) & (p < 1)).all()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"image_shape": (30, 30, 1)}, "multiples of 4"),
        ({"image_shape": (28, 28, 1), "filters": (256, 128, 64)}, "multiples of 8"),
        ({"filters": ()}, "non-empty tuple"),
        ({"filters": (64, 0)}, "positive whole numbers"),
    ],
)
def test_dcgan_generator_refuses_shapes_it_cannot_make(kwargs, message):
    with pytest.raises(ValueError, match=message):
        models.build_dcgan_generator(**kwargs)
