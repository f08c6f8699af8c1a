"""gan_course.precision: the choice of dtype policy for each kind of machine, and the course's
models and training steps under mixed precision (outputs in float32, loss scaling for float16).

The machines are made up (cpu_flags=, gpus=), so every branch is checked on any computer.
"""

import keras
import numpy as np
import pytest

from gan_course import (
    autoencoders,
    conditional,
    cyclegan,
    diffusion,
    gan_model,
    models,
    precision,
    training,
)

AMX_CPU = {"avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile", "amx_int8"}
PLAIN_CPU = {"sse4_2", "avx", "avx2", "fma"}
A100 = ("NVIDIA A100-SXM4-40GB", (8, 0))
T4 = ("Tesla T4", (7, 5))


@pytest.fixture(autouse=True)
def float32_afterwards():
    """Every test leaves Keras' global policy at float32, whatever it set."""
    keras.config.set_dtype_policy("float32")
    yield
    keras.config.set_dtype_policy("float32")


@pytest.mark.parametrize(
    "cpu_flags, gpus, expected, words",
    [
        (AMX_CPU, [], "mixed_bfloat16", "AMX-BF16"),
        (PLAIN_CPU, [], "float32", "no AMX-BF16"),
        ({"avx2", "avx512f", "avx512_bf16"}, [], "mixed_bfloat16", "AVX512-BF16 (no AMX)"),
        (set(), [], "float32", "no AMX-BF16"),
        (PLAIN_CPU, [A100], "mixed_bfloat16", "compute capability 8.0"),
        (PLAIN_CPU, [("NVIDIA H100 80GB HBM3", "9.0")], "mixed_bfloat16", "bfloat16"),
        (AMX_CPU, [T4], "mixed_float16", "loss"),  # the GPU decides, not the CPU
        (PLAIN_CPU, [("Tesla V100-SXM2-16GB", (7, 0))], "mixed_float16", "float16 tensor cores"),
        (PLAIN_CPU, [A100, T4], "mixed_float16", "Tesla T4"),  # every GPU must compute in it
        (PLAIN_CPU, [("Tesla P100-PCIE-16GB", (6, 0))], "float32", "no tensor cores"),
        (PLAIN_CPU, [("AMD Instinct MI250X", None)], "float32", "compute capability"),
    ],
)
def test_choose_precision_for_each_kind_of_machine(cpu_flags, gpus, expected, words):
    policy, reason = precision.choose_precision(cpu_flags=cpu_flags, gpus=gpus)
    assert policy == expected
    assert words in reason and "\n" not in reason


def test_an_amx_cpu_with_tensorflows_onednn_switched_off_stays_float32(monkeypatch):
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    policy, reason = precision.choose_precision(AMX_CPU, [], backend="tensorflow")
    assert policy == "float32" and "TF_ENABLE_ONEDNN_OPTS=0" in reason
    assert precision.choose_precision(AMX_CPU, [], backend="jax")[0] == "mixed_bfloat16"
    zen4 = {"avx2", "avx512f", "avx512_bf16"}  # AVX512-BF16 runs in oneDNN's kernels too
    policy, reason = precision.choose_precision(zen4, [], backend="tensorflow")
    assert policy == "float32" and "AVX512-BF16" in reason and "TF_ENABLE_ONEDNN_OPTS=0" in reason


def test_read_cpu_flags_from_a_cpuinfo_file(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\n"
        "flags\t\t: fpu sse2 avx2 avx512f amx_bf16 amx_tile\n\nprocessor\t: 1\n"
    )
    assert precision.read_cpu_flags(cpuinfo) == {
        "fpu",
        "sse2",
        "avx2",
        "avx512f",
        "amx_bf16",
        "amx_tile",
    }
    assert precision.read_cpu_flags(tmp_path / "missing") == set()


def test_this_machine_is_described_without_errors():
    gpus = precision.list_gpus()
    assert isinstance(gpus, list)
    assert all(isinstance(name, str) and (c is None or len(c) == 2) for name, c in gpus)
    policy, reason = precision.choose_precision()
    assert policy in precision.POLICIES and reason


