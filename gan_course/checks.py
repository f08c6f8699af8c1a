"""Checkers for the exercise notebooks: does the student's code *behave* like the textbook's?

Each `check_*` function takes what the student wrote (a function, a layer class), runs it on
fixed, seeded inputs and returns a Verdict. A notebook cell ending in a check shows it:

    check_generator: 4 of 4 right
      ✓ maps noise (N, 100) to images (N, 28, 28, 1)
      ✗ outputs lie in [0, 1]: end with activation="tanh" so images lie in [-1, 1] like the data
      ...

The text holds no timings and no training-dependent numbers, so it is the same run after run:
nbval compares it with the verdicts stored in the solution notebook (see scripts/grade.py).
Checkers look at behaviour (shapes, ranges, parameter counts, which weights a step changes),
never at source text, so any correct solution passes.
"""

import functools
import math
from dataclasses import dataclass, field

import keras
import numpy as np

RIGHT, WRONG = "✓", "✗"


@dataclass
class Verdict:
    """What a checker found: one line per property, right (✓) or wrong (✗, with the fix)."""

    name: str
    lines: list = field(default_factory=list)  # (ok, text)

    @property
    def passed(self):
        return bool(self.lines) and all(ok for ok, _ in self.lines)

    def __str__(self):
        right = sum(ok for ok, _ in self.lines)
        head = f"{self.name}: {right} of {len(self.lines)} right"
        return "\n".join([head] + [f"  {RIGHT if ok else WRONG} {text}" for ok, text in self.lines])

    __repr__ = __str__

    def expect(self, ok, right, wrong):
        """Record one property: `right` if ok, else `wrong` (what is wrong and the fix)."""
        self.lines.append((bool(ok), right if ok else wrong))
        return bool(ok)


def _checker(function):
    """Run a checker; if the student's code raises, report that as the last wrong line."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        verdict = Verdict(function.__name__)
        keras.utils.set_random_seed(0)
        try:
            function(verdict, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - any error in student code is a verdict
            message = str(error).strip().splitlines()[0] if str(error).strip() else ""
            verdict.lines.append(
                (False, f"your code raised {type(error).__name__}: {message[:160]}".rstrip(": "))
            )
        return verdict

    return run


def _number(x):
    return float(np.asarray(keras.ops.convert_to_numpy(x)).reshape(-1)[0])


def _array(x):
    return np.asarray(keras.ops.convert_to_numpy(x), dtype=np.float64)


def _weights(model):
    return [np.array(w) for w in model.weights]


def _changed(before, model):
    return any(not np.array_equal(a, np.array(b)) for a, b in zip(before, model.weights))


def _close(a, b, tol=1e-4):
    return a is not None and math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def _images(n=16, value_range=(-1, 1), seed=0):
    low, high = value_range
    rng = np.random.default_rng(seed)
    return rng.uniform(low, high, (n, 28, 28, 1)).astype("float32")


def _noise(n=16, latent_dim=100, seed=1):
    return np.random.default_rng(seed).normal(size=(n, latent_dim)).astype("float32")


# --- Chapter 01: the GAN idea ------------------------------------------------------------


@_checker
def check_value_function(v, value_function):
    """value_function(d_real, d_fake) = mean(log D(x)) + mean(log(1 - D(G(z))))."""
    d_real, d_fake = np.array([0.9, 0.8]), np.array([0.1, 0.3])
    expected = np.mean(np.log(d_real)) + np.mean(np.log(1 - d_fake))
    got = _number(value_function(d_real, d_fake))
    v.expect(
        _close(got, expected),
        "V(D, G) on D(x) = [0.9, 0.8], D(G(z)) = [0.1, 0.3] is mean(log D(x)) + "
        "mean(log(1 - D(G(z))))",
        f"V on D(x) = [0.9, 0.8], D(G(z)) = [0.1, 0.3] should be {expected:.4f}, got {got:.4f}: "
        "average log D(x) over real and log(1 - D(G(z))) over fakes, then add",
    )
    half = np.full(4, 0.5)
    got = _number(value_function(half, half))
    v.expect(
        _close(got, -math.log(4)),
        "at D = 1/2 everywhere V = -log 4 (the equilibrium)",
        f"at D = 1/2 everywhere V should be -log 4 = -1.3863, got {got:.4f}",
    )


@_checker
def check_generator_losses(v, saturating_loss, non_saturating_loss):
    """saturating: mean(log(1 - D(G(z)))); non-saturating: -mean(log D(G(z)))."""
    d_fake = np.array([0.01, 0.2])
    want_s, want_n = np.mean(np.log(1 - d_fake)), -np.mean(np.log(d_fake))
    got_s, got_n = _number(saturating_loss(d_fake)), _number(non_saturating_loss(d_fake))
    v.expect(
        _close(got_s, want_s),
        "saturating (minimax) loss = mean(log(1 - D(G(z))))",
        f"saturating loss on D(G(z)) = [0.01, 0.2] should be {want_s:.4f}, got {got_s:.4f}: "
        "it is G's term of the value function, mean(log(1 - D(G(z))))",
    )
    v.expect(
        _close(got_n, want_n),
        "non-saturating loss = -mean(log D(G(z)))",
        f"non-saturating loss on D(G(z)) = [0.01, 0.2] should be {want_n:.4f}, got {got_n:.4f}: "
        "use -mean(log D(G(z))), the loss of training G with the label 'real'",
    )
    falls = _number(non_saturating_loss(np.array([0.9]))) < _number(
        non_saturating_loss(np.array([0.1]))
    )
    v.expect(
        falls,
        "the non-saturating loss falls as D is fooled more",
        "the non-saturating loss should be lower when D(G(z)) is higher: check the sign",
    )


@_checker
def check_optimal_discriminator(v, optimal_discriminator):
    """D*(x) = p_data(x) / (p_data(x) + p_model(x))."""
    p_data, p_model = np.array([0.3, 0.1, 0.2]), np.array([0.1, 0.3, 0.2])
    got = _array(optimal_discriminator(p_data, p_model)).reshape(-1)
    v.expect(
        got.shape == (3,) and np.allclose(got, [0.75, 0.25, 0.5], atol=1e-6),
        "D*(x) = p_data / (p_data + p_model), elementwise",
        f"D* for p_data = [0.3, 0.1, 0.2], p_model = [0.1, 0.3, 0.2] should be "
        f"[0.75, 0.25, 0.5], got {np.round(got, 4).tolist()}",
    )


# --- Chapters 02-04: the networks ----------------------------------------------------------


def _dropout_rates(model):
    return [
        round(float(layer.rate), 4)
        for layer in model.layers
        if isinstance(layer, keras.layers.Dropout)
    ]


def _computes_like(v, model, reference, inputs):
    """Given the reference's weights, does `model` compute what the reference computes?

    A parameter count can match while an activation, a stride or the layer order is wrong;
    copying the textbook model's weights in and comparing outputs catches those."""
    shapes = [tuple(w.shape) for w in model.weights]
    if not v.expect(
        shapes == [tuple(w.shape) for w in reference.weights],
        "its layers hold weights shaped and ordered as the textbook's",
        "its layers' weights differ in shape or order from the textbook's: compare the order "
        "and sizes of your layers with the chapter",
    ):
        return
    model.set_weights(reference.get_weights())
    same = np.allclose(
        _array(model(inputs, training=False)), _array(reference(inputs, training=False)), atol=1e-4
    )
    v.expect(
        same,
        "with the textbook's weights it computes what the textbook's model computes",
        "with the textbook's weights it computes something else: compare the activations "
        "(LeakyReLU(0.2) in GANs?), strides, padding and the order of the layers with the chapter",
    )


