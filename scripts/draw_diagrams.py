"""Draw the course's model diagrams as SVG files in gan_course/data_files/diagrams/.

    python scripts/draw_diagrams.py

Notebooks show them with `viz.show_diagram(name)`: "gan" (the two training steps of the
textbook loop, with the frozen discriminator marked), "autoencoder" and "vae". They are drawn
by this script, so a change to a diagram is a change to code.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import FancyBboxPatch  # noqa: E402

PREVIEW = "--preview" in __import__("sys").argv  # also write /tmp/diagram_NAME.png
OUT = Path(__file__).resolve().parents[1] / "gan_course" / "data_files" / "diagrams"
COLOURS = {"G": "#cfe2ff", "D": "#ffe0b3", "frozen": "#e6e6e6", "data": "#ffffff", "z": "#e2f0d9"}
matplotlib.rcParams["svg.hashsalt"] = "gan-course"  # the same SVG text on every run
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: the reader's fonts draw 한글 too


def box(ax, x, y, text, colour, width=1.7, height=0.7, dashed=False):
    ax.add_patch(
        FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.05",
            facecolor=colour,
            edgecolor="black",
            linestyle="--" if dashed else "-",
            linewidth=1.2,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def arrow(ax, start, end, text=""):
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "linewidth": 1.2})
    if text:
        ax.text(
            (start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.18, text, ha="center", fontsize=9
        )


def canvas(width, height, title):
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set_xlim(0, width * 1.25)
    ax.set_ylim(0, height * 1.25)
    ax.axis("off")
    ax.set_title(title, fontsize=11)
    return fig, ax


def gan():
    fig, ax = canvas(11, 3.8, "The textbook GAN step: two models, one of them frozen in the second")
    ax.text(0.1, 4.35, "1. discriminator step (판별자 학습)", fontsize=10, weight="bold")
    box(ax, 1.4, 3.55, "real images x", COLOURS["data"], width=2.4)
    box(ax, 1.4, 2.45, "noise z ~ N(0, I)", COLOURS["z"], width=2.4)
    box(ax, 4.6, 2.45, "G (predict)", COLOURS["G"], width=2.0)
    box(ax, 8.6, 3.0, "D\ntrainable = True", COLOURS["D"], width=2.6, height=1.3)
    arrow(ax, (2.65, 2.45), (3.55, 2.45))
    arrow(ax, (2.65, 3.55), (7.25, 3.3), "label 1")
    arrow(ax, (5.65, 2.45), (7.25, 2.7), "G(z), label 0")
    arrow(ax, (9.95, 3.0), (11.2, 3.0))
    ax.text(11.3, 2.95, "binary\ncross-entropy", fontsize=9, va="center")
    ax.text(
        0.1,
        1.45,
        "2. generator step through the combined model (생성자 학습)",
        fontsize=10,
        weight="bold",
    )
    box(ax, 1.4, 0.65, "noise z ~ N(0, I)", COLOURS["z"], width=2.4)
    box(ax, 4.6, 0.65, "G\ntrainable", COLOURS["G"], width=2.0, height=0.9)
    box(
        ax,
        8.6,
        0.65,
        "D\ntrainable = False\n(frozen)",
        COLOURS["frozen"],
        width=2.6,
        height=1.0,
        dashed=True,
    )
    arrow(ax, (2.65, 0.65), (3.55, 0.65))
    arrow(ax, (5.65, 0.65), (7.25, 0.65), "G(z)")
    arrow(ax, (9.95, 0.65), (11.2, 0.65))
    ax.text(11.3, 0.65, 'label 1 ("real"):\nonly G\'s weights move', fontsize=9, va="center")
    return fig


def autoencoder():
    fig, ax = canvas(9, 1.6, "An autoencoder (오토인코더): squeeze, then rebuild")
    box(ax, 1.0, 1.0, "x\n784 pixels", COLOURS["data"], width=1.4, height=0.9)
    box(ax, 3.3, 1.0, "encoder f", COLOURS["G"], height=0.9)
    box(ax, 5.5, 1.0, "z\np < 784\nnumbers", COLOURS["z"], width=1.5, height=0.9)
    box(ax, 7.7, 1.0, "decoder g", COLOURS["D"], height=0.9)
    box(ax, 10.0, 1.0, "x̂ = g(f(x))", COLOURS["data"], width=1.5, height=0.9)
    for a, b in ((1.7, 2.45), (4.15, 4.75), (6.25, 6.85), (8.55, 9.25)):
        arrow(ax, (a, 1.0), (b, 1.0))
    ax.text(
        5.6,
        0.15,
        "loss: how far x̂ is from x (binary cross-entropy per pixel)",
        ha="center",
        fontsize=9,
    )
    return fig


def vae():
    fig, ax = canvas(10, 2.0, "A VAE: the encoder gives a distribution, z is drawn from it")
    box(ax, 0.9, 1.3, "x", COLOURS["data"], width=1.0)
    box(ax, 2.8, 1.3, "encoder", COLOURS["G"], width=1.5)
    box(ax, 4.9, 1.75, "μ", COLOURS["z"], width=0.9, height=0.5)
    box(ax, 4.9, 0.85, "log σ²", COLOURS["z"], width=0.9, height=0.5)
    box(ax, 7.4, 1.3, "z = μ + σ · ε\nε ~ N(0, I)", COLOURS["z"], width=2.0, height=0.9)
    box(ax, 9.9, 1.3, "decoder", COLOURS["D"], width=1.5)
    box(ax, 11.7, 1.3, "x̂", COLOURS["data"], width=0.8)
    arrow(ax, (1.4, 1.3), (2.05, 1.3))
    arrow(ax, (3.55, 1.45), (4.45, 1.75))
    arrow(ax, (3.55, 1.15), (4.45, 0.85))
    arrow(ax, (5.35, 1.75), (6.4, 1.45))
    arrow(ax, (5.35, 0.85), (6.4, 1.15))
    arrow(ax, (8.4, 1.3), (9.15, 1.3))
    arrow(ax, (10.65, 1.3), (11.3, 1.3))
    ax.text(
        7.4,
        0.2,
        "loss = reconstruction(x, x̂) + KL(N(μ, σ²) ‖ N(0, I));  "
        "the trick (재매개변수화) keeps ε outside, so gradients reach μ and σ",
        ha="center",
        fontsize=9,
    )
    return fig


def cyclegan():
    fig, ax = canvas(11, 3.0, "CycleGAN (순환 일관성): two translators, two judges, a round trip")
    box(ax, 1.0, 2.3, "horse a", COLOURS["data"], width=1.4)
    box(ax, 3.6, 2.3, "G: A → B", COLOURS["G"], width=1.6)
    box(ax, 6.4, 2.3, "G(a)\n(a zebra?)", COLOURS["data"], width=1.6, height=0.9)
    box(ax, 9.2, 2.3, "F: B → A", COLOURS["G"], width=1.6)
    box(ax, 11.9, 2.3, "F(G(a))", COLOURS["data"], width=1.5)
    box(ax, 6.4, 0.75, "D_B: real zebra\nor G's?", COLOURS["D"], width=2.0, height=0.9)
    for a, b in ((1.7, 2.8), (4.4, 5.6), (7.2, 8.4), (10.0, 11.15)):
        arrow(ax, (a, 2.3), (b, 2.3))
    arrow(ax, (6.4, 1.85), (6.4, 1.2))
    ax.text(7.6, 0.75, "adversarial loss (LSGAN)", fontsize=9, va="center")
    ax.annotate(
        "",
        xy=(1.0, 2.75),
        xytext=(11.9, 2.75),
        arrowprops={"arrowstyle": "<->", "linestyle": "dashed", "connectionstyle": "arc3,rad=0.12"},
    )
    ax.text(6.4, 3.2, "cycle-consistency loss: |F(G(a)) − a|", ha="center", fontsize=9)
    ax.text(
        0.1,
        0.1,
        "and the same the other way: zebra b → F → G → back;  identity loss: |G(b) − b|",
        fontsize=9,
    )
    return fig


def diffusion():
    fig, ax = canvas(11, 2.6, "A diffusion model (확산 모델): noise step by step, learn to undo it")
    xs = (1.0, 3.6, 6.4, 9.2, 11.9)
    names = ("x₀\n(a digit)", "x₁", "x_t", "x_{T-1}", "x_T\n(pure noise)")
    for x, name in zip(xs, names):
        box(ax, x, 1.9, name, COLOURS["data"] if x < 2 else COLOURS["z"], width=1.5, height=0.8)
    for a, b in zip(xs, xs[1:]):
        arrow(ax, (a + 0.8, 2.05), (b - 0.8, 2.05), "add noise" if a == 1.0 else "")
    box(ax, 6.4, 0.55, "U-Net(x_t, t) → predicted noise ε̂", COLOURS["G"], width=4.2, height=0.7)
    arrow(ax, (6.4, 1.45), (6.4, 0.95))
    ax.text(
        0.1,
        2.8,
        "forward (순방향): fixed, no learning;  x_t = √ᾱ_t x₀ + √(1 − ᾱ_t) ε",
        fontsize=9,
    )
    ax.text(
        8.7,
        0.55,
        "reverse (역방향): remove ε̂,\nstep t → t − 1 (DDPM) or jump (DDIM)",
        fontsize=9,
        va="center",
    )
    ax.text(0.1, 0.55, "loss: mean (ε̂ − ε)²", fontsize=9, va="center")
    return fig


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for name, draw in (
        ("gan", gan),
        ("autoencoder", autoencoder),
        ("vae", vae),
        ("cyclegan", cyclegan),
        ("diffusion", diffusion),
    ):
        fig = draw()
        fig.savefig(OUT / f"{name}.svg", bbox_inches="tight", metadata={"Date": None})
        if PREVIEW:
            fig.savefig(f"/tmp/diagram_{name}.png", bbox_inches="tight", dpi=90)
        plt.close(fig)
        print("wrote", OUT / f"{name}.svg")
