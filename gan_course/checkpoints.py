"""Checkpoints of the textbook loop: save a run, resume it exactly, never lose one.

    from gan_course import checkpoints, training

    training.train_gan(generator, discriminator, gan, x_train, 4001,
                       callbacks=[checkpoints.Checkpoint("outputs/checkpoint", every=200)])

Run the same cell again (after a crash, or in a new Colab runtime with freshly built models)
and training goes on from the last checkpoint, step for step as if it had never stopped: the
weights, BatchNorm statistics, both optimizers' states, the averaged generator of any
`callbacks.MovingAverage`, the per-step history and the loop's random generator are saved.
Its guarantees: a resume with other settings (batch size, seed, data set...) is refused; a
model holding NaN is never saved; a save that dies half-way keeps the previous checkpoint; a
folder is locked while a run trains into it. fit() has Keras' own `BackupAndRestore`.
"""

import json
import os
import shutil
import sys
import zipfile
from pathlib import Path

import keras
import numpy as np

from gan_course.callbacks import MovingAverage, TextbookGAN


class TrainingDiverged(FloatingPointError):
    """A loss became NaN or infinite; training stopped before saving anything from that step."""


class CheckpointError(RuntimeError):
    """A checkpoint folder cannot be used: unreadable, from another run's settings, or in use."""


def _variables(generator, discriminator, gan, ema_generators=()):
    """Every variable a resumed run needs, by name: weights, BatchNorm statistics, Dropout's
    random-seed state, both optimizers' states (and the averaged generators' weights)."""
    groups = {
        "generator": generator.variables,
        "discriminator": discriminator.variables,
        "d_optimizer": discriminator.optimizer.variables,
        "gan_optimizer": gan.optimizer.variables,
    }
    for i, ema_generator in enumerate(ema_generators):
        groups[f"ema_generator_{i}"] = ema_generator.variables
    return groups


def save_checkpoint(
    directory, generator, discriminator, gan, step, history, rng, ema_generators=(), meta=None
):
    """Save everything needed to resume training after `step` completed steps.

    Writes `directory/latest/` (variables.npz and state.json) through a temporary folder, so a
    runtime that dies while saving keeps the previous checkpoint. `meta` (a dict of the run's
    settings) is stored so that a resume with other settings can be refused. A model whose
    variables hold NaN or infinite values is never saved (TrainingDiverged): the last good
    checkpoint stays.
    """
    directory = Path(directory)
    tmp, latest, old = directory / "tmp", directory / "latest", directory / "old"
    arrays = {}
    for group, variables in _variables(generator, discriminator, gan, ema_generators).items():
        arrays.update({f"{group}/{i}": np.array(v) for i, v in enumerate(variables)})
    broken = [key for key, value in arrays.items() if not np.all(np.isfinite(value))]
    if broken:
        raise TrainingDiverged(
            f"Not saving step {step}: {len(broken)} variables hold NaN or infinite values "
            f"(first: {broken[0]}). The last good checkpoint in {directory} was kept."
        )
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    np.savez(tmp / "variables.npz", **arrays)
    state = {"step": step, "history": history, "rng": rng.bit_generator.state, "meta": meta}
    (tmp / "state.json").write_text(json.dumps(state))
    if latest.exists():
        shutil.rmtree(old, ignore_errors=True)
        latest.rename(old)
    tmp.rename(latest)
    shutil.rmtree(old, ignore_errors=True)


def _read_checkpoint(folder):
    """(state, arrays) of one checkpoint folder; raises CheckpointError if it is unreadable."""
    try:
        state = json.loads((folder / "state.json").read_text())
        with np.load(folder / "variables.npz") as saved:
            arrays = {key: saved[key] for key in saved.files}
        step, history = int(state["step"]), state["history"]
        rng = np.random.default_rng()
        rng.bit_generator.state = state["rng"]
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, UnicodeDecodeError) as e:
        raise CheckpointError(
            f"{folder} is incomplete or unreadable ({type(e).__name__}: {e})"
        ) from e
    return {"step": step, "history": history, "rng": rng, "meta": state.get("meta")}, arrays


def _refuse_other_settings(directory, saved, meta):
    differences = [
        f"{key}: checkpoint {saved.get(key)!r}, now {value!r}"
        for key, value in meta.items()
        if saved.get(key) != value
    ]
    if differences:
        raise CheckpointError(
            f"The checkpoint in {directory} was made with other settings ("
            + "; ".join(differences)
            + "). Resume with the same settings, or start a new run with --fresh (or "
            "another checkpoint folder)."
        )