def _generator_checks(v, generator, latent_dim, count, last_layer, reference=None):
    in_shape = tuple(generator.input_shape[1:])
    v.expect(
        in_shape == (latent_dim,),
        f"takes noise vectors of size {latent_dim}",
        f"takes inputs shaped {in_shape}: the textbook's takes noise of size {latent_dim} "
        f"(keras.Input(shape=({latent_dim},)))",
    )
    size = in_shape[0] if len(in_shape) == 1 and in_shape[0] else latent_dim
    images = _array(generator(_noise(8, size)))
    v.expect(
        images.shape == (8, 28, 28, 1),
        "makes images shaped (N, 28, 28, 1)",
        f"makes outputs shaped (N, {', '.join(map(str, images.shape[1:]))}), not "
        "(N, 28, 28, 1): check the Reshape and the last layer's channels (1 for grey)",
    )
    big = _array(generator(_noise(64, size, seed=2) * 30.0))
    low, high = float(big.min()), float(big.max())
    if low < -1 - 1e-6 or high > 1 + 1e-6:
        problem = "outputs go beyond [-1, 1]"
    else:
        problem = "outputs never go below 0 (a sigmoid?)"
    v.expect(
        low >= -1 - 1e-6 and high <= 1 + 1e-6 and low < -0.01,
        "outputs lie in [-1, 1] (tanh), like the scaled training images",
        f"{problem}: {last_layer} needs activation='tanh' so images lie in [-1, 1] like the "
        "scaled training data",
    )
    n = generator.count_params()
    v.expect(
        n == count,
        f"{count:,} parameters, as in the textbook",
        f"{n:,} parameters, the textbook's has {count:,}: compare your layers' sizes with "
        "the chapter",
    )
    different = not np.allclose(images[0], images[1])
    v.expect(
        different,
        "different noise gives different images",
        "different noise vectors give the same image: the noise must flow into the first layer",
    )
    if reference is not None and v.passed:  # one thing to fix at a time
        _computes_like(v, generator, reference(), _noise(8, latent_dim))


@_checker
def check_generator(v, build_generator):
    """The textbook DCGAN generator: build_generator() -> (N, 100) noise to (N, 28, 28, 1)."""
    from gan_course import models

    _generator_checks(v, build_generator(), 100, 865_281, "the last Conv2D", models.build_generator)


@_checker
def check_mlp_generator(v, build_mlp_generator):
    """The MLP GAN generator: build_mlp_generator() -> (N, 128) noise to (N, 28, 28, 1)."""
    from gan_course import models

    _generator_checks(
        v, build_mlp_generator(), 128, 1_493_520, "the last Dense layer", models.build_mlp_generator
    )


