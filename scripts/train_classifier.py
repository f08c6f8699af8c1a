"""Train the small classifiers behind gan_course.metrics and save their weights in the package.

    python scripts/train_classifier.py mnist
    python scripts/train_classifier.py fashion_mnist

Inception weights cannot be downloaded offline, so the course measures generated images in the
feature space of its own small CNN (gan_course.metrics.build_classifier). Images are fed in
[-1, 1], the GANs' range. The weights are written to gan_course/data_files/ and ship with the
package. MNIST trains on whatever load_mnist() returns (the 4,000-digit offline subset here).
"""

import sys
from pathlib import Path

import keras
import tensorflow as tf

from gan_course import data, metrics

EPOCHS = {"mnist": 20, "fashion_mnist": 6}


def main(dataset):
    keras.utils.set_random_seed(0)
    load = data.load_mnist if dataset == "mnist" else data.load_fashion_mnist
    (x_train, y_train), (x_test, y_test) = load()
    x_train, x_test = data.scale_images(x_train), data.scale_images(x_test)
    classifier = metrics.build_classifier()
    classifier.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    # Small shifts make the features robust to a generator's imperfect centring.
    augment = keras.Sequential([keras.layers.RandomTranslation(0.08, 0.08, fill_value=-1.0)])
    dataset_train = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train))
        .shuffle(len(x_train), seed=0)
        .batch(128)
        .map(lambda x, y: (augment(x, training=True), y))
    )
    classifier.fit(
        dataset_train, epochs=EPOCHS[dataset], validation_data=(x_test, y_test), verbose=2
    )
    accuracy = classifier.evaluate(x_test, y_test, verbose=0)[1]
    path = Path(metrics.WEIGHTS[dataset])
    shipped = metrics.build_classifier()  # uncompiled: the file holds no optimizer state
    shipped.set_weights(classifier.get_weights())
    shipped.save_weights(path)
    print(f"{dataset}: test accuracy {accuracy:.4f}; wrote {path} ({path.stat().st_size:,} bytes)")
    return accuracy


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in EPOCHS:
        sys.exit(f"usage: python {sys.argv[0]} {{{'|'.join(EPOCHS)}}}")
    main(sys.argv[1])
