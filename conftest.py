"""pytest settings shared by the unit tests and nbval.

- TensorFlow's C++ log goes to stderr; keep it quiet (kernels inherit this environment).
- model.summary() sizes its table from the terminal width: fix it so outputs compare.
- nbval compares stderr by default; TensorFlow and tqdm write there, so skip it.
- The stored notebooks are re-executed here as the maintainers re-execute them: a claim that
  does not hold raises (GAN_COURSE_STRICT_CLAIMS=1; in fast mode claims are only reported).
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["COLUMNS"] = "80"
os.environ["GAN_COURSE_STRICT_CLAIMS"] = "1"


def pytest_collectstart(collector):
    if hasattr(collector, "skip_compare"):
        collector.skip_compare += ("stderr",)