def _discriminator_checks(v, discriminator, count, dropout, reference):
    images = _images(16)
    out = _array(discriminator(images))
    v.expect(
        out.shape == (16, 1),
        "maps images (N, 28, 28, 1) to one number each, (N, 1)",
        f"outputs shaped {out.shape} for 16 images: end with Flatten and Dense(1)",
    )
    v.expect(
        out.min() >= 0 and out.max() <= 1,
        "outputs are probabilities in [0, 1] (sigmoid)",
        "outputs leave [0, 1]: the last Dense needs activation='sigmoid' (P(real))",
    )
    n = discriminator.count_params()
    v.expect(
        n == count,
        f"{count:,} parameters, as in the textbook",
        f"{n:,} parameters, the textbook's has {count:,}: compare your layers (filters, "
        "kernel size, strides) with the chapter",
    )
    rates = _dropout_rates(discriminator)
    v.expect(
        rates == dropout,
        f"{len(dropout)} Dropout({dropout[0]:g}) layers, as in the textbook",
        f"its Dropout layers have rates {rates}, the textbook's {dropout}: add Dropout"
        f"({dropout[0]:g}) after each LeakyReLU",
    )
    if v.passed:  # one thing to fix at a time
        _computes_like(v, discriminator, reference(), images)
    if not v.expect(
        getattr(discriminator, "compiled", False),
        "compiled, ready for train_on_batch",
        "not compiled: call discriminator.compile(loss='binary_crossentropy', optimizer=...)",
    ):
        return
    labels = np.ones((16, 1), dtype="float32")
    labels[::2] = 0
    probabilities = np.clip(_array(discriminator(images, training=False)), 1e-7, 1 - 1e-7)
    bce = float(
        np.mean(-(labels * np.log(probabilities) + (1 - labels) * np.log(1 - probabilities)))
    )
    result = discriminator.test_on_batch(images, labels)
    loss = float(np.atleast_1d(result)[0])
    v.expect(
        _close(loss, bce, tol=1e-3),
        "its loss is the binary cross-entropy",
        "its loss is not the binary cross-entropy: compile with loss='binary_crossentropy'",
    )
    before = _weights(discriminator)
    discriminator.train_on_batch(images, labels)
    v.expect(
        _changed(before, discriminator),
        "learns in train_on_batch",
        "train_on_batch leaves its weights unchanged: is discriminator.trainable False?",
    )


@_checker
def check_discriminator(v, build_discriminator):
    """The textbook DCGAN discriminator: build_discriminator() -> compiled, (N, 1) P(real)."""
    from gan_course import models

    _discriminator_checks(v, build_discriminator(), 212_865, [0.3, 0.3], models.build_discriminator)


@_checker
def check_mlp_discriminator(v, build_mlp_discriminator):
    """The MLP GAN discriminator: build_mlp_discriminator() -> compiled, (N, 1) P(real)."""
    from gan_course import models

    _discriminator_checks(
        v, build_mlp_discriminator(), 1_460_225, [0.3, 0.3, 0.3], models.build_mlp_discriminator
    )


# --- Chapter 05: the combined model and the training step ---------------------------------


def _textbook_pair():
    from gan_course import models

    return models.build_generator(), models.build_discriminator()


@_checker
def check_combined_model(v, build_gan):
    """build_gan(generator, discriminator) -> the compiled combined model, D frozen inside."""
    generator, discriminator = _textbook_pair()
    gan = build_gan(generator, discriminator)
    noise = _noise(8)
    out = _array(gan(noise, training=False))
    v.expect(
        out.shape == (8, 1),
        "maps noise (N, 100) to D's verdict on G's images, (N, 1)",
        f"maps noise to outputs shaped {out.shape}: chain them, discriminator(generator(noise))",
    )
    chained = _array(discriminator(generator(noise, training=False), training=False))
    v.expect(
        out.shape == chained.shape and np.allclose(out, chained, atol=1e-5),
        "is D(G(z)) with the same generator and discriminator objects",
        "does not equal discriminator(generator(noise)): build it from the two models "
        "passed in, not new ones",
    )
    if not v.expect(
        getattr(gan, "compiled", False),
        "compiled",
        "not compiled: call gan.compile(loss='binary_crossentropy', optimizer=...)",
    ):
        return
    d_before, g_before = _weights(discriminator), _weights(generator)
    gan.train_on_batch(noise, np.ones((8, 1), dtype="float32"))
    v.expect(
        not _changed(d_before, discriminator),
        "the discriminator stays frozen when the combined model trains",
        "the discriminator changed when the combined model trained: set "
        "discriminator.trainable = False before compiling the combined model",
    )
    v.expect(
        _changed(g_before, generator),
        "the generator learns through the combined model",
        "the generator did not change when the combined model trained: is it trainable?",
    )


