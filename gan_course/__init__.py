"""gan_course: the small, tested helpers behind the gan-course notebooks.

One module per idea: `data` (MNIST, Fashion-MNIST, the [-1, 1] scale), `models` (the textbook
DCGAN), `training` (the textbook loop, correct on Keras 3), `viz` (grids, curves, GIFs),
`metrics` (sample quality and diversity), `copies` (is a sample new or a copy?), `claims`
(sentences about results, checked), `precision` (the fastest safe number format for this
machine: float32 or mixed precision).

Fast mode: set the environment variable GAN_COURSE_FAST=1 and the notebooks shrink their
step counts and data so the whole course runs on a 2-core CPU in minutes (this is what the
test suite does). Unset, the notebooks use the textbook's full counts.
"""

import logging
import os

__version__ = "0.1.0"


class _NoRetracingWarning(logging.Filter):
    """Drop TensorFlow's "triggered tf.function retracing" warning, and only that one.

    Keras 3 builds one tf.function per model and per kind of call. The textbook loop trains
    three models with train_on_batch and samples with predict, so TensorFlow counts several
    traces and warns about "excessive retracing", which here means nothing and would clutter
    every training cell. Every other TensorFlow message still gets through.
    """

    def filter(self, record):
        return "triggered tf.function retracing" not in record.getMessage()


logging.getLogger("tensorflow").addFilter(_NoRetracingWarning())

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def env_flag(name, default=False):
    """Read the on/off environment variable `name`: 1/true/yes/on or 0/false/no/off, any case.

    Unset or empty gives `default`. Anything else raises ValueError naming the variable, so a
    typo never silently picks a mode.
    """
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        f"{name}={raw!r} is not an on/off value: use 1, true, yes or on to switch it on, "
        "and 0, false, no, off or nothing to switch it off."
    )


def fast_mode():
    """Return True when GAN_COURSE_FAST is on (1/true/yes/on, any case); off when unset.

    Raises ValueError for a value that is neither on nor off (e.g. GAN_COURSE_FAST=maybe).
    """
    return env_flag("GAN_COURSE_FAST")
