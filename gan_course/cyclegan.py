"""CycleGAN (Zhu et al., 2017): translate between two kinds of images without pairs.

There is no photo of *this* horse as a zebra, so nothing says what the right output is.
CycleGAN trains two generators, G: A -> B and F: B -> A, each with its own discriminator, and
adds one rule: a round trip must come back, F(G(a)) = a and G(F(b)) = b (순환 일관성,
cycle consistency). The losses, each a function below:

- adversarial (least squares, as in LSGAN): D_B says how much G(a) looks like a real B;
- cycle consistency: mean |F(G(a)) - a| + mean |G(F(b)) - b|, weighted by lambda_cycle (10);
- identity: mean |G(b) - b|, weighted by lambda_identity * lambda_cycle: a B given to G should
  stay as it is.

The networks are the paper's at 28x28: a ResNet generator (two stride-2 convolutions down,
residual blocks, two transposed convolutions up) and a PatchGAN discriminator (one score per
12x12 patch). Both use instance normalization (인스턴스 정규화), which Keras 3 has as
`GroupNormalization(groups=-1)`: each image and channel is normalised on its own (no
tensorflow_addons needed).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from gan_course import copies, data, losses, precision


def instance_norm(name=None):
    """Instance normalization: GroupNormalization with one group per channel."""
    return layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)


def build_cyclegan_generator(image_shape=(28, 28, 1), filters=32, residual_blocks=3, name=None):
    """The ResNet generator: images (N, H, W, C) in [-1, 1] -> images of the same shape.

    7x7 convolution, two stride-2 convolutions (H/4), residual blocks, two transposed
    convolutions back to H, 7x7 convolution and tanh. H and W must be divisible by 4.
    """
    if image_shape[0] % 4 or image_shape[1] % 4:
        raise ValueError(f"image_shape {image_shape}: height and width must be divisible by 4.")
    images = keras.Input(image_shape)
    x = layers.ReLU()(instance_norm()(layers.Conv2D(filters, 7, padding="same")(images)))
    for m in (2, 4):
        x = layers.Conv2D(filters * m, 3, strides=2, padding="same")(x)
        x = layers.ReLU()(instance_norm()(x))
    for _ in range(residual_blocks):
        y = layers.ReLU()(instance_norm()(layers.Conv2D(filters * 4, 3, padding="same")(x)))
        y = instance_norm()(layers.Conv2D(filters * 4, 3, padding="same")(y))
        x = layers.Add()([x, y])
    for m in (2, 1):
        x = layers.Conv2DTranspose(filters * m, 3, strides=2, padding="same")(x)
        x = layers.ReLU()(instance_norm()(x))
    # float32 under a mixed policy too: the output feeds the losses
    out = layers.Conv2D(image_shape[-1], 7, padding="same", activation="tanh", dtype="float32")(x)
    return keras.Model(images, out, name=name or "cyclegan_generator")


def build_cyclegan_discriminator(input_shape=(28, 28, 1), filters=32, name=None):
    """The PatchGAN discriminator: images -> a raw score per patch (N, H/2, W/2, 1), no sigmoid.

    A 4x4 convolution of stride 2, then two 3x3 convolutions: each score sees a 12x12 patch
    (receptive_field), under half the width of a 28x28 animal, so it judges the coat's texture
    where it is, not the animal as a whole (the paper's 70x70 patches of 256x256 photographs are
    about a quarter of their width). The least-squares loss wants 1 for real, 0 for fake.
    """
    images = keras.Input(input_shape)
    x = layers.LeakyReLU(0.2)(layers.Conv2D(filters, 4, strides=2, padding="same")(images))
    x = layers.Conv2D(filters * 2, 3, padding="same")(x)
    x = layers.LeakyReLU(0.2)(instance_norm()(x))
    out = layers.Conv2D(1, 3, padding="same", dtype="float32")(x)  # feeds a loss: float32
    return keras.Model(images, out, name=name or "patch_discriminator")


def receptive_field(model):
    """The side, in input pixels, of the patch that one output of a convolutional `model` sees.

    Walks the Conv2D layers in order: each adds (kernel - 1) x the product of the strides
    before it. Activations act pixel by pixel; instance normalization lets every pixel move
    every score a little, through the image's mean and spread (tests/test_cyclegan.py measures
    how little: over 80% of a score's gradient lies in its patch).
    """
    size, jump = 1, 1
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):  # Conv2DTranspose is one too: not for generators
            (kernel, _), (stride, _) = layer.kernel_size, layer.strides
            size += (kernel - 1) * jump
            jump *= stride
    return size


def generator_adversarial_loss(fake_scores):
    """mean((D(G(a)) - 1)^2): the generator wants its fakes scored as real (1)."""
    return ops.mean(ops.square(ops.convert_to_tensor(fake_scores, "float32") - 1.0))


def discriminator_adversarial_loss(real_scores, fake_scores):
    """1/2 mean((D(b) - 1)^2) + 1/2 mean(D(G(a))^2): LSGAN's discriminator loss."""
    return losses.lsgan_discriminator_loss(real_scores, fake_scores)


