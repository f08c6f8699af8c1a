import keras
import numpy as np
import pytest

from gan_course import diffusion


@pytest.fixture(scope="module")
def betas():
    return diffusion.cosine_schedule()


def test_schedules_fade_the_signal_from_one_to_zero(betas):
    for schedule in (betas, diffusion.linear_schedule()):
        alpha_bar = diffusion.alpha_bars(schedule)
        assert schedule.shape == (1000,) and np.all((schedule > 0) & (schedule < 1))
        assert np.all(np.diff(alpha_bar) < 0)
        assert alpha_bar[0] > 0.99 and alpha_bar[-1] < 1e-3
    # the cosine schedule keeps more signal half-way than the linear one (why the course uses it)
    linear = diffusion.alpha_bars(diffusion.linear_schedule())
    assert diffusion.alpha_bars(betas)[500] > 5 * linear[500]


def test_closed_form_matches_repeated_noising(betas):
    rng = np.random.default_rng(0)
    x0 = np.full((20000, 1), 0.7)
    t = 300
    x = x0.copy()
    for s in range(t + 1):
        x = diffusion.forward_step(x, s, rng.standard_normal(x.shape), betas)
    alpha_bar = diffusion.alpha_bars(betas)
    direct = diffusion.add_noise(x0, t, rng.standard_normal(x0.shape), alpha_bar)
    for sample in (x, direct):
        assert sample.mean() == pytest.approx(np.sqrt(alpha_bar[t]) * 0.7, abs=0.02)
        assert sample.std() == pytest.approx(np.sqrt(1 - alpha_bar[t]), abs=0.02)


def test_given_the_true_noise_a_denoising_step_undoes_the_noising(betas):
    rng = np.random.default_rng(1)
    alpha_bar = diffusion.alpha_bars(betas)
    x0 = rng.uniform(-1, 1, size=(4, 8, 8, 1))
    noise = rng.standard_normal(x0.shape)
    t = np.array([999, 500, 10, 1])
    x_t = diffusion.add_noise(x0, t, noise, alpha_bar)
    np.testing.assert_allclose(diffusion.predict_x0(x_t, t, noise, alpha_bar), x0, atol=1e-6)
    # DDIM from t to an earlier step lands exactly where the forward process would be
    back = diffusion.ddim_step(x_t, t, t - 1, noise, alpha_bar)
    np.testing.assert_allclose(back, diffusion.add_noise(x0, t - 1, noise, alpha_bar), atol=1e-6)
    np.testing.assert_allclose(diffusion.ddim_step(x_t, t, -1, noise, alpha_bar), x0, atol=1e-6)


def test_ddpm_step_draws_from_the_previous_noise_level(betas):
    # x_t ~ q(x_t | x_0); one DDPM step with the true noise must give q(x_{t-1} | x_0)
    rng = np.random.default_rng(2)
    alpha_bar = diffusion.alpha_bars(betas)
    x0, t = np.full((40000, 1), -0.4), 200
    x_t = diffusion.add_noise(x0, t, noise := rng.standard_normal(x0.shape), alpha_bar)
    x_prev = diffusion.ddpm_step(x_t, t, noise, betas, rng)
    assert x_prev.mean() == pytest.approx(np.sqrt(alpha_bar[t - 1]) * -0.4, abs=0.01)
    assert x_prev.std() == pytest.approx(np.sqrt(1 - alpha_bar[t - 1]), abs=0.01)
    np.testing.assert_allclose(
        diffusion.ddpm_step(x_t[:5], 0, noise[:5], betas, rng),
        np.clip(diffusion.predict_x0(x_t[:5], 0, noise[:5], alpha_bar), -1, 1),
    )


def test_a_random_ddim_jump_also_lands_on_the_earlier_noise_level(betas):
    rng = np.random.default_rng(4)
    alpha_bar = diffusion.alpha_bars(betas)
    x0, t, t_prev = np.full((40000, 1), 0.3), 600, 400
    x_t = diffusion.add_noise(x0, t, noise := rng.standard_normal(x0.shape), alpha_bar)
    jumped = diffusion.ddim_step(x_t, t, t_prev, noise, alpha_bar, eta=1.0, rng=rng)
    assert jumped.mean() == pytest.approx(np.sqrt(alpha_bar[t_prev]) * 0.3, abs=0.01)
    assert jumped.std() == pytest.approx(np.sqrt(1 - alpha_bar[t_prev]), abs=0.01)
    # and it is random: not the deterministic jump
    assert np.abs(jumped - diffusion.ddim_step(x_t, t, t_prev, noise, alpha_bar)).mean() > 0.1