def load_checkpoint(directory, generator, discriminator, gan, ema_generators=(), meta=None):
    """Load a checkpoint written by save_checkpoint into the given (freshly built) models.

    Returns (step, history, rng), or None if `directory` holds no checkpoint.
    An unreadable `latest/` falls back to `old/` (a save that was interrupted) with a notice;
    if no checkpoint there can be read, CheckpointError says to delete the folder or start
    fresh. Never None while checkpoint files exist. With `meta`, a checkpoint saved with other
    settings (another data set, batch size, seed...) is refused with the differences.
    """
    directory = Path(directory)
    folders = [f for f in (directory / "latest", directory / "old") if f.is_dir()]
    if not folders:
        return None
    problems = []
    for folder in folders:
        try:
            state, arrays = _read_checkpoint(folder)
            break
        except CheckpointError as error:
            problems.append(str(error))
    else:
        raise CheckpointError(
            "Cannot resume: " + "; ".join(problems) + f". Delete {directory} (or pass --fresh "
            "to the trainer) to start a new run, or point the checkpoint at another folder."
        )
    if problems:
        print(f"{problems[0]}; resuming from the previous checkpoint, {folder}.", file=sys.stderr)
    if meta is not None and state["meta"] is not None:
        _refuse_other_settings(directory, state["meta"], meta)
    # The optimizers are built for the weights each model trains, as its first step would.
    discriminator.trainable = True
    if not discriminator.optimizer.built:
        discriminator.optimizer.build(discriminator.trainable_variables)
    discriminator.trainable = False
    if not gan.optimizer.built:
        gan.optimizer.build(gan.trainable_variables)
    groups = _variables(generator, discriminator, gan, ema_generators)
    for group, variables in groups.items():
        count = sum(key.startswith(group + "/") for key in arrays)
        if count != len(variables):
            raise CheckpointError(
                f"The checkpoint in {folder} holds {count} {group} variables but the model "
                f"has {len(variables)}: resume with models built the same way (and the same "
                "moving averages), or start a new run with --fresh."
            )
    for group, variables in groups.items():
        for i, variable in enumerate(variables):
            variable.assign(arrays[f"{group}/{i}"])
    return state["step"], state["history"], state["rng"]


class _Lock:
    """An exclusive lock on a checkpoint folder while a run trains into it (POSIX; none on
    Windows). Usable as a context manager; release() is safe to call twice."""

    def __init__(self, directory):
        self.directory, self.handle = Path(directory), None

    def acquire(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        try:
            import fcntl
        except ImportError:  # Windows: no lock, as before
            return self
        handle = open(self.directory / "lock", "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "another process"
            handle.close()
            raise CheckpointError(
                f"{self.directory} is in use by PID {owner}: another run is training into it. "
                "Wait for it, or give this run another output folder."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return self

    def release(self):
        if self.handle is not None:
            import fcntl

            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()


def _locked(directory):
    """Hold an exclusive lock on a checkpoint folder: `with _locked(folder): ...`."""
    return _Lock(directory)


class Checkpoint(keras.callbacks.Callback):
    """The textbook loop's checkpoint with exact resume, as a Keras callback.

    Every `every` steps and after the last one, saves the run into `directory` (see
    save_checkpoint); at the start of a run, resumes from what is there and prints so.
    `meta`: extra settings (e.g. {"dataset": "mnist"}) stored beside the loop's own (batch
    size, seed, image shape, d_steps, real label, fakes mode); resuming with any of them
    changed is refused (CheckpointError). The averaged generators of the run's MovingAverage
    callbacks are saved too. The folder is locked from the start of the run to its end (the
    textbook loop ends its callbacks also when a step fails, so the lock is always released).
    For fit(), use keras.callbacks.BackupAndRestore.
    """

    def __init__(self, directory, every=200, meta=None):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"every must be a positive whole number of steps, got {every!r}.")
        self.directory, self.every, self.meta = Path(directory), int(every), dict(meta or {})
        self.lock = None

    def _run(self):
        if not isinstance(self.model, TextbookGAN):
            raise TypeError(
                "checkpoints.Checkpoint is for the textbook loop (training.train_gan); with "
                "fit(), use keras.callbacks.BackupAndRestore(folder)."
            )
        return self.model

    def _averages(self):
        return [c for c in self._run().callbacks if isinstance(c, MovingAverage)]

    def on_train_begin(self, logs=None):
        run = self._run()
        self.lock = _Lock(self.directory).acquire()
        averages = self._averages()
        restored = load_checkpoint(
            self.directory, run.generator, run.discriminator, run.gan,
            [a.ema_generator for a in averages], meta={**run.settings, **self.meta},
        )  # fmt: skip
        if restored is None:
            return
        run.step, run.history, run.rng = restored
        for average in averages:
            average.restored = True
        if run.step > self.params["total_steps"]:
            raise ValueError(
                f"The checkpoint in {self.directory} is at step {run.step}, beyond steps="
                f"{self.params['total_steps']}. Pass more steps, or another folder to start a "
                "new run."
            )
        print(f"Resuming from the checkpoint in {self.directory} at step {run.step}.")

    def on_train_batch_end(self, batch, logs=None):
        run = self._run()
        if run.step % self.every == 0 or run.step == self.params["total_steps"]:
            save_checkpoint(
                self.directory, run.generator, run.discriminator, run.gan, run.step,
                run.history, run.rng, [a.ema_generator for a in self._averages()],
                meta={**run.settings, **self.meta},
            )  # fmt: skip

    def on_train_end(self, logs=None):
        if self.lock is not None:
            self.lock.release()
            self.lock = None
