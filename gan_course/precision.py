"""Which number format to train in: the fastest one that is safe on this machine.

Keras can keep the weights in float32 and compute in a 16-bit format (mixed precision): half
the memory traffic, and on hardware with matrix units for that format, several times the
multiplications per second. Whether it pays depends on the machine:

- a CPU with AMX-BF16 (Intel Xeon since Sapphire Rapids) multiplies bfloat16 in its tile
  units: "mixed_bfloat16" (on the course's 2-core Xeon a large bfloat16 matrix product ran 4
  times as fast as float32, and the textbook DCGAN trained 1.4 to 1.7 times as fast;
  benchmarks/README.md);
- an NVIDIA GPU of compute capability 8.0 or more (A100, RTX 30xx, L4, H100...) computes in
  bfloat16 on its tensor cores: "mixed_bfloat16" (bfloat16 has float32's range, so no loss
  scaling is needed);
- a GPU of compute capability 7.x (V100, T4, RTX 20xx) has float16 tensor cores only:
  "mixed_float16". float16's small range lets small gradients underflow to zero, so Keras
  scales the loss: `compile()` wraps the optimizer in `keras.optimizers.LossScaleOptimizer`
  when the model's policy is mixed_float16, and `train_on_batch` (the textbook loop) and
  `fit()` both scale the loss and unscale the gradients through it;
- a CPU with AVX512-BF16 but no AMX (AMD Zen 4, Intel Cooper Lake) has bfloat16 dot-product
  instructions: "mixed_bfloat16" (on a 2-core AMD EPYC with them a large bfloat16 product ran
  1.9 times as fast as float32, and the textbook DCGAN trained 1.2 to 1.3 times as fast;
  benchmarks/README.md);
- anything else: "float32". A CPU without bfloat16 arithmetic converts to float32 and back
  at every operation: on the course's AVX2 CPU the textbook DCGAN trained 5 to 12 times
  slower in mixed_bfloat16 than in float32 (benchmarks/README.md).

    from gan_course.precision import use_precision
    use_precision()            # prints e.g. "precision: float32 (this CPU has no AMX-BF16 ...)"
    generator = models.build_generator()   # build the models after choosing

The course's builders keep the last layer, whose output feeds a loss, in float32 under any
policy, as the Keras mixed-precision guide advises: a sigmoid's 0.999 or a tanh's -0.998 in
bfloat16 would round to 1 and -1, and the losses would see the rounding.
"""

import os

import keras

POLICIES = ("float32", "mixed_bfloat16", "mixed_float16")
CHOICES = ("auto",) + POLICIES


def read_cpu_flags(path="/proc/cpuinfo"):
    """The CPU's feature flags (e.g. {"avx2", "amx_bf16"}) from Linux's /proc/cpuinfo.

    An empty set where the file is missing or unreadable (macOS, Windows): no flag is assumed.
    """
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            for line in file:
                if line.startswith(("flags", "Features")):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _capability(value):
    """(major, minor) from a compute capability given as (8, 0), "8.0" or None."""
    if value is None:
        return None
    if isinstance(value, str):
        major, _, minor = value.partition(".")
        return int(major), int(minor or 0)
    return int(value[0]), int(value[1])


def list_gpus(backend=None):
    """The GPUs the Keras backend sees, as [(name, (major, minor) or None), ...].

    The compute capability comes from TensorFlow's device details, JAX's devices or
    torch.cuda, for the backend Keras runs on (keras.backend.backend() by default); None
    where the backend does not report it (e.g. an AMD GPU).
    """
    backend = backend or keras.backend.backend()
    found = []
    if backend == "tensorflow":
        import tensorflow as tf

        for device in tf.config.list_physical_devices("GPU"):
            details = tf.config.experimental.get_device_details(device)
            found.append(
                (
                    details.get("device_name", device.name),
                    _capability(details.get("compute_capability")),
                )
            )
    elif backend == "jax":
        import jax

        for device in jax.devices():
            if device.platform == "gpu":
                found.append(
                    (device.device_kind, _capability(getattr(device, "compute_capability", None)))
                )
    elif backend == "torch":
        import torch

        for i in range(torch.cuda.device_count() if torch.cuda.is_available() else 0):
            found.append((torch.cuda.get_device_name(i), torch.cuda.get_device_capability(i)))
    return found


def _onednn_off():
    """True if TensorFlow's oneDNN kernels, which use AMX, are switched off."""
    return os.environ.get("TF_ENABLE_ONEDNN_OPTS", "").strip().lower() in ("0", "false", "off")


