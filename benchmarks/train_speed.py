"""How fast does the course train the textbook DCGAN? Prints images/s; not a test.

    python benchmarks/train_speed.py            # 200 steps per measurement, 3 rounds
    python benchmarks/train_speed.py --steps 50 --rounds 2

Measures, in one process and alternating so that both see the same machine state:
  (a) the course's textbook loop: discriminator_step + generator_step (train_on_batch),
  (b) one compiled tf.function step doing the same D and G updates with GradientTape,
  (c) gan_course.gan_model.GAN trained with fit() on a tf.data pipeline (notebook 10),
and prints images/s for each (real + fake images through D per step: 2 x batch) and the
ratios a/b and a/c. Then the cost of making a batch of fakes with generator.predict,
generator.predict_on_batch and a plain generator(noise) call.
"""

import argparse
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import tensorflow as tf

from gan_course import gan_model, models, training


def textbook_models(seed):
    keras.utils.set_random_seed(seed)
    generator = models.build_generator()
    discriminator = models.build_discriminator()
    return generator, discriminator, models.build_gan(generator, discriminator)


def compiled_step_models(seed):
    """The same networks and optimizers, trained by one tf.function per step."""
    keras.utils.set_random_seed(seed)
    generator, discriminator = models.build_generator(), models.build_discriminator()
    d_optimizer, g_optimizer = keras.optimizers.Adam(), keras.optimizers.Adam()
    bce = keras.losses.BinaryCrossentropy()

    @tf.function
    def step(real, noise):
        batch = tf.shape(real)[0]
        fake = generator(noise, training=False)
        for images, label in ((real, tf.ones((batch, 1))), (fake, tf.zeros((batch, 1)))):
            with tf.GradientTape() as tape:
                loss = bce(label, discriminator(images, training=True))
            grads = tape.gradient(loss, discriminator.trainable_variables)
            d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        with tf.GradientTape() as tape:
            g_loss = bce(tf.ones((batch, 1)), discriminator(generator(noise, training=True)))
        grads = tape.gradient(g_loss, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        return g_loss

    return step


def fit_images_per_second(gan, steps, batch_size, rng):
    """fit() over `steps` batches of a tf.data pipeline, after a short warm-up fit."""
    x = rng.uniform(-1, 1, (steps * batch_size, 28, 28, 1)).astype("float32")
    data = gan_model.make_dataset(x, batch_size)
    gan.fit(data.take(2), epochs=1, verbose=0, shuffle=False)  # build and trace
    start = time.perf_counter()
    gan.fit(data, epochs=1, verbose=0, shuffle=False)
    return 2 * batch_size * steps / (time.perf_counter() - start)


def images_per_second(run_step, steps, batch_size, rng):
    real = rng.uniform(-1, 1, (steps, batch_size, 28, 28, 1)).astype("float32")
    noise = rng.normal(size=(steps, batch_size, 100)).astype("float32")
    run_step(real[0], noise[0])  # warm up: build and trace outside the clock
    start = time.perf_counter()
    for i in range(steps):
        run_step(real[i], noise[i])
    return 2 * batch_size * steps / (time.perf_counter() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    gpus = tf.config.list_physical_devices("GPU")
    device = (
        gpus[0].name
        if gpus
        else f"CPU ({os.cpu_count()} cores, {platform.processor() or platform.machine()})"
    )
    print(f"device: {device}; TensorFlow {tf.__version__}, Keras {keras.__version__}")
    print(f"textbook DCGAN, batch {args.batch_size}, {args.steps} steps per measurement")

    generator, discriminator, gan = textbook_models(0)

    def textbook_step(real, noise):
        training.discriminator_step(generator, discriminator, real, noise)
        training.generator_step(gan, discriminator, noise)

    compiled = compiled_step_models(0)
    keras.utils.set_random_seed(0)
    fit_gan = gan_model.GAN(models.build_generator(), models.build_discriminator())
    fit_gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam())
    results = {
        "textbook train_on_batch loop": [],
        "compiled tf.function step": [],
        "gan_model.GAN with fit()": [],
    }
    for _ in range(args.rounds):
        results["textbook train_on_batch loop"].append(
            images_per_second(textbook_step, args.steps, args.batch_size, rng)
        )
        results["compiled tf.function step"].append(
            images_per_second(compiled, args.steps, args.batch_size, rng)
        )
        results["gan_model.GAN with fit()"].append(
            fit_images_per_second(fit_gan, args.steps, args.batch_size, rng)
        )
    for name, values in results.items():
        print(
            f"  {name:30s} {np.median(values):8.0f} images/s (rounds: "
            f"{', '.join(f'{v:.0f}' for v in values)})"
        )
    ratio = np.median(results["textbook train_on_batch loop"]) / np.median(
        results["compiled tf.function step"]
    )
    print(f"  ratio textbook / compiled: {ratio:.2f} (target >= 0.9)")
    fit_ratio = np.median(results["textbook train_on_batch loop"]) / np.median(
        results["gan_model.GAN with fit()"]
    )
    print(f"  ratio textbook / fit(): {fit_ratio:.2f}")

    noise = rng.normal(size=(args.batch_size, 100)).astype("float32")
    print(f"making {args.batch_size} fakes (median of 50 calls):")
    for name, make in (
        ("generator.predict", lambda: generator.predict(noise, verbose=0)),
        ("generator.predict_on_batch", lambda: generator.predict_on_batch(noise)),
        ("generator(noise, training=False)", lambda: generator(noise, training=False)),
    ):
        make()
        times = []
        for _ in range(50):
            start = time.perf_counter()
            make()
            times.append(time.perf_counter() - start)
        print(f"  {name:34s} {1000 * np.median(times):7.2f} ms")
    return ratio


if __name__ == "__main__":
    main()