@_checker
def check_train_step(v, train_step):
    """train_step(generator, discriminator, gan, real_images, noise): one textbook GAN step.

    Runs two steps on the textbook models built in the textbook order (D compiled, then frozen
    by build_gan) and watches every train_on_batch: which labels, which weights changed.
    """
    from gan_course import models

    generator, discriminator = _textbook_pair()
    gan = models.build_gan(generator, discriminator)
    calls = []

    def spy(model, label):
        original = model.train_on_batch

        def watched(x, y, *args, **kwargs):
            d_before, g_before = _weights(discriminator), _weights(generator)
            result = original(x, y, *args, **kwargs)
            calls.append(
                (label, _array(y), _changed(d_before, discriminator), _changed(g_before, generator))
            )
            return result

        return watched

    discriminator.train_on_batch = spy(discriminator, "d")
    gan.train_on_batch = spy(gan, "gan")
    real = _images(16)
    for seed in (1, 2):
        train_step(generator, discriminator, gan, real, _noise(16, seed=seed))
    d_calls = [c for c in calls if c[0] == "d"]
    g_calls = [c for c in calls if c[0] == "gan"]
    d_labels = np.concatenate([c[1].reshape(-1) for c in d_calls]) if d_calls else np.zeros(0)
    v.expect(
        d_calls and (d_labels >= 0.5).any() and (d_labels == 0).any(),
        "trains the discriminator on real images (label 1) and fakes (label 0)",
        "the discriminator must be trained with discriminator.train_on_batch on real images "
        "(label 1) and on the generator's fakes (label 0)",
    )
    v.expect(
        d_calls and all(c[2] for c in d_calls),
        "the discriminator learns in its own step, every step",
        "the discriminator did not learn in its own step: on Keras 3 set "
        "discriminator.trainable = True right before its train_on_batch",
    )
    v.expect(
        g_calls and all(np.all(c[1] == 1) for c in g_calls),
        "trains the generator through the combined model with label 1 ('call the fakes real')",
        "train the generator with gan.train_on_batch(noise, ones): the fakes get the label 1",
    )
    v.expect(
        g_calls and not any(c[2] for c in g_calls),
        "the discriminator stays frozen in the combined model's step",
        "the discriminator changed in the combined model's step: set "
        "discriminator.trainable = False right before gan.train_on_batch",
    )
    v.expect(
        g_calls and all(c[3] for c in g_calls),
        "the generator learns in the combined model's step",
        "the generator did not change in the combined model's step",
    )


# --- Chapter 06: autoencoders ---------------------------------------------------------------


@_checker
def check_autoencoder(v, build_autoencoder):
    """build_autoencoder(latent_dim=32) -> (autoencoder, encoder, decoder), images in [0, 1]."""
    autoencoder, encoder, decoder = build_autoencoder(latent_dim=32)
    images = _images(32, value_range=(0, 1))
    codes = _array(encoder(images))
    v.expect(
        codes.shape == (32, 32),
        "the encoder squeezes each image into a code of 32 numbers",
        f"the encoder makes codes shaped {codes.shape[1:]}: it should end in Dense(latent_dim)",
    )
    out = _array(decoder(codes))
    extreme = _array(decoder(np.random.default_rng(3).normal(0, 50, codes.shape)))
    v.expect(
        out.shape == (32, 28, 28, 1) and extreme.min() >= 0 and extreme.max() <= 1,
        "the decoder turns codes back into images (N, 28, 28, 1) in [0, 1]",
        f"the decoder makes outputs shaped {out.shape[1:]} that can leave [0, 1]: end with "
        "Dense(784, activation='sigmoid') and Reshape((28, 28, 1))",
    )
    whole = _array(autoencoder(images))
    v.expect(
        whole.shape == out.shape and np.allclose(whole, out, atol=1e-5),
        "the autoencoder is decoder(encoder(x))",
        "autoencoder(x) differs from decoder(encoder(x)): chain the two models you return",
    )
    from gan_course import autoencoders

    if v.passed:
        _computes_like(v, autoencoder, autoencoders.build_dense_autoencoder(32)[0], images)
    if not v.expect(
        getattr(autoencoder, "compiled", False),
        "compiled",
        "the autoencoder is not compiled: compile(optimizer='adam', loss='binary_crossentropy')",
    ):
        return
    first = float(np.atleast_1d(autoencoder.train_on_batch(images, images))[0])
    for _ in range(30):
        last = float(np.atleast_1d(autoencoder.train_on_batch(images, images))[0])
    v.expect(
        last < first,
        "learns to reconstruct: its loss falls over 30 steps",
        "its loss did not fall over 30 steps of train_on_batch(x, x): the target is the input",
    )


@_checker
def check_add_noise(v, add_noise):
    """add_noise(images, std=0.5, rng=None) -> noisy copies, still in [0, 1]."""
    images = _images(8, value_range=(0, 1))
    noisy = _array(add_noise(images, 0.5, np.random.default_rng(0)))
    v.expect(
        noisy.shape == images.shape,
        "keeps the images' shape",
        f"returns shape {noisy.shape} for images {images.shape}",
    )
    v.expect(
        noisy.min() >= 0 and noisy.max() <= 1,
        "stays in [0, 1] (clipped)",
        "noisy images leave [0, 1]: clip them (np.clip(noisy, 0, 1))",
    )
    spread = float(np.std(noisy - images))
    v.expect(
        0.2 < spread < 0.6,
        "adds noise of the asked strength",
        "the noise is much weaker or stronger than std=0.5: images + rng.normal(0, std, shape)",
    )
    again = _array(add_noise(images, 0.5, np.random.default_rng(0)))
    v.expect(
        np.array_equal(noisy, again),
        "the same random generator gives the same noise (reproducible)",
        "two calls with the same seeded rng gave different noise: draw from the rng passed in",
    )


# --- Chapter 07: the VAE --------------------------------------------------------------------


