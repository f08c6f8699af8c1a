"""The search behind the course's best MNIST recipe (notebook 09, section 4). Prints numbers.

    python benchmarks/recipe_search.py --list           # the runs and their settings
    python benchmarks/recipe_search.py recipe B        # run some of them, one after another
    KERAS_BACKEND=jax python benchmarks/recipe_search.py --all --parallel 12   # on a GPU

Every run trains the textbook DCGAN with the course's textbook loop (a discriminator step on
real images, one on fakes, then the combined model's step, with the freeze set right before
each) on the offline MNIST subset (4,000 digits), changing one or two settings at a time. Every
`every` steps it scores 2,000 samples of the raw generator and of its moving average (EMA) with
gan_course.metrics, and at the steps in `best_of` also the better half and the best quarter of
8,000 EMA samples as the final discriminator rates them (what training.sample_best does).

Each printed line: run, step, ms per step, then (Frechet distance over the real-vs-real floor,
confident share, fewest and most confident samples of one digit out of 2,000).

The numbers in notebook 09 came from `KERAS_BACKEND=jax ... --all --parallel 12` on one NVIDIA
H100 (Keras 3.15.1, JAX 0.11.2), in three batches of 8 to 12 runs of about 6 minutes each; the
2-core CPU would need about 5 hours. The runs with "decay" were made with --steps 6000 (their
rates reach 0 at step 6,000), except "recipe", made with the default 6,500.
The milliseconds per step there are not CPU times: on the course's 2-core CPU the textbook
models take about 0.13 s a step (0.22 s at batch 64, 0.27 s with the generator twice as wide).
The chosen recipe was then trained on the CPU, in the notebook.

Rounds 5-7 (the runs from "winner" on) started from the round-4 winner and asked why the
confident share stayed near 71%: truncation (`--truncation`), the latent size, and a mixture
latent space (models.MixtureLatent), with and without an InfoGAN code. They ran 12 at a time on
the H100 (--steps 6000 --best-of 6000; about 5 minutes a batch); their raw output is in
benchmarks/results/recipe_search_rounds_5-7.log. The winner of those rounds, 20 components at
scale 4, is train_dcgan.RECIPES["best"].
"""

import argparse
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
from keras import layers, ops

from gan_course import data, metrics, models

