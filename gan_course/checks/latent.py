"""Checks for chapter 08, the latent space: interpolate, slerp and the attribute vector."""

import numpy as np

from ._common import _array, _checker

_Z0, _Z1 = np.array([1.0, 0.0, 2.0]), np.array([0.0, 2.0, 1.0])


def _path_ends(v, path, z0, z1, hint=""):
    """The two properties every path of 5 points between 3-d vectors z0 and z1 must have."""
    v.expect(
        path.shape == (5, 3), "returns (steps, dim)", f"returns shape {path.shape}, not (5, 3)"
    )
    v.expect(
        path.shape == (5, 3) and np.allclose(path[0], z0) and np.allclose(path[-1], z1),
        "starts at z0 and ends at z1",
        f"the path must start at z0 and end at z1{hint}",
    )


@_checker
def check_interpolate(v, interpolate):
    """interpolate(z0, z1, steps) -> (steps, dim) points on the line, ends included."""
    path = _array(interpolate(_Z0, _Z1, 5))
    _path_ends(v, path, _Z0, _Z1, " (np.linspace(0, 1, steps))")
    v.expect(
        path.shape == (5, 3) and np.allclose(path[2], (_Z0 + _Z1) / 2),
        "evenly spaced: the middle point is (z0 + z1) / 2",
        "the middle point should be (z0 + z1) / 2: (1 - t) * z0 + t * z1",
    )


@_checker
def check_slerp(v, slerp):
    """slerp(z0, z1, steps) -> (steps, dim) points on the great-circle arc, ends included."""
    z0, z1 = np.array([3.0, 0.0, 0.0]), np.array([0.0, 3.0, 0.0])
    path = _array(slerp(z0, z1, 5))
    _path_ends(v, path, z0, z1)
    norms = np.linalg.norm(path, axis=1) if path.ndim == 2 else np.zeros(1)
    v.expect(
        np.allclose(norms, 3.0),
        "keeps the length of equally long vectors (stays on the sphere)",
        f"lengths along the path are {np.round(norms, 2).tolist()}, not all 3: interpolate the "
        "angle, sin((1 - t) * omega) / sin(omega) * z0 + sin(t * omega) / sin(omega) * z1",
    )


@_checker
def check_attribute_vector(v, attribute_vector):
    """attribute_vector(latents, labels, positive, negative) -> mean(positive) - mean(negative)."""
    latents = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 1.0], [0.0, 3.0], [9.0, 9.0]])
    labels = np.array([7, 7, 1, 1, 4])
    got = _array(attribute_vector(latents, labels, 7, 1)).reshape(-1)
    v.expect(
        got.shape == (2,) and np.allclose(got, [2.0, -2.0]),
        "mean latent of the positive group minus mean latent of the negative group",
        f"for 7s at [1, 0], [3, 0] and 1s at [0, 1], [0, 3] the 7-minus-1 vector is [2, -2], "
        f"got {np.round(got, 3).tolist()}: other labels must not count",
    )