@_checker
def check_sampling(v, sampling_layer_class):
    """Sampling()([z_mean, z_log_var]) = z_mean + exp(z_log_var / 2) * eps, eps ~ N(0, I)."""
    layer = sampling_layer_class()
    z_mean = np.full((20000, 2), 3.0, dtype="float32")
    z_log_var = np.full((20000, 2), math.log(4.0), dtype="float32")
    z = _array(layer([z_mean, z_log_var]))
    v.expect(
        z.shape == (20000, 2),
        "returns one z per (z_mean, z_log_var) pair",
        f"returns shape {z.shape} for inputs (20000, 2)",
    )
    v.expect(
        abs(z.mean() - 3.0) < 0.05,
        "z is centred on z_mean",
        f"z averages {z.mean():.2f} where z_mean = 3: z = z_mean + sigma * eps",
    )
    v.expect(
        abs(z.std() - 2.0) < 0.05,
        "z spreads by sigma = exp(z_log_var / 2)",
        f"z spreads by {z.std():.2f} where exp(log(4) / 2) = 2: the standard deviation is "
        "exp(0.5 * z_log_var), not the variance or the log-variance",
    )
    first = _array(layer([z_mean[:4], z_log_var[:4]]))
    second = _array(layer([z_mean[:4], z_log_var[:4]]))
    v.expect(
        not np.allclose(first, second),
        "draws new noise on every call",
        "two calls gave the same z: keep a keras.random.SeedGenerator in the layer (made in "
        "__init__) and pass it as the seed, so each call draws new noise",
    )
    tight = _array(layer([z_mean[:4], np.full((4, 2), -40.0, dtype="float32")]))
    v.expect(
        np.allclose(tight, 3.0, atol=1e-3),
        "with a tiny variance z = z_mean (the randomness is all in eps)",
        "with z_log_var = -40, z should equal z_mean",
    )


@_checker
def check_vae_loss_terms(v, vae_loss_terms):
    """vae_loss_terms(images, reconstruction, z_mean, z_log_var) -> (reconstruction, kl)."""
    images = np.zeros((2, 28, 28, 1), dtype="float32")
    images[:, ::2] = 1.0
    reconstruction = np.full((2, 28, 28, 1), 0.5, dtype="float32")
    z_mean = np.array([[1.0, 2.0], [1.0, 2.0]], dtype="float32")
    z_log_var = np.zeros((2, 2), dtype="float32")
    rec, kl = vae_loss_terms(images, reconstruction, z_mean, z_log_var)
    rec, kl = _number(rec), _number(kl)
    want = 784 * math.log(2)
    v.expect(
        _close(rec, want, tol=1e-3),
        "reconstruction loss: binary cross-entropy summed over the pixels, averaged over images",
        f"reconstruction loss should be 784 * log 2 = {want:.2f} for reconstructions of 0.5, "
        f"got {rec:.2f}: sum the per-pixel cross-entropy over each image, then average",
    )
    v.expect(
        _close(kl, 2.5, tol=1e-3),
        "KL term: -1/2 sum(1 + log_var - mean^2 - exp(log_var)) per image",
        f"KL for z_mean = [1, 2], z_log_var = [0, 0] should be 2.5, got {kl:.3f}: "
        "-0.5 * sum(1 + log_var - mean**2 - exp(log_var)) over the latent dimensions",
    )
    _, zero = vae_loss_terms(images, reconstruction, np.zeros((2, 2), "float32"), z_log_var)
    v.expect(
        _close(_number(zero), 0.0),
        "KL is 0 when the code distribution is N(0, I)",
        "KL should be 0 for z_mean = 0, z_log_var = 0",
    )


# --- Chapter 08: the latent space -----------------------------------------------------------


_Z0, _Z1 = np.array([1.0, 0.0, 2.0]), np.array([0.0, 2.0, 1.0])


def _path_ends(v, path, z0, z1, hint=""):
    """The two properties every path of 5 points between 3-d vectors z0 and z1 must have."""
    v.expect(
        path.shape == (5, 3), "returns (steps, dim)", f"returns shape {path.shape}, not (5, 3)"
    )
    v.expect(
        path.shape == (5, 3) and np.allclose(path[0], z0) and np.allclose(path[-1], z1),
        "starts at z0 and ends at z1",
        f"the path must start at z0 and end at z1{hint}",
    )


@_checker
def check_interpolate(v, interpolate):
    """interpolate(z0, z1, steps) -> (steps, dim) points on the line, ends included."""
    path = _array(interpolate(_Z0, _Z1, 5))
    _path_ends(v, path, _Z0, _Z1, " (np.linspace(0, 1, steps))")
    v.expect(
        path.shape == (5, 3) and np.allclose(path[2], (_Z0 + _Z1) / 2),
        "evenly spaced: the middle point is (z0 + z1) / 2",
        "the middle point should be (z0 + z1) / 2: (1 - t) * z0 + t * z1",
    )


