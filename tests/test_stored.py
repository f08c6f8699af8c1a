"""gan_course.stored: a model's weights stored in float16 load back into the same architecture,
reproduce its samples, and refuse another architecture without changing it."""

import keras
import numpy as np
import pytest

from gan_course import conditional, models, stored


def _trained_like_generator(seed):
    """A textbook generator whose weights are moved away from their initial values, as training
    would, including the batch-norm statistics."""
    keras.utils.set_random_seed(seed)
    generator = models.build_generator()
    rng = np.random.default_rng(seed)
    generator.set_weights(
        [w + rng.normal(0, 0.05, w.shape).astype(w.dtype) for w in generator.get_weights()]
    )
    return generator


def test_a_stored_generator_loads_back_and_reproduces_its_samples(tmp_path, capsys):
    generator = _trained_like_generator(0)
    noise = np.random.default_rng(1).normal(size=(16, 100)).astype("float32")
    path = stored.save_weights(generator, "textbook", noise, note="test run", directory=tmp_path)
    float32_bytes = sum(w.nbytes for w in generator.get_weights())
    assert path.stat().st_size < 0.55 * float32_bytes  # float16: about half
    # the counterfeit: the same architecture with other weights does not reproduce the samples
    other = _trained_like_generator(5)
    assert stored.reproduces(other, "textbook", directory=tmp_path) > 0.2
    loaded = stored.load_weights(other, "textbook", directory=tmp_path)
    assert "Loaded the stored 'textbook', not trained here: test run" in capsys.readouterr().out
    assert stored.reproduces(loaded, "textbook", directory=tmp_path) < 0.02
    fresh = np.random.default_rng(2).normal(size=(64, 100)).astype("float32")
    difference = np.abs(loaded.predict(fresh, verbose=0) - generator.predict(fresh, verbose=0))
    assert difference.max() < 0.02  # under 3 grey levels of 256 in [-1, 1]


def test_a_conditional_generator_with_two_inputs_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    generator = conditional.build_conditional_generator()
    inputs = [np.random.default_rng(0).normal(size=(10, 100)), np.arange(10)[:, None]]
    stored.save_weights(generator, "cgan", inputs, directory=tmp_path)
    keras.utils.set_random_seed(1)
    other = conditional.build_conditional_generator()
    assert stored.reproduces(other, "cgan", directory=tmp_path) > 0.05
    stored.load_weights(other, "cgan", directory=tmp_path, verbose=False)
    assert stored.reproduces(other, "cgan", directory=tmp_path) < 0.02


def test_another_architecture_is_refused_and_left_unchanged(tmp_path):
    stored.save_weights(_trained_like_generator(0), "g", np.zeros((2, 100)), directory=tmp_path)
    discriminator = models.build_discriminator()
    before = [w.copy() for w in discriminator.get_weights()]
    with pytest.raises(ValueError, match="another architecture|shape"):
        stored.load_weights(discriminator, "g", directory=tmp_path)
    assert all(np.array_equal(a, b) for a, b in zip(before, discriminator.get_weights()))
    wider = models.build_generator(latent_dim=64)
    with pytest.raises(ValueError, match="builder and arguments"):
        stored.load_weights(wider, "g", directory=tmp_path)


def test_missing_files_bad_names_and_diverged_weights_get_clear_errors(tmp_path):
    generator = models.build_generator()
    with pytest.raises(FileNotFoundError, match="TRAIN = True"):
        stored.load_weights(generator, "nothing_here", directory=tmp_path)
    with pytest.raises(ValueError, match="plain file name"):
        stored.save_weights(generator, "../escape", np.zeros((1, 100)), directory=tmp_path)
    weights = generator.get_weights()
    generator.set_weights([np.full_like(weights[0], 1e6)] + weights[1:])
    with pytest.raises(ValueError, match="float16's range"):
        stored.save_weights(generator, "huge", np.zeros((1, 100)), directory=tmp_path)
    generator.set_weights([np.full_like(weights[0], np.nan)] + weights[1:])
    with pytest.raises(ValueError, match="diverged"):
        stored.save_weights(generator, "nan", np.zeros((1, 100)), directory=tmp_path)
    assert not list(tmp_path.glob("*.npz"))
