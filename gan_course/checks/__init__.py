"""Checkers for the exercise notebooks: does the student's code *behave* like the textbook's?

Each `check_*` function takes what the student wrote (a function, a layer class), runs it on
fixed, seeded inputs and returns a Verdict. A notebook cell ending in a check shows it:

    check_generator: 4 of 4 right
      ✓ maps noise (N, 100) to images (N, 28, 28, 1)
      ✗ outputs lie in [0, 1]: end with activation="tanh" so images lie in [-1, 1] like the data
      ...

The text holds no timings and no training-dependent numbers, so it is the same run after run:
nbval compares it with the verdicts stored in the solution notebook (see scripts/grade.py).
Checkers look at behaviour (shapes, ranges, parameter counts, which weights a step changes),
never at source text, so any correct solution passes.

One module per part of the course (`checks.check_generator` is `checks.networks.check_generator`):

    _common        Verdict, @_checker and the helpers every module shares
    gan_idea       01 the GAN idea: value function, generator losses, optimal D
    networks       02-04 the generator and discriminator, DCGAN and MLP
    training_step  05 the combined model and the textbook's training step
    autoencoders   06 the autoencoder and add_noise
    vae            07 the VAE's sampling layer and loss terms
    latent         08 interpolate, slerp, the attribute vector
    better_losses  09 LSGAN, Wasserstein, the gradient penalty
    keras_gan      10 the Keras-native GAN's train_step
    dcgan          11 the DCGAN paper's rules
    conditional    12 the conditional generator
    cyclegan       13 the cycle and identity losses
    diffusion      14 diffusion noising and the DDIM step
"""

from ._common import RIGHT, WRONG, Verdict
from .autoencoders import check_add_noise, check_autoencoder
from .better_losses import check_gradient_penalty, check_lsgan_losses, check_wasserstein_losses
from .conditional import check_conditional_generator
from .cyclegan import check_cycle_losses
from .dcgan import check_dcgan_generator
from .diffusion import check_ddim_step, check_diffusion_noising
from .gan_idea import check_generator_losses, check_optimal_discriminator, check_value_function
from .keras_gan import check_gan_train_step
from .latent import check_attribute_vector, check_interpolate, check_slerp
from .networks import (
    check_discriminator,
    check_generator,
    check_mlp_discriminator,
    check_mlp_generator,
)
from .training_step import check_combined_model, check_train_step
from .vae import check_sampling, check_vae_loss_terms

__all__ = [
    "RIGHT",
    "WRONG",
    "Verdict",
    "check_value_function",
    "check_generator_losses",
    "check_optimal_discriminator",
    "check_generator",
    "check_mlp_generator",
    "check_discriminator",
    "check_mlp_discriminator",
    "check_combined_model",
    "check_train_step",
    "check_autoencoder",
    "check_add_noise",
    "check_sampling",
    "check_vae_loss_terms",
    "check_interpolate",
    "check_slerp",
    "check_attribute_vector",
    "check_lsgan_losses",
    "check_wasserstein_losses",
    "check_gradient_penalty",
    "check_gan_train_step",
    "check_dcgan_generator",
    "check_conditional_generator",
    "check_cycle_losses",
    "check_diffusion_noising",
    "check_ddim_step",
]
