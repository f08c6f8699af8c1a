"""How far apart a 2-D VAE keeps the ten digits: the settings behind notebook 07.

    python benchmarks/vae_codes.py                    # every setting below, one row each
    python benchmarks/vae_codes.py --setting chapter  # only notebook 07's

Each setting trains `autoencoders.build_vae(latent_dim=2, hidden_units=256)` on the MNIST
training set load_mnist() gives (offline: the bundled 4,000 digits) and prints one row: the
minutes it took, the 5-nearest-neighbour accuracy of the test digits' codes (z_mean, voted by
the training digits' codes; chance 0.10), the same with 15 neighbours, and the test loss.
The settings differ in three things: deskewed digits (`data.deskew`), the weight of the KL
term, and random rotations (±10°) and zooms (±10%) of the training batches. Results of the
runs quoted in the course are in benchmarks/README.md.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SETTINGS = {
    # name: (deskew, kl_weight, augment, epochs, batch_size)
    "textbook": (False, 1.0, False, 60, 64),
    "deskewed": (True, 1.0, False, 60, 64),
    "deskewed, KL x 0.5": (True, 0.5, False, 60, 32),
    "deskewed, KL x 0.5, augmented": (True, 0.5, True, 60, 32),
    "chapter": (True, 1.0, True, 80, 32),  # notebook 07
}


def augmented_batches(x_train, batch_size, seed):
    """Shuffled batches of x_train, each randomly rotated (±10°) and zoomed (±10%)."""
    import keras
    import tensorflow as tf

    augment = keras.Sequential(
        [
            keras.layers.RandomRotation(10 / 360, fill_mode="constant", seed=seed + 1),
            keras.layers.RandomZoom(0.1, fill_mode="constant", seed=seed + 2),
        ]
    )
    return (
        tf.data.Dataset.from_tensor_slices(x_train)
        .shuffle(len(x_train), seed=seed)
        .batch(batch_size)
        .map(lambda batch: augment(batch, training=True))
        .prefetch(2)
    )


def judge(setting, seed=0, epochs=None):
    import keras

    from gan_course import autoencoders, data, latent

    deskew, kl_weight, augment, default_epochs, batch_size = SETTINGS[setting]
    epochs = epochs or default_epochs
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    if deskew:
        x_train, x_test = data.deskew(x_train), data.deskew(x_test)
    x_train = data.scale_images(x_train, value_range=(0, 1))
    x_test = data.scale_images(x_test, value_range=(0, 1))
    keras.utils.set_random_seed(seed)
    vae = autoencoders.build_vae(latent_dim=2, seed=seed, hidden_units=256, kl_weight=kl_weight)
    start = time.perf_counter()
    if augment:
        vae.fit(
            augmented_batches(x_train, batch_size, seed), epochs=epochs, shuffle=False, verbose=0
        )
    else:
        vae.fit(x_train, epochs=epochs, batch_size=batch_size, verbose=0)
    minutes = (time.perf_counter() - start) / 60
    train_codes = vae.encoder.predict(x_train, verbose=0)[0]
    test_codes = vae.encoder.predict(x_test, verbose=0)[0]
    knn = [latent.knn_accuracy(train_codes, y_train, test_codes, y_test, k=k) for k in (5, 15)]
    test_loss = vae.evaluate(x_test, verbose=0, return_dict=True)["loss"]
    return (
        f"| {setting} | {'yes' if deskew else 'no'} | {kl_weight:g} | {'yes' if augment else 'no'} "
        f"| {epochs} x {batch_size} | {seed} | {minutes:.1f} | {knn[0]:.3f} | {knn[1]:.3f} "
        f"| {test_loss:.1f} |"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--setting", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--seed", nargs="+", type=int, default=[0])
    parser.add_argument("--epochs", type=int, default=None, help="default: each setting's own")
    args = parser.parse_args(argv)
    print(
        "| setting | deskewed | KL weight | augmented | epochs x batch | seed | minutes "
        "| 5-NN accuracy | 15-NN accuracy | test loss |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for setting in args.setting:
        for seed in args.seed:
            print(judge(setting, seed, args.epochs), flush=True)


if __name__ == "__main__":
    main()
