"""Keras callbacks for both training engines: the textbook loop and fit().

`training.train_gan` (the textbook loop) and `gan_model.GAN.fit` (the Keras way) call the same
`keras.callbacks.Callback` methods: on_train_begin, on_epoch_begin/end, on_train_batch_end
(with the step's losses as logs) and on_train_end. So one callback object works with both:

    grids = callbacks.SampleGrid(noise, every=200, per="step", folder="outputs/samples")
    training.train_gan(generator, discriminator, gan, x_train, 4001, callbacks=[grids])
    gan_model.fit_gan(keras_gan, x_train, 4001, callbacks=[grids])

In a callback, `self.model.generator` and `self.model.discriminator` are the two players in
both engines (in the textbook loop `self.model` is a `TextbookGAN`, which also holds the
combined model as `self.model.gan`), and `completed_steps(self.model)` is the number of
generator steps trained so far (it counts on after a resume). Keras' own per-epoch callbacks
(`CSVLogger`, `LambdaCallback`, `EarlyStopping`...) work with the textbook loop too, whose
epoch is as many steps as one pass over the data; for exact resume the textbook loop takes
`checkpoints.Checkpoint`, fit() takes Keras' `BackupAndRestore`.
"""

import keras
import numpy as np
from tqdm.std import tqdm

from gan_course import env_flag, viz


class TextbookGAN:
    """What the textbook loop shows its callbacks as `self.model`.

    The three models under the names the Keras-native GAN uses (generator, discriminator,
    g_optimizer, d_optimizer) plus the combined model `gan`, and the run's state a checkpoint
    saves: `step` (steps completed), `history` (per-step losses), `rng` (the loop's random
    generator), `settings` (batch size, seed... that a resume must keep). Set `stop_training`
    to True to end the run after the current step, as in Keras.
    """

    def __init__(self, generator, discriminator, gan, rng, settings, callbacks=()):
        self.generator, self.discriminator, self.gan = generator, discriminator, gan
        self.d_optimizer, self.g_optimizer = discriminator.optimizer, gan.optimizer
        self.rng, self.settings, self.callbacks = rng, settings, list(callbacks)
        self.step, self.history, self.stop_training = 0, {}, False


def completed_steps(model):
    """Generator steps trained so far (the generator optimizer's iterations), in either engine."""
    iterations = model.g_optimizer.iterations  # a MirroredVariable under tf.distribute
    return int(iterations.numpy() if hasattr(iterations, "numpy") else iterations)


def _check_every(every, per):
    if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
        raise ValueError(f"every must be a positive whole number of {per}s, got {every!r}.")
    if per not in ("step", "epoch"):
        raise ValueError(f'per must be "step" or "epoch", got {per!r}.')


class _EveryN(keras.callbacks.Callback):
    """Calls `self.fire(count)` after every `every`-th step (from step 0) or epoch."""

    def __init__(self, every, per):
        super().__init__()
        _check_every(every, per)
        self.every, self.per = int(every), per

    def on_train_batch_end(self, batch, logs=None):
        step = completed_steps(self.model) - 1  # the index of the step just trained
        if self.per == "step" and step % self.every == 0:
            self.fire(step, logs or {})

    def on_epoch_end(self, epoch, logs=None):
        if self.per == "epoch" and (epoch + 1) % self.every == 0:
            self.fire(epoch + 1, logs or {})


class SampleGrid(_EveryN):
    """Draw the same noise every `every` steps or epochs; keep the grids, save PNGs.

    per="step": after steps 0, every, 2*every... (files folder/step_00000.png...);
    per="epoch": after every `every`-th epoch (folder/epoch_0001.png...). `grids` holds
    (step or epoch, images) pairs and `paths` the files (viz.make_gif turns them into an
    animation). `generator`: draw from this model instead of the trained one (e.g. the
    averaged generator of a MovingAverage).
    """

    def __init__(self, noise, every=1, folder=None, value_range=(-1, 1), per="epoch",
                 generator=None):  # fmt: skip
        super().__init__(every, per)
        self.noise = np.asarray(noise, dtype="float32")
        self.value_range, self.generator = value_range, generator
        self.folder = None if folder is None else str(folder)
        self.grids, self.paths = [], []

    def fire(self, count, logs):
        shown = self.generator if self.generator is not None else self.model.generator
        images = keras.ops.convert_to_numpy(shown(self.noise, training=False))
        self.grids.append((count, images))
        if self.folder is not None:
            name = f"step_{count:05d}" if self.per == "step" else f"epoch_{count:04d}"
            self.paths.append(viz.save_image_grid(images, f"{self.folder}/{name}.png",
                                                  self.value_range))  # fmt: skip


