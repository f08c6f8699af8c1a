import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import pytest

from gan_course import models


@pytest.fixture
def textbook_models():
    """A freshly built, seeded textbook DCGAN: (generator, discriminator, gan)."""
    keras.utils.set_random_seed(0)
    generator = models.build_generator()
    discriminator = models.build_discriminator()
    gan = models.build_gan(generator, discriminator)
    return generator, discriminator, gan
