"""The exercise checkers: the course's own solutions pass, typical mistakes get the right fix."""

import keras
import numpy as np
import pytest
from keras import layers

from gan_course import (
    autoencoders,
    checks,
    conditional,
    cyclegan,
    diffusion,
    gan_model,
    latent,
    losses,
    models,
    training,
)


def assert_right(verdict):
    assert verdict.passed, str(verdict)
    assert checks.WRONG not in str(verdict)


def assert_wrong(verdict, *fragments):
    text = str(verdict)
    assert not verdict.passed, text
    wrong_lines = [line for line in text.splitlines() if checks.WRONG in line]
    for fragment in fragments:
        assert any(fragment in line for line in wrong_lines), text


# The course's own code passes every checker.
RIGHT = [
    (checks.check_value_function, (losses.value_function,)),
    (
        checks.check_generator_losses,
        (losses.saturating_generator_loss, losses.non_saturating_generator_loss),
    ),
    (checks.check_optimal_discriminator, (losses.optimal_discriminator,)),
    (checks.check_generator, (models.build_generator,)),
    (checks.check_mlp_generator, (models.build_mlp_generator,)),
    (checks.check_discriminator, (models.build_discriminator,)),
    (checks.check_mlp_discriminator, (models.build_mlp_discriminator,)),
    (checks.check_combined_model, (models.build_gan,)),
    (
        checks.check_train_step,
        (
            lambda g, d, gan, real, noise: (
                training.discriminator_step(g, d, real, noise),
                training.generator_step(gan, d, noise),
            ),
        ),
    ),
    (checks.check_autoencoder, (autoencoders.build_dense_autoencoder,)),
    (checks.check_add_noise, (autoencoders.add_noise,)),
    (checks.check_sampling, (autoencoders.Sampling,)),
    (checks.check_vae_loss_terms, (autoencoders.vae_loss_terms,)),
    (checks.check_interpolate, (latent.interpolate,)),
    (checks.check_slerp, (latent.slerp,)),
    (checks.check_attribute_vector, (latent.attribute_vector,)),
    (checks.check_lsgan_losses, (losses.lsgan_discriminator_loss, losses.lsgan_generator_loss)),
    (
        checks.check_wasserstein_losses,
        (losses.wasserstein_critic_loss, losses.wasserstein_generator_loss),
    ),
    (checks.check_gradient_penalty, (losses.gradient_penalty,)),
    (checks.check_gan_train_step, (gan_model.GAN,)),
    (checks.check_dcgan_generator, (models.build_dcgan_generator,)),
    (checks.check_conditional_generator, (conditional.build_conditional_generator,)),
    (checks.check_cycle_losses, (cyclegan.cycle_consistency_loss, cyclegan.identity_loss)),
    (checks.check_diffusion_noising, (diffusion.add_noise,)),
    (checks.check_ddim_step, (diffusion.ddim_step,)),
]


@pytest.mark.parametrize("checker, args", RIGHT, ids=[c.__name__ for c, _ in RIGHT])
def test_the_course_solution_passes(checker, args):
    assert_right(checker(*args))


def test_every_public_checker_is_covered():
    public = {name for name in dir(checks) if name.startswith("check_")}
    assert public == {checker.__name__ for checker, _ in RIGHT}


def test_verdicts_are_the_same_run_after_run():
    first = str(checks.check_train_step(RIGHT[8][1][0]))
    assert first == str(checks.check_train_step(RIGHT[8][1][0]))
    assert str(checks.check_generator(models.build_generator)) == str(
        checks.check_generator(models.build_generator)
    )


def test_a_verdict_reads_like_a_checklist():
    text = str(checks.check_interpolate(latent.interpolate))
    assert text.splitlines() == [
        "check_interpolate: 3 of 3 right",
        "  ✓ returns (steps, dim)",
        "  ✓ starts at z0 and ends at z1",
        "  ✓ evenly spaced: the middle point is (z0 + z1) / 2",
    ]