def test_use_precision_auto_sets_the_policy_and_says_why_in_one_line(capsys):
    assert precision.use_precision(cpu_flags=AMX_CPU, gpus=[]) == "mixed_bfloat16"
    assert keras.config.dtype_policy().name == "mixed_bfloat16"
    out = capsys.readouterr().out
    assert out.startswith("precision: mixed_bfloat16 (this CPU has AMX-BF16")
    assert out.count("\n") == 1


@pytest.mark.parametrize("forced", precision.POLICIES)
def test_use_precision_forced_values(forced, capsys):
    assert precision.use_precision(forced, cpu_flags=PLAIN_CPU, gpus=[]) == forced
    assert keras.config.dtype_policy().name == forced
    out = capsys.readouterr().out
    assert out.startswith(f"precision: {forced} (asked for")
    assert ("'auto' would choose float32" in out) == (forced != "float32")


@pytest.mark.parametrize("bad", ["bfloat16", "fp16", "Auto", None, 16])
def test_use_precision_refuses_anything_else(bad):
    with pytest.raises(ValueError, match="mixed_bfloat16"):
        precision.use_precision(bad)
    assert keras.config.dtype_policy().name == "float32"


def _first_layers(model):
    return [layer for layer in model.layers if layer.weights]


def test_under_mixed_bfloat16_the_inner_layers_compute_in_bfloat16_and_the_outputs_are_float32():
    keras.config.set_dtype_policy("mixed_bfloat16")
    generator, discriminator = models.build_generator(), models.build_discriminator()
    for model in (generator, discriminator):
        *inner, last = _first_layers(model)
        assert all(layer.compute_dtype == "bfloat16" for layer in inner)
        assert inner[0].output.dtype == "bfloat16"
        assert last.compute_dtype == "float32" and model.outputs[0].dtype == "float32"
        assert all(w.dtype == "float32" for w in model.weights), "weights stay float32"
    images = generator(np.zeros((2, 100), "float32"))
    scores = discriminator(images)
    assert [keras.backend.standardize_dtype(x.dtype) for x in (images, scores)] == ["float32"] * 2
    assert generator.count_params() == 865_281 and discriminator.count_params() == 212_865


@pytest.mark.parametrize(
    "build",
    [
        models.build_critic,
        models.build_mlp_generator,
        models.build_mlp_discriminator,
        models.build_dcgan_generator,
        models.build_dcgan_discriminator,
        conditional.build_conditional_generator,
        conditional.build_conditional_discriminator,
        lambda: cyclegan.build_cyclegan_generator(filters=4, residual_blocks=1),
        lambda: cyclegan.build_cyclegan_discriminator(filters=4),
        cyclegan.build_domain_classifier,
        lambda: autoencoders.build_dense_autoencoder()[0],
        lambda: autoencoders.build_conv_autoencoder()[0],
        autoencoders.build_vae_encoder,
        autoencoders.build_vae_decoder,
        lambda: diffusion.build_unet(8, widths=(8, 16), block_depth=1),
    ],
)
def test_every_builders_outputs_stay_float32_under_mixed_bfloat16(build):
    keras.config.set_dtype_policy("mixed_bfloat16")
    model = build()
    assert all(output.dtype == "float32" for output in model.outputs)
    assert any(layer.compute_dtype == "bfloat16" for layer in model.layers)


def test_the_last_layers_float32_changes_nothing_under_float32():
    generator = models.build_generator()
    assert (
        generator.layers[-1].get_config()
        == (
            keras.layers.Conv2D(
                1, 5, padding="same", activation="tanh", name=generator.layers[-1].name
            )
        ).get_config()
    )


def test_one_textbook_step_under_mixed_bfloat16_gives_finite_losses():
    keras.config.set_dtype_policy("mixed_bfloat16")
    keras.utils.set_random_seed(0)
    generator, discriminator = models.build_generator(), models.build_discriminator()
    gan = models.build_gan(generator, discriminator)
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    noise = rng.normal(size=(8, 100)).astype("float32")
    d_before, g_before = (
        training.snapshot_weights(discriminator),
        training.snapshot_weights(generator),
    )
    metrics = training.discriminator_step(generator, discriminator, real, noise)
    metrics.update(training.generator_step(gan, discriminator, noise))
    assert all(np.isfinite(metrics[key]) for key in ("d_loss", "g_loss"))
    assert training.weights_changed(d_before, discriminator)
    assert training.weights_changed(g_before, generator)
    assert not isinstance(discriminator.optimizer, keras.optimizers.LossScaleOptimizer)


