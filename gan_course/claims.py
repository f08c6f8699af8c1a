"""Sentences about trained results, checked where they stand.

A chapter that writes "every digit is there" or "the accuracy falls towards 0.5" puts the code
that measures it right next to the sentence:

    claims.claim("every digit is within ±50% of its uniform share",
                 *claims.balanced(report.class_histogram))

prints `claim: every digit is within ±50% of its uniform share: holds (min 0.62, max 1.41 of
uniform)`. When the measurement no longer supports the sentence, a full-mode run (the one
whose outputs are committed) raises ClaimFailed, so a re-executed notebook cannot keep a false
sentence silently. In fast mode (GAN_COURSE_FAST=1, tiny runs) the claim is only reported.
"""

import numpy as np

from gan_course import fast_mode


class ClaimFailed(AssertionError):
    """A sentence in the chapter is no longer true for this run's results."""


def claim(text, holds, evidence=""):
    """Print whether `text` holds, with its `evidence`; return `holds` as a bool.

    In full mode a claim that does not hold raises ClaimFailed (fix the run or the sentence);
    in fast mode it prints "does not hold in fast mode" and returns False.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("claim needs the sentence it checks, as a non-empty string.")
    holds = bool(holds)
    detail = f" ({evidence})" if evidence else ""
    if holds:
        print(f"claim: {text}: holds{detail}")
        return True
    if fast_mode():
        print(f"claim: {text}: does not hold in fast mode{detail}; the full run checks it")
        return False
    raise ClaimFailed(
        f"claim: {text}: DOES NOT HOLD{detail}. The text next to this cell says it does: "
        "change the run until it holds, or change the sentence to what is true."
    )


def balanced(histogram, tolerance=0.5):
    """(holds, evidence): is every class within ±tolerance of the uniform share?

    histogram: counts per class (e.g. SampleReport.class_histogram). With tolerance=0.5 each
    count must lie between 0.5x and 1.5x of total / classes.
    """
    counts = np.asarray(histogram, dtype=np.float64)
    if counts.ndim != 1 or counts.size < 2 or np.any(counts < 0):
        raise ValueError(f"histogram must be counts for 2 or more classes, got {histogram!r}.")
    if counts.sum() == 0:
        return False, "nothing was counted"
    ratio = counts / (counts.sum() / counts.size)
    holds = bool(ratio.min() >= 1 - tolerance and ratio.max() <= 1 + tolerance)
    return holds, f"min {ratio.min():.2f}, max {ratio.max():.2f} of uniform"


def at_least(value, threshold, name="value", fmt=".2f"):
    """(holds, evidence): value >= threshold, with both numbers in the evidence."""
    return bool(value >= threshold), f"{name} {value:{fmt}}, needs >= {threshold:{fmt}}"


def at_most(value, threshold, name="value", fmt=".2f"):
    """(holds, evidence): value <= threshold, with both numbers in the evidence."""
    return bool(value <= threshold), f"{name} {value:{fmt}}, needs <= {threshold:{fmt}}"


def monotonic(values, increasing=True, fmt="+.3f"):
    """(holds, evidence): does each value rise (or fall) strictly from the one before?"""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size < 2:
        raise ValueError(f"monotonic needs a 1-D sequence of 2 or more numbers, got {values!r}.")
    steps = np.diff(values)
    holds = bool(np.all(steps > 0) if increasing else np.all(steps < 0))
    return holds, " -> ".join(f"{v:{fmt}}" for v in values)
