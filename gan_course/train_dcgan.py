"""Train the textbook DCGAN and write its pictures: the course's main job.

    python -m gan_course.train_dcgan            # 4,001 steps, batch 32, a grid every 200 steps
    GAN_COURSE_FAST=1 python -m gan_course.train_dcgan   # a quick smoke run

Writes, under --out (default outputs/): dcgan_samples.png (the final fixed-noise grid),
dcgan_training.gif (the grids over training), dcgan_losses.png (loss and accuracy curves),
samples/step_*.png, and checkpoint/ (run the same command again to resume an interrupted run).
"""

import argparse
import contextlib
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Named training recipes for the DCGAN backbone. "textbook" is the lecture notes' setup;
# "best" is the course's best MNIST recipe within 15 minutes of a 2-core CPU (notebook 09
# measures it and explains each choice).
RECIPES = {
    "textbook": {
        "loss": "binary_crossentropy",
        "d_learning_rate": 0.001,  # Keras' "adam": Adam(0.001, beta_1=0.9)
        "g_learning_rate": 0.001,
        "beta_1": 0.9,
        "lr_decay": None,  # constant learning rates
        "d_dropout": 0.3,
        "batch_size": 32,
        "steps": 4001,
        "real_label": 1.0,
        "ema_decay": None,
        "latent_components": 0,  # z ~ N(0, I) straight into the generator
        "latent_scale": None,  # (no mixture, no scale)
    },
    "best": {
        "loss": "binary_crossentropy",
        "d_learning_rate": 0.0005,
        "g_learning_rate": 0.002,  # G learns four times as fast as D
        "beta_1": 0.5,
        "lr_decay": "linear",  # both rates fall linearly to 0 over the run
        "d_dropout": 0.0,  # no Dropout layers in D
        "batch_size": 32,
        "steps": 6001,
        "real_label": 0.9,
        "ema_decay": 0.999,
        "latent_components": 20,  # models.MixtureLatent: 20 separated islands of latent space
        "latent_scale": 4.0,
    },
}


def build_recipe(name="textbook", latent_dim=100, image_shape=(28, 28, 1), steps=None):
    """Build the DCGAN models for a named recipe (see RECIPES).

    steps: the run's length (default: the recipe's). A recipe with lr_decay="linear" lowers
    both learning rates linearly to 0 over exactly that many train_gan steps (keras'
    PolynomialDecay; each step makes two discriminator updates, real and fake, and one
    generator update).

    Returns (generator, discriminator, gan, train_kwargs): pass the models and
    **train_kwargs to training.train_gan, e.g.

        g, d, gan, kwargs = build_recipe("best")
        history = training.train_gan(g, d, gan, x_train, **kwargs)

    For a recipe with ema_decay, train_kwargs holds the averaged generator under
    "ema_generator": sample from it after training.
    """
    import keras

    from gan_course import models

    if name not in RECIPES:
        raise ValueError(f"Unknown recipe {name!r}; choose one of {sorted(RECIPES)}.")
    recipe = RECIPES[name]
    steps = recipe["steps"] if steps is None else steps
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}.")

    def adam(learning_rate, updates_per_step):
        if recipe["lr_decay"] == "linear":
            learning_rate = keras.optimizers.schedules.PolynomialDecay(
                learning_rate, decay_steps=steps * updates_per_step, end_learning_rate=0.0
            )
        return keras.optimizers.Adam(learning_rate, beta_1=recipe["beta_1"])

    def build_generator():  # with latent_components 0 (the textbook) the scale is unused
        return models.build_generator(
            latent_dim=latent_dim,
            image_shape=tuple(image_shape),
            latent_components=recipe["latent_components"],
            latent_scale=recipe["latent_scale"],
        )

    generator = build_generator()
    discriminator = models.build_discriminator(
        input_shape=tuple(image_shape),
        optimizer=adam(recipe["d_learning_rate"], updates_per_step=2),
        loss=recipe["loss"],
        dropout=recipe["d_dropout"],
    )
    gan = models.build_gan(
        generator, discriminator, optimizer=adam(recipe["g_learning_rate"], updates_per_step=1)
    )
    kwargs = {
        "steps": steps,
        "batch_size": recipe["batch_size"],
        "real_label": recipe["real_label"],
    }
    if recipe["ema_decay"]:
        kwargs["ema_generator"] = build_generator()
        kwargs["ema_decay"] = recipe["ema_decay"]
    return generator, discriminator, gan, kwargs


