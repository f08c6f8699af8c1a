"""Store a chapter's trained model in the package, compact (float16), with its check samples.

    python scripts/store_models.py notebooks/outputs/05_dcgan/generator.keras \
        05_textbook_generator --note "notebook 05's stored run (2026-12-03, ...)" \
        [--log notebooks/outputs/05_dcgan/log.npz]

Reads a model saved with `model.save(...)` by a full-mode run of a notebook and writes
gan_course/data_files/stored/NAME.npz with gan_course.stored.save_weights: the weights in
float16, 16 standard-normal inputs (seed 0; a conditional generator: 20 noise vectors
with the labels 0-9 twice; a diffusion U-Net: 16 noise images at levels 0 to 1; a VAE: 16
images of uniform noise in [0, 1]) and the outputs the model gave for them. Run it
only on the model of the run whose outputs are committed: the note says which run that was.
"""

import argparse
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", help="a .keras file written by model.save()")
    parser.add_argument("name", help="the stored model's name, e.g. 05_textbook_generator")
    parser.add_argument("--note", required=True, help="which run made it, printed on loading")
    parser.add_argument("--log", help="the run's training log, an .npz of 1-D arrays, kept with it")
    args = parser.parse_args()

    import keras
    import numpy as np

    from gan_course import autoencoders, cyclegan, diffusion, models, stored  # noqa: F401  (layers)

    model = keras.models.load_model(args.model, compile=False)
    inputs = _check_inputs(model, args.model, np.random.default_rng(0))
    log = None
    if args.log:
        with np.load(args.log, allow_pickle=False) as file:
            log = {key: file[key] for key in file.files}
    path = stored.save_weights(model, args.name, inputs, note=args.note, log=log)
    print(f"{path}: {path.stat().st_size / 1e6:.2f} MB ({model.count_params():,} parameters)")


def _check_inputs(model, filename, rng):
    """The inputs the stored outputs are computed for, shaped for `model`."""
    import numpy as np

    from gan_course import autoencoders

    if isinstance(model, autoencoders.VAE):  # a subclassed model: its encoder knows the shape
        return rng.uniform(size=(16, *model.encoder.input_shape[1:])).astype("float32")
    shape = model.input_shape
    two_inputs = isinstance(shape, list) and len(shape) == 2 and tuple(shape[1]) == (None, 1)
    if two_inputs and len(shape[0]) == 2:
        # a conditional generator: noise and a label; two samples of each of ten labels
        return [rng.normal(size=(20, *shape[0][1:])), (np.arange(20) % 10)[:, None]]
    if two_inputs:
        # a diffusion U-Net: noisy images and their noise levels t/T, spread over [0, 1]
        return [rng.normal(size=(16, *shape[0][1:])), np.linspace(0, 1, 16)[:, None]]
    if isinstance(shape, list) or any(d is None for d in shape[1:]):
        raise SystemExit(
            f"{filename} takes inputs {shape}; this script stores one-input models of a fixed "
            "shape and conditional generators. Call gan_course.stored.save_weights yourself."
        )
    return rng.normal(size=(16, *shape[1:])).astype("float32")


if __name__ == "__main__":
    main()
