"""Checks for chapter 14, a diffusion model: noising and the DDIM step."""

import numpy as np

from ._common import _array, _checker


def _diffusion_case():
    from gan_course import diffusion

    alpha_bar = diffusion.alpha_bars(diffusion.cosine_schedule())
    rng = np.random.default_rng(0)
    x0 = rng.uniform(-1, 1, (4, 16, 16, 1))
    noise = rng.standard_normal(x0.shape)
    return diffusion, alpha_bar, x0, noise, np.array([0, 250, 500, 999])


@_checker
def check_diffusion_noising(v, add_noise):
    """add_noise(x0, t, noise, alpha_bar) = sqrt(alpha_bar[t]) x0 + sqrt(1 - alpha_bar[t]) noise."""
    diffusion, alpha_bar, x0, noise, t = _diffusion_case()
    got = _array(add_noise(x0, t, noise, alpha_bar))
    if not v.expect(
        got.shape == x0.shape,
        "returns noisy images of the clean images' shape",
        f"x0 is {x0.shape}, got {got.shape}: reshape alpha_bar[t] to (N, 1, 1, 1) so that each "
        "image gets its own step",
    ):
        return
    want = diffusion.add_noise(x0, t, noise, alpha_bar)
    v.expect(
        np.allclose(got[1:3], want[1:3], atol=1e-5),
        "sqrt(alpha_bar_t) x0 + sqrt(1 - alpha_bar_t) noise, each image at its own t",
        "at t = 250 and 500 the result differs from sqrt(alpha_bar[t]) * x0 + "
        "sqrt(1 - alpha_bar[t]) * noise: take both square roots, and alpha_bar (not beta)",
    )
    v.expect(
        np.allclose(got[0], x0[0], atol=0.1) and np.allclose(got[3], noise[3], atol=0.1),
        "t = 0 keeps the image, t = 999 is almost pure noise",
        "t = 0 should give (almost) x0 and t = 999 (almost) the noise",
    )


@_checker
def check_ddim_step(v, ddim_step):
    """ddim_step(x_t, t, t_prev, noise, alpha_bar): estimate x0, then noise it to t_prev."""
    diffusion, alpha_bar, x0, noise, t = _diffusion_case()
    t = np.array([999, 500, 250, 10])
    x_t = diffusion.add_noise(x0, t, noise, alpha_bar)
    got = _array(ddim_step(x_t, t, t - 1, noise, alpha_bar))
    want = diffusion.add_noise(x0, t - 1, noise, alpha_bar)
    if not v.expect(
        got.shape == x0.shape,
        "returns images of x_t's shape",
        f"x_t is {x_t.shape}, got {got.shape}",
    ):
        return
    v.expect(
        np.allclose(got, want, atol=1e-4),
        "given the true noise, a step from t to t - 1 lands on the noisy image at t - 1",
        "with the true noise the step should give sqrt(alpha_bar[t_prev]) x0 + "
        "sqrt(1 - alpha_bar[t_prev]) noise, where x0 = (x_t - sqrt(1 - alpha_bar[t]) noise) "
        "/ sqrt(alpha_bar[t])",
    )
    far = _array(ddim_step(x_t, t, np.maximum(t - 200, 0), noise, alpha_bar))
    v.expect(
        np.allclose(
            far, diffusion.add_noise(x0, np.maximum(t - 200, 0), noise, alpha_bar), atol=1e-4
        ),
        "it can skip steps: from t to t - 200 in one jump",
        "a jump of 200 steps should land on the noisy image at t - 200: use alpha_bar[t_prev], "
        "not alpha_bar[t - 1]",
    )
    clean = _array(ddim_step(x_t, t, -np.ones_like(t), noise, alpha_bar))
    v.expect(
        np.allclose(clean, x0, atol=1e-4),
        "t_prev = -1 returns the clean estimate x0",
        "with t_prev = -1 (all steps done) return the x0 estimate itself",
    )