def _positive_int(text):
    """argparse type: a whole number >= 1, refused with a one-line message otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _whole_number(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def parse_args(argv=None):
    """Parse and check the options before TensorFlow is imported, so mistakes fail at once."""
    from gan_course import fast_mode

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    try:
        fast = fast_mode()
    except ValueError as error:
        parser.error(str(error))
    parser.add_argument(
        "--recipe", choices=sorted(RECIPES), default="textbook", help="see RECIPES (notebook 09)"
    )
    parser.add_argument(
        "--steps", type=_positive_int, default=60 if fast else None, help="default: the recipe's"
    )
    parser.add_argument(
        "--batch-size", type=_positive_int, default=None, help="default: the recipe's"
    )
    parser.add_argument("--sample-every", type=_positive_int, default=20 if fast else 200)
    parser.add_argument("--dataset", choices=("mnist", "fashion_mnist"), default="mnist")
    parser.add_argument("--out", type=Path, default=Path("outputs"))
    parser.add_argument("--seed", type=_whole_number, default=0)
    parser.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint")
    parser.add_argument(
        "--engine",
        choices=("loop", "fit"),
        default="loop",
        help="loop: the textbook's train_on_batch loop (notebook 05); fit: the Keras-native GAN "
        "trained with fit() (gan_course.gan_model), which can use several devices",
    )
    parser.add_argument(
        "--devices",
        type=_positive_int,
        default=1,
        help="with --engine fit: train on this many devices with tf.distribute.MirroredStrategy "
        "(the first N GPUs; without GPUs, the CPU split into N logical devices)",
    )
    args = parser.parse_args(argv)
    if args.devices > 1 and args.engine != "fit":
        parser.error(
            "--devices needs --engine fit: under a tf.distribute strategy the textbook loop's "
            "train_on_batch hands every replica the whole batch, so it gains nothing"
        )
    return args


def main(argv=None):
    """Run the main job; a known failure ends it with one line on stderr and exit status 1."""
    args = parse_args(argv)
    from gan_course.data import DataUnavailableError
    from gan_course.training import CheckpointError, TrainingDiverged

    try:
        return _train(args) if args.engine == "loop" else _fit(args)
    except (CheckpointError, TrainingDiverged, DataUnavailableError) as error:
        raise SystemExit(f"error: {error}") from None


def _train(args):
    import keras

    from gan_course import data, training, viz

    keras.utils.set_random_seed(args.seed)
    load = data.load_mnist if args.dataset == "mnist" else data.load_fashion_mnist
    (x_train, _), _ = load()
    x_train = data.scale_images(x_train)
    generator, discriminator, gan, kwargs = build_recipe(
        args.recipe, 100, x_train.shape[1:], steps=args.steps
    )
    if args.batch_size is not None:
        kwargs["batch_size"] = args.batch_size
    checkpoint_dir = args.out / "checkpoint"
    if args.fresh:
        import shutil

        shutil.rmtree(checkpoint_dir, ignore_errors=True)
    print(
        f"Training the DCGAN ({args.recipe} recipe) on {args.dataset} ({len(x_train):,} images) "
        f"for {kwargs['steps']:,} steps of batch {kwargs['batch_size']}; pictures go to "
        f"{args.out}/"
    )
    start = time.perf_counter()
    history = training.train_gan(
        generator,
        discriminator,
        gan,
        x_train,
        **kwargs,
        sample_every=args.sample_every,
        sample_dir=args.out / "samples",
        checkpoint_dir=checkpoint_dir,
        checkpoint_meta={"dataset": args.dataset, "recipe": args.recipe},
        seed=args.seed,
    )
    seconds = time.perf_counter() - start
    frames = sorted((args.out / "samples").glob("step_*.png"))
    sampler = kwargs.get("ema_generator", generator)
    final = viz.save_image_grid(
        sampler.predict_on_batch(keras.random.normal((25, 100), seed=args.seed)),
        args.out / "dcgan_samples.png",
        value_range=(-1, 1),
    )
    gif = viz.make_gif(frames, args.out / "dcgan_training.gif")
    curves = viz.save_loss_curves(
        history, args.out / "dcgan_losses.png", window=max(1, min(50, kwargs["steps"] // 20))
    )
    print(f"Done in {seconds:.0f} s. Wrote:\n  {final}\n  {gif}\n  {curves}")
    return history


def _strategy(devices):
    """MirroredStrategy over the first `devices` GPUs, or over logical CPU devices."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if len(gpus) >= devices:
        names = [f"/gpu:{i}" for i in range(devices)]
    else:
        if gpus:
            raise SystemExit(
                f"error: --devices {devices} asks for more than the {len(gpus)} GPUs here"
            )
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * devices
        )
        names = [f"/cpu:{i}" for i in range(devices)]
    return tf.distribute.MirroredStrategy(names)


