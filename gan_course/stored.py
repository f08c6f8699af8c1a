"""The stored runs' trained models, one call away instead of minutes of training.

A chapter's stored notebook shows what its model learned in a full run. The weights of such a
model can ship with the package in a compact form: float16 (half of float32's size; a weight
keeps about 3 significant digits: on notebook 05's generator no pixel of 1,000 samples moved by
more than a third of one grey level in 256), together with a few inputs and the outputs the
trained model gave for them, so that a loaded model can prove it is the stored one:

    from gan_course import models, stored
    generator = stored.load_weights(models.build_generator(), "my_generator", directory=".")
    stored.reproduces(generator, "my_generator", directory=".")   # largest pixel difference

`save_weights` writes one `.npz` file (with the run's training log if given: `load_log` reads
it back, so a chapter's loss curves can be drawn without training). `load_weights` checks
that the architecture matches (the number and the shape of every weight) before it changes
anything, and says in one line what it loaded. Build the model with the same builder and
arguments as the run that saved it.
"""

import json
from pathlib import Path

import keras
import numpy as np

STORE = Path(__file__).parent / "data_files" / "stored"
FLOAT16_MAX = float(np.finfo(np.float16).max)


def _path(name, directory):
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name[0] == ".":
        raise ValueError(
            f"name must be a plain file name such as 'textbook_generator', got {name!r}."
        )
    return Path(STORE if directory is None else directory) / f"{name}.npz"


def _as_list(inputs):
    return list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]


def _outputs(model, inputs):
    arrays = [np.asarray(x) for x in _as_list(inputs)]
    out = model(arrays if len(arrays) > 1 else arrays[0], training=False)
    return np.asarray(keras.ops.convert_to_numpy(out), dtype=np.float32)


def save_weights(model, name, inputs, note="", directory=None, log=None):
    """Write `model`'s weights in float16, with `inputs` and the model's outputs for them.

    inputs: an array (or a list of arrays, one per model input) of a few samples, e.g. 16
    noise vectors: loading is checked on them. note: one line saying which run made the model
    (chapter, date, steps, precision), printed when it is loaded. directory: where to write
    (default: the package's own store, gan_course/data_files/stored). log: the run's training
    log, {name: one number per step or epoch} (e.g. History.history), kept in float32 for
    load_log. Returns the file's path.
    """
    weights = [np.asarray(w, dtype=np.float32) for w in model.get_weights()]
    too_big = [i for i, w in enumerate(weights) if np.abs(w).max(initial=0) > FLOAT16_MAX]
    if too_big:
        raise ValueError(
            f"weights {too_big} of {model.name} exceed float16's range (65504): store them in "
            "float32 instead, or check the training (weights that large mean it diverged)."
        )
    if not all(np.isfinite(w).all() for w in weights):
        raise ValueError(f"{model.name} has NaN or infinite weights: the training diverged.")
    arrays = {f"w{i}": w.astype(np.float16) for i, w in enumerate(weights)}
    inputs = [np.asarray(x, dtype=np.float32) for x in _as_list(inputs)]
    arrays.update({f"input{i}": x for i, x in enumerate(inputs)})
    arrays["outputs"] = _outputs(model, inputs).astype(np.float16)
    for key, values in (log or {}).items():
        values = np.asarray(values, dtype=np.float32)
        if values.ndim != 1:
            raise ValueError(
                f"log[{key!r}] must be one number per step or epoch, got {values.shape}."
            )
        arrays[f"log:{key}"] = values
    meta = {"model": model.name, "weights": len(weights), "inputs": len(inputs), "note": note}
    arrays["meta"] = np.array(json.dumps(meta))
    path = _path(name, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
    return path


def _read(name, directory):
    path = _path(name, directory)
    if not path.exists():
        known = sorted(p.stem for p in path.parent.glob("*.npz")) if path.parent.exists() else []
        raise FileNotFoundError(
            f"No stored model {name!r} in {path.parent}"
            + (f" (there are: {', '.join(known)})" if known else "")
            + ". Train the model instead (TRAIN = True in the chapter's parameters)."
        )
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    return json.loads(str(arrays.pop("meta"))), arrays


def load_weights(model, name, directory=None, verbose=True):
    """Set `model`'s weights to the stored ones and return the model.

    The model must be built like the one that was saved: a different number or shape of
    weights raises a ValueError naming the first mismatch, and the model is left unchanged.
    verbose: print one line saying what was loaded (the note written with it).
    """
    meta, arrays = _read(name, directory)
    stored = [arrays[f"w{i}"] for i in range(meta["weights"])]
    current = model.get_weights()
    if len(stored) != len(current):
        raise ValueError(
            f"The stored {name!r} has {len(stored)} weight arrays and this {model.name} "
            f"{len(current)}: it was saved from another architecture ({meta['model']}). Build "
            "the model with the builder and arguments of the run that stored it."
        )
    for i, (s, c) in enumerate(zip(stored, current)):
        if s.shape != c.shape:
            raise ValueError(
                f"Weight {i} of the stored {name!r} has shape {s.shape}, this {model.name}'s "
                f"{c.shape}: build the model with the builder and arguments of the stored run."
            )
    model.set_weights([s.astype(c.dtype) for s, c in zip(stored, current)])
    if verbose:
        print(f"Loaded the stored {name!r}, not trained here: {meta['note'] or meta['model']}")
    return model


def reproduces(model, name, directory=None):
    """The largest difference between `model`'s outputs and the stored model's, on the inputs
    stored with it (in the outputs' units, e.g. pixels in [-1, 1]). Near 0 for the stored model
    (float16's rounding of the weights and the outputs: under 1% of the outputs' largest
    magnitude, or of 1 where they are smaller); large for another.
    """
    meta, arrays = _read(name, directory)
    inputs = [arrays[f"input{i}"] for i in range(meta["inputs"])]
    expected = arrays["outputs"].astype(np.float32)
    got = _outputs(model, inputs)
    if got.shape != expected.shape:
        raise ValueError(f"The model's outputs are {got.shape}, the stored ones {expected.shape}.")
    return float(np.abs(got - expected).max())


def load_log(name, directory=None):
    """The training log stored with `name`: {name: list of numbers}, as History.history gives.

    Empty where the run stored none.
    """
    _, arrays = _read(name, directory)
    return {
        key[len("log:") :]: [float(v) for v in values]
        for key, values in arrays.items()
        if key.startswith("log:")
    }
