"""Shared by every check module: the Verdict, the @_checker decorator and the helpers that
turn outputs into numbers and make the fixed, seeded inputs."""

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
