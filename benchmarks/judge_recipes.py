"""Judge the DCGAN recipes with every number gan_course.metrics reports, diversity included.

    python benchmarks/judge_recipes.py                          # textbook and best, as shipped
    python benchmarks/judge_recipes.py --recipe textbook --steps 2001 \
        --fakes-mode inference training                         # the batch-norm mode of the fakes
    python benchmarks/judge_recipes.py --recipe textbook --seed 0 1 \
        --precision float32 mixed_bfloat16                      # quality in each precision

Each run trains one recipe on the MNIST training set load_mnist() gives (offline: the bundled
4,000 digits) with the textbook loop, then scores 1,000 samples (the moving-average generator
where the recipe has one) and prints one row: minutes, Fréchet distance over the real-vs-real
floor, confident share, the fewest and most confident samples of one digit, precision and
recall with their real-vs-real values, and recall as a share of the real-vs-real recall.
--precision trains each run under a Keras dtype policy (gan_course.precision.use_precision,
set before the models are built; "auto" is that function's choice for this machine); the
samples are scored in float32 either way.
Results of the runs quoted in the course are in benchmarks/README.md.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("GAN_COURSE_PROGRESS", "0")


def judge(recipe, steps, fakes_mode, seed, precision="float32"):
    import keras
    import numpy as np

    from gan_course import data, metrics, training
    from gan_course.precision import use_precision
    from gan_course.recipes import build_recipe, final_generator

    (x_train, _), _ = data.load_mnist()
    x_train = data.scale_images(x_train)
    policy = use_precision(precision, verbose=False)
    keras.utils.set_random_seed(seed)
    generator, discriminator, gan, kwargs = build_recipe(recipe, steps=steps)
    start = time.perf_counter()
    training.train_gan(
        generator,
        discriminator,
        gan,
        x_train,
        **kwargs,
        seed=seed,
        fakes_mode=fakes_mode,
    )
    minutes = (time.perf_counter() - start) / 60
    shown = final_generator(generator, kwargs["callbacks"])
    z = np.random.default_rng(seed + 2).normal(size=(1000, 100)).astype("float32")
    samples = np.asarray(shown.predict(z, verbose=0, batch_size=250), dtype="float32")
    use_precision("float32", verbose=False)  # the classifier scores in float32 either way
    report = metrics.evaluate_samples(samples)
    counts = report.class_histogram
    return (
        f"| {recipe} | {policy} | {fakes_mode} | {kwargs['steps']} | {seed} | {minutes:.1f} "
        f"| {report.distance_over_floor:.2f} | {report.confident_share:.0%} "
        f"| {counts.min()}–{counts.max()} of {counts.sum()} "
        f"| {report.precision:.2f} ({report.real_precision:.2f}) "
        f"| {report.recall:.2f} ({report.real_recall:.2f}) | {report.recall_over_real:.2f} |"
    )


def main(argv=None):
    from gan_course.precision import CHOICES, choose_precision

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipe", nargs="+", default=["textbook", "best"])
    parser.add_argument("--steps", type=int, default=None, help="default: each recipe's own")
    parser.add_argument(
        "--fakes-mode", nargs="+", default=["inference"], choices=["inference", "training"]
    )
    parser.add_argument("--seed", nargs="+", type=int, default=[0])
    parser.add_argument("--precision", nargs="+", default=["float32"], choices=CHOICES)
    args = parser.parse_args(argv)
    policy, reason = choose_precision()
    print(f"precision 'auto' would choose: {policy} ({reason})")
    print(
        "| recipe | dtype policy | fakes made in | steps | seed | minutes | FD / floor "
        "| confident | digits (fewest–most) | precision (real) | recall (real) | recall / real |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for recipe in args.recipe:
        for mode in args.fakes_mode:
            for seed in args.seed:
                for precision in args.precision:  # alternating: each pair sees the same machine
                    print(judge(recipe, args.steps, mode, seed, precision), flush=True)


if __name__ == "__main__":
    main()