# Typical mistakes, and the fix each verdict names.


def test_value_function_with_the_wrong_fake_term():
    verdict = checks.check_value_function(lambda r, f: np.mean(np.log(r)) + np.mean(np.log(f)))
    assert_wrong(verdict, "log(1 - D(G(z)))")


def test_non_saturating_loss_with_the_wrong_sign():
    verdict = checks.check_generator_losses(
        losses.saturating_generator_loss, lambda f: np.mean(np.log(f))
    )
    assert_wrong(verdict, "-mean(log D(G(z)))", "check the sign")


def test_optimal_discriminator_upside_down():
    verdict = checks.check_optimal_discriminator(lambda p, q: q / (p + q))
    assert_wrong(verdict, "[0.75, 0.25, 0.5]")


def _sigmoid_generator():
    generator = models.build_generator()
    generator.layers[-1].activation = keras.activations.sigmoid
    return generator


def test_generator_with_a_sigmoid_output():
    verdict = checks.check_generator(_sigmoid_generator)
    assert_wrong(verdict, "activation='tanh'")
    assert len([line for line in str(verdict).splitlines() if checks.WRONG in line]) == 1


def test_generator_with_three_channels():
    verdict = checks.check_generator(lambda: models.build_generator(image_shape=(28, 28, 3)))
    assert_wrong(verdict, "(N, 28, 28, 3)", "parameters")


def test_mlp_generator_with_the_dcgan_noise_size():
    assert_wrong(checks.check_mlp_generator(lambda: models.build_mlp_generator(100)), "size 128")  # noqa: E501


def test_generator_that_raises_is_reported_not_crashed():
    def broken():
        raise ValueError("Input 0 of layer dense is incompatible")

    verdict = checks.check_generator(broken)
    assert_wrong(verdict, "your code raised ValueError: Input 0 of layer dense")


def test_uncompiled_discriminator():
    def uncompiled():
        d = models.build_discriminator()
        return keras.Sequential(d.layers)

    assert_wrong(checks.check_discriminator(uncompiled), "not compiled")


def test_discriminator_compiled_with_the_wrong_loss():
    def mse():
        d = models.build_discriminator()
        d.compile(loss="mse", optimizer="adam")
        return d

    assert_wrong(checks.check_discriminator(mse), "binary_crossentropy")


def test_frozen_discriminator_does_not_learn():
    def frozen():
        d = models.build_discriminator()
        d.trainable = False
        return d

    assert_wrong(checks.check_discriminator(frozen), "trainable")


def test_combined_model_without_the_freeze():
    def unfrozen(generator, discriminator):
        noise = keras.Input((100,))
        gan = keras.Model(noise, discriminator(generator(noise)))
        gan.compile(loss="binary_crossentropy", optimizer="adam")
        return gan

    assert_wrong(checks.check_combined_model(unfrozen), "discriminator.trainable = False")


def test_train_step_written_the_keras_2_way():
    """The textbook's step, flag set once: D never learns on Keras 3."""

    def keras2_step(generator, discriminator, gan, real, noise):
        fake = generator.predict_on_batch(noise)
        discriminator.train_on_batch(real, np.ones((len(real), 1)))
        discriminator.train_on_batch(fake, np.zeros((len(noise), 1)))
        gan.train_on_batch(noise, np.ones((len(noise), 1)))

    assert_wrong(checks.check_train_step(keras2_step), "trainable = True right before")


def test_train_step_that_unfreezes_d_in_the_combined_step():
    def leaky(generator, discriminator, gan, real, noise):
        discriminator.trainable = True
        fake = generator.predict_on_batch(noise)
        discriminator.train_on_batch(real, np.ones((len(real), 1)))
        discriminator.train_on_batch(fake, np.zeros((len(noise), 1)))
        gan.train_on_batch(noise, np.ones((len(noise), 1)))

    verdict = checks.check_train_step(leaky)
    assert_wrong(verdict, "trainable = False right before gan.train_on_batch")


