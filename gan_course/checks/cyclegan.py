"""Checks for chapter 13, CycleGAN: the cycle-consistency and identity losses."""

import numpy as np

from ._common import _checker, _close, _images, _number


@_checker
def check_cycle_losses(v, cycle_consistency_loss, identity_loss):
    """CycleGAN: cycle mean|F(G(a)) - a| and identity mean|G(b) - b|, both L1 means."""
    a = _images(8)
    got = _number(cycle_consistency_loss(a, a.copy()))
    v.expect(
        _close(got, 0.0),
        "a round trip that comes back exactly costs 0",
        f"cycle_consistency_loss(a, a) should be 0, got {got:.4f}",
    )
    got = _number(cycle_consistency_loss(a, a - 0.5))
    v.expect(
        _close(got, 0.5),
        "the cycle loss is the mean absolute difference (L1), as in the paper",
        f"every pixel off by 0.5 should cost 0.5, got {got:.4f}: use mean(abs(real - cycled)) "
        "(a square gives 0.25, a sum grows with the image size)",
    )
    got = _number(cycle_consistency_loss(a, -a))
    v.expect(
        _close(got, float(np.mean(np.abs(2 * a)))),
        "it compares each image with its own round trip, pixel by pixel",
        f"for cycled = -a the loss is mean|2a| = {np.mean(np.abs(2 * a)):.4f}, got {got:.4f}",
    )
    got = _number(identity_loss(a, a.copy()))
    v.expect(
        _close(got, 0.0),
        "the identity loss is 0 when G leaves a target-domain image as it is",
        f"identity_loss(b, b) should be 0, got {got:.4f}",
    )
    got = _number(identity_loss(a, a + 0.25))
    v.expect(
        _close(got, 0.25),
        "the identity loss is the mean absolute change (L1)",
        f"every pixel changed by 0.25 should cost 0.25, got {got:.4f}",
    )
