import keras
import numpy as np
import pytest

from gan_course import autoencoders as ae


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return (rng.uniform(size=(64, 28, 28, 1)) > 0.8).astype("float32")


def test_textbook_conv_autoencoder_shapes(images):
    autoencoder, encoder, decoder = ae.build_conv_autoencoder()
    assert encoder.output_shape == (None, 4, 4, 8)  # 128 numbers for 784 pixels
    assert decoder.output_shape == (None, 28, 28, 1)
    assert autoencoder.loss == "binary_crossentropy"
    out = autoencoder.predict_on_batch(images[:2])
    assert out.shape == (2, 28, 28, 1) and out.min() >= 0 and out.max() <= 1


def test_dense_autoencoder_learns_to_reconstruct(images):
    keras.utils.set_random_seed(0)
    autoencoder, encoder, decoder = ae.build_dense_autoencoder(latent_dim=16)
    before = autoencoder.evaluate(images, images, verbose=0)
    autoencoder.fit(images, images, epochs=20, batch_size=16, verbose=0)
    assert autoencoder.evaluate(images, images, verbose=0) < before
    assert encoder.output_shape == (None, 16)
    np.testing.assert_allclose(decoder(encoder(images[:3])), autoencoder(images[:3]), atol=1e-6)


def test_sparse_autoencoder_adds_an_activity_penalty(images):
    plain, _, _ = ae.build_dense_autoencoder(latent_dim=8)
    sparse, _, _ = ae.build_dense_autoencoder(latent_dim=8, sparsity=1e-3)
    plain(images[:4])
    sparse(images[:4])
    assert len(plain.losses) == 0 and len(sparse.losses) == 1


@pytest.mark.parametrize(
    "kwargs, message", [({"latent_dim": 0}, "positive"), ({"sparsity": -1.0}, ">= 0")]
)
def test_bad_autoencoder_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ae.build_dense_autoencoder(**kwargs)


def test_conv_autoencoder_refuses_other_sizes():
    with pytest.raises(ValueError, match="28x28"):
        ae.build_conv_autoencoder((32, 32, 1))


def test_sampling_is_the_reparameterisation_trick():
    layer = ae.Sampling(seed=1)
    mean = np.full((20000, 1), 3.0, "float32")
    log_var = np.full((20000, 1), np.log(4.0), "float32")  # standard deviation 2
    z = np.asarray(layer([mean, log_var]))
    assert abs(z.mean() - 3.0) < 0.05 and abs(z.std() - 2.0) < 0.05


def test_vae_trains_logs_both_terms_and_reloads(images, tmp_path):
    keras.utils.set_random_seed(0)
    vae = ae.build_vae(latent_dim=2, seed=0)
    history = vae.fit(images, epochs=3, batch_size=16, verbose=0)
    assert set(history.history) == {"loss", "reconstruction_loss", "kl_loss"}
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert all(k >= 0 for k in history.history["kl_loss"])
    z_mean, z_log_var, z = vae.encoder.predict_on_batch(images[:5])
    assert z_mean.shape == z_log_var.shape == z.shape == (5, 2)
    assert vae.decoder.predict_on_batch(z_mean).shape == (5, 28, 28, 1)
    path = tmp_path / "vae.keras"
    vae.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(again.encoder.predict_on_batch(images[:5])[0], z_mean, atol=1e-6)
    np.testing.assert_allclose(
        again.predict_on_batch(images[:5]), vae.predict_on_batch(images[:5]), atol=1e-6
    )


def test_vae_kl_term_is_zero_for_the_prior():
    """KL(N(0, 1) || N(0, 1)) = 0 and it grows when the mean moves away."""
    vae = ae.build_vae(latent_dim=2)
    kl = -0.5 * (1 + 0.0 - np.square([0.0, 2.0]) - np.exp(0.0))
    np.testing.assert_allclose(kl, [0.0, 2.0])
    assert vae.kl_weight == 1.0


def test_add_noise_stays_in_range_and_refuses_uint8():
    clean = np.full((4, 28, 28, 1), 0.5, "float32")
    noisy = ae.add_noise(clean, std=0.5, rng=np.random.default_rng(0))
    assert noisy.min() >= 0 and noisy.max() <= 1 and noisy.std() > 0.2
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ae.add_noise(np.zeros((1, 2, 2), np.uint8))


def test_vae_loss_terms_on_hand_computed_inputs():
    images = np.array([[[[1.0]]], [[[0.0]]]], "float32")  # two 1-pixel images
    reconstruction = np.array([[[[0.5]]], [[[0.5]]]], "float32")
    z_mean = np.array([[0.0], [2.0]], "float32")
    z_log_var = np.zeros((2, 1), "float32")
    reconstruction_loss, kl_loss = ae.vae_loss_terms(images, reconstruction, z_mean, z_log_var)
    assert float(reconstruction_loss) == pytest.approx(np.log(2), rel=1e-5)
    assert float(kl_loss) == pytest.approx((0.0 + 2.0) / 2, rel=1e-6)  # KL: 0 and 2, mean 1


def test_vae_hidden_units_sets_the_encoder_width():
    vae = ae.build_vae(latent_dim=2, hidden_units=64)
    widths = [layer.units for layer in vae.encoder.layers if hasattr(layer, "units")]
    assert widths == [64, 2, 2]
    assert [layer.units for layer in ae.build_vae().encoder.layers if hasattr(layer, "units")] == [
        16,
        2,
        2,
    ], "the default is keras-io's 16"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"input_shape": (28, 28)}, r"\(height, width, channels\)"),
        ({"hidden_units": 0}, "hidden_units must be a positive"),
        ({"kl_weight": -1.0}, "kl_weight must be a positive"),
        ({"input_shape": (30, 30, 1)}, "multiples of 4"),
    ],
)
def test_build_vae_refuses_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ae.build_vae(**kwargs)
