"""The GAN game in formulas: the value function and the losses the two players minimise.

    min_G max_D V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))]

Every function takes the discriminator's outputs as probabilities in [0, 1] (the output of a
sigmoid), works on numpy arrays and on tensors (inside tf.GradientTape too), and returns a
scalar. Logs are taken of values clipped to [EPS, 1 - EPS] so that a saturated discriminator
gives a large but finite loss.
"""

import numpy as np
from keras import ops

EPS = 1e-7


def _check_probabilities(p, name):
    """Refuse concrete (numpy) inputs outside [0, 1]; tensors inside a graph pass unchecked."""
    if isinstance(p, (np.ndarray, list, tuple, float, int)):
        p = np.asarray(p, dtype=np.float64)
        if p.size == 0:
            raise ValueError(f"{name} is empty: pass the discriminator's outputs for a batch.")
        if p.min() < 0 or p.max() > 1:
            raise ValueError(
                f"{name} must be probabilities in [0, 1] (the discriminator's sigmoid output); "
                f"got values in [{p.min():g}, {p.max():g}]. Logits? Apply a sigmoid first."
            )
    return p


def _log(p):
    return ops.log(ops.clip(ops.convert_to_tensor(p, dtype="float32"), EPS, 1.0 - EPS))


def value_function(d_real, d_fake):
    """V(D, G) = mean(log D(x)) + mean(log(1 - D(G(z)))): what D maximises and G minimises."""
    d_real = _check_probabilities(d_real, "d_real")
    d_fake = _check_probabilities(d_fake, "d_fake")
    return ops.mean(_log(d_real)) + ops.mean(_log(1.0 - ops.convert_to_tensor(d_fake, "float32")))


def discriminator_loss(d_real, d_fake):
    """-V(D, G): the binary cross-entropy of D with label 1 for real and 0 for fake, summed."""
    return -value_function(d_real, d_fake)


def saturating_generator_loss(d_fake):
    """mean(log(1 - D(G(z)))): G's term of the value function, minimised as written (minimax).

    Its gradient vanishes when D confidently rejects the fakes (D(G(z)) near 0), which is how
    training starts: the generator barely learns early on.
    """
    d_fake = _check_probabilities(d_fake, "d_fake")
    return ops.mean(_log(1.0 - ops.convert_to_tensor(d_fake, "float32")))


def non_saturating_generator_loss(d_fake):
    """-mean(log D(G(z))): the loss the textbook code uses (train G with the label "real").

    Same fixed point as the minimax loss, but a strong gradient exactly when D(G(z)) is near 0.
    """
    d_fake = _check_probabilities(d_fake, "d_fake")
    return -ops.mean(_log(d_fake))


def optimal_discriminator(p_data, p_model):
    """D*(x) = p_data(x) / (p_data(x) + p_model(x)), the best D for a fixed G (elementwise).

    Equals 1/2 wherever the generator's density matches the data's. Where both densities are 0,
    returns 1/2 (no evidence either way).
    """
    p_data = np.asarray(p_data, dtype=np.float64)
    p_model = np.asarray(p_model, dtype=np.float64)
    if (p_data < 0).any() or (p_model < 0).any():
        raise ValueError("p_data and p_model are densities: they must not be negative.")
    total = p_data + p_model
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


# Better GAN losses (groundwork for the losses notebook). These critics output raw scores:
# no sigmoid at the end.


def lsgan_discriminator_loss(d_real, d_fake):
    """LSGAN: 1/2 mean((D(x) - 1)^2) + 1/2 mean(D(G(z))^2), on raw scores.

    Unlike the sigmoid cross-entropy, a fake scored far past the decision boundary is still
    penalised by its distance from the target.
    """
    d_real = ops.convert_to_tensor(d_real, "float32")
    d_fake = ops.convert_to_tensor(d_fake, "float32")
    return 0.5 * ops.mean(ops.square(d_real - 1.0)) + 0.5 * ops.mean(ops.square(d_fake))


def lsgan_generator_loss(d_fake):
    """LSGAN: 1/2 mean((D(G(z)) - 1)^2): pull the fakes' scores onto the real target 1."""
    return 0.5 * ops.mean(ops.square(ops.convert_to_tensor(d_fake, "float32") - 1.0))


def wasserstein_critic_loss(c_real, c_fake):
    """WGAN: mean(C(G(z))) - mean(C(x)), the negative of the critic's estimate of the
    Wasserstein distance (Kantorovich-Rubinstein duality), for a 1-Lipschitz critic C."""
    return ops.mean(ops.convert_to_tensor(c_fake, "float32")) - ops.mean(
        ops.convert_to_tensor(c_real, "float32")
    )


def wasserstein_generator_loss(c_fake):
    """WGAN: -mean(C(G(z))): move the fakes to where the critic scores real data."""
    return -ops.mean(ops.convert_to_tensor(c_fake, "float32"))


def gradient_penalty(critic, real, fake, seed=None):
    """WGAN-GP: mean((||grad C(x_hat)||_2 - 1)^2) at random points x_hat between real and fake.

    Zero for a critic whose gradient has norm 1 everywhere (1-Lipschitz and as steep as
    allowed); positive when it is steeper or flatter. Uses tf.GradientTape (TensorFlow backend).
    """
    import tensorflow as tf

    real = tf.convert_to_tensor(real, tf.float32)
    fake = tf.convert_to_tensor(fake, tf.float32)
    shape = [tf.shape(real)[0]] + [1] * (len(real.shape) - 1)
    if seed is None:
        epsilon = tf.random.uniform(shape)
    else:
        epsilon = tf.random.stateless_uniform(shape, seed=[seed, 0])
    mixed = epsilon * real + (1.0 - epsilon) * fake
    with tf.GradientTape() as tape:
        tape.watch(mixed)
        scores = critic(mixed, training=True)
    grads = tape.gradient(scores, mixed)
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=list(range(1, len(real.shape)))) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))


def clip_weights(model, clip_value=0.01):
    """WGAN (weight clipping): clip every trainable weight of `model` into [-c, c], in place."""
    if not clip_value > 0:
        raise ValueError(f"clip_value must be positive, got {clip_value!r}.")
    for weight in model.trainable_weights:
        weight.assign(ops.clip(weight, -clip_value, clip_value))