def _mean_abs(a, b, name):
    a, b = ops.convert_to_tensor(a, "float32"), ops.convert_to_tensor(b, "float32")
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(f"{name}: the two batches differ in shape, {a.shape} vs {b.shape}.")
    return ops.mean(ops.abs(a - b))


def cycle_consistency_loss(real, cycled):
    """mean |F(G(a)) - a|: how far a round trip lands from where it started (0 = back home)."""
    return _mean_abs(real, cycled, "cycle_consistency_loss(real, cycled)")


def identity_loss(real, same):
    """mean |G(b) - b|: how much G changes an image that is already of its target kind."""
    return _mean_abs(real, same, "identity_loss(real, same)")


class CycleGAN(keras.Model):
    """Two generators (a_to_b, b_to_a) and two discriminators (d_a, d_b), trained with fit()
    on batches (images_a, images_b) that need not match: `make_unpaired_dataset` gives them.

    compile(g_optimizer, d_optimizer): one optimizer for both generators, one for both
    discriminators (the paper: Adam(2e-4, beta_1=0.5)).
    """

    def __init__(self, a_to_b, b_to_a, d_a, d_b, lambda_cycle=10.0, lambda_identity=0.5, **kw):
        super().__init__(**kw)
        if lambda_cycle < 0 or lambda_identity < 0:
            raise ValueError("lambda_cycle and lambda_identity must be >= 0.")
        for g in (a_to_b, b_to_a):
            if tuple(g.input_shape[1:]) != tuple(g.output_shape[1:]):
                raise ValueError(
                    f"{g.name} must turn images into images of the same shape; it takes "
                    f"{g.input_shape[1:]} and gives {g.output_shape[1:]}."
                )
        self.a_to_b, self.b_to_a, self.d_a, self.d_b = a_to_b, b_to_a, d_a, d_b
        self.lambda_cycle, self.lambda_identity = float(lambda_cycle), float(lambda_identity)
        self.built = True

    def compile(self, g_optimizer=None, d_optimizer=None):
        super().compile(optimizer=None)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        if self.g_optimizer is self.d_optimizer:
            raise ValueError("the generators and discriminators need two optimizer instances.")
        # Under mixed_float16, loss scaling as compile() gives a model's own optimizer.
        self.g_optimizer = precision.loss_scaled(self.g_optimizer, self)
        self.d_optimizer = precision.loss_scaled(self.d_optimizer, self)
        self.g_weights = self.a_to_b.trainable_weights + self.b_to_a.trainable_weights
        self.d_weights = self.d_a.trainable_weights + self.d_b.trainable_weights
        self.g_optimizer.build(self.g_weights)
        self.d_optimizer.build(self.d_weights)
        names = ("g_loss", "d_loss", "adversarial", "cycle", "identity")
        self.trackers = {name: keras.metrics.Mean(name=name) for name in names}

    @property
    def metrics(self):
        return list(getattr(self, "trackers", {}).values())

    def call(self, images_a, training=False):
        return self.a_to_b(images_a, training=training)

    def train_step(self, data):
        real_a, real_b = data
        with tf.GradientTape(persistent=True) as tape:
            fake_b = self.a_to_b(real_a, training=True)
            fake_a = self.b_to_a(real_b, training=True)
            cycle = cycle_consistency_loss(
                real_a, self.b_to_a(fake_b, training=True)
            ) + cycle_consistency_loss(real_b, self.a_to_b(fake_a, training=True))
            identity = identity_loss(real_a, self.b_to_a(real_a, training=True)) + identity_loss(
                real_b, self.a_to_b(real_b, training=True)
            )
            adversarial = generator_adversarial_loss(
                self.d_b(fake_b, training=True)
            ) + generator_adversarial_loss(self.d_a(fake_a, training=True))
            g_loss = (
                adversarial
                + self.lambda_cycle * cycle
                + self.lambda_cycle * self.lambda_identity * identity
            )
            d_loss = discriminator_adversarial_loss(
                self.d_a(real_a, training=True), self.d_a(fake_a, training=True)
            ) + discriminator_adversarial_loss(
                self.d_b(real_b, training=True), self.d_b(fake_b, training=True)
            )
            # scaled inside the tape (mixed_float16; unchanged otherwise), to be differentiated
            scaled = (self.g_optimizer.scale_loss(g_loss), self.d_optimizer.scale_loss(d_loss))
        for loss, optimizer, weights in (
            (scaled[0], self.g_optimizer, self.g_weights),
            (scaled[1], self.d_optimizer, self.d_weights),
        ):
            optimizer.apply_gradients(zip(tape.gradient(loss, weights), weights))
        del tape
        values = dict(g_loss=g_loss, d_loss=d_loss, adversarial=adversarial, cycle=cycle)
        values["identity"] = identity
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}