def test_train_step_labelling_fakes_fake_for_the_generator():
    def wrong_labels(generator, discriminator, gan, real, noise):
        training.discriminator_step(generator, discriminator, real, noise)
        discriminator.trainable = False
        gan.train_on_batch(noise, np.zeros((len(noise), 1)))

    assert_wrong(checks.check_train_step(wrong_labels), "the fakes get the label 1")


def test_autoencoder_with_a_relu_decoder():
    def relu_decoder(latent_dim=32):
        encoder = keras.Sequential(
            [keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(latent_dim, "relu")]
        )
        decoder = keras.Sequential(
            [keras.Input((latent_dim,)), layers.Dense(784, "relu"), layers.Reshape((28, 28, 1))]
        )
        autoencoder = keras.Sequential([encoder, decoder])
        autoencoder.compile(optimizer="adam", loss="mse")
        return autoencoder, encoder, decoder

    assert_wrong(checks.check_autoencoder(relu_decoder), "activation='sigmoid'")


def test_add_noise_without_clipping():
    verdict = checks.check_add_noise(lambda x, std, rng: x + rng.normal(0, std, x.shape))
    assert_wrong(verdict, "np.clip")


def test_sampling_with_the_variance_as_spread():
    class Wrong(layers.Layer):
        def call(self, inputs):
            z_mean, z_log_var = inputs
            eps = keras.random.normal(keras.ops.shape(z_mean), seed=0)
            return z_mean + keras.ops.exp(z_log_var) * eps

    assert_wrong(checks.check_sampling(Wrong), "exp(0.5 * z_log_var)")


def test_sampling_with_a_fixed_seed_draws_the_same_noise():
    class FixedSeed(layers.Layer):
        def call(self, inputs):
            z_mean, z_log_var = inputs
            eps = keras.random.normal(keras.ops.shape(z_mean), seed=0)
            return z_mean + keras.ops.exp(0.5 * z_log_var) * eps

    assert_wrong(checks.check_sampling(FixedSeed), "SeedGenerator")


def test_vae_loss_averaged_over_pixels():
    def averaged(images, reconstruction, z_mean, z_log_var):
        rec, kl = autoencoders.vae_loss_terms(images, reconstruction, z_mean, z_log_var)
        return rec / 784, kl

    assert_wrong(checks.check_vae_loss_terms(averaged), "sum the per-pixel cross-entropy")


def test_slerp_that_is_a_straight_line():
    assert_wrong(checks.check_slerp(latent.interpolate), "lengths along the path")


def test_attribute_vector_that_counts_every_label():
    def all_labels(latents, labels, positive, negative):
        return latents[labels == positive].mean(0) - latents[labels != positive].mean(0)

    assert_wrong(checks.check_attribute_vector(all_labels), "other labels must not count")


def test_lsgan_generator_aiming_at_zero():
    verdict = checks.check_lsgan_losses(
        losses.lsgan_discriminator_loss, lambda f: 0.5 * np.mean(np.square(f))
    )
    assert_wrong(verdict, "generator loss is 0.5")


def test_wasserstein_critic_loss_with_the_wrong_sign():
    verdict = checks.check_wasserstein_losses(
        lambda r, f: np.mean(r) - np.mean(f), losses.wasserstein_generator_loss
    )
    assert_wrong(verdict, "critic loss is -3.5")


def test_gradient_penalty_without_the_minus_one():
    def squared_norm(critic, real, fake):
        import tensorflow as tf

        mixed = tf.convert_to_tensor(0.5 * real + 0.5 * fake)
        with tf.GradientTape() as tape:
            tape.watch(mixed)
            scores = critic(mixed)
        grads = tape.gradient(scores, mixed)
        return tf.reduce_mean(tf.reduce_sum(tf.square(grads), axis=1))

    assert_wrong(checks.check_gradient_penalty(squared_norm), "slope 1 the penalty is 0,")


# Structurally wrong answers that a parameter count or a linear critic cannot tell apart.


