"""How fast does the course train the textbook DCGAN, and how far is that from the limit?

    python benchmarks/train_speed.py            # float32 and mixed_bfloat16, 3 rounds
    python benchmarks/train_speed.py --steps 50 --rounds 2 --precision float32

Prints images/s; not a test. Measures, in one process and alternating so that every variant
sees the same machine state, in each precision of --precision (a Keras dtype policy, or
"auto": gan_course.precision's choice for this machine):
  (a) the course's textbook loop: discriminator_step + generator_step (train_on_batch),
  (b) one compiled tf.function step doing the same D and G updates with GradientTape,
  (c) gan_course.gan_model.GAN trained with fit() on a tf.data pipeline (notebook 10),
and prints images/s for each (real + fake images through D per step: 2 x batch) and the
ratios a/b and a/c. Each measurement runs --steps steps or stops after --max-seconds,
whichever comes first (bfloat16 on a CPU without AMX-BF16 is many times slower).

The limit, measured in the same run: the best of five large matrix products in float32 and in
bfloat16 (the practical peak of this machine), and the floating-point operations of one
textbook step counted from the models' layers (textbook_step_flops), so that each variant's
images/s is also given as GFLOP/s and as its share of the peak of its precision. Then the
cost of making a batch of fakes with generator.predict, generator.predict_on_batch and a
plain generator(noise) call.
"""

import argparse
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from gan_course import gan_model, models, precision, training

VARIANTS = ("textbook train_on_batch loop", "compiled tf.function step", "gan_model.GAN with fit()")
_CONVS = (layers.Conv1D, layers.Conv2D, layers.Conv3D)
_TRANSPOSED = (layers.Conv1DTranspose, layers.Conv2DTranspose, layers.Conv3DTranspose)


def _positions(layer, shape):
    """How many places one sample's kernel is applied at: the product of the spatial sizes."""
    channels_first = getattr(layer, "data_format", "channels_last") == "channels_first"
    spatial = shape[2:] if channels_first else shape[1:-1]
    return int(np.prod(spatial)) if len(shape) > 2 else 1


def forward_flops(model):
    """Floating-point operations of one sample's forward pass: 2 x the multiply-adds of the
    model's Dense and convolution layers (nested models are counted through).

    A convolution applies its whole kernel (kh * kw * in/groups * out multiply-adds) at each
    output position; a transposed one at each input position; Dense once per sample (per
    position for inputs of higher rank). Biases, activations, batch normalization and
    upsampling do a few operations per value and are not counted.
    """
    flops = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            flops += forward_flops(layer)
        elif isinstance(layer, _TRANSPOSED):
            flops += 2 * _positions(layer, layer.input.shape) * int(np.prod(layer.kernel.shape))
        elif isinstance(layer, (layers.Dense, *_CONVS)):
            flops += 2 * _positions(layer, layer.output.shape) * int(np.prod(layer.kernel.shape))
    return flops


def textbook_step_flops(generator, discriminator, batch_size):
    """Floating-point operations of one textbook step at `batch_size`, by part, and in all.

    A network that is trained costs ~3x its forward pass (forward, then the gradients with
    respect to its inputs and to its weights); the discriminator frozen inside the combined
    model ~2x (no weight gradients); making the fakes is one forward pass of G:
      D on real and fake images:       2 * batch * 3 * D
      making the fakes:                    batch * G
      G through the combined model:        batch * (3 * G + 2 * D)
    where G and D are forward_flops of one sample. The compiled step and fit() do the same work.
    """
    g, d = forward_flops(generator), forward_flops(discriminator)
    parts = {
        "D on real and fake images": 2 * batch_size * 3 * d,
        "making the fakes": batch_size * g,
        "G through the combined model": batch_size * (3 * g + 2 * d),
    }
    return {**parts, "total": sum(parts.values())}


def peak_gflops(dtype, size=2048, repeats=5):
    """GFLOP/s of the best of `repeats` (size x size) @ (size x size) products in `dtype`."""
    a = tf.cast(tf.random.stateless_normal((size, size), seed=(0, 1)), dtype)
    b = tf.cast(tf.random.stateless_normal((size, size), seed=(0, 2)), dtype)
    product = tf.function(tf.matmul)
    product(a, b).numpy()  # trace and warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        product(a, b).numpy()
        times.append(time.perf_counter() - start)
    return 2 * size**3 / min(times) / 1e9


def textbook_models(seed):
    keras.utils.set_random_seed(seed)
    generator = models.build_generator()
    discriminator = models.build_discriminator()
    return generator, discriminator, models.build_gan(generator, discriminator)