def _fit(args):
    """The main job with the Keras-native GAN: fit(), checkpoints by BackupAndRestore."""
    import json
    import shutil

    import numpy as np

    strategy = _strategy(args.devices) if args.devices > 1 else None
    import keras

    from gan_course import data, gan_model, viz
    from gan_course.training import CheckpointError

    keras.utils.set_random_seed(args.seed)
    load = data.load_mnist if args.dataset == "mnist" else data.load_fashion_mnist
    (x_train, _), _ = load()
    x_train = data.scale_images(x_train)
    backup = args.out / "fit_backup"
    if args.fresh:
        shutil.rmtree(backup, ignore_errors=True)
    settings = {
        k: str(getattr(args, k)) for k in ("recipe", "steps", "batch_size", "dataset", "seed")
    }
    settings["devices"] = str(args.devices)
    saved = backup / "settings.json"
    if saved.exists() and json.loads(saved.read_text()) != settings:
        raise CheckpointError(
            f"{backup} holds a run with other settings ({saved.read_text().strip()}): pass "
            "--fresh to start over, or the same options to resume it"
        )
    backup.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(settings))
    scope = strategy.scope() if strategy else contextlib.nullcontext()
    with scope:
        gan, kwargs = gan_model.build_fit_recipe(args.recipe, steps=args.steps, seed=args.seed)
    if args.batch_size is not None:
        kwargs["batch_size"] = args.batch_size
    noise = np.random.default_rng(args.seed).normal(size=(25, 100)).astype("float32")
    grids = gan_model.SampleGrid(noise, folder=args.out / "fit_samples")
    callbacks = [keras.callbacks.BackupAndRestore(str(backup)), grids, *kwargs["callbacks"]]
    where = f"{args.devices} devices" if strategy else "one device"
    print(
        f"Training the DCGAN ({args.recipe} recipe) with fit() on {where}, {args.dataset} "
        f"({len(x_train):,} images), about {kwargs['steps']:,} steps of global batch "
        f"{kwargs['batch_size']}; pictures go to {args.out}/"
    )
    start = time.perf_counter()
    history = gan_model.fit_gan(
        gan, x_train, kwargs["steps"], kwargs["batch_size"], callbacks, seed=args.seed
    )
    seconds = time.perf_counter() - start
    sampler = kwargs["callbacks"][0].ema_generator if kwargs["callbacks"] else gan.generator
    final = viz.save_image_grid(
        np.asarray(sampler(noise, training=False)), args.out / "fit_samples.png", (-1, 1)
    )
    gif = viz.make_gif(grids.paths, args.out / "fit_training.gif")
    curves = viz.save_loss_curves(history.history, args.out / "fit_losses.png", window=1)
    shutil.rmtree(backup, ignore_errors=True)  # the run is complete: nothing left to resume
    print(f"Done in {seconds:.0f} s. Wrote:\n  {final}\n  {gif}\n  {curves}")
    return history.history


if __name__ == "__main__":
    main()
