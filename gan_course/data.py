"""Data for the course: MNIST and Fashion-MNIST, and the [-1, 1] scale the generator uses.

`load_mnist()` and `load_fashion_mnist()` return real data shaped like `keras.datasets`:
`(x_train, y_train), (x_test, y_test)`, uint8 images (N, 28, 28) with grey levels 0-255 and
uint8 labels (N,). They try `keras.datasets` first (online, or its cache in ~/.keras); with no
network they fall back to real data available offline and say so once, on stderr:

- MNIST: the 5,000-digit subset bundled in this package (500 per class; split 400 train +
  100 test per class). See `data_files/MNIST_5K_LICENSE.md` for its provenance and the
  CC BY-SA 3.0 credit.
- Fashion-MNIST: the full set from Debian's package `dataset-fashion-mnist`
  (`/usr/share/datasets/fashion-mnist/`), or the folder named by $GAN_COURSE_FASHION_MNIST_DIR.

GANs in this course see images in [-1, 1] (the generator ends in tanh): `scale_images` takes
the uint8 images there, `unscale_images` brings them back, and both refuse input that is not
what they expect instead of returning a silently wrong result.
"""

import contextlib
import gzip
import io
import os
import sys
from pathlib import Path

import numpy as np

MNIST_SUBSET = Path(__file__).parent / "data_files" / "mnist_5k.npz"
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
_IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
_SOURCES = ("auto", "keras", "offline")
_announced = set()
_keras_failed = {}  # data set name -> the error of this process's failed keras.datasets attempt


class DataUnavailableError(RuntimeError):
    """No source of the data set could be used; the message says how to get one."""


def _announce(key, message):
    """Print `message` to stderr the first time `key` is seen in this process."""
    if key not in _announced:
        _announced.add(key)
        print(message, file=sys.stderr)


def _check_source(source):
    if source not in _SOURCES:
        raise ValueError(f"source must be one of {_SOURCES}, got {source!r}.")


def _from_keras(name, source, offline_call):
    """Return (keras.datasets.<name>.load_data(), None), or (None, the error it raised).

    keras prints "Downloading data from ..." before it tries the network; that line is held
    back and shown only if the download works, so an offline run prints just the fallback
    notice. A failed attempt is remembered for the rest of the process ("auto" does not try
    again). With source="keras" a failure raises DataUnavailableError instead.
    """
    if source == "auto" and name in _keras_failed:
        return None, _keras_failed[name]
    import keras

    said = io.StringIO()
    try:
        with contextlib.redirect_stdout(said):
            loaded = getattr(keras.datasets, name).load_data()
    except Exception as error:  # no network, a proxy page, a broken cache...
        _keras_failed[name] = error
        if source == "keras":
            raise DataUnavailableError(
                f"keras.datasets.{name}.load_data() failed ({error}). Connect to the internet, "
                f"or call {offline_call}."
            ) from error
        return None, error
    if "Downloading" in said.getvalue():
        _announce(
            f"{name}-download", f"Downloaded {name} with keras.datasets (cached in ~/.keras)."
        )
    return loaded, None


def _split_subset(images, labels, test_per_class=100, seed=0):
    """Split a class-sorted subset into train and test, the same way every time."""
    rng = np.random.default_rng(seed)
    train_idx, test_idx = [], []
    for digit in range(10):
        idx = np.flatnonzero(labels == digit)
        test_idx.append(idx[:test_per_class])
        train_idx.append(idx[test_per_class:])
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    return (images[train_idx], labels[train_idx]), (images[test_idx], labels[test_idx])


