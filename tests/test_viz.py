import imageio.v2 as imageio
import matplotlib

matplotlib.use("Agg")
import numpy as np
import pytest

from gan_course import viz


def test_image_grid_tiles_and_maps_range_to_unit():
    images = np.stack([np.full((4, 4, 1), -1.0), np.full((4, 4, 1), 1.0), np.zeros((4, 4, 1))])
    grid = viz.image_grid(images, value_range=(-1, 1), ncols=2, pad=1)
    assert grid.shape == (9, 9)
    assert grid[0, 0] == 0.0 and grid[0, 5] == 1.0 and grid[5, 0] == 0.5
    assert grid[4, 4] == 1.0 and grid[5, 5] == 1.0, "gaps and the empty cell are white"


@pytest.mark.parametrize("value_range", [(0, 1), (0, 255)])
def test_images_outside_the_given_range_are_refused(value_range):
    with pytest.raises(ValueError, match="outside value_range"):
        viz.image_grid(np.full((2, 4, 4), -1.0), value_range=value_range)


@pytest.mark.parametrize("value_range", [None, (1, 0), "tanh"])
def test_nonsense_value_range_is_refused(value_range):
    with pytest.raises(ValueError, match="value_range"):
        viz.image_grid(np.zeros((2, 4, 4)), value_range=value_range)


def test_show_images_returns_axes_without_ticks():
    ax = viz.show_images(np.zeros((4, 28, 28), np.uint8), value_range=(0, 255), title="t")
    assert ax.get_xticks().size == 0 and ax.get_title() == "t"


def test_save_image_grid_and_gif(tmp_path):
    frames = []
    for i in range(3):
        images = np.full((4, 28, 28, 1), -1.0 + i)
        frames.append(
            viz.save_image_grid(images, tmp_path / f"step_{i:05d}.png", value_range=(-1, 1))
        )
    png = imageio.imread(frames[0])
    assert png.shape == ((2 * 28 + 1) * 4, (2 * 28 + 1) * 4) and png.dtype == np.uint8
    gif = viz.make_gif(frames, tmp_path / "training.gif")
    assert len(imageio.mimread(gif)) == 3
    with pytest.raises(ValueError, match="at least one frame"):
        viz.make_gif([], tmp_path / "empty.gif")


def test_loss_and_accuracy_plots(tmp_path):
    rng = np.random.default_rng(0)
    history = {
        key: rng.uniform(0, 1, 120).tolist()
        for key in ("d_loss", "g_loss", "d_acc_real", "d_acc_fake")
    }
    ax = viz.plot_losses(history, window=10)
    assert [line.get_label() for line in ax.get_lines()] == ["discriminator", "generator"]
    assert len(ax.get_lines()[0].get_xdata()) == 111
    ax = viz.plot_accuracy(history, window=1)
    assert ax.get_lines()[-1].get_ydata()[0] == 0.5
    path = viz.save_loss_curves(history, tmp_path / "curves.png")
    assert imageio.imread(path).shape[1] == 1200


def test_moving_average_is_the_mean_of_each_window():
    np.testing.assert_allclose(viz.moving_average([1, 2, 3, 4, 5], 2), [1.5, 2.5, 3.5, 4.5])
    np.testing.assert_allclose(viz.moving_average([1, 2, 3], 3), [2.0])
    np.testing.assert_allclose(viz.moving_average([1, 5], 1), [1, 5])  # window 1: unchanged
    np.testing.assert_allclose(viz.moving_average([1, 5], 10), [1, 5])  # too few values


def test_plot_curves_places_each_average_at_the_end_of_its_window():
    history = {"wasserstein_estimate": [4.0, 2.0, 0.0, -2.0]}
    ax = viz.plot_curves(history, {"wasserstein_estimate": "W estimate"}, window=2, ylabel="W")
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(line.get_ydata(), [3.0, 1.0, -1.0])
    assert line.get_label() == "W estimate" and ax.get_ylabel() == "W (2-step average)"
    with pytest.raises(KeyError, match="history has no 'g_loss'"):
        viz.plot_curves(history, {"g_loss": "G"})


def test_show_training_progress_reads_saved_grids(tmp_path):
    viz.save_image_grid(np.zeros((4, 8, 8)), tmp_path / "step_00000.png", value_range=(-1, 1))
    fig = viz.show_training_progress(tmp_path, [0])
    assert fig.axes[0].get_title() == "step 0"
    with pytest.raises(ValueError, match="No sample grid saved"):
        viz.show_training_progress(tmp_path, [0, 200])


def test_plot_1d_gan_draws_histograms_and_d():
    rng = np.random.default_rng(0)
    x = np.linspace(-3, 3, 50)
    ax, d_axis = viz.plot_1d_gan(
        rng.normal(size=200), rng.normal(size=(200, 1)), x, np.full(50, 0.5), title="t"
    )
    assert len(ax.patches) == 80  # two histograms of 40 bins
    assert d_axis.get_lines()[0].get_ydata()[0] == 0.5 and d_axis.get_ylim() == (0, 1)
    with pytest.raises(ValueError, match="one D\\(x\\) per x"):
        viz.plot_1d_gan([0.0], [0.0], x, np.zeros(3))


@pytest.mark.parametrize("name", ["gan", "autoencoder", "vae"])
def test_show_diagram_returns_the_svg(name):
    svg = viz.show_diagram(name)
    assert "<svg" in svg.data and "</svg>" in svg.data


def test_show_diagram_names_the_diagrams_it_has():
    with pytest.raises(
        ValueError, match=r"\['autoencoder', 'cyclegan', 'diffusion', 'gan', 'vae'\]"
    ):
        viz.show_diagram("wgan")


def test_diagrams_are_what_the_script_draws(tmp_path, monkeypatch):
    import importlib.util
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "draw_diagrams.py"
    spec = importlib.util.spec_from_file_location("draw_diagrams", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import re

    def words(svg):  # the labels; the drawing itself may differ between matplotlib versions
        return re.findall(r"<text[^>]*>([^<]*)</text>", svg)

    for name in ("gan", "autoencoder", "vae"):
        fig = getattr(module, name)()
        fig.savefig(tmp_path / f"{name}.svg", bbox_inches="tight", metadata={"Date": None})
        drawn = words((tmp_path / f"{name}.svg").read_text())
        assert drawn and drawn == words((viz.DIAGRAMS / f"{name}.svg").read_text()), (
            f"{name}.svg is stale: run python scripts/draw_diagrams.py"
        )