def make_unpaired_dataset(images_a, images_b, batch_size=16, seed=0):
    """(images_a, images_b) batches, each side shuffled on its own and repeated: no pairs."""
    sides = []
    for i, images in enumerate((images_a, images_b)):
        images = np.asarray(images, dtype=np.float32)
        data.check_gan_images(images, name=("images_a", "images_b")[i])
        ds = tf.data.Dataset.from_tensor_slices(images).shuffle(len(images), seed=seed + i)
        sides.append(ds.repeat().batch(batch_size, drop_remainder=True))
    return tf.data.Dataset.zip(tuple(sides)).prefetch(2)


def fit_cyclegan(cyclegan, images_a, images_b, steps, batch_size=16, callbacks=(), seed=0):
    """Train for `steps` steps of batch_size images of each side; returns the History
    (one epoch = 100 steps, so its curves have one point per 100 steps)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a positive whole number, got {steps!r}.")
    dataset = make_unpaired_dataset(images_a, images_b, batch_size, seed)
    per_epoch = min(100, steps)
    return cyclegan.fit(
        dataset,
        steps_per_epoch=per_epoch,
        epochs=max(1, steps // per_epoch),
        callbacks=list(callbacks),
        shuffle=False,
        verbose=0,
    )


def horses_and_zebras(test_per_class=100, seed=0):
    """The horse (A) and zebra (B) silhouettes of Animal-MNIST, in [-1, 1], (N, 28, 28, 1):
    ((horses_train, zebras_train), (horses_test, zebras_test)), test_per_class of each held out.
    """
    images, labels = data.load_animals()
    rng = np.random.default_rng(seed)
    split = ([], [])
    for name in ("Horse", "Zebra"):
        chosen = rng.permutation(np.flatnonzero(labels == data.ANIMAL_CLASSES.index(name)))
        x = data.scale_images(images[chosen])
        split[0].append(x[test_per_class:])
        split[1].append(x[:test_per_class])
    return tuple(split[0]), tuple(split[1])


def build_domain_classifier(input_shape=(28, 28, 1)):
    """A small CNN: P(the image is from domain B), (N, 1). The judge of translation."""
    return keras.Sequential(
        [
            keras.Input(input_shape),
            layers.Conv2D(16, 3, strides=2, padding="same", activation="relu"),
            layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(1, activation="sigmoid", dtype="float32"),
        ],
        name="domain_classifier",
    )


def train_domain_classifier(images_a, images_b, epochs=10, seed=0):
    """Train build_domain_classifier to tell A (0) from B (1); returns the model."""
    keras.utils.set_random_seed(seed)
    x = np.concatenate([images_a, images_b]).astype(np.float32)
    y = np.concatenate([np.zeros(len(images_a)), np.ones(len(images_b))]).astype(np.float32)
    classifier = build_domain_classifier(x.shape[1:])
    classifier.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    classifier.fit(x, y, epochs=epochs, batch_size=64, shuffle=True, verbose=0)
    return classifier


def share_classified_as(classifier, images, domain):
    """The share of images the domain classifier puts in `domain` ("A" or "B")."""
    if domain not in ("A", "B"):
        raise ValueError(f"domain must be 'A' or 'B', got {domain!r}.")
    p = np.asarray(classifier.predict(np.asarray(images, np.float32), verbose=0)).reshape(-1)
    return float(np.mean(p >= 0.5) if domain == "B" else np.mean(p < 0.5))


def shape_overlap(images, others, blur=5, threshold=-0.8):
    """How much each image's silhouette overlaps the other's, image by image (N,) in [0, 1].

    Both are blurred (a blur x blur average, so that a zebra's stripes do not cut holes in
    its outline), pixels above `threshold` form the shape, and the overlap is the
    intersection over the union. 1: the same outline; unrelated animals score about 0.5.
    """
    images, others = (np.asarray(x, np.float32) for x in (images, others))
    if images.shape != others.shape or images.ndim != 4:
        raise ValueError(
            f"need two batches (N, H, W, 1) of one shape, got {images.shape}, {others.shape}."
        )
    masks = [_box_blur(x, blur) > threshold for x in (images, others)]
    inter = (masks[0] & masks[1]).sum(axis=(1, 2, 3))
    union = (masks[0] | masks[1]).sum(axis=(1, 2, 3))
    return np.where(union > 0, inter / np.maximum(union, 1), 1.0)  # two empty images: the same


def _box_blur(images, size):
    """The mean over each size x size window, the border repeated outwards (numpy only)."""
    pad = size // 2
    padded = np.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (size, size), axis=(1, 2))
    return windows.mean(axis=(-2, -1))


def translation_report(cyclegan, test_a, test_b, classifier):
    """What a CycleGAN does to held-out images, as a dict of numbers:

    a_to_b_as_b / b_to_a_as_a: the share of translations the domain classifier puts in the
    target domain; shape_kept_a / shape_kept_b: the mean shape_overlap of each image and its
    translation (does the animal keep its outline and pose?); cycle_error_a / cycle_error_b:
    mean |F(G(a)) - a| (pixels in [-1, 1]).
    """
    fake_b = np.asarray(cyclegan.a_to_b.predict(test_a, verbose=0))
    fake_a = np.asarray(cyclegan.b_to_a.predict(test_b, verbose=0))
    back_a = np.asarray(cyclegan.b_to_a.predict(fake_b, verbose=0))
    back_b = np.asarray(cyclegan.a_to_b.predict(fake_a, verbose=0))
    return {
        "a_to_b_as_b": share_classified_as(classifier, fake_b, "B"),
        "b_to_a_as_a": share_classified_as(classifier, fake_a, "A"),
        "shape_kept_a": float(shape_overlap(test_a, fake_b).mean()),
        "shape_kept_b": float(shape_overlap(test_b, fake_a).mean()),
        "cycle_error_a": float(np.mean(np.abs(back_a - test_a))),
        "cycle_error_b": float(np.mean(np.abs(back_b - test_b))),
    }


COATS = ("speckle", "mottle", "scramble", "smear", "faint", "stripes")


def counterfeit_coats(images, kind="mottle", seed=0):
    """Animals (N, H, W, 1) in [-1, 1] with a fake coat on their bodies, to test a judge.

    Stripeless coats, each something a stripe judge must reject:
    "mottle": Gaussian noise blurred by 0.6-1.5 pixels, in the grey levels of the zebras' coats
    (blotches, no stripes); "speckle": random black and white pixels;
    "scramble": the body's own pixels in a random order (a zebra's grey levels, its stripes
    gone); "smear": the body blurred by 0.8-1.5 pixels (a zebra's stripes washed out, as a
    blurred copy would have them);
    "faint": a grey body with fine grain and bands too faint to see as stripes (contrast
    0.03-0.15, a zebra's is several times that), the look of a generator that only hints at them.
    And one striped coat a stripe judge must accept, to show it does not just know a horse's
    outline: "stripes": dark bands 3-4.5 pixels apart, within 35 degrees of upright, slightly
    bent. The background and the outline stay.
    """
    if kind not in COATS:
        raise ValueError(f"kind must be one of {COATS}, got {kind!r}.")
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or images.shape[-1] != 1:
        raise ValueError(f"images must be (N, H, W, 1) grey images, got shape {images.shape}.")
    rng = np.random.default_rng(seed)
    n, height, width = images.shape[:3]
    each = lambda low, high: rng.uniform(low, high, (n, 1, 1, 1)).astype(np.float32)  # noqa: E731
    body = (_box_blur(images, 3) > -0.6) & (images > -0.9)
    if kind == "speckle":
        coat = np.where(rng.random(images.shape) < each(0.2, 0.6), -1.0, 1.0)
    elif kind == "scramble":
        coat = images.copy()
        for i in range(n):
            inside = np.flatnonzero(body[i])
            coat[i].flat[inside] = coat[i].flat[rng.permutation(inside)]
    elif kind == "smear":
        coat = np.stack([copies.blur(x[None, ..., 0], rng.uniform(0.8, 1.5))[0] for x in images])
        coat = coat[..., None]
    elif kind == "stripes":
        coat = np.clip(each(0.0, 0.5) - each(0.3, 0.8) * _bands(rng, n, height, width), -1, 1)
    elif kind == "faint":
        grain = _smooth_noise(rng, n, height, width, 0.3, 0.7)
        coat = each(-0.2, 0.4) - each(0.03, 0.15) * _bands(rng, n, height, width)
        coat = np.clip(coat + each(0.05, 0.2) * grain, -1, 1)
    else:
        smooth = _smooth_noise(rng, n, height, width, 0.6, 1.5)
        coat = np.clip(each(-0.1, 0.4) + each(0.4, 0.9) * smooth, -1.0, 1.0)
    return np.where(body, coat, images).astype(np.float32)


STRIPELESS = ("mottle", "speckle", "scramble", "smear", "faint")


def _smooth_noise(rng, n, height, width, low, high):
    """(n, height, width, 1) Gaussian noise, each image blurred by low-high pixels, then scaled
    to a spread of 1: the mottle and the grain of counterfeit_coats."""
    noise = rng.normal(size=(n, height, width)).astype(np.float32)
    smooth = np.stack([copies.blur(x[None], rng.uniform(low, high))[0] for x in noise])
    return smooth[..., None] / (smooth.std(axis=(1, 2), keepdims=True)[..., None] + 1e-6)


def _bands(rng, n, height, width):
    """(n, height, width, 1) dark bands in [-1, 1], 3-4.5 pixels apart, within 35 degrees of
    upright, slightly bent: the drawn stripes of counterfeit_coats."""
    y, x = np.mgrid[:height, :width].astype(np.float32)
    angle = rng.uniform(-35, 35, (n, 1, 1)) * np.pi / 180
    across = x * np.cos(angle) + y * np.sin(angle)  # 0 degrees: upright bands
    bend = np.stack([copies.blur(z[None], 3.0)[0] for z in rng.normal(size=(n, height, width))])
    bend *= 12.0 / (np.abs(bend).max(axis=(1, 2), keepdims=True) + 1e-6)
    period, phase = rng.uniform(3.0, 4.5, (n, 1, 1)), rng.uniform(0, 6.3, (n, 1, 1))
    return np.tanh(2 * np.sin(2 * np.pi * (across + bend) / period + phase))[..., None]


def build_stripe_judge(input_shape=(28, 28, 1)):
    """A small CNN: P(the animal's coat is striped), (N, 1). Three 3x3 convolutions (the first
    at full resolution, where a stripe is 1-2 pixels wide), global average pooling."""
    return keras.Sequential(
        [
            keras.Input(input_shape),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
            layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(1, activation="sigmoid", dtype="float32"),
        ],
        name="stripe_judge",
    )


def train_stripe_judge(horses, zebras, epochs=12, seed=0):
    """Train build_stripe_judge to tell striped coats (1) from every other coat (0).

    Striped: the real zebras and horses with drawn stripes (so a horse's outline is no
    evidence either way). Not striped: the real horses, horses with a mottled or speckled
    coat or one of faint grain and bands, zebras with their body's pixels scrambled or smeared:
    the grey levels of a zebra without its pattern. Each kind of counterfeit is drawn from its
    own share of the animals. The tests check it on counterfeits of held-out animals it never
    saw, with other seeds. It knows only the coats it was shown: a generator's coat unlike all
    of them (faint streaks, say) must still be looked at before its verdict is believed.
    """
    horses, zebras = (np.asarray(x, np.float32) for x in (horses, zebras))
    for name, x in (("horses", horses), ("zebras", zebras)):
        data.check_gan_images(x, name=name)
    rng = np.random.default_rng(seed)
    part = lambda x, k: x[rng.permutation(len(x))[: len(x) // k]]  # noqa: E731
    striped = [zebras, counterfeit_coats(horses, "stripes", seed)]
    plain = [part(horses, 2), counterfeit_coats(horses, "mottle", seed + 1)]
    plain += [counterfeit_coats(part(horses, 4), "speckle", seed + 2)]
    plain += [counterfeit_coats(part(horses, 2), "faint", seed + 4)]
    plain += [
        counterfeit_coats(part(zebras, k), kind, seed + 3)
        for kind, k in (("scramble", 4), ("smear", 2))
    ]
    x = np.concatenate(striped + plain)
    y = np.repeat([1.0, 0.0], [sum(map(len, striped)), sum(map(len, plain))]).astype(np.float32)
    keras.utils.set_random_seed(seed)
    judge = build_stripe_judge(x.shape[1:])
    judge.compile("adam", "binary_crossentropy")
    judge.fit(x, y, epochs=epochs, batch_size=64, shuffle=True, verbose=0)
    return judge


def striped_share(judge, images):
    """The share of images (N, H, W, 1) the stripe judge calls striped (P >= 0.5)."""
    p = np.asarray(judge.predict(np.asarray(images, np.float32), verbose=0)).reshape(-1)
    return float(np.mean(p >= 0.5))


def variety(images):
    """How much a batch of images (N, H, W, C) differs from one image to the next: the mean
    absolute difference of each pixel from the batch's mean image. 0 when every image is the
    same (a generator in complete mode collapse); compare with real images of the same kind."""
    images = np.asarray(images, np.float32)
    if images.ndim != 4 or len(images) < 2:
        raise ValueError(f"need a batch of at least 2 images (N, H, W, C), got {images.shape}.")
    return float(np.abs(images - images.mean(axis=0)).mean())