def load_mnist(source="auto"):
    """Load MNIST digits as `(x_train, y_train), (x_test, y_test)`.

    Images are uint8 (N, 28, 28) in 0-255, labels uint8 (N,). `source="auto"` uses
    keras.datasets (60,000 + 10,000 digits) and falls back to the bundled real 5,000-digit
    subset (4,000 + 1,000) when keras cannot download; "keras" or "offline" force one.
    """
    _check_source(source)
    error = None
    if source in ("auto", "keras"):
        data, error = _from_keras("mnist", source, "load_mnist(source='offline')")
        if data is not None:
            return data
    if not MNIST_SUBSET.exists():
        raise DataUnavailableError(
            f"Could not load MNIST: keras.datasets could not download it ({error}) and the "
            f"bundled subset {MNIST_SUBSET} is missing. Connect to the internet, or reinstall "
            "the package with its data files: pip install --force-reinstall gan-course."
        )
    with np.load(MNIST_SUBSET) as bundle:
        images, labels = bundle["images"], bundle["labels"]
    if source == "auto":
        _announce(
            "mnist",
            "No network for keras.datasets: using the bundled real MNIST subset "
            "(5,000 digits, 500 per class: 4,000 train + 1,000 test). "
            "MNIST by LeCun, Cortes and Burges, CC BY-SA 3.0.",
        )
    return _split_subset(images, labels)


def _read_idx(path):
    """Read one gzipped IDX file (the MNIST file format) into a uint8 array.

    A file that is not gzip, not IDX, or cut short raises DataUnavailableError naming it.
    """
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
        if len(raw) < 4 or raw[:3] != b"\x00\x00\x08" or not 1 <= raw[3] <= 4:
            raise ValueError("it does not start like an IDX file of unsigned bytes")
        ndim = raw[3]
        shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
        return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)
    except (OSError, EOFError, ValueError) as error:
        raise DataUnavailableError(
            f"{path} is not a readable gzipped IDX file ({error}). Reinstall Debian's "
            "dataset-fashion-mnist, or point GAN_COURSE_FASHION_MNIST_DIR at a folder with the "
            "four original .gz files."
        ) from error


def load_fashion_mnist(source="auto"):
    """Load Fashion-MNIST as `(x_train, y_train), (x_test, y_test)` (60,000 + 10,000).

    Images are uint8 (N, 28, 28) in 0-255, labels uint8 (N,) indexing FASHION_MNIST_CLASSES.
    `source="auto"` uses keras.datasets and falls back to the IDX files of Debian's
    `dataset-fashion-mnist` (or the folder in $GAN_COURSE_FASHION_MNIST_DIR) offline.
    """
    _check_source(source)
    error = None
    if source in ("auto", "keras"):
        data, error = _from_keras("fashion_mnist", source, "load_fashion_mnist(source='offline')")
        if data is not None:
            return data
    folder = Path(os.environ.get("GAN_COURSE_FASHION_MNIST_DIR", FASHION_MNIST_DIR))
    missing = [name for name in _IDX_FILES.values() if not (folder / name).exists()]
    if missing:
        raise DataUnavailableError(
            f"Could not load Fashion-MNIST: keras.datasets could not download it ({error}) and "
            f"{folder} lacks {', '.join(missing)}. Connect to the internet, or install Debian's "
            "copy with `sudo apt-get install dataset-fashion-mnist`, or set "
            "GAN_COURSE_FASHION_MNIST_DIR to a folder holding the four IDX .gz files."
        )
    arrays = {key: _read_idx(folder / name) for key, name in _IDX_FILES.items()}
    if source == "auto":
        _announce(
            "fashion_mnist",
            f"No network for keras.datasets: using Fashion-MNIST from {folder} "
            "(Zalando Research, MIT licence).",
        )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _describe(x):
    x = np.asarray(x)
    if x.size == 0:
        return f"an empty {x.dtype} array of shape {x.shape}"
    return f"{x.dtype} array of shape {x.shape} with values in [{x.min()}, {x.max()}]"


def _check_range(value_range, caller):
    if tuple(value_range) not in ((-1, 1), (0, 1)):
        raise ValueError(
            f"{caller} supports value_range=(-1, 1) (GANs, tanh) or (0, 1) (autoencoders and "
            f"VAEs, sigmoid); got {value_range!r}."
        )
    return tuple(value_range)