class PerfectPredictor:
    """For a data set of one image, the best possible noise prediction, computed exactly."""

    def __init__(self, image, betas):
        self.image, self.alpha_bar = image, diffusion.alpha_bars(betas)

    def __call__(self, inputs, training=False):
        x_t, level = inputs
        a = self.alpha_bar[int(round(level[0, 0] * len(self.alpha_bar)))]
        return (x_t - np.sqrt(a) * self.image) / np.sqrt(1 - a)


@pytest.mark.parametrize("method, eta", [("ddim", 0.0), ("ddim", 1.0), ("ddpm", 0.0)])
def test_sampling_with_a_perfect_predictor_returns_the_data(betas, method, eta):
    image = np.random.default_rng(3).uniform(-0.9, 0.9, size=(8, 8, 1))
    model = PerfectPredictor(image, betas)
    samples = diffusion.sample(model, 3, betas, method, sampling_steps=20, image_size=8, eta=eta)
    assert samples.shape == (3, 8, 8, 1)
    np.testing.assert_allclose(samples, np.broadcast_to(image, samples.shape), atol=1e-4)


def test_unet_predicts_noise_of_the_image_shape_and_starts_at_zero():
    keras.utils.set_random_seed(0)
    net = diffusion.build_unet(8, widths=(8, 16), block_depth=1)
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 1)).astype("float32")
    out = np.asarray(net([x, np.array([[0.1], [0.9]], "float32")]))
    assert out.shape == (2, 8, 8, 1) and np.all(out == 0)
    with pytest.raises(ValueError, match="divisible by"):
        diffusion.build_unet(10, widths=(8, 16, 32))


def test_the_unet_learns_and_samples_deterministically(betas):
    keras.utils.set_random_seed(0)
    images = np.random.default_rng(0).uniform(-1, 1, size=(64, 8, 8, 1)).astype("float32")
    net = diffusion.build_unet(8, widths=(8, 16), block_depth=1)
    net.compile(keras.optimizers.Adam(1e-3), loss="mse")
    history = net.fit(diffusion.NoisyBatches(images, betas, batch_size=16), epochs=3, verbose=0)
    assert history.history["loss"][-1] < 1.0  # below the loss of predicting zero (variance 1)
    a = diffusion.sample(net, 4, betas, sampling_steps=5, seed=7)
    b = diffusion.sample(net, 4, betas, sampling_steps=5, seed=7)
    assert a.shape == (4, 8, 8, 1) and np.abs(a).max() <= 1
    np.testing.assert_array_equal(a, b)


def test_noisy_batches_pair_a_noisy_image_with_its_noise(betas):
    images = np.random.default_rng(0).uniform(-1, 1, size=(10, 8, 8, 1))
    (x_t, level), noise = diffusion.NoisyBatches(images, betas, batch_size=5)[0]
    assert x_t.shape == noise.shape == (5, 8, 8, 1) and level.shape == (5, 1)
    t = np.round(level[:, 0] * 1000).astype(int)
    x0 = diffusion.predict_x0(x_t, t, noise, diffusion.alpha_bars(betas))
    for image in x0:  # each batch image is one of the clean images, noised
        assert np.min(np.abs(images - image).max(axis=(1, 2, 3))) < 1e-3
    with pytest.raises(ValueError, match=r"in \[-1, 1\]"):
        diffusion.NoisyBatches(images * 255, betas)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda b: diffusion.sample(None, 2, b, method="ddpn"), "'ddim' or 'ddpm'"),
        (lambda b: diffusion.sample(None, 2, b, sampling_steps=0), "from 1 to 1000"),
        (lambda b: diffusion.cosine_schedule(1), "whole number >= 2"),
        (lambda b: diffusion.sample(None, 2, b, eta=2.0), "eta must be from 0"),
        (lambda b: diffusion.alpha_bars([0.5, 1.0]), "strictly between 0 and 1"),
        (lambda b: diffusion.add_noise(np.zeros((1, 2)), 1000, np.zeros((1, 2)), b), "0 to 999"),
    ],
)
def test_bad_input_gets_a_clear_error(betas, call, message):
    with pytest.raises(ValueError, match=message):
        call(betas)
