"""Checks for chapter 05: the combined model and the textbook's training step."""

import numpy as np

from ._common import _array, _changed, _checker, _images, _noise, _weights


def _textbook_pair():
    from gan_course import models

    return models.build_generator(), models.build_discriminator()


@_checker
def check_combined_model(v, build_gan):
    """build_gan(generator, discriminator) -> the compiled combined model, D frozen inside."""
    generator, discriminator = _textbook_pair()
    gan = build_gan(generator, discriminator)
    noise = _noise(8)
    out = _array(gan(noise, training=False))
    v.expect(
        out.shape == (8, 1),
        "maps noise (N, 100) to D's verdict on G's images, (N, 1)",
        f"maps noise to outputs shaped {out.shape}: chain them, discriminator(generator(noise))",
    )
    chained = _array(discriminator(generator(noise, training=False), training=False))
    v.expect(
        out.shape == chained.shape and np.allclose(out, chained, atol=1e-5),
        "is D(G(z)) with the same generator and discriminator objects",
        "does not equal discriminator(generator(noise)): build it from the two models "
        "passed in, not new ones",
    )
    if not v.expect(
        getattr(gan, "compiled", False),
        "compiled",
        "not compiled: call gan.compile(loss='binary_crossentropy', optimizer=...)",
    ):
        return
    d_before, g_before = _weights(discriminator), _weights(generator)
    gan.train_on_batch(noise, np.ones((8, 1), dtype="float32"))
    v.expect(
        not _changed(d_before, discriminator),
        "the discriminator stays frozen when the combined model trains",
        "the discriminator changed when the combined model trained: set "
        "discriminator.trainable = False before compiling the combined model",
    )
    v.expect(
        _changed(g_before, generator),
        "the generator learns through the combined model",
        "the generator did not change when the combined model trained: is it trainable?",
    )


@_checker
def check_train_step(v, train_step):
    """train_step(generator, discriminator, gan, real_images, noise): one textbook GAN step.

    Runs two steps on the textbook models built in the textbook order (D compiled, then frozen
    by build_gan) and watches every train_on_batch: which labels, which weights changed.
    """
    from gan_course import models

    generator, discriminator = _textbook_pair()
    gan = models.build_gan(generator, discriminator)
    calls = []

    def spy(model, label):
        original = model.train_on_batch

        def watched(x, y, *args, **kwargs):
            d_before, g_before = _weights(discriminator), _weights(generator)
            result = original(x, y, *args, **kwargs)
            calls.append(
                (label, _array(y), _changed(d_before, discriminator), _changed(g_before, generator))
            )
            return result

        return watched

    discriminator.train_on_batch = spy(discriminator, "d")
    gan.train_on_batch = spy(gan, "gan")
    real = _images(16)
    for seed in (1, 2):
        train_step(generator, discriminator, gan, real, _noise(16, seed=seed))
    d_calls = [c for c in calls if c[0] == "d"]
    g_calls = [c for c in calls if c[0] == "gan"]
    d_labels = np.concatenate([c[1].reshape(-1) for c in d_calls]) if d_calls else np.zeros(0)
    v.expect(
        d_calls and (d_labels >= 0.5).any() and (d_labels == 0).any(),
        "trains the discriminator on real images (label 1) and fakes (label 0)",
        "the discriminator must be trained with discriminator.train_on_batch on real images "
        "(label 1) and on the generator's fakes (label 0)",
    )
    v.expect(
        d_calls and all(c[2] for c in d_calls),
        "the discriminator learns in its own step, every step",
        "the discriminator did not learn in its own step: on Keras 3 set "
        "discriminator.trainable = True right before its train_on_batch",
    )
    v.expect(
        g_calls and all(np.all(c[1] == 1) for c in g_calls),
        "trains the generator through the combined model with label 1 ('call the fakes real')",
        "train the generator with gan.train_on_batch(noise, ones): the fakes get the label 1",
    )
    v.expect(
        g_calls and not any(c[2] for c in g_calls),
        "the discriminator stays frozen in the combined model's step",
        "the discriminator changed in the combined model's step: set "
        "discriminator.trainable = False right before gan.train_on_batch",
    )
    v.expect(
        g_calls and all(c[3] for c in g_calls),
        "the generator learns in the combined model's step",
        "the generator did not change in the combined model's step",
    )
