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

from gan_course.recipes import RECIPES, build_recipe  # noqa: E402, F401 (importable here too)


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
    from gan_course.checkpoints import CheckpointError, TrainingDiverged
    from gan_course.data import DataUnavailableError

    try:
        return _train(args) if args.engine == "loop" else _fit(args)
    except (CheckpointError, TrainingDiverged, DataUnavailableError) as error:
        raise SystemExit(f"error: {error}") from None


def _train(args):
    import keras
    import numpy as np

    from gan_course import callbacks, data, recipes, training, viz
    from gan_course.checkpoints import Checkpoint

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
    sampler = recipes.final_generator(generator, kwargs["callbacks"])
    noise = np.random.default_rng(args.seed).normal(size=(25, 100))
    kwargs["callbacks"] += [
        callbacks.SampleGrid(noise, args.sample_every, args.out / "samples", per="step",
                             generator=sampler),
        callbacks.TrainingLog(args.sample_every),
        Checkpoint(checkpoint_dir, args.sample_every, {"dataset": args.dataset,
                                                       "recipe": args.recipe}),
    ]  # fmt: skip
    start = time.perf_counter()
    history = training.train_gan(generator, discriminator, gan, x_train, **kwargs, seed=args.seed)
    seconds = time.perf_counter() - start
    frames = sorted((args.out / "samples").glob("step_*.png"))
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

    from gan_course import callbacks, data, gan_model, recipes, viz
    from gan_course.checkpoints import CheckpointError

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
        gan, kwargs = recipes.build_fit_recipe(args.recipe, steps=args.steps, seed=args.seed)
    if args.batch_size is not None:
        kwargs["batch_size"] = args.batch_size
    noise = np.random.default_rng(args.seed).normal(size=(25, 100)).astype("float32")
    sampler = recipes.final_generator(gan.generator, kwargs["callbacks"])
    grids = callbacks.SampleGrid(noise, folder=args.out / "fit_samples", generator=sampler)
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
