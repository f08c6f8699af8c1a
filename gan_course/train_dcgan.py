"""Train the textbook DCGAN and write its pictures: the course's main job.

    python -m gan_course.train_dcgan            # 4,001 steps, batch 32, a grid every 200 steps
    GAN_COURSE_FAST=1 python -m gan_course.train_dcgan   # a quick smoke run

Writes, under --out (default outputs/): dcgan_samples.png (the final fixed-noise grid),
dcgan_training.gif (the grids over training), dcgan_losses.png (loss and accuracy curves),
samples/step_*.png, and checkpoint/ (run the same command again to resume an interrupted run).
"""

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def parse_args(argv=None):
    from gan_course import fast_mode

    fast = fast_mode()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60 if fast else 4001)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--sample-every", type=int, default=20 if fast else 200)
    parser.add_argument("--dataset", choices=("mnist", "fashion_mnist"), default="mnist")
    parser.add_argument("--out", type=Path, default=Path("outputs"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import keras

    from gan_course import data, models, training, viz

    keras.utils.set_random_seed(args.seed)
    load = data.load_mnist if args.dataset == "mnist" else data.load_fashion_mnist
    (x_train, _), _ = load()
    x_train = data.scale_images(x_train)
    generator = models.build_generator(latent_dim=100, image_shape=x_train.shape[1:])
    discriminator = models.build_discriminator(input_shape=x_train.shape[1:])
    gan = models.build_gan(generator, discriminator)
    checkpoint_dir = args.out / "checkpoint"
    if args.fresh:
        import shutil

        shutil.rmtree(checkpoint_dir, ignore_errors=True)
    print(
        f"Training the textbook DCGAN on {args.dataset} ({len(x_train):,} images) for "
        f"{args.steps:,} steps of batch {args.batch_size}; pictures go to {args.out}/"
    )
    start = time.perf_counter()
    history = training.train_gan(
        generator,
        discriminator,
        gan,
        x_train,
        steps=args.steps,
        batch_size=args.batch_size,
        sample_every=args.sample_every,
        sample_dir=args.out / "samples",
        checkpoint_dir=checkpoint_dir,
        seed=args.seed,
    )
    seconds = time.perf_counter() - start
    frames = sorted((args.out / "samples").glob("step_*.png"))
    final = viz.save_image_grid(
        generator.predict_on_batch(keras.random.normal((25, 100), seed=args.seed)),
        args.out / "dcgan_samples.png",
        value_range=(-1, 1),
    )
    gif = viz.make_gif(frames, args.out / "dcgan_training.gif")
    curves = viz.save_loss_curves(
        history, args.out / "dcgan_losses.png", window=max(1, min(50, args.steps // 20))
    )
    print(f"Done in {seconds:.0f} s. Wrote:\n  {final}\n  {gif}\n  {curves}")
    return history


if __name__ == "__main__":
    main()