def _textbook_discriminator(activation=lambda: layers.LeakyReLU(0.2), dropout=0.3):
    model = keras.Sequential([keras.Input((28, 28, 1))])
    for filters in (64, 128):
        model.add(layers.Conv2D(filters, 5, strides=2, padding="same"))
        model.add(activation())
        if dropout:
            model.add(layers.Dropout(dropout))
    model.add(layers.Flatten())
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam")
    return model


def test_the_hand_written_textbook_discriminator_passes():
    assert_right(checks.check_discriminator(_textbook_discriminator))


def test_discriminator_without_its_dropout_layers():
    verdict = checks.check_discriminator(lambda: _textbook_discriminator(dropout=0))
    assert_wrong(verdict, "add Dropout(0.3) after each LeakyReLU")


def test_discriminator_with_relu_instead_of_leaky_relu():
    verdict = checks.check_discriminator(lambda: _textbook_discriminator(activation=layers.ReLU))
    assert_wrong(verdict, "with the textbook's weights it computes something else")


def test_mlp_discriminator_with_one_dropout_layer_missing():
    def two_dropouts():
        d = models.build_mlp_discriminator()
        kept = [layer for layer in d.layers if not isinstance(layer, layers.Dropout)]
        model = keras.Sequential(
            [keras.Input((28, 28, 1)), *kept[:3], layers.Dropout(0.3), *kept[3:]]
        )
        model.compile(loss="binary_crossentropy", optimizer="adam")
        return model

    assert_wrong(checks.check_mlp_discriminator(two_dropouts), "rates [0.3]")


def test_generator_with_relu_where_the_textbook_has_none():
    def relu_after_dense():
        g = models.build_generator()
        model = keras.Sequential([keras.Input((100,))])
        for layer in g.layers:
            model.add(layer)
            if isinstance(layer, layers.Dense):
                model.add(layers.ReLU())
        return model

    assert_wrong(checks.check_generator(relu_after_dense), "computes something else")


def test_autoencoder_with_a_linear_encoder():
    def linear(latent_dim=32):
        encoder = keras.Sequential(
            [keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(latent_dim)]
        )
        decoder = keras.Sequential(
            [
                keras.Input((latent_dim,)),
                layers.Dense(784, activation="sigmoid"),
                layers.Reshape((28, 28, 1)),
            ]
        )
        autoencoder = keras.Sequential([encoder, decoder])
        autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
        return autoencoder, encoder, decoder

    assert_wrong(checks.check_autoencoder(linear), "computes something else")


def _penalty_at(where):
    def gradient_penalty(critic, real, fake):
        import tensorflow as tf

        points = tf.convert_to_tensor(real if where == "real" else fake)
        with tf.GradientTape() as tape:
            tape.watch(points)
            scores = critic(points)
        norms = tf.norm(tf.reshape(tape.gradient(scores, points), (len(real), -1)), axis=1)
        return tf.reduce_mean(tf.square(norms - 1.0))

    return gradient_penalty


@pytest.mark.parametrize("where", ["real", "fake"])
def test_gradient_penalty_taken_at_the_real_or_the_fake_images(where):
    verdict = checks.check_gradient_penalty(_penalty_at(where))
    assert_wrong(verdict, f"1 at the {where} images the penalty is 4")
    assert sum(checks.WRONG in line for line in str(verdict).splitlines()) == 1


