"""The textbook GAN training loop, correct on Keras 3.

One step, as in the lecture notes: take a random batch of real images; train the
discriminator (판별자) on them with label 1 and on the generator's (생성자) fakes with label 0;
then train the generator through the combined model with label 1 ("call the fakes real").

Keras 3 reads `discriminator.trainable` when each model's train function is first built (at
its first `train_on_batch`), not at `compile` as Keras 2 did. The textbook sets the flag to
False once, before compiling the combined model, so on Keras 3 the discriminator's own
`train_on_batch` trains nothing. `discriminator_step` and `generator_step` therefore set the
flag right before each model's step, and `train_gan` checks on its first step, by comparing
weights, that each step changed exactly what it should.
"""

from pathlib import Path

import keras
import numpy as np
from tqdm.std import tqdm

from gan_course import env_flag
from gan_course.callbacks import TextbookGAN, update_ema  # noqa: F401 (update_ema: importable here)
from gan_course.checkpoints import (  # noqa: F401 (the checkpoint API, importable from here too)
    Checkpoint,
    CheckpointError,
    TrainingDiverged,
    _locked,
    load_checkpoint,
    save_checkpoint,
)
from gan_course.data import check_gan_images

HISTORY_KEYS = ("d_loss", "g_loss", "d_acc_real", "d_acc_fake")


def _loss_and_accuracy(result):
    """Split what train_on_batch returned into (loss, accuracy); accuracy is nan if not compiled."""
    values = np.atleast_1d(np.asarray(result, dtype=np.float64))
    return float(values[0]), float(values[1]) if values.size > 1 else float("nan")


def batch_loss(model, x, y):
    """model.train_on_batch(x, y), returning this batch's own loss (and accuracy, if compiled).

    Keras up to 3.14 (Colab's, for one) returns the running mean since the model's metrics were
    last reset: three batches of loss 1, 9, 9 give 1, 5, 6.33. Resetting them first gives each
    batch's own numbers on every Keras version (3.15 and later do it themselves).
    """
    model.reset_metrics()
    return model.train_on_batch(x, y)


def _check_counts(**counts):
    """Refuse anything but positive whole numbers (booleans too), naming the argument."""
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive whole number, got {value!r}.")


def _check_real_label(real_label):
    if isinstance(real_label, bool) or not 0.5 < real_label <= 1:
        raise ValueError(
            f"real_label must be in (0.5, 1]: 1 as in the textbook, or e.g. 0.9 for one-sided "
            f"label smoothing; got {real_label!r}."
        )


FAKES_MODES = ("inference", "training")


def _check_fakes_mode(fakes_mode):
    if fakes_mode not in FAKES_MODES:
        raise ValueError(
            f"fakes_mode must be 'inference' (the textbook's generator.predict: batch norm uses "
            f"its moving averages) or 'training' (batch norm uses the batch's own statistics, "
            f"as in the generator's step); got {fakes_mode!r}."
        )


def make_fakes(generator, noise, fakes_mode="inference"):
    """G(noise) for the discriminator's step, as a numpy array in the generator's range.

    "inference" is the textbook's `generator.predict(noise)`: batch normalization (배치 정규화)
    uses its moving averages. "training" runs the generator as its own step does, with each
    batch normalized by its own statistics (and the moving averages updated).
    """
    _check_fakes_mode(fakes_mode)
    if fakes_mode == "inference":
        return generator.predict_on_batch(noise)
    return np.asarray(generator(np.asarray(noise, dtype="float32"), training=True))