# Settings: d_lr, g_lr (Adam), beta1, beta2 (default 0.999), batch, real_label, ema (decay),
# decay (1: both rates fall linearly to 0 over `steps`), dropout (D's, default 0.3), dw / gw
# (D's / G's width multiplier), aug (DiffAugment policies), noise (Gaussian instance noise on
# D's input), joint (one D step on real + fake together), seed; and from round 5 on: mix and
# scale (models.MixtureLatent(mix, scale) in front of G), latent (G's input size, default 100),
# bnm (G's BatchNormalization momentum, default 0.99), lr_end (the rate the decay ends at,
# default 0) and info (InfoGAN: a Q head on D's body predicts G's mixture component, with
# this weight).
BASE = {"d_lr": 1e-3, "g_lr": 1e-3, "beta1": 0.5, "batch": 32, "real_label": 0.9, "ema": 0.999}
RUNS = {
    "B": BASE,
    "B-seed1": {**BASE, "seed": 1},
    "B-label1": {**BASE, "real_label": 1.0},
    "B-nodropout": {**BASE, "dropout": 0},
    "B-translate": {**BASE, "aug": ["translation"]},
    "B-translate-cutout": {**BASE, "aug": ["translation", "cutout"]},
    "B-translate-cutout-nodropout": {**BASE, "aug": ["translation", "cutout"], "dropout": 0},
    "B-translate-cutout-joint": {**BASE, "aug": ["translation", "cutout"], "joint": 1},
    "joint-2e-3": {**BASE, "d_lr": 2e-3, "g_lr": 2e-3, "joint": 1},
    "B-2e-4-translate-cutout": {
        **BASE,
        "d_lr": 2e-4,
        "g_lr": 2e-4,
        "aug": ["translation", "cutout"],
    },
    "TTUR-D4e-4-G1e-4": {**BASE, "d_lr": 4e-4, "g_lr": 1e-4},
    "B-batch64": {**BASE, "batch": 64},
    "B-G-wide": {**BASE, "gw": 2},
    "B-D-wide": {**BASE, "dw": 2},
    "B-ema0.9995": {**BASE, "ema": 0.9995},
    "B-ema0.998": {**BASE, "ema": 0.998},
    "B-decay": {**BASE, "decay": 1},
    "B-2e-3-decay": {**BASE, "d_lr": 2e-3, "g_lr": 2e-3, "decay": 1},
    "B-G-wide-decay": {**BASE, "gw": 2, "decay": 1},
    "B-translate-decay": {**BASE, "aug": ["translation"], "decay": 1},
    "B-beta2-0.99": {**BASE, "beta2": 0.99},
    "B-noise0.1": {**BASE, "noise": 0.1},
    "B-noise0.2": {**BASE, "noise": 0.2},
    "G2e-3": {**BASE, "g_lr": 2e-3},
    "G2e-3-seed1": {**BASE, "g_lr": 2e-3, "seed": 1},
    "G3e-3": {**BASE, "g_lr": 3e-3},
    "G2e-3-D5e-4": {**BASE, "g_lr": 2e-3, "d_lr": 5e-4},
    "G2e-3-beta2-0.99": {**BASE, "g_lr": 2e-3, "beta2": 0.99},
    "G2e-3-noise0.1": {**BASE, "g_lr": 2e-3, "noise": 0.1},
    "G2e-3-ema0.998": {**BASE, "g_lr": 2e-3, "ema": 0.998},
    "recipe": {**BASE, "g_lr": 2e-3, "decay": 1},  # train_dcgan.RECIPES["best"]
    # Around the recipe (--steps 6001, the recipe's own length):
    "recipe-seed1": {**BASE, "g_lr": 2e-3, "decay": 1, "seed": 1},
    "recipe-D5e-4": {**BASE, "g_lr": 2e-3, "d_lr": 5e-4, "decay": 1},
    "recipe-G3e-3": {**BASE, "g_lr": 3e-3, "decay": 1},
    "recipe-G4e-3": {**BASE, "g_lr": 4e-3, "decay": 1},
    "recipe-ema0.998": {**BASE, "g_lr": 2e-3, "decay": 1, "ema": 0.998},
    "recipe-ema0.9995": {**BASE, "g_lr": 2e-3, "decay": 1, "ema": 0.9995},
    "recipe-beta2-0.99": {**BASE, "g_lr": 2e-3, "decay": 1, "beta2": 0.99},
    "recipe-noise0.1": {**BASE, "g_lr": 2e-3, "decay": 1, "noise": 0.1},
    "recipe-label1": {**BASE, "g_lr": 2e-3, "decay": 1, "real_label": 1.0},
    "recipe-nodropout": {**BASE, "g_lr": 2e-3, "decay": 1, "dropout": 0},
    "recipe-D5e-4-nodropout": {**BASE, "g_lr": 2e-3, "d_lr": 5e-4, "decay": 1, "dropout": 0},
    "recipe-label0.8": {**BASE, "g_lr": 2e-3, "decay": 1, "real_label": 0.8},
}
# Rounds 5-7 (--steps 6000 --best-of 6000 --truncation): from the round-4 winner,
# the shape of G's latent space.
WINNER = {**BASE, "g_lr": 2e-3, "d_lr": 5e-4, "decay": 1, "dropout": 0}
RUNS.update(
    {
        "winner": WINNER,
        "winner-seed1": {**WINNER, "seed": 1},
        "winner-label1": {**WINNER, "real_label": 1.0},
        "winner-latent32": {**WINNER, "latent": 32},
        "winner-latent64": {**WINNER, "latent": 64},
        "winner-bnm0.9": {**WINNER, "bnm": 0.9},
        "winner-latent32-bnm0.9": {**WINNER, "latent": 32, "bnm": 0.9},
        "winner-G3e-3": {**WINNER, "g_lr": 3e-3},
        "winner-G1.5e-3": {**WINNER, "g_lr": 1.5e-3},
        "winner-D3e-4": {**WINNER, "d_lr": 3e-4},
        "winner-lr_end-5e-5": {**WINNER, "lr_end": 5e-5},
        "winner-8000-steps": WINNER,  # run with --steps 8000 --best-of 8000
    }
)
MIXTURES_RUN = {  # (components, scale): the seeds that ran
    (10, 1): (0, 1),
    (10, 2): (0, 1),
    (10, 3): (0, 1, 2, 3),
    (10, 4): (0,),
    (10, 5): (0, 1),
    (10, 8): (0, 1),
    (10, 12): (0,),
    (20, 1): (0,),
    (20, 2): (0, 1),
    (20, 3): (0, 1, 2, 3),
    (20, 4): (0, 1),
    (20, 5): (0, 1),
    (20, 8): (0,),
    (30, 3): (0,),
}
for (components, scale), seeds in MIXTURES_RUN.items():
    for seed in seeds:
        name = f"mix{components}-s{scale}" + (f"-seed{seed}" if seed else "")
        RUNS[name] = {**WINNER, "mix": components, "scale": scale, "seed": seed}