def scale_images(images, value_range=(-1, 1)):
    """Scale uint8 images (N, H, W) or (N, H, W, C) in 0-255 to float32 (N, H, W, C).

    value_range=(-1, 1), the default, is the textbook's `(x - 127.5) / 127.5`: the range of a
    GAN generator's tanh output. value_range=(0, 1) gives `x / 255`, the range of the sigmoid
    output of the autoencoders. A channel axis is added to (N, H, W) input. Anything other
    than uint8 is refused.
    """
    low, high = _check_range(value_range, "scale_images")
    images = np.asarray(images)
    if images.dtype != np.uint8:
        hint = ""
        if images.size and images.dtype.kind in "iuf":
            lo, hi = images.min(), images.max()
            if images.dtype.kind == "f" and lo >= -1 and hi <= 1:
                hint = " These look already scaled; use them as they are."
            elif lo >= 0 and hi <= 255:
                hint = " If they hold 0-255 grey levels, convert with images.astype('uint8')."
        raise ValueError(
            f"scale_images expects uint8 images with grey levels 0-255 (as load_mnist returns); "
            f"got a {_describe(images)}.{hint}"
        )
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[0] == 0:
        raise ValueError(
            "scale_images expects a non-empty batch shaped (N, height, width) or "
            f"(N, height, width, channels); got shape {images.shape}."
        )
    return (images.astype(np.float32) / 255.0) * (high - low) + low


def unscale_images(images, value_range=(-1, 1)):
    """Bring float images in value_range ((-1, 1) or (0, 1)) back to uint8 0-255, same shape."""
    low, high = _check_range(value_range, "unscale_images")
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(
            f"unscale_images expects float images in [{low}, {high}] (a model's output); "
            f"got a {_describe(images)}."
        )
    if images.size and (images.min() < low - 1e-3 or images.max() > high + 1e-3):
        raise ValueError(
            f"unscale_images expects values in [{low}, {high}]; got a {_describe(images)}."
        )
    return np.clip(np.round((images - low) / (high - low) * 255), 0, 255).astype(np.uint8)


def check_gan_images(images, name="x_train"):
    """Raise ValueError unless `images` is a float batch (N, H, W, C) in [-1, 1].

    Catches the classic silent bugs: raw uint8 0-255 images, and images scaled to [0, 1]
    (the sigmoid range of autoencoders) fed to a GAN whose generator outputs [-1, 1].
    """
    images = np.asarray(images)
    fix = "Scale them with gan_course.data.scale_images(x) (uint8 0-255 -> float32 [-1, 1])."
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(
            f"{name} must be float images in [-1, 1], got a {_describe(images)}. {fix}"
        )
    if images.ndim != 4 or images.shape[0] == 0:
        raise ValueError(
            f"{name} must be a non-empty batch shaped (N, height, width, channels), "
            f"got shape {images.shape}. {fix}"
        )
    if not np.isfinite(images).all():
        raise ValueError(
            f"{name} holds {int(np.sum(~np.isfinite(images)))} NaN or infinite values: find where "
            f"they came from (a division by zero?) and remove or fix those images. {fix}"
        )
    low, high = float(images.min()), float(images.max())
    if low < -1 - 1e-3 or high > 1 + 1e-3:
        raise ValueError(f"{name} must lie in [-1, 1], got a {_describe(images)}. {fix}")
    if low >= 0:
        raise ValueError(
            f"{name} lies in [{low:g}, {high:g}]: that looks like the [0, 1] scale, but the "
            f"generator's tanh outputs [-1, 1], so real and fake images would differ in range. "
            f"{fix}"
        )


def sample_heights(n, rng=None, mean=170.0, std=7.0):
    """Draw n heights in cm from N(mean, std**2): the 1-D "real data" of the GAN-idea notebook.

    Returns float32 of shape (n, 1). `rng` is a numpy Generator (default: a fresh one, seed 0).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive whole number, got {n!r}.")
    if not std > 0:
        raise ValueError(f"std must be positive, got {std!r}.")
    rng = np.random.default_rng(0) if rng is None else rng
    return rng.normal(mean, std, size=(n, 1)).astype(np.float32)