def discriminator_step(
    generator, discriminator, real_images, noise, real_label=1.0, fakes_mode="inference"
):
    """Train the discriminator once on real images (label 1) and on G(noise) (label 0).

    real_label < 1 is one-sided label smoothing (e.g. 0.9): D is asked for 0.9 on real images,
    which keeps it from growing over-confident. Fakes keep the label 0.
    fakes_mode: how the fakes are made, see make_fakes ("inference" is the textbook's).
    Returns {"d_loss", "d_acc_real", "d_acc_fake"}; d_loss is the mean of the two losses.
    """
    _check_real_label(real_label)
    batch_size = len(real_images)
    fake_images = make_fakes(generator, noise, fakes_mode)
    discriminator.trainable = True  # Keras 3: must be True when D's train function is built.
    loss_real, acc_real = _loss_and_accuracy(
        batch_loss(discriminator, real_images, np.full((batch_size, 1), real_label))
    )
    loss_fake, acc_fake = _loss_and_accuracy(
        batch_loss(discriminator, fake_images, np.zeros((len(noise), 1)))
    )
    return {"d_loss": 0.5 * (loss_real + loss_fake), "d_acc_real": acc_real, "d_acc_fake": acc_fake}


def generator_step(gan, discriminator, noise):
    """Train the generator once through the combined model, labelling its fakes real (1).

    The discriminator is frozen for this step. Returns {"g_loss"}.
    """
    discriminator.trainable = False  # Keras 3: must be False when gan's train function is built.
    g_loss, _ = _loss_and_accuracy(batch_loss(gan, noise, np.ones((len(noise), 1))))
    return {"g_loss": g_loss}


def snapshot_weights(model):
    """Return copies of all of model's weights (numpy arrays), to compare after a step."""
    return [np.array(w) for w in model.weights]


def weights_changed(before, model):
    """Return True if any of model's weights differs from the snapshot `before`."""
    return any(not np.array_equal(a, np.array(b)) for a, b in zip(before, model.weights))


_REBUILD = (
    "On Keras 3 a model's train function fixes which weights it trains at its first "
    "train_on_batch call. Rebuild the models (build_discriminator(), then build_gan()) and "
    "train them with discriminator_step/generator_step or train_gan, which set "
    "discriminator.trainable right before each model's step."
)


def _check_finite(metrics, step, checkpoint_dir):
    bad = [key for key in ("d_loss", "g_loss") if not np.isfinite(metrics[key])]
    if bad:
        kept = (
            f" The last good checkpoint in {checkpoint_dir} was kept; a rerun resumes from it."
            if checkpoint_dir is not None
            else ""
        )
        raise TrainingDiverged(
            f"Training diverged at step {step}: {' and '.join(bad)} became "
            f"{', '.join(str(metrics[key]) for key in bad)}. Lower the learning rates (e.g. "
            f"Adam(2e-4, beta_1=0.5)), check that the images are in [-1, 1], and start again."
            + kept
        )


def _checked_step(
    generator, discriminator, gan, real_images, noise, real_label=1.0, fakes_mode="inference"
):
    """One training step that proves, by comparing weights, that the freeze works."""
    d_before, g_before = snapshot_weights(discriminator), snapshot_weights(generator)
    frozen_first = (
        "The discriminator did not learn in its own step: its train function was first built "
        "while it was frozen. "
    )
    try:
        d_metrics = discriminator_step(
            generator, discriminator, real_images, noise, real_label, fakes_mode
        )
    except ValueError as error:  # TF may fail to add optimizer slots to an old trace instead.
        if "tf.Variable" in str(error):
            raise RuntimeError(frozen_first + _REBUILD) from error
        raise
    if not weights_changed(d_before, discriminator):
        raise RuntimeError(frozen_first + "Its weights are unchanged. " + _REBUILD)
    d_after = snapshot_weights(discriminator)
    g_metrics = generator_step(gan, discriminator, noise)
    if weights_changed(d_after, discriminator):
        raise RuntimeError(
            "The discriminator changed during the generator's step through the combined model: "
            "the combined model's train function was first built while the discriminator was "
            "trainable. " + _REBUILD
        )
    if not weights_changed(g_before, generator):
        raise RuntimeError(
            "The generator did not learn in its step through the combined model (its weights are "
            "unchanged). Is generator.trainable False? " + _REBUILD
        )
    return {**d_metrics, **g_metrics}