def compiled_step_models(seed):
    """The same networks and optimizers, trained by one tf.function per step."""
    keras.utils.set_random_seed(seed)
    generator, discriminator = models.build_generator(), models.build_discriminator()
    # Under mixed_float16, loss scaling as compile() would add; unchanged otherwise.
    d_optimizer = precision.loss_scaled(keras.optimizers.Adam(), discriminator)
    g_optimizer = precision.loss_scaled(keras.optimizers.Adam(), generator)
    bce = keras.losses.BinaryCrossentropy()

    @tf.function
    def step(real, noise):
        batch = tf.shape(real)[0]
        fake = generator(noise, training=False)
        for images, label in ((real, tf.ones((batch, 1))), (fake, tf.zeros((batch, 1)))):
            with tf.GradientTape() as tape:
                loss = bce(label, discriminator(images, training=True))
                scaled = d_optimizer.scale_loss(loss)
            grads = tape.gradient(scaled, discriminator.trainable_variables)
            d_optimizer.apply_gradients(zip(grads, discriminator.trainable_variables))
        with tf.GradientTape() as tape:
            g_loss = bce(tf.ones((batch, 1)), discriminator(generator(noise, training=True)))
            scaled = g_optimizer.scale_loss(g_loss)
        grads = tape.gradient(scaled, generator.trainable_variables)
        g_optimizer.apply_gradients(zip(grads, generator.trainable_variables))
        return g_loss

    return step


class _StopAfter(keras.callbacks.Callback):
    """Stop fit() after `seconds`, counting the batches it trained."""

    def __init__(self, seconds):
        super().__init__()
        self.seconds, self.batches, self.start = seconds, 0, None

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        if time.perf_counter() - self.start > self.seconds:
            self.model.stop_training = True


def fit_images_per_second(gan, steps, batch_size, rng, max_seconds=float("inf")):
    """fit() over `steps` batches of a tf.data pipeline (or fewer: stops after max_seconds),
    after a short warm-up fit."""
    x = rng.uniform(-1, 1, (steps * batch_size, 28, 28, 1)).astype("float32")
    data = gan_model.make_dataset(x, batch_size)
    gan.fit(data.take(2), epochs=1, verbose=0, shuffle=False)  # build and trace
    stop = _StopAfter(max_seconds)
    start = time.perf_counter()
    gan.fit(data, epochs=1, verbose=0, shuffle=False, callbacks=[stop])
    return 2 * batch_size * stop.batches / (time.perf_counter() - start)


def images_per_second(run_step, steps, batch_size, rng, max_seconds=float("inf")):
    """Images/s of `steps` calls of run_step (or fewer: stops after max_seconds)."""
    real = rng.uniform(-1, 1, (steps, batch_size, 28, 28, 1)).astype("float32")
    noise = rng.normal(size=(steps, batch_size, 100)).astype("float32")
    run_step(real[0], noise[0])  # warm up: build and trace outside the clock
    start = time.perf_counter()
    done = 0
    while done < steps:
        run_step(real[done], noise[done])
        done += 1
        if time.perf_counter() - start > max_seconds:
            break
    return 2 * batch_size * done / (time.perf_counter() - start)


def _setups(policy, args):
    """The three variants' models, built under `policy`: {variant: measure(rng)}, generator."""
    keras.config.set_dtype_policy(policy)
    generator, discriminator, gan = textbook_models(0)

    def textbook_step(real, noise):
        training.discriminator_step(generator, discriminator, real, noise)
        training.generator_step(gan, discriminator, noise)

    compiled = compiled_step_models(0)
    keras.utils.set_random_seed(0)
    fit_gan = gan_model.GAN(models.build_generator(), models.build_discriminator())
    fit_gan.compile(keras.optimizers.Adam(), keras.optimizers.Adam())
    run = (args.steps, args.batch_size)
    measures = {
        VARIANTS[0]: lambda rng: images_per_second(textbook_step, *run, rng, args.max_seconds),
        VARIANTS[1]: lambda rng: images_per_second(compiled, *run, rng, args.max_seconds),
        VARIANTS[2]: lambda rng: fit_images_per_second(fit_gan, *run, rng, args.max_seconds),
    }
    return measures, generator, discriminator


def _time_fakes(generator, batch_size, rng, max_seconds):
    """Median milliseconds of up to 50 calls (fewer after max_seconds) of each way to make fakes."""
    noise = rng.normal(size=(batch_size, 100)).astype("float32")
    medians = {}
    for name, make in (
        ("generator.predict", lambda: generator.predict(noise, verbose=0)),
        ("generator.predict_on_batch", lambda: generator.predict_on_batch(noise)),
        ("generator(noise, training=False)", lambda: generator(noise, training=False)),
    ):
        make()
        times, begin = [], time.perf_counter()
        while len(times) < 50 and (not times or time.perf_counter() - begin < max_seconds):
            start = time.perf_counter()
            make()
            times.append(time.perf_counter() - start)
        medians[name] = (1000 * np.median(times), len(times))
    return medians