class _SwappedLabels(keras.Model):
    """D's targets the wrong way round, and G's optimizer applied to D's weights too."""

    def __init__(self, generator, discriminator):
        super().__init__()
        self.generator, self.discriminator = generator, discriminator

    def compile(self, d_optimizer, g_optimizer):
        super().compile()
        self.d_optimizer, self.g_optimizer = d_optimizer, g_optimizer

    def train_step(self, real):
        import tensorflow as tf

        n = tf.shape(real)[0]
        fakes = self.generator(tf.random.normal((n, 100)), training=True)
        weights = self.discriminator.trainable_weights
        for images, label in ((real, 0.0), (fakes, 1.0)):
            with tf.GradientTape() as tape:
                p = self.discriminator(images, training=True)
                d_loss = tf.reduce_mean(
                    keras.losses.binary_crossentropy(tf.fill(tf.shape(p), label), p)
                )
            self.d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights))
        both = self.generator.trainable_weights + self.discriminator.trainable_weights
        with tf.GradientTape() as tape:
            p = self.discriminator(self.generator(tf.random.normal((n, 100)), training=True))
            g_loss = tf.reduce_mean(keras.losses.binary_crossentropy(tf.ones_like(p), p))
        self.g_optimizer.apply_gradients(zip(tape.gradient(g_loss, both), both))
        return {"d_loss": d_loss, "g_loss": g_loss}


def test_gan_train_step_with_swapped_labels_and_one_optimizer_for_both():
    verdict = checks.check_gan_train_step(_SwappedLabels)
    assert_wrong(
        verdict,
        "real images get label 1",
        "apply G's optimizer to generator.trainable_weights only",
    )


def test_textbook_generator_breaks_two_of_the_papers_rules():
    assert_wrong(checks.check_dcgan_generator(models.build_generator), "rule 1", "rule 4")


def test_paper_generator_with_batch_norm_on_the_output():
    def build():
        generator = models.build_dcgan_generator()
        generator.add(layers.BatchNormalization())
        return generator

    assert_wrong(checks.check_dcgan_generator(build), "rule 3")


def test_conditional_generator_that_ignores_the_label():
    def build():  # the label is an input, but multiplied by 0 before it joins the noise
        noise = keras.Input((100,))
        label = keras.Input((1,), dtype="int32")
        one_hot = layers.CategoryEncoding(10, output_mode="one_hot")(label)
        joined = layers.Concatenate()([noise, layers.Rescaling(0.0)(one_hot)])
        return keras.Model([noise, label], models.build_generator(110)(joined))

    assert_wrong(checks.check_conditional_generator(build), "join one_hot(label)")


def test_conditional_generator_with_one_input():
    assert_wrong(checks.check_conditional_generator(models.build_generator), "two keras.Input")


def test_cycle_losses_that_square_or_sum():
    l1 = cyclegan.identity_loss
    assert_wrong(
        checks.check_cycle_losses(lambda a, b: np.mean(np.square(a - b)), l1),
        "every pixel off by 0.5",
    )
    assert_wrong(
        checks.check_cycle_losses(cyclegan.cycle_consistency_loss, lambda a, b: np.sum(abs(a - b))),
        "changed by 0.25",
    )


def test_diffusion_noising_without_square_roots_or_with_one_step_for_all():
    def no_roots(x0, t, noise, alpha_bar):
        a = alpha_bar[t].reshape(-1, 1, 1, 1)
        return a * x0 + (1 - a) * noise

    assert_wrong(checks.check_diffusion_noising(no_roots), "take both square roots")

    def one_step(x0, t, noise, alpha_bar):
        a = alpha_bar[t[0]]
        return np.sqrt(a) * x0 + np.sqrt(1 - a) * noise

    assert_wrong(checks.check_diffusion_noising(one_step), "at t = 250 and 500")

    def flat(x0, t, noise, alpha_bar):
        return np.sqrt(alpha_bar[t]) * x0.reshape(len(x0), -1).T

    assert_wrong(checks.check_diffusion_noising(flat), "each image gets its own step")


def test_ddim_step_that_ignores_t_prev_or_forgets_the_clean_case():
    def next_step_only(x_t, t, t_prev, noise, alpha_bar):
        return diffusion.ddim_step(x_t, t, t - 1, noise, alpha_bar)

    assert_wrong(checks.check_ddim_step(next_step_only), "jump of 200 steps", "t_prev = -1")

    def stays(x_t, t, t_prev, noise, alpha_bar):
        return x_t

    assert_wrong(checks.check_ddim_step(stays), "true noise the step")