def sample_best(generator, discriminator, n, keep=0.5, seed=0, batch_size=250):
    """Draw n / keep samples from the generator and return the n the discriminator rates most
    real, as an array (n, H, W, C) in the generator's range.

    A trained discriminator still knows something the generator has not learnt: its score
    ranks samples, and the worst-rated are the most often malformed. Keeping the best-rated
    fraction `keep` (0.5: the better half) trades diversity and sampling time for quality, as
    in discriminator rejection sampling (Azadi et al., 2019), which this simplifies to a cut.
    Works for any discriminator or critic whose higher output means "more real".
    """
    _check_counts(n=n, batch_size=batch_size)
    if isinstance(keep, bool) or not 0 < keep <= 1:
        raise ValueError(
            f"keep must be a fraction in (0, 1], e.g. 0.5 for the better half; got {keep!r}."
        )
    if tuple(generator.output_shape[1:]) != tuple(discriminator.input_shape[1:]):
        raise ValueError(
            f"The generator makes images shaped {generator.output_shape[1:]} but the discriminator "
            f"expects {discriminator.input_shape[1:]}: pass the pair trained together."
        )
    drawn = int(np.ceil(n / keep))
    noise = np.random.default_rng(seed).normal(size=(drawn, generator.input_shape[-1]))
    images = generator.predict(noise.astype("float32"), batch_size=batch_size, verbose=0)
    scores = np.asarray(discriminator.predict(images, batch_size=batch_size, verbose=0))
    best = np.argsort(-scores.reshape(drawn), kind="stable")[:n]
    return images[np.sort(best)]


def _one_step(run, x_train, batch_size, d_steps, real_label, fakes_mode, checked):
    """k discriminator steps, then one generator step, on batches drawn from run.rng."""
    generator, discriminator, gan, rng = run.generator, run.discriminator, run.gan, run.rng
    latent_dim, d_metrics = generator.input_shape[-1], []
    for i in range(d_steps):
        real_images = x_train[rng.integers(0, len(x_train), batch_size)]
        noise = rng.normal(0, 1, (batch_size, latent_dim))
        if i < d_steps - 1:  # k - 1 extra D steps (none in the textbook)
            d_metrics.append(discriminator_step(
                generator, discriminator, real_images, noise, real_label, fakes_mode))  # fmt: skip
    if checked:  # the first step of a run checks the freeze by comparing weights
        step = (generator, discriminator, gan, real_images, noise, real_label, fakes_mode)
        metrics = _checked_step(*step)
    else:
        metrics = discriminator_step(
            generator, discriminator, real_images, noise, real_label, fakes_mode
        )
        metrics.update(generator_step(gan, discriminator, noise))
    if d_metrics:  # the discriminator's numbers, averaged over its k steps
        d_metrics.append(metrics)
        for key in ("d_loss", "d_acc_real", "d_acc_fake"):
            metrics[key] = float(np.mean([m[key] for m in d_metrics]))
    return metrics


def _callback_list(callbacks):
    callbacks = list(callbacks)
    for callback in callbacks:
        if isinstance(callback, keras.callbacks.BackupAndRestore):
            raise TypeError(
                "BackupAndRestore is fit()'s checkpoint; the textbook loop takes "
                "checkpoints.Checkpoint(folder), which resumes exactly."
            )
        if not isinstance(callback, keras.callbacks.Callback):
            raise TypeError(
                f"callbacks must be keras.callbacks.Callback objects (e.g. callbacks.SampleGrid, "
                f"checkpoints.Checkpoint), got {callback!r}."
            )
    return callbacks


