"""gan_course: the small, tested helpers behind the gan-course notebooks.

One module per idea: `data` (MNIST, Fashion-MNIST, the [-1, 1] scale), `models` (the textbook
DCGAN), `training` (the textbook loop, correct on Keras 3), `viz` (grids, curves, GIFs).

Fast mode: set the environment variable GAN_COURSE_FAST=1 and the notebooks shrink their
step counts and data so the whole course runs on a 2-core CPU in minutes (this is what the
test suite does). Unset, the notebooks use the textbook's full counts.
"""

import os

__version__ = "0.1.0"


def fast_mode():
    """Return True when GAN_COURSE_FAST is set to anything but '' or '0'."""
    return os.environ.get("GAN_COURSE_FAST", "").strip() not in ("", "0")