@_checker
def check_slerp(v, slerp):
    """slerp(z0, z1, steps) -> (steps, dim) points on the great-circle arc, ends included."""
    z0, z1 = np.array([3.0, 0.0, 0.0]), np.array([0.0, 3.0, 0.0])
    path = _array(slerp(z0, z1, 5))
    _path_ends(v, path, z0, z1)
    norms = np.linalg.norm(path, axis=1) if path.ndim == 2 else np.zeros(1)
    v.expect(
        np.allclose(norms, 3.0),
        "keeps the length of equally long vectors (stays on the sphere)",
        f"lengths along the path are {np.round(norms, 2).tolist()}, not all 3: interpolate the "
        "angle, sin((1 - t) * omega) / sin(omega) * z0 + sin(t * omega) / sin(omega) * z1",
    )


@_checker
def check_attribute_vector(v, attribute_vector):
    """attribute_vector(latents, labels, positive, negative) -> mean(positive) - mean(negative)."""
    latents = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 1.0], [0.0, 3.0], [9.0, 9.0]])
    labels = np.array([7, 7, 1, 1, 4])
    got = _array(attribute_vector(latents, labels, 7, 1)).reshape(-1)
    v.expect(
        got.shape == (2,) and np.allclose(got, [2.0, -2.0]),
        "mean latent of the positive group minus mean latent of the negative group",
        f"for 7s at [1, 0], [3, 0] and 1s at [0, 1], [0, 3] the 7-minus-1 vector is [2, -2], "
        f"got {np.round(got, 3).tolist()}: other labels must not count",
    )


# --- Chapter 09: better losses --------------------------------------------------------------


# --- Chapter 10: the Keras-native GAN ---------------------------------------------------------


def _fit_pair(gan_class, d_rate, g_rate):
    from gan_course import models

    keras.utils.set_random_seed(0)
    gan = gan_class(models.build_generator(), models.build_discriminator(dropout=0))
    gan.compile(keras.optimizers.SGD(d_rate), keras.optimizers.SGD(g_rate))
    return gan


def _trainable(model):
    return [np.array(w) for w in model.trainable_weights]


def _moved(before, model):
    """Did a trainable weight change? (Batch norm's moving averages move in any training-mode
    call, so they are left out.)"""
    return any(not np.array_equal(a, np.array(b)) for a, b in zip(before, model.trainable_weights))


def _margin(gan, real, noise):
    """mean D(real) - mean D(G(noise)), and mean D(G(noise))."""
    fake = _array(gan.discriminator(gan.generator(noise, training=False), training=False))
    return float(_array(gan.discriminator(real, training=False)).mean() - fake.mean()), fake.mean()


def _train_one_player(gan_class, player, real, noise):
    """Three steps with the other player's learning rate at 0. Returns (did the other's weights
    move, the player's aim before, after): D aims at D(real) - D(G(z)), G at D(G(z))."""
    gan = _fit_pair(gan_class, 0.05 * (player == "discriminator"), 0.05 * (player == "generator"))
    other = gan.generator if player == "discriminator" else gan.discriminator
    other_before = _trainable(other)
    before = _margin(gan, real, noise)[player == "generator"]
    for _ in range(3):
        gan.train_step(real)
    return _moved(other_before, other), before, _margin(gan, real, noise)[player == "generator"]


@_checker
def check_gan_train_step(v, gan_class):
    """gan_class(generator, discriminator), compiled with (d_optimizer, g_optimizer): its
    train_step trains D on real (1) and fake (0) images, then G through D, each with its own
    optimizer on its own weights."""
    real = np.clip(_images(32) * 0.2 + 0.5, -1, 1).astype("float32")  # brighter than G's start
    noise = _noise(32)
    gan = _fit_pair(gan_class, 0.05, 0.05)
    d_before, g_before = _trainable(gan.discriminator), _trainable(gan.generator)
    logs = gan.train_step(real)
    v.expect(
        isinstance(logs, dict) and {"d_loss", "g_loss"} <= set(logs),
        "train_step returns a dict with d_loss and g_loss",
        f"train_step returned a {type(logs).__name__} without both losses: return "
        "{'d_loss': ..., 'g_loss': ...}",
    )
    v.expect(
        _moved(d_before, gan.discriminator) and _moved(g_before, gan.generator),
        "one step changes both networks",
        "one step leaves a network unchanged: take one gradient per network and apply it with "
        "that network's optimizer",
    )
    other_moved, before, after = _train_one_player(gan_class, "discriminator", real, noise)
    v.expect(
        not other_moved,
        "the discriminator's optimizer moves only the discriminator",
        "with G's learning rate at 0 the generator still changed: apply D's optimizer to "
        "discriminator.trainable_weights only",
    )
    v.expect(
        after > before,
        "the discriminator learns to score real images above fakes (labels 1 and 0)",
        "the discriminator's steps did not push D(real) above D(fake): real images get label "
        "1 and fakes label 0",
    )
    other_moved, before, after = _train_one_player(gan_class, "generator", real, noise)
    v.expect(
        not other_moved,
        "the generator's optimizer moves only the generator (nothing needs freezing)",
        "with D's learning rate at 0 the discriminator still changed: apply G's optimizer to "
        "generator.trainable_weights only",
    )
    v.expect(
        after > before,
        "the generator learns to make D call its fakes real (label 1)",
        "the generator's steps did not raise D(G(z)): in G's step, label the fakes 1 (real)",
    )