RUNS.update(
    {
        "mix10-s1-bnm0.9": {**WINNER, "mix": 10, "scale": 1, "bnm": 0.9},
        "mix10-s1-latent32": {**WINNER, "mix": 10, "scale": 1, "latent": 32},
        "mix10-s5-latent32": {**WINNER, "mix": 10, "scale": 5, "latent": 32},
        "info1": {**WINNER, "mix": 10, "scale": 1, "info": 1.0},
        "info1-seed1": {**WINNER, "mix": 10, "scale": 1, "info": 1.0, "seed": 1},
        "info0.3": {**WINNER, "mix": 10, "scale": 1, "info": 0.3},
        "info1-s3": {**WINNER, "mix": 10, "scale": 3, "info": 1.0},
        "info1-latent32": {**WINNER, "mix": 10, "scale": 1, "info": 1.0, "latent": 32},
        "info0.3-s5": {**WINNER, "mix": 10, "scale": 5, "info": 0.3},
    }
)


class DiffAugment(layers.Layer):
    """Differentiable augmentation for D (Zhao et al., 2020), active only when training:
    a random shift of up to `shift` of the size (filled with the background, -1) and a
    random square of `cutout` of the size set to -1."""

    def __init__(self, policy=("translation", "cutout"), shift=0.125, cutout=0.5, seed=None):
        super().__init__()
        self.policy, self.shift, self.cutout = tuple(policy), shift, cutout
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, x, training=False):
        if not training:
            return x
        n, h, w = ops.shape(x)[0], x.shape[1], x.shape[2]
        y, rows, cols = x + 1.0, ops.arange(h), ops.arange(w)
        if "translation" in self.policy:
            dy, dx = int(h * self.shift + 0.5), int(w * self.shift + 0.5)
            sy = keras.random.randint((n,), -dy, dy + 1, seed=self.seed_generator)
            sx = keras.random.randint((n,), -dx, dx + 1, seed=self.seed_generator)
            # One-hot shift matrices: out[r] = in[r - s], zero (background) where that is outside.
            shift_rows = ops.equal(rows[None, None, :], rows[None, :, None] - sy[:, None, None])
            shift_cols = ops.equal(cols[None, None, :], cols[None, :, None] - sx[:, None, None])
            y = ops.einsum("nrk,nkcz->nrcz", ops.cast(shift_rows, y.dtype), y)
            y = ops.einsum("nck,nrkz->nrcz", ops.cast(shift_cols, y.dtype), y)
        if "cutout" in self.policy:
            half_h, half_w = int(h * self.cutout / 2), int(w * self.cutout / 2)
            cy = keras.random.randint((n,), 0, h, seed=self.seed_generator)
            cx = keras.random.randint((n,), 0, w, seed=self.seed_generator)
            outside = ops.logical_or(
                ops.abs(rows[None, :, None] - cy[:, None, None]) >= half_h,
                ops.abs(cols[None, None, :] - cx[:, None, None]) >= half_w,
            )
            y = y * ops.cast(outside, y.dtype)[..., None]
        return y - 1.0


def learning_rate(cfg, key, updates_per_step, steps):
    if cfg.get("decay"):
        return keras.optimizers.schedules.PolynomialDecay(
            cfg[key], steps * updates_per_step, end_learning_rate=cfg.get("lr_end", 0.0)
        )
    return cfg[key]


def adam(cfg, key, updates_per_step, steps):
    return keras.optimizers.Adam(
        learning_rate(cfg, key, updates_per_step, steps),
        beta_1=cfg["beta1"],
        beta_2=cfg.get("beta2", 0.999),
    )


