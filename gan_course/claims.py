"""Sentences about trained results, checked where they stand.

A chapter that writes "every digit is there" or "the accuracy falls towards 0.5" puts the code
that measures it right next to the sentence:

    claims.claim("every digit is within ±50% of its uniform share",
                 *claims.balanced(report.class_histogram))

prints `claim: every digit is within ±50% of its uniform share: holds (min 0.62, max 1.41 of
uniform)`. What happens when the measurement does not support the sentence depends on who runs
the notebook:

- the maintainers' re-execution (GAN_COURSE_STRICT_CLAIMS=1, set by
  scripts/execute_notebooks.py and `make notebooks`) raises ClaimFailed, so a stored notebook
  cannot keep a false sentence silently;
- a student's run (the variable unset: Colab, another TensorFlow, a GPU, the 60,000 online
  digits) prints one line saying what the stored run showed and what this run shows, and the
  notebook goes on;
- fast mode (GAN_COURSE_FAST=1, tiny runs) only reports.
"""

import numpy as np

from gan_course import env_flag, fast_mode


class ClaimFailed(AssertionError):
    """A sentence in the chapter is no longer true for this run's results."""


def strict_mode():
    """Return True when GAN_COURSE_STRICT_CLAIMS is on: a claim that does not hold raises."""
    return env_flag("GAN_COURSE_STRICT_CLAIMS")


def claim(text, holds, evidence=""):
    """Print whether `text` holds, with its `evidence` (returns nothing).

    A claim that does not hold raises ClaimFailed under GAN_COURSE_STRICT_CLAIMS=1 (the
    maintainers' re-execution: fix the run or the sentence); otherwise it prints one line that
    says so and the notebook goes on. In fast mode it is only reported.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("claim needs the sentence it checks, as a non-empty string.")
    detail = f" ({evidence})" if evidence else ""
    if bool(holds):
        print(f"claim: {text}: holds{detail}")
        return
    if fast_mode():
        print(f"claim: {text}: does not hold in fast mode{detail}; the full run checks it")
        return
    if strict_mode():
        raise ClaimFailed(
            f"claim: {text}: DOES NOT HOLD{detail}. The text next to this cell says it does: "
            "change the run until it holds, or change the sentence to what is true."
        )
    print(
        f"claim: {text}: does not hold in this run{detail}; the stored run of this notebook "
        "showed it holding. Results vary with the data, the hardware and the library "
        "versions, so the notebook goes on."
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


def trend(values):
    """How much a curve rises (+) or falls (-) from its first point to its last, robustly.

    The median of the slopes between every two points (the Theil-Sen line), times the span.
    Noise around a level has a trend near 0; a steady fall of 0.4 has a trend of -0.4 whatever
    the ups and downs on the way; and a short drop followed by a flat curve (a step, not a
    drift) has a trend near 0, where a least-squares line would tilt. Use it for "drifts down"
    claims: a band (max - min) says how noisy a curve is, not where it is heading.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size < 2 or not np.all(np.isfinite(values)):
        raise ValueError(f"trend needs a 1-D sequence of 2 or more finite numbers, got {values!r}.")
    i, j = np.triu_indices(values.size, k=1)
    return float(np.median((values[j] - values[i]) / (j - i)) * (values.size - 1))


def lowest_stretch(values, window=100):
    """The lowest mean of any `window` consecutive values (the worst stretch of a curve).

    For "stays above" claims about a noisy per-step curve: its mean can sit well above a line
    while a long dip goes below it, and one noisy step below it says nothing. With fewer
    values than `window`, the mean of all of them.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size < 1 or not np.all(np.isfinite(values)):
        raise ValueError(f"lowest_stretch needs a 1-D sequence of finite numbers, got {values!r}.")
    if not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be a whole number of steps >= 1, got {window!r}.")
    window = min(int(window), values.size)
    return float(np.convolve(values, np.ones(window) / window, mode="valid").min())
