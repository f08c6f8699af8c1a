"""Pictures: image grids (shown and saved), loss curves, and a GIF of training.

Every function that draws images takes `value_range`, the pixel range of the images:
(-1, 1) for GAN images (tanh), (0, 1) for autoencoder and VAE images (sigmoid), (0, 255) for
raw uint8 data. It is never guessed; images outside it are refused.
"""

from pathlib import Path

import imageio.v2 as imageio
import matplotlib.pyplot as plt
import numpy as np

DIAGRAMS = Path(__file__).parent / "data_files" / "diagrams"


def show_diagram(name):
    """Return one of the course's model diagrams ("gan", "autoencoder", "vae", "cyclegan",
    "diffusion") for display.

    In a notebook, a cell ending in `viz.show_diagram("gan")` draws it (an SVG that
    scripts/draw_diagrams.py made). Elsewhere, the returned object's `.data` is the SVG text.
    """
    from IPython.display import SVG

    names = sorted(p.stem for p in DIAGRAMS.glob("*.svg"))
    if name not in names:
        raise ValueError(f"No diagram named {name!r}; the course has {names}.")
    return SVG(filename=str(DIAGRAMS / f"{name}.svg"))


def _to_unit(images, value_range):
    """Map images from value_range to floats in [0, 1]; refuse images outside the range."""
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"value_range must be (low, high), e.g. (-1, 1) for GAN images; got {value_range!r}."
        ) from None
    if not high > low:
        raise ValueError(f"value_range must have low < high, got {value_range!r}.")
    images = np.asarray(images, dtype=np.float32)
    if not np.isfinite(images).all():
        raise ValueError(
            f"{int(np.sum(~np.isfinite(images)))} pixel values are NaN or infinite: the model that "
            "made these images has diverged (look at its losses), so there is nothing to draw."
        )
    span = high - low
    if images.size and (images.min() < low - 1e-3 * span or images.max() > high + 1e-3 * span):
        raise ValueError(
            f"Images hold values in [{images.min():g}, {images.max():g}], outside "
            f"value_range={value_range}. Pass the range the images are really in: (-1, 1) for "
            "a GAN's tanh output, (0, 1) for a sigmoid output, (0, 255) for uint8 data."
        )
    return np.clip((images - low) / span, 0.0, 1.0)


def image_grid(images, value_range, ncols=None, pad=1):
    """Tile a batch (N, H, W) or (N, H, W, C) into one image in [0, 1], shape (rows*H, cols*W[, C]).

    ncols defaults to a square-ish grid; empty cells and the `pad`-pixel gaps are white.
    """
    images = _to_unit(images, value_range)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim not in (3, 4) or len(images) == 0:
        raise ValueError(
            f"image_grid expects a non-empty batch (N, H, W) or (N, H, W, C), got {images.shape}."
        )
    n, h, w = images.shape[:3]
    ncols = ncols or int(np.ceil(np.sqrt(n)))
    nrows = int(np.ceil(n / ncols))
    grid = np.ones(
        (nrows * (h + pad) - pad, ncols * (w + pad) - pad) + images.shape[3:], np.float32
    )
    for i, image in enumerate(images):
        r, c = divmod(i, ncols)
        grid[r * (h + pad) : r * (h + pad) + h, c * (w + pad) : c * (w + pad) + w] = image
    return grid