def build_generator(cfg):
    width, latent, momentum = cfg.get("gw", 1), cfg.get("latent", 100), cfg.get("bnm", 0.99)
    mixture = (
        {"latent_components": cfg["mix"], "latent_scale": cfg["scale"]} if "mix" in cfg else {}
    )
    if width == 1 and momentum == 0.99:
        return models.build_generator(latent_dim=latent, **mixture)
    g = keras.Sequential(name="generator")  # the textbook generator, with the options
    g.add(keras.Input(shape=(latent,)))
    if mixture:
        g.add(models.MixtureLatent(cfg["mix"], cfg["scale"]))
    g.add(layers.Dense(128 * width * 7 * 7))
    g.add(layers.LeakyReLU(0.2))
    g.add(layers.BatchNormalization(momentum=momentum))
    g.add(layers.Reshape((7, 7, 128 * width)))
    g.add(layers.UpSampling2D())
    g.add(layers.Conv2D(64 * width, 5, padding="same"))
    g.add(layers.BatchNormalization(momentum=momentum))
    g.add(layers.LeakyReLU(0.2))
    g.add(layers.UpSampling2D())
    g.add(layers.Conv2D(1, 5, padding="same", activation="tanh"))
    return g


def build_discriminator(cfg, steps):
    d = keras.Sequential(name="discriminator")  # the textbook discriminator, with the options
    d.add(keras.Input(shape=(28, 28, 1)))
    if cfg.get("noise"):
        d.add(layers.GaussianNoise(cfg["noise"], seed=2))
    if cfg.get("aug"):
        d.add(DiffAugment(cfg["aug"], seed=1))
    for filters in (64 * cfg.get("dw", 1), 128 * cfg.get("dw", 1)):
        d.add(layers.Conv2D(filters, 5, strides=2, padding="same"))
        d.add(layers.LeakyReLU(0.2))
        if cfg.get("dropout", 0.3):
            d.add(layers.Dropout(cfg.get("dropout", 0.3)))
    d.add(layers.Flatten())
    d.add(layers.Dense(1, activation="sigmoid"))
    updates = 1 if cfg.get("joint") else 2
    d.compile(optimizer=adam(cfg, "d_lr", updates, steps), loss="binary_crossentropy")
    return d


def score(images):
    report = metrics.evaluate_samples(np.clip(images, -1, 1), value_range=(-1, 1))
    hist = report.class_histogram
    ratio, share = report.distance_over_floor, report.confident_share
    return f"({ratio:.2f}x, {share:.1%}, {hist.min()}-{hist.max()})"


def build_combined(g, d, cfg, steps):
    """The combined model (D frozen); with "info", also InfoGAN's Q head on D's body."""
    d.trainable = False
    if not cfg.get("info"):
        gan = keras.Sequential([g, d])
        gan.compile(optimizer=adam(cfg, "g_lr", 1, steps), loss="binary_crossentropy")
        return gan
    body = keras.Model(d.inputs, d.layers[-2].output)  # shared with D, frozen here
    hidden = layers.LeakyReLU(0.2)(layers.Dense(128)(body.output))
    q = keras.Model(d.inputs, layers.Dense(cfg["mix"], activation="softmax")(hidden))
    z = keras.Input(shape=(cfg.get("latent", 100),))
    fakes = g(z)  # one generator pass feeds both heads
    gan = keras.Model(z, [d(fakes), q(fakes)])
    gan.compile(
        optimizer=adam(cfg, "g_lr", 1, steps),
        loss=["binary_crossentropy", "categorical_crossentropy"],
        loss_weights=[1.0, cfg["info"]],
    )
    return gan


def truncation_scores(name, step, ema, d, z):
    """Scores with z scaled towards 0 (psi) or redrawn until |z_i| <= t (BigGAN's truncation)."""
    rng = np.random.default_rng(11)
    variants = {f"psi{psi}": z * psi for psi in (0.9, 0.8, 0.7, 0.6, 0.5)}
    for t in (2.0, 1.5, 1.0):
        zt, outside = z.copy(), np.abs(z) > t
        while outside.any():
            zt[outside] = rng.normal(size=outside.sum())
            outside = np.abs(zt) > t
        variants[f"truncated{t}"] = zt
    for label, zz in variants.items():
        images = ema.predict(zz.astype("float32"), verbose=0, batch_size=500)
        print(f"{name} {step} {label} {score(images[:2000])}")