class MeasureSamples(_EveryN):
    """Call `measure(count, generator)` every `every` steps or epochs; keep what it returns.

    For measuring the samples as training goes (e.g. counting digits). `results` holds
    (step or epoch, value) pairs. `generator`: as in SampleGrid.
    """

    def __init__(self, measure, every=1, per="step", generator=None):
        super().__init__(every, per)
        if not callable(measure):
            raise TypeError(
                f"measure must be a function measure(step, generator), got {measure!r}."
            )
        self.measure, self.generator, self.results = measure, generator, []

    def fire(self, count, logs):
        shown = self.generator if self.generator is not None else self.model.generator
        self.results.append((count, self.measure(count, shown)))


def update_ema(ema_generator, generator, decay=0.999):
    """Move each weight of ema_generator a step towards the generator's: w <- d*w + (1-d)*g.

    The exponential moving average of the generator's weights over the last ~1/(1-decay)
    steps smooths out the back-and-forth of the game; its samples are usually cleaner than
    the generator's own at the same step. BatchNorm's statistics are averaged too.
    """
    for averaged, current in zip(ema_generator.weights, generator.weights):
        averaged.assign(decay * averaged + (1.0 - decay) * current)


class MovingAverage(keras.callbacks.Callback):
    """Keep `ema_generator` at the exponential moving average of the generator's weights.

    After every step: w <- decay * w + (1 - decay) * g (update_ema; the best recipe's
    decay is 0.999). A fresh run starts the average as a copy of the generator; a run resumed
    from a checkpoint that holds the average keeps it. It runs between steps, outside the
    compiled step, so it works on several devices.
    """

    def __init__(self, ema_generator, decay=0.999):
        super().__init__()
        if not 0 < decay < 1:
            raise ValueError(f"decay must be between 0 and 1, e.g. 0.999; got {decay!r}.")
        self.ema_generator, self.decay = ema_generator, decay
        self.restored = False  # set by checkpoints.Checkpoint when it loads the average

    def on_train_begin(self, logs=None):
        source = self.model.generator.weights
        if [w.shape for w in self.ema_generator.weights] != [w.shape for w in source]:
            raise ValueError(
                "ema_generator must be built exactly like the generator (same layers and sizes)."
            )
        if not self.restored:
            for ema, w in zip(self.ema_generator.weights, source):
                ema.assign(w)

    def on_train_batch_end(self, batch, logs=None):
        update_ema(self.ema_generator, self.model.generator, self.decay)

    def on_train_end(self, logs=None):
        self.restored = False


class TrainingLog(_EveryN):
    """Print one line of the step's losses every `every` steps (and after the last step).

    With `bar=True` a tqdm progress bar runs too, unless GAN_COURSE_PROGRESS is off (e.g. 0),
    as in the runs whose outputs are committed, so a stored notebook keeps only the lines.
    """

    def __init__(self, every=200, bar=True):
        super().__init__(every, "step")
        self.bar_wanted, self.bar = bar, None

    def on_train_begin(self, logs=None):
        params = self.params or {}  # fit(): steps per epoch and epochs; the loop adds the total
        self.total = params.get("total_steps") or (params.get("steps") or 0) * params.get(
            "epochs", 1
        )
        if self.bar_wanted and env_flag("GAN_COURSE_PROGRESS", default=True):
            done = completed_steps(self.model)
            self.bar = tqdm(initial=done, total=self.total or None, mininterval=2.0, ncols=100,
                            desc="training")  # fmt: skip

    def on_train_batch_end(self, batch, logs=None):
        if self.bar is not None:
            self.bar.update(1)
        step = completed_steps(self.model) - 1
        if step % self.every == 0 or step + 1 == self.total:
            self.fire(step, logs or {})

    def fire(self, step, logs):
        numbers = {key: float(value) for key, value in logs.items()}
        line = f"step {step:5d}  d_loss {numbers.get('d_loss', np.nan):.4f}  "
        line += f"g_loss {numbers.get('g_loss', np.nan):.4f}"
        if "d_acc_real" in numbers:
            real, fake = numbers["d_acc_real"], numbers["d_acc_fake"]
            line += f"  D accuracy real {real:.2f} fake {fake:.2f}"
        (self.bar.write if self.bar is not None else print)(line)

    def on_train_end(self, logs=None):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