@_checker
def check_lsgan_losses(v, discriminator_loss, generator_loss):
    """LSGAN: D: 1/2 mean((D(x) - 1)^2) + 1/2 mean(D(G(z))^2); G: 1/2 mean((D(G(z)) - 1)^2)."""
    d_real, d_fake = np.array([1.0, 0.5]), np.array([0.0, 2.0])
    got = _number(discriminator_loss(d_real, d_fake))
    v.expect(
        _close(got, 1.0625),
        "discriminator: 1/2 mean((D(x) - 1)^2) + 1/2 mean(D(G(z))^2)",
        f"on D(x) = [1, 0.5], D(G(z)) = [0, 2] the discriminator loss is 1.0625, got {got:.4f}",
    )
    got = _number(generator_loss(d_fake))
    v.expect(
        _close(got, 0.5),
        "generator: 1/2 mean((D(G(z)) - 1)^2)",
        f"on D(G(z)) = [0, 2] the generator loss is 0.5, got {got:.4f}: a fake scored 2 "
        "(far past 'real') is penalised too",
    )


@_checker
def check_wasserstein_losses(v, critic_loss, generator_loss):
    """WGAN: critic mean(C(G(z))) - mean(C(x)); generator -mean(C(G(z)))."""
    c_real, c_fake = np.array([2.0, 4.0]), np.array([-1.0, 0.0])
    got = _number(critic_loss(c_real, c_fake))
    v.expect(
        _close(got, -3.5),
        "critic: mean(C(G(z))) - mean(C(x)) (minus its Wasserstein estimate)",
        f"on C(x) = [2, 4], C(G(z)) = [-1, 0] the critic loss is -3.5, got {got:.4f}",
    )
    got = _number(generator_loss(c_fake))
    v.expect(
        _close(got, 0.5),
        "generator: -mean(C(G(z)))",
        f"on C(G(z)) = [-1, 0] the generator loss is 0.5, got {got:.4f}",
    )


def _linear_critic(slope):
    critic = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    critic.layers[0].set_weights([np.array([[slope], [0.0]]), np.zeros(1)])
    return critic


def _kinked_critic(at):
    """C(x) = x_1 + 2 relu(x_1 - at): slope 1 up to x_1 = at (included), slope 3 beyond it."""
    x = keras.Input((2,))
    kink = keras.layers.Dense(1, activation="relu")
    out = keras.layers.Dense(1)
    critic = keras.Model(x, out(keras.layers.Concatenate()([x, kink(x)])))
    kink.set_weights([np.array([[1.0], [0.0]]), np.array([-at])])
    out.set_weights([np.array([[1.0], [0.0], [2.0]]), np.zeros(1)])
    return critic


@_checker
def check_gradient_penalty(v, gradient_penalty):
    """gradient_penalty(critic, real, fake) = mean((||grad C(x_hat)|| - 1)^2)."""
    rng = np.random.default_rng(0)
    real = rng.normal(size=(8, 2)).astype("float32")
    fake = rng.normal(size=(8, 2)).astype("float32")
    for slope, want, words in (
        (1.0, 0.0, "zero for a critic of slope 1 (1-Lipschitz)"),
        (3.0, 4.0, "(3 - 1)^2 = 4 for a critic of slope 3"),
        (0.5, 0.25, "(0.5 - 1)^2 = 0.25 for a critic of slope 0.5"),
    ):
        got = _number(gradient_penalty(_linear_critic(slope), real, fake))
        v.expect(
            _close(got, want, tol=1e-3),
            words,
            f"for a linear critic of slope {slope:g} the penalty is {want:g}, got {got:.4f}: "
            "take the gradient of C at points between real and fake, and average "
            "(norm - 1)^2",
        )
    # A critic whose slope at the real (or the fake) images differs from its slope everywhere
    # between them: only a penalty taken at the points in between gives 4.
    edge = np.stack([np.zeros(8), rng.normal(size=8)], axis=1).astype("float32")
    inside = np.stack([rng.uniform(0.5, 2.0, 8), rng.normal(size=8)], axis=1).astype("float32")
    for real, fake, where in ((edge, inside, "real"), (inside, edge, "fake")):
        got = _number(gradient_penalty(_kinked_critic(0.0), real, fake))
        v.expect(
            _close(got, 4.0, tol=1e-3),
            f"taken between real and fake, not at the {where} images",
            f"for a critic of slope 3 between real and fake but 1 at the {where} images the "
            f"penalty is 4, got {got:.4f}: take it at x_hat = eps * real + (1 - eps) * fake, "
            "with eps uniform in [0, 1) for each image",
        )


# --- Chapter 11: the DCGAN paper's rules -------------------------------------------------


def _layer_kinds(model):
    return [type(layer).__name__ for layer in model.layers]