def test_compile_wraps_the_textbook_optimizers_for_loss_scaling_under_mixed_float16():
    """Keras' compile() does it, so train_on_batch (the textbook loop) scales the loss."""
    keras.config.set_dtype_policy("mixed_float16")
    keras.utils.set_random_seed(0)
    generator, discriminator = models.build_generator(), models.build_discriminator()
    gan = models.build_gan(generator, discriminator)
    assert isinstance(discriminator.optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(gan.optimizer, keras.optimizers.LossScaleOptimizer)
    rng = np.random.default_rng(0)
    noise = rng.normal(size=(4, 100)).astype("float32")
    real = rng.uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    metrics = training.discriminator_step(generator, discriminator, real, noise)
    metrics.update(training.generator_step(gan, discriminator, noise))
    assert all(np.isfinite(metrics[key]) for key in ("d_loss", "g_loss"))


def _one_step_change(policy, make_model, batch):
    """The weights' change in one fit() step with SGD, built under `policy`."""
    keras.config.set_dtype_policy(policy)
    keras.utils.set_random_seed(0)
    model = make_model()
    before = [np.array(w) for w in model.trainable_weights]
    model.fit(batch, epochs=1, steps_per_epoch=1, verbose=0, shuffle=False)
    return [np.array(w) - b for w, b in zip(model.trainable_weights, before)], model


def _gan():
    gan = gan_model.GAN(
        models.build_dcgan_generator(16, filters=(8, 4)),
        models.build_dcgan_discriminator(filters=(4, 8)),
    )
    gan.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    return gan


def _vae():
    vae = autoencoders.build_vae()
    vae.compile(keras.optimizers.SGD(1e-3))
    return vae


@pytest.mark.parametrize(
    "make_model, data",
    [
        (_gan, lambda x: gan_model.make_dataset(2 * x - 1, 8)),
        (_vae, lambda x: x),
    ],
    ids=["GAN", "VAE"],
)
def test_models_with_their_own_train_step_scale_the_loss_under_mixed_float16(make_model, data):
    """One SGD step in float16 moves the weights about as far, and the same way, as in float32.
    Without scaling the loss, the LossScaleOptimizer would divide the gradients by its scale
    (32768) for nothing: the weights would hardly move."""
    x = np.random.default_rng(0).uniform(0, 1, (8, 28, 28, 1)).astype("float32")
    reference, _ = _one_step_change("float32", make_model, data(x))
    changes, model = _one_step_change("mixed_float16", make_model, data(x))
    optimizers = [getattr(model, name, None) for name in ("optimizer", "d_optimizer")]
    assert any(isinstance(o, keras.optimizers.LossScaleOptimizer) for o in optimizers)
    half, full = (np.concatenate([c.ravel() for c in cs]) for cs in (changes, reference))
    size = np.linalg.norm(half) / np.linalg.norm(full)
    cosine = half @ full / (np.linalg.norm(half) * np.linalg.norm(full))
    assert 0.8 < size < 1.25 and cosine > 0.9, (size, cosine)


def test_the_models_with_two_optimizers_wrap_both_under_mixed_float16_and_only_then():
    """GAN and CycleGAN keep their optimizers themselves; under mixed_float16 they wrap them
    as compile() would (CycleGAN's first scaled step was checked by hand: with the initial
    scale of 32768 its generators' gradients overflow and the step is skipped, as Keras'
    dynamic loss scaling does; with a scale of 8 it moves the weights as float32 does)."""
    for policy, wrapped in (("float32", False), ("mixed_float16", True)):
        keras.config.set_dtype_policy(policy)
        gan = _gan()
        shape = (8, 8, 1)
        parts = [cyclegan.build_cyclegan_generator(shape, 4, residual_blocks=1) for _ in range(2)]
        parts += [cyclegan.build_cyclegan_discriminator(shape, filters=4) for _ in range(2)]
        cycle = cyclegan.CycleGAN(*parts)
        cycle.compile()
        for optimizer in (gan.d_optimizer, gan.g_optimizer, cycle.g_optimizer, cycle.d_optimizer):
            assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer) == wrapped