def run(name, cfg, steps, every, best_of, truncation=False):
    keras.utils.set_random_seed(cfg.get("seed", 0))
    (x, _), _ = data.load_mnist(source="offline")
    x = data.scale_images(x)
    g, d = build_generator(cfg), build_discriminator(cfg, steps)
    gan = build_combined(g, d, cfg, steps)
    ema = build_generator(cfg)
    ema.set_weights(g.get_weights())
    pairs = list(zip(ema.weights, g.weights))
    batch, label, decay = cfg["batch"], cfg["real_label"], cfg["ema"]
    latent = cfg.get("latent", 100)
    rng = np.random.default_rng(cfg.get("seed", 0))
    z_eval = np.random.default_rng(123).normal(size=(2000, latent)).astype("float32")
    seconds = 0.0
    for step in range(1, steps + 1):
        start = time.perf_counter()
        real = x[rng.integers(0, len(x), batch)]
        z = rng.normal(size=(batch, latent))
        fake = g.predict_on_batch(z)
        d.trainable = True
        if cfg.get("joint"):
            targets = np.concatenate([np.full((batch, 1), label), np.zeros((batch, 1))])
            d.train_on_batch(np.concatenate([real, fake]), targets)
        else:
            d.train_on_batch(real, np.full((batch, 1), label))
            d.train_on_batch(fake, np.zeros((batch, 1)))
        d.trainable = False
        if cfg.get("info"):  # the Q head learns which component G was given
            component = np.eye(cfg["mix"])[z[:, : cfg["mix"]].argmax(axis=1)]
            gan.train_on_batch(z, [np.ones((batch, 1)), component])
        else:
            gan.train_on_batch(z, np.ones((batch, 1)))
        for averaged, current in pairs:
            averaged.assign(decay * averaged + (1 - decay) * current)
        seconds += time.perf_counter() - start
        if step % every == 0 or step == steps:
            raw = score(g.predict(z_eval, verbose=0, batch_size=500))
            averaged = score(ema.predict(z_eval, verbose=0, batch_size=500))
            print(f"{name} {step} {seconds / step * 1000:.0f}ms/step raw {raw} ema {averaged}")
        if step in best_of:
            z_many = np.random.default_rng(7).normal(size=(8000, latent)).astype("float32")
            images = ema.predict(z_many, verbose=0, batch_size=500)
            order = np.argsort(-d.predict(images, verbose=0, batch_size=500)[:, 0])
            for keep in (0.5, 0.25):
                chosen = np.random.default_rng(3).choice(order[: int(8000 * keep)], 2000, False)
                print(f"{name} {step} D-best-{keep:.0%} {score(images[chosen])}")
            if "mix" in cfg:  # each component's most common digit and its share
                classifier, _ = metrics.load_classifier()
                digits = classifier.predict(images, verbose=0, batch_size=500).argmax(axis=1)
                component = z_many[:, : cfg["mix"]].argmax(axis=1)
                purity = []
                for k in range(cfg["mix"]):
                    counts = np.bincount(digits[component == k], minlength=10)
                    purity.append(f"{counts.argmax()}:{counts.max() / max(counts.sum(), 1):.0%}")
                print(f"{name} {step} components " + " ".join(purity))
            if truncation:
                truncation_scores(name, step, ema, d, z_many)
        sys.stdout.flush()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", help="names from --list")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--steps", type=int, default=6500)
    parser.add_argument("--every", type=int, default=1000)
    parser.add_argument(
        "--best-of", default="6000", help="steps at which to score D's best, e.g. 6000,6500"
    )
    parser.add_argument("--parallel", type=int, default=1, help="runs at a time (processes)")
    parser.add_argument(
        "--truncation", action="store_true", help="at --best-of, also score truncated z"
    )
    args = parser.parse_args(argv)
    if args.list:
        for name, cfg in RUNS.items():
            print(f"{name:30s} {cfg}")
        return
    names = list(RUNS) if args.all else args.runs
    unknown = [name for name in names if name not in RUNS]
    if unknown or not names:
        parser.error(f"name runs from --list (or --all); unknown: {unknown}")
    print(f"Keras {keras.__version__} on the {keras.backend.backend()} backend")
    if args.parallel > 1:
        common = ["--steps", str(args.steps), "--every", str(args.every)]
        common += ["--best-of", args.best_of] + (["--truncation"] if args.truncation else [])
        waiting, running = list(names), []
        while waiting or running:
            while waiting and len(running) < args.parallel:
                running.append(
                    subprocess.Popen([sys.executable, __file__, waiting.pop(0), *common])
                )
            running = [p for p in running if p.poll() is None]
            time.sleep(1)
        return
    for name in names:
        best_of = {int(step) for step in args.best_of.split(",") if step}
        run(name, RUNS[name], args.steps, args.every, best_of, args.truncation)


if __name__ == "__main__":
    main()