@_checker
def check_dcgan_generator(v, build_dcgan_generator):
    """build_dcgan_generator(): noise (N, 100) -> (N, 28, 28, 1) in [-1, 1], by the DCGAN
    paper's rules: strided Conv2DTranspose (no UpSampling2D, no pooling), batch norm after every
    layer but the output, ReLU (not LeakyReLU), tanh at the end."""
    generator = build_dcgan_generator()
    images = _array(generator(_noise(4), training=False))
    v.expect(
        images.shape == (4, 28, 28, 1),
        "noise (4, 100) becomes images (4, 28, 28, 1)",
        f"noise (4, 100) became {images.shape}: start from a 7x7 grid and double it twice "
        "with Conv2DTranspose(..., strides=2, padding='same')",
    )
    kinds = _layer_kinds(generator)
    v.expect(
        "UpSampling2D" not in kinds
        and not any("Pooling" in k for k in kinds)
        and kinds.count("Conv2DTranspose") >= 2,
        "the image grows by strided Conv2DTranspose layers, no UpSampling2D or pooling",
        "rule 1: replace UpSampling2D (and any pooling) by Conv2DTranspose(..., strides=2)",
    )
    v.expect(
        "Dense" in kinds and kinds.count("Dense") == 1,
        "one Dense layer, the projection of the noise (no hidden fully connected layers)",
        f"{kinds.count('Dense')} Dense layers: keep only the first, which projects the noise "
        "onto the 7x7 grid",
    )
    v.expect(
        "LeakyReLU" not in kinds and kinds.count("ReLU") >= 2,
        "ReLU in the generator",
        "rule 4: the generator uses ReLU (layers.ReLU()), the discriminator LeakyReLU",
    )
    last = generator.layers[-1]
    v.expect(
        kinds[-1] == "Conv2DTranspose"
        and last.get_config().get("activation") == "tanh"
        and np.abs(images).max() <= 1,
        "the last layer is a Conv2DTranspose with tanh (images in [-1, 1])",
        "end with Conv2DTranspose(1, 5, strides=2, padding='same', activation='tanh')",
    )
    norms = kinds.count("BatchNormalization")
    v.expect(
        norms >= 2 and "BatchNormalization" not in kinds[-2:],
        "batch norm after every hidden layer, none at the output",
        "rule 3: BatchNormalization after the Dense and the hidden Conv2DTranspose layers, "
        "but not on the output",
    )


# --- Chapter 12: the conditional GAN -----------------------------------------------------


@_checker
def check_conditional_generator(v, build_conditional_generator):
    """build_conditional_generator(): [noise (N, 100), labels (N, 1) ints] -> (N, 28, 28, 1)
    in [-1, 1]; the label changes the image, the same noise and label give the same image."""
    generator = build_conditional_generator()
    if not v.expect(
        isinstance(generator.input_shape, list) and len(generator.input_shape) == 2,
        "the generator takes two inputs, [noise, label]",
        "make a keras.Model([noise, label], images): two keras.Input layers",
    ):
        return
    noise = np.repeat(_noise(1), 10, axis=0)
    labels = np.arange(10).reshape(10, 1)
    images = _array(generator([noise, labels], training=False))
    v.expect(
        images.shape == (10, 28, 28, 1) and np.abs(images).max() <= 1,
        "[noise (10, 100), labels (10, 1)] becomes images (10, 28, 28, 1) in [-1, 1]",
        f"got {images.shape} with values up to {np.abs(images).max():.2f}: feed the joined "
        "input to the textbook generator (tanh at the end)",
    )
    spread = min(np.abs(images[k] - images[0]).mean() for k in range(1, 10))
    v.expect(
        spread > 1e-4,
        "the same noise with ten labels gives ten different images",
        "two labels gave the same image for the same noise: join one_hot(label) to the noise "
        "(layers.CategoryEncoding(10, output_mode='one_hot'), layers.Concatenate())",
    )
    again = _array(generator([noise[:2], np.array([[3], [3]])], training=False))
    v.expect(
        np.allclose(again[0], again[1], atol=1e-5),
        "the same noise and label give the same image",
        "the same noise and label gave two images: the label must be the only other input "
        "(no randomness inside the model)",
    )


# --- Chapter 13: CycleGAN ------------------------------------------------------------------


@_checker
def check_cycle_losses(v, cycle_consistency_loss, identity_loss):
    """CycleGAN: cycle mean|F(G(a)) - a| and identity mean|G(b) - b|, both L1 means."""
    a = _images(8)
    got = _number(cycle_consistency_loss(a, a.copy()))
    v.expect(
        _close(got, 0.0),
        "a round trip that comes back exactly costs 0",
        f"cycle_consistency_loss(a, a) should be 0, got {got:.4f}",
    )
    got = _number(cycle_consistency_loss(a, a - 0.5))
    v.expect(
        _close(got, 0.5),
        "the cycle loss is the mean absolute difference (L1), as in the paper",
        f"every pixel off by 0.5 should cost 0.5, got {got:.4f}: use mean(abs(real - cycled)) "
        "(a square gives 0.25, a sum grows with the image size)",
    )
    got = _number(cycle_consistency_loss(a, -a))
    v.expect(
        _close(got, float(np.mean(np.abs(2 * a)))),
        "it compares each image with its own round trip, pixel by pixel",
        f"for cycled = -a the loss is mean|2a| = {np.mean(np.abs(2 * a)):.4f}, got {got:.4f}",
    )
    got = _number(identity_loss(a, a.copy()))
    v.expect(
        _close(got, 0.0),
        "the identity loss is 0 when G leaves a target-domain image as it is",
        f"identity_loss(b, b) should be 0, got {got:.4f}",
    )
    got = _number(identity_loss(a, a + 0.25))
    v.expect(
        _close(got, 0.25),
        "the identity loss is the mean absolute change (L1)",
        f"every pixel changed by 0.25 should cost 0.25, got {got:.4f}",
    )


# --- Chapter 14: a diffusion model ---------------------------------------------------------


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