def train_gan(
    generator,
    discriminator,
    gan,
    x_train,
    steps=4001,
    batch_size=32,
    *,
    d_steps=1,
    real_label=1.0,
    seed=0,
    fakes_mode="inference",
    callbacks=(),
):
    """Train a GAN the textbook way for `steps` steps and return its per-step history.

    x_train: float images in [-1, 1], shape (N, H, W, C) (see gan_course.data.scale_images).
    d_steps is k, the number of discriminator steps per generator step (each on a fresh real
    batch and fresh noise; the generator step reuses the last noise). The textbook uses k = 1.
    real_label: the discriminator's target for real images; 1 in the textbook, 0.9 for one-sided
    label smoothing. seed: the loop's random generator (which batches, which noise).
    fakes_mode: "inference" (the textbook's generator.predict) or "training"; see make_fakes.
    callbacks: keras.callbacks.Callback objects, called as fit() calls them (on_train_begin,
    on_epoch_begin/end, on_train_batch_end with the step's losses, on_train_end; an epoch is
    as many steps as one pass over x_train). The course's: callbacks.SampleGrid (the same noise
    every few steps), callbacks.TrainingLog (a line of losses), callbacks.MovingAverage,
    callbacks.MeasureSamples, checkpoints.Checkpoint (exact resume); Keras' CSVLogger,
    LambdaCallback... work too. Without callbacks the loop prints nothing.
    A loss that turns NaN or infinite stops training (TrainingDiverged) before any callback
    sees that step, so no checkpoint holds it.
    Returns {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}: lists of one float per step (the
    discriminator's numbers averaged over its k steps). See epoch_means for per-epoch numbers.
    """
    check_gan_images(x_train)
    _check_real_label(real_label)
    _check_fakes_mode(fakes_mode)
    _check_counts(steps=steps, batch_size=batch_size, d_steps=d_steps)
    if tuple(x_train.shape[1:]) != tuple(discriminator.input_shape[1:]):
        raise ValueError(
            f"x_train images are shaped {x_train.shape[1:]} but the discriminator expects "
            f"{discriminator.input_shape[1:]}."
        )
    callbacks = _callback_list(callbacks)
    settings = {"batch_size": int(batch_size), "seed": seed, "d_steps": int(d_steps),
                "image_shape": [int(n) for n in x_train.shape[1:]],
                "real_label": float(real_label), "fakes_mode": fakes_mode}  # fmt: skip
    run = TextbookGAN(generator, discriminator, gan, np.random.default_rng(seed), settings,
                      callbacks)  # fmt: skip
    run.history = {key: [] for key in HISTORY_KEYS}
    per_epoch = max(1, min(len(x_train) // batch_size, steps))
    params = {"epochs": -(-steps // per_epoch), "steps": per_epoch, "total_steps": steps,
              "verbose": 0}  # fmt: skip
    for callback in callbacks:
        callback.set_params(params)
        callback.set_model(run)
    saving = [c.directory for c in callbacks if isinstance(c, Checkpoint)]
    try:
        for callback in callbacks:
            callback.on_train_begin()
        first = run.step  # 0, or the step a checkpoint resumed at
        for step in range(first, steps):
            epoch = step // per_epoch
            if step % per_epoch == 0:
                for callback in callbacks:
                    callback.on_epoch_begin(epoch)
            metrics = _one_step(run, x_train, batch_size, d_steps, real_label, fakes_mode,
                                checked=step == first)  # fmt: skip
            _check_finite(metrics, step, saving[0] if saving else None)
            for key in HISTORY_KEYS:
                run.history[key].append(metrics[key])
            run.step = step + 1
            for callback in callbacks:
                callback.on_train_batch_end(step, dict(metrics))
            if run.step % per_epoch == 0 or run.step == steps:
                logs = {k: float(np.mean(v[epoch * per_epoch :])) for k, v in run.history.items()}
                for callback in callbacks:
                    callback.on_epoch_end(epoch, logs)
            if run.stop_training:
                break
    finally:
        for callback in callbacks:
            callback.on_train_end()
    return run.history


def epoch_logger(every=10, epochs=None):
    """A keras callback for `fit(..., verbose=0)` that prints one line every `every` epochs.

    Each line holds the epoch and every logged number (loss, val_loss, ...), instead of a
    progress bar per epoch; with `epochs`, the last epoch is printed too.
    """
    import keras

    _check_counts(every=every)

    def log(epoch, logs):
        done = epoch + 1
        if done % every == 0 or done == 1 or done == epochs:
            numbers = "  ".join(f"{key} {value:.4f}" for key, value in sorted(logs.items()))
            print(f"epoch {done:4d}  {numbers}")

    return keras.callbacks.LambdaCallback(on_epoch_end=log)


def epoch_means(history, steps_per_epoch):
    """Average a per-step history over epochs of `steps_per_epoch` steps (the last may be short).

    Returns a dict with the same keys and one float per epoch.
    """
    if isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, (int, np.integer)):
        raise ValueError(f"steps_per_epoch must be a whole number, got {steps_per_epoch!r}.")
    if steps_per_epoch < 1:
        raise ValueError(f"steps_per_epoch must be positive, got {steps_per_epoch}.")
    return {
        key: [
            float(np.mean(values[i : i + steps_per_epoch]))
            for i in range(0, len(values), steps_per_epoch)
        ]
        for key, values in history.items()
    }


def load_or_train_generator(path, x_train, steps=4001, seed=0, stored_name=None):
    """Return the DCGAN generator saved at `path`, or train the textbook one and save it there.

    Later notebooks use the generator trained in notebook 05 (saved as
    outputs/05_dcgan/generator.keras). Where it is missing and `stored_name` names a model
    shipped with the package (gan_course.stored, e.g. "05_textbook_generator": notebook 05's
    stored run), they load that one in seconds and say so; otherwise they train one for `steps`
    steps (x_train in [-1, 1]), say so in one printed line, and save it for next time. A file
    that cannot be loaded (saved by a newer Keras, or cut off) is reported on stderr, kept
    beside it as `<name>.unreadable`, and the stored model is loaded or a new one trained.
    """
    import keras

    from gan_course import models

    path = Path(path)
    if path.exists():
        try:
            return keras.models.load_model(path)
        except Exception as error:  # e.g. saved by a newer Keras, or a cut-off file
            import sys

            kept = path.with_name(path.name + ".unreadable")
            path.replace(kept)
            reason = str(error).strip().splitlines()[0][:120] if str(error).strip() else ""
            print(
                f"Could not load the saved generator {path.name} ({type(error).__name__}: "
                f"{reason}); kept it as {kept.name} and training a new one for {steps} steps.",
                file=sys.stderr,
            )
    if stored_name is not None:
        from gan_course import models, stored

        print(f"No saved generator at {path.name} in {path.parent.name}/ (notebook 05 saves it).")
        generator = models.build_generator(latent_dim=100, image_shape=tuple(x_train.shape[1:]))
        return stored.load_weights(generator, stored_name)
    print(
        f"No saved generator at {path.name} in {path.parent.name}/ (notebook 05 saves it): "
        f"training the textbook DCGAN here for {steps} steps and saving it"
        + (
            " (as long as notebook 05's run; run notebook 05 first to skip this)."
            if steps > 1000
            else "."
        )
    )
    keras.utils.set_random_seed(seed)
    generator = models.build_generator(latent_dim=100, image_shape=tuple(x_train.shape[1:]))
    discriminator = models.build_discriminator(input_shape=tuple(x_train.shape[1:]))
    gan = models.build_gan(generator, discriminator)
    train_gan(generator, discriminator, gan, x_train, steps=steps, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    generator.save(path)
    return generator


def _critic_update(generator, critic, optimizer, real_images, noise, gp_weight, clip_value):
    """The critic update as tensors, so that train_wgan can compile it with tf.function."""
    import tensorflow as tf

    from gan_course import losses

    fake_images = generator(noise, training=False)
    with tf.GradientTape() as tape:
        c_real = critic(real_images, training=True)
        c_fake = critic(fake_images, training=True)
        loss = losses.wasserstein_critic_loss(c_real, c_fake)
        if gp_weight:
            loss += gp_weight * losses.gradient_penalty(critic, real_images, fake_images)
    grads = tape.gradient(loss, critic.trainable_variables)
    optimizer.apply_gradients(zip(grads, critic.trainable_variables))
    if clip_value is not None:
        losses.clip_weights(critic, clip_value)
    return loss, tf.reduce_mean(c_real) - tf.reduce_mean(c_fake)


def _generator_update(generator, critic, optimizer, noise):
    import tensorflow as tf

    from gan_course import losses

    with tf.GradientTape() as tape:
        loss = losses.wasserstein_generator_loss(critic(generator(noise, training=True)))
    grads = tape.gradient(loss, generator.trainable_variables)
    optimizer.apply_gradients(zip(grads, generator.trainable_variables))
    return loss


def critic_step(generator, critic, optimizer, real_images, noise, gp_weight=10.0, clip_value=None):
    """One WGAN critic update: minimise mean(C(G(z))) - mean(C(x)) [+ gp_weight * penalty].

    WGAN-GP: gp_weight > 0 adds the gradient penalty. WGAN with clipping: gp_weight=0 and
    clip_value=c clips the critic's weights into [-c, c] after the update. The critic has no
    sigmoid; `optimizer` is the critic's own. Returns {"critic_loss", "wasserstein_estimate"}.
    """
    loss, estimate = _critic_update(
        generator, critic, optimizer, real_images, noise, gp_weight, clip_value
    )
    return {"critic_loss": float(loss), "wasserstein_estimate": float(estimate)}


def critic_generator_step(generator, critic, optimizer, noise):
    """One WGAN generator update: minimise -mean(C(G(z))). Returns {"g_loss"}."""
    return {"g_loss": float(_generator_update(generator, critic, optimizer, noise))}


WGAN_HISTORY_KEYS = ("critic_loss", "wasserstein_estimate", "g_loss")


def wgan_optimizers(method):
    """The papers' optimizers, as (critic_optimizer, generator_optimizer).

    "wgan" (weight clipping, Arjovsky et al. 2017): RMSprop(5e-5) - momentum-based optimizers
    were unstable with clipping. "wgan-gp" (Gulrajani et al. 2017): Adam(1e-4, beta_1=0,
    beta_2=0.9).
    """
    import keras

    if method == "wgan":
        return keras.optimizers.RMSprop(5e-5), keras.optimizers.RMSprop(5e-5)
    if method == "wgan-gp":
        return (
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
            keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
        )
    raise ValueError(f"method must be 'wgan' or 'wgan-gp', got {method!r}.")


def train_wgan(
    generator,
    critic,
    x_train,
    steps=1000,
    batch_size=64,
    *,
    n_critic=5,
    gp_weight=10.0,
    clip_value=None,
    critic_optimizer=None,
    generator_optimizer=None,
    sample_every=100,
    sample_dir=None,
    n_samples=25,
    seed=0,
    progress=True,
):
    """Train a Wasserstein GAN: `steps` generator updates, each after `n_critic` critic updates.

    WGAN-GP (the default): gp_weight=10, clip_value=None. WGAN with weight clipping:
    gp_weight=0, clip_value=0.01. critic: a model without sigmoid (models.build_critic).
    The optimizers default to the paper's for the chosen method (see wgan_optimizers).
    Both updates are compiled with tf.function; the first step checks, by comparing weights,
    that the critic update leaves the generator alone and the generator update the critic.
    Returns {"critic_loss", "wasserstein_estimate", "g_loss"}: one float per generator step
    (the critic's numbers averaged over its n_critic updates). wasserstein_estimate is
    mean(C(x)) - mean(C(G(z))), the critic's estimate of the Wasserstein distance (up to
    the Lipschitz constant): it should fall as the samples improve.
    """
    import tensorflow as tf

    check_gan_images(x_train)
    _check_counts(steps=steps, batch_size=batch_size, sample_every=sample_every, n_critic=n_critic)
    if bool(gp_weight) == (clip_value is not None):
        raise ValueError(
            "The critic must be kept 1-Lipschitz in exactly one way: gp_weight > 0 and "
            "clip_value=None (WGAN-GP), or gp_weight=0 and clip_value=0.01 (WGAN); "
            f"got gp_weight={gp_weight!r}, clip_value={clip_value!r}."
        )
    if isinstance(gp_weight, bool) or not (gp_weight >= 0 and np.isfinite(gp_weight)):
        raise ValueError(
            f"gp_weight must be a number >= 0 (10 in the WGAN-GP paper), got {gp_weight!r}: a "
            "negative penalty would reward the critic for steep gradients."
        )
    if clip_value is not None and (isinstance(clip_value, bool) or not 0 < clip_value < np.inf):
        raise ValueError(
            f"clip_value must be a positive number (0.01 in the WGAN paper), got {clip_value!r}: "
            "the weights are clipped into [-clip_value, clip_value]."
        )
    if tuple(x_train.shape[1:]) != tuple(critic.input_shape[1:]):
        raise ValueError(
            f"x_train images are shaped {x_train.shape[1:]} but the critic expects "
            f"{critic.input_shape[1:]}."
        )
    final = getattr(critic.layers[-1], "activation", None)
    if final is not None and getattr(final, "__name__", "") == "sigmoid":
        raise ValueError(
            "The critic ends in a sigmoid: a Wasserstein critic outputs raw scores. "
            "Use models.build_critic()."
        )
    defaults = wgan_optimizers("wgan" if clip_value is not None else "wgan-gp")
    c_opt = critic_optimizer or defaults[0]
    g_opt = generator_optimizer or defaults[1]
    c_opt.build(critic.trainable_variables)
    g_opt.build(generator.trainable_variables)

    def update_critic(real, noise):
        return _critic_update(generator, critic, c_opt, real, noise, gp_weight, clip_value)

    def update_generator(noise):
        return _generator_update(generator, critic, g_opt, noise)

    update_critic, update_generator = tf.function(update_critic), tf.function(update_generator)
    latent_dim = generator.input_shape[-1]
    rng = np.random.default_rng(seed)
    fixed_noise = rng.normal(0, 1, (n_samples, latent_dim)).astype("float32")
    x_train = np.asarray(x_train, dtype="float32")
    history = {key: [] for key in WGAN_HISTORY_KEYS}
    if sample_dir is not None:
        from gan_course.viz import save_image_grid

        Path(sample_dir).mkdir(parents=True, exist_ok=True)
    show_bar = progress and env_flag("GAN_COURSE_PROGRESS", default=True)
    bar = tqdm(range(steps), disable=not show_bar, mininterval=2.0, ncols=100, desc="training")
    for step in bar:
        if step == 0:
            c_before, g_before = snapshot_weights(critic), snapshot_weights(generator)
        critic_numbers = []
        for _ in range(n_critic):
            real = x_train[rng.integers(0, len(x_train), batch_size)]
            noise = rng.normal(0, 1, (batch_size, latent_dim)).astype("float32")
            critic_numbers.append([float(t) for t in update_critic(real, noise)])
        if step == 0 and (
            weights_changed(g_before, generator) or not weights_changed(c_before, critic)
        ):
            raise RuntimeError("The critic update must change the critic and only the critic.")
        noise = rng.normal(0, 1, (batch_size, latent_dim)).astype("float32")
        if step == 0:
            c_before, g_before = snapshot_weights(critic), snapshot_weights(generator)
        g_loss = float(update_generator(noise))
        if step == 0 and (
            weights_changed(c_before, critic) or not weights_changed(g_before, generator)
        ):
            raise RuntimeError("The generator update must change the generator and only it.")
        c_loss, estimate = np.mean(critic_numbers, axis=0)
        if not (np.isfinite(c_loss) and np.isfinite(g_loss)):
            raise TrainingDiverged(
                f"Training diverged at step {step}: critic_loss {c_loss}, g_loss {g_loss}. "
                "Lower the learning rates, check that the images are in [-1, 1], and start again."
            )
        history["critic_loss"].append(float(c_loss))
        history["wasserstein_estimate"].append(float(estimate))
        history["g_loss"].append(g_loss)
        if step % sample_every == 0:
            if progress:
                bar.write(
                    f"step {step:5d}  critic_loss {c_loss:.4f}  W estimate {estimate:.4f}"
                    f"  g_loss {g_loss:.4f}"
                )
            if sample_dir is not None:
                samples = generator.predict_on_batch(fixed_noise)
                save_image_grid(
                    samples, Path(sample_dir) / f"step_{step:05d}.png", value_range=(-1, 1)
                )
    bar.close()
    return history