def _policies(requested):
    """The --precision values as distinct Keras policies, in order ("auto" resolved)."""
    chosen = []
    for value in requested:
        policy = precision.choose_precision()[0] if value == "auto" else value
        if policy not in chosen:
            chosen.append(policy)
    return chosen


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200, help="most steps per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--precision",
        nargs="+",
        choices=precision.CHOICES,
        default=["float32", "mixed_bfloat16"],
        help="Keras dtype policies to measure ('auto': the choice for this machine)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=10.0,
        help="stop a measurement after this long (at least one step is timed)",
    )
    parser.add_argument("--matmul-size", type=int, default=2048, help="the peak's matrices")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    gpus = tf.config.list_physical_devices("GPU")
    device = (
        gpus[0].name
        if gpus
        else f"CPU ({os.cpu_count()} cores, {platform.processor() or platform.machine()})"
    )
    print(f"device: {device}; TensorFlow {tf.__version__}, Keras {keras.__version__}")
    auto, reason = precision.choose_precision()
    print(f"precision 'auto' would choose: {auto} ({reason})")
    print(
        f"textbook DCGAN, batch {args.batch_size}, {args.steps} steps or {args.max_seconds:g} s "
        f"per measurement, median of {args.rounds} rounds"
    )
    policies = _policies(args.precision)
    before = keras.config.dtype_policy()
    try:
        return _measure(args, policies, rng)
    finally:
        keras.config.set_dtype_policy(before)


def _compute_dtype(policy):
    return keras.dtype_policies.get(policy).compute_dtype


def _measure(args, policies, rng):
    dtypes = ["float32", "bfloat16"] + ["float16"] * ("mixed_float16" in policies)
    setups = {policy: _setups(policy, args) for policy in policies}
    _, generator, discriminator = setups[policies[0]]
    flops = textbook_step_flops(generator, discriminator, args.batch_size)
    print(
        f"one textbook step: {flops['total'] / 1e9:.2f} GFLOP ("
        + ", ".join(f"{name} {n / 1e9:.2f}" for name, n in flops.items() if name != "total")
        + f"), {flops['total'] / (2 * args.batch_size) / 1e6:.0f} MFLOP per image"
    )
    results = {(policy, name): [] for policy in policies for name in VARIANTS}
    peak_rounds = {dtype: [] for dtype in dtypes}
    for _ in range(args.rounds):
        for dtype in dtypes:  # in every round, so that the peak sees the same machine state
            peak_rounds[dtype].append(peak_gflops(dtype, args.matmul_size))
        for policy in policies:
            keras.config.set_dtype_policy(policy)
            for name, measure in setups[policy][0].items():
                results[policy, name].append(measure(rng))
    peaks = {dtype: max(values) for dtype, values in peak_rounds.items()}
    print(
        f"peak: the best of {5 * args.rounds} products of {args.matmul_size}x{args.matmul_size} "
        "matrices (5 a round): "
        + ", ".join(f"{dtype} {gflops:.0f} GFLOP/s" for dtype, gflops in peaks.items())
    )
    medians = {key: float(np.median(values)) for key, values in results.items()}
    ratios = {}
    for policy in policies:
        compute = _compute_dtype(policy)
        print(f"{policy} (GFLOP/s as a share of the {compute} peak):")
        for name in VARIANTS:
            rounds = ", ".join(f"{v:.0f}" for v in results[policy, name])
            gflops = medians[policy, name] * flops["total"] / (2 * args.batch_size) / 1e9
            print(
                f"  {name:30s} {medians[policy, name]:8.0f} images/s {gflops:7.1f} GFLOP/s "
                f"{100 * gflops / peaks[compute]:5.1f}% (rounds: {rounds})"
            )
        ratio = medians[policy, VARIANTS[0]] / medians[policy, VARIANTS[1]]
        ratios[policy] = ratio
        fit_ratio = medians[policy, VARIANTS[0]] / medians[policy, VARIANTS[2]]
        print(f"  ratio textbook / compiled: {ratio:.2f} (target >= 0.9)")
        print(f"  ratio textbook / fit(): {fit_ratio:.2f}")
    for policy in policies[1:]:
        print(
            f"{policy} / {policies[0]}: "
            + ", ".join(
                f"{name.split()[0]} {medians[policy, name] / medians[policies[0], name]:.2f}"
                for name in VARIANTS
            )
        )
    print(f"making {args.batch_size} fakes (median of up to 50 calls or {args.max_seconds:g} s):")
    for policy in policies:
        keras.config.set_dtype_policy(policy)
        for name, (ms, calls) in _time_fakes(
            setups[policy][1], args.batch_size, rng, args.max_seconds
        ).items():
            print(f"  {policy:15s} {name:34s} {ms:8.2f} ms ({calls} calls)")
    return ratios[policies[0]]


if __name__ == "__main__":
    main()