def show_images(images, value_range, ncols=None, title=None, ax=None, size=4):
    """Show a batch of images as one grid (ticks hidden) and return the matplotlib axes."""
    grid = image_grid(images, value_range, ncols=ncols)
    if ax is None:
        _, ax = plt.subplots(figsize=(size, size * grid.shape[0] / grid.shape[1]))
    ax.imshow(grid, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def save_image_grid(images, path, value_range, ncols=None, scale=4):
    """Save a batch of images as one PNG grid, each pixel scale x scale; return the path."""
    grid = image_grid(images, value_range, ncols=ncols)
    grid = np.kron(grid, np.ones((scale, scale) + (1,) * (grid.ndim - 2)))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    imageio.imwrite(path, np.round(grid * 255).astype(np.uint8))
    return path


def moving_average(values, window):
    """Mean of each `window` consecutive values (len(values) - window + 1 of them).

    With window <= 1, or fewer values than the window, the values come back unchanged.
    """
    values = np.asarray(values, dtype=np.float64)
    if window <= 1 or len(values) < window:
        return values
    return np.convolve(values, np.ones(window) / window, mode="valid")


def plot_curves(history, curves, window=50, ax=None, ylabel="value"):
    """Plot history[key] per step for each key of `curves` ({key: label}), as a moving
    average over `window` steps placed at the step that ends each window; return the axes.

    For example plot_curves(history, {"wasserstein_estimate": "critic's W estimate"}) for the
    history of training.train_wgan.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    for key, label in curves.items():
        if key not in history:
            raise KeyError(f"history has no {key!r}; it has {sorted(history)}.")
        values = moving_average(history[key], window)
        ax.plot(np.arange(len(values)) + (len(history[key]) - len(values)), values, label=label)
    ax.set_xlabel("step")
    ax.set_ylabel(f"{ylabel} ({window}-step average)" if window > 1 else ylabel)
    ax.legend()
    return ax


def plot_losses(history, window=50, ax=None):
    """Plot d_loss and g_loss per step (moving average over `window` steps); return the axes."""
    return plot_curves(
        history, {"d_loss": "discriminator", "g_loss": "generator"}, window, ax, ylabel="loss"
    )


def plot_accuracy(history, window=50, ax=None):
    """Plot the discriminator's accuracy on real and on fake images, with the 0.5 line."""
    ax = plot_curves(
        history,
        {"d_acc_real": "on real images", "d_acc_fake": "on fake images"},
        window=window,
        ax=ax,
        ylabel="discriminator accuracy",
    )
    ax.axhline(0.5, color="gray", linestyle="--", label="0.5: can't tell them apart")
    ax.set_ylim(-0.02, 1.02)
    ax.legend()
    return ax


def save_loss_curves(history, path, window=50):
    """Save the loss curves and the discriminator's accuracy side by side; return the path."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.8))
    plot_losses(history, window=window, ax=left)
    plot_accuracy(history, window=window, ax=right)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def make_gif(frame_paths, path, fps=4):
    """Write the PNG frames (e.g. the sample grids saved during training) as a looping GIF."""
    frame_paths = [Path(p) for p in frame_paths]
    if not frame_paths:
        raise ValueError("make_gif needs at least one frame; did training save any sample grids?")
    frames = [imageio.imread(p) for p in frame_paths]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    imageio.mimsave(path, frames, duration=1000 / fps, loop=0)
    return path


def show_training_progress(sample_dir, steps, size=2.2):
    """Show the sample grids saved at the given training steps side by side; return the figure."""
    paths = [Path(sample_dir) / f"step_{s:05d}.png" for s in steps]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise ValueError(f"No sample grid saved at {missing}; pick steps that train_gan sampled.")
    fig, axes = plt.subplots(1, len(paths), figsize=(size * len(paths), size))
    for ax, step, path in zip(np.atleast_1d(axes), steps, paths):
        ax.imshow(imageio.imread(path), cmap="gray", interpolation="nearest")
        ax.set_title(f"step {step}")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    return fig


def plot_1d_gan(real, fake, x_grid, d_values, ax=None, title=None, bins=40):
    """Plot a 1-D GAN: histograms of real and generated samples, and D(x) over x_grid.

    real, fake: samples shaped (N,) or (N, 1); d_values: D at each point of x_grid, in [0, 1],
    drawn on a second y axis with the line D = 1/2. Returns (ax, d_axis).
    """
    real, fake = np.ravel(real), np.ravel(fake)
    x_grid, d_values = np.ravel(x_grid), np.ravel(d_values)
    if len(x_grid) != len(d_values):
        raise ValueError(
            f"x_grid has {len(x_grid)} points but d_values has {len(d_values)}: one D(x) per x."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.2))
    edges = np.linspace(x_grid.min(), x_grid.max(), bins + 1)
    ax.hist(real, bins=edges, density=True, alpha=0.5, label="real data")
    ax.hist(fake, bins=edges, density=True, alpha=0.5, label="generated")
    ax.set_xlabel("x")
    ax.set_ylabel("density")
    d_axis = ax.twinx()
    d_axis.plot(x_grid, d_values, color="black", label="D(x)")
    d_axis.axhline(0.5, color="gray", linestyle="--", linewidth=1)
    d_axis.set_ylim(0, 1)
    d_axis.set_ylabel("D(x)")
    handles = ax.get_legend_handles_labels()[0] + d_axis.get_legend_handles_labels()[0]
    ax.legend(handles=handles, loc="upper left", fontsize="small")
    if title:
        ax.set_title(title)
    return ax, d_axis