def choose_precision(cpu_flags=None, gpus=None, backend=None):
    """The fastest safe Keras dtype policy for this machine: (policy name, one-line reason).

    GPUs decide if there are any (the lowest compute capability among them: every GPU must
    compute in the chosen format); otherwise the CPU's flags. cpu_flags (a set of
    /proc/cpuinfo flags), gpus ([(name, (major, minor) or None), ...]) and backend (a Keras
    backend name) describe the machine; None reads them from this one (read_cpu_flags,
    list_gpus, keras.backend.backend()). Tests pass made-up machines.
    """
    backend = backend or keras.backend.backend()
    gpus = list_gpus(backend) if gpus is None else list(gpus)
    if gpus:
        capabilities = [_capability(capability) for _, capability in gpus]
        if any(capability is None for capability in capabilities):
            unknown = gpus[capabilities.index(None)][0]
            return "float32", (
                f"the GPU {unknown} does not report an NVIDIA compute capability, so nothing is "
                "known to compute faster than float32 on it"
            )
        lowest = min(capabilities)
        name = gpus[capabilities.index(lowest)][0]
        where = f"the GPU {name} (compute capability {lowest[0]}.{lowest[1]})"
        if lowest >= (8, 0):
            return "mixed_bfloat16", (
                f"{where} computes in bfloat16 on its tensor cores; bfloat16 has float32's "
                "range, so no loss scaling is needed"
            )
        if lowest >= (7, 0):
            return "mixed_float16", (
                f"{where} has float16 tensor cores but no fast bfloat16; Keras scales the loss "
                "(LossScaleOptimizer) so that small float16 gradients do not underflow"
            )
        return "float32", f"{where} has no tensor cores: 16-bit formats would not be faster"
    flags = read_cpu_flags() if cpu_flags is None else {flag.lower() for flag in cpu_flags}
    fast_bfloat16 = {  # the CPU's bfloat16 unit: why mixed_bfloat16 pays on it
        "amx_bf16": (
            "AMX-BF16",
            "this CPU has AMX-BF16: its tile units multiply large bfloat16 matrices about 4 "
            "times as fast as float32 (the textbook DCGAN trained 1.4 to 1.7 times as fast; "
            "benchmarks/README.md)",
        ),
        "avx512_bf16": (
            "AVX512-BF16",
            "this CPU has AVX512-BF16 (no AMX): its bfloat16 dot products multiply large "
            "matrices about twice as fast as float32 (the textbook DCGAN trained 1.2 to 1.3 "
            "times as fast; benchmarks/README.md)",
        ),
    }
    for flag, (unit, why) in fast_bfloat16.items():  # AMX first: a CPU with it has both
        if flag in flags:
            if backend == "tensorflow" and _onednn_off():
                return "float32", (
                    f"this CPU has {unit}, but TF_ENABLE_ONEDNN_OPTS=0 switches off "
                    "TensorFlow's oneDNN kernels that use it"
                )
            return "mixed_bfloat16", why
    return "float32", (
        "this CPU has no AMX-BF16 and there is no GPU: bfloat16 would be converted to float32 "
        "and back at every operation, slower, not faster"
    )


def use_precision(precision="auto", cpu_flags=None, gpus=None, backend=None, verbose=True):
    """Set Keras' global dtype policy and say in one line what was chosen and why.

    precision: "auto" (choose_precision's pick for this machine), or "float32",
    "mixed_bfloat16", "mixed_float16" to force one. cpu_flags, gpus and backend are passed to
    choose_precision. Call it before building the models: a layer keeps the policy it was
    built with. Returns the policy name; use_precision("float32") restores the default.
    """
    if precision not in CHOICES:
        raise ValueError(
            f"precision must be one of {', '.join(repr(c) for c in CHOICES)} ('auto' picks the "
            f"fastest safe one for this machine); got {precision!r}."
        )
    if precision == "auto":
        policy, reason = choose_precision(cpu_flags, gpus, backend)
    else:
        policy, reason = precision, "asked for"
        chosen, why = choose_precision(cpu_flags, gpus, backend)
        if chosen != policy:
            reason = f"asked for; 'auto' would choose {chosen}: {why}"
    keras.config.set_dtype_policy(policy)
    if verbose:
        print(f"precision: {policy} ({reason})")
    return policy


def loss_scaled(optimizer, model):
    """`optimizer`, wrapped in keras.optimizers.LossScaleOptimizer if `model` computes in float16.

    What `Model.compile` does for a model's own optimizer under "mixed_float16", for the models
    that keep two optimizers themselves (gan_model.GAN, cyclegan.CycleGAN). Their train_step
    multiplies each loss by `optimizer.scale_loss` before differentiating, and
    `apply_gradients` divides the gradients back (and skips a step whose gradients overflowed).
    Under float32 and bfloat16 the optimizer comes back unchanged, and scale_loss changes nothing.
    """
    if model.dtype_policy.name == "mixed_float16" and not isinstance(
        optimizer, keras.optimizers.LossScaleOptimizer
    ):
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer
