"""The course's named training recipes for the DCGAN backbone, for both engines.

    from gan_course import recipes, training
    g, d, gan, kwargs = recipes.build_recipe("best")         # the textbook loop
    history = training.train_gan(g, d, gan, x_train, **kwargs)

    keras_gan, fit_kwargs = recipes.build_fit_recipe("best")  # fit(): the same recipe
    gan_model.fit_gan(keras_gan, x_train, **fit_kwargs)

"textbook" is the lecture notes' setup; "best" is the course's best MNIST recipe within 15
minutes of a 2-core CPU (notebook 09 measures it and explains each choice). The command line
(`python -m gan_course.train_dcgan --recipe best`) and both engines import them from here.
Importing this module does not import TensorFlow (the command line checks its options first).
"""

RECIPES = {
    "textbook": {
        "loss": "binary_crossentropy",
        "d_learning_rate": 0.001,  # Keras' "adam": Adam(0.001, beta_1=0.9)
        "g_learning_rate": 0.001,
        "beta_1": 0.9,
        "lr_decay": None,  # constant learning rates
        "d_dropout": 0.3,
        "batch_size": 32,
        "steps": 4001,
        "real_label": 1.0,
        "ema_decay": None,
        "latent_components": 0,  # z ~ N(0, I) straight into the generator
        "latent_scale": None,  # (no mixture, no scale)
    },
    "best": {
        "loss": "binary_crossentropy",
        "d_learning_rate": 0.0005,
        "g_learning_rate": 0.002,  # G learns four times as fast as D
        "beta_1": 0.5,
        "lr_decay": "linear",  # both rates fall linearly to 0 over the run
        "d_dropout": 0.0,  # no Dropout layers in D
        "batch_size": 32,
        "steps": 6001,
        "real_label": 0.9,
        "ema_decay": 0.999,
        "latent_components": 20,  # models.MixtureLatent: 20 separated islands of latent space
        "latent_scale": 4.0,
    },
}


def build_recipe(name="textbook", latent_dim=100, image_shape=(28, 28, 1), steps=None):
    """Build the DCGAN models for a named recipe (see RECIPES).

    steps: the run's length (default: the recipe's). A recipe with lr_decay="linear" lowers
    both learning rates linearly to 0 over exactly that many train_gan steps (keras'
    PolynomialDecay; each step makes two discriminator updates, real and fake, and one
    generator update).

    Returns (generator, discriminator, gan, train_kwargs): pass the models and
    **train_kwargs to training.train_gan, e.g.

        g, d, gan, kwargs = build_recipe("best")
        kwargs["callbacks"].append(callbacks.TrainingLog(500))  # add your own callbacks
        history = training.train_gan(g, d, gan, x_train, **kwargs)
        samples = final_generator(g, kwargs["callbacks"]).predict(noise)

    train_kwargs["callbacks"] holds the recipe's own callbacks: a callbacks.MovingAverage for a
    recipe with ema_decay (sample from its averaged generator: final_generator).
    """
    import keras

    from gan_course import models
    from gan_course.callbacks import MovingAverage

    if name not in RECIPES:
        raise ValueError(f"Unknown recipe {name!r}; choose one of {sorted(RECIPES)}.")
    recipe = RECIPES[name]
    steps = recipe["steps"] if steps is None else steps
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}.")

    def adam(learning_rate, updates_per_step):
        if recipe["lr_decay"] == "linear":
            learning_rate = keras.optimizers.schedules.PolynomialDecay(
                learning_rate, decay_steps=steps * updates_per_step, end_learning_rate=0.0
            )
        return keras.optimizers.Adam(learning_rate, beta_1=recipe["beta_1"])

    def build_generator():  # with latent_components 0 (the textbook) the scale is unused
        return models.build_generator(
            latent_dim=latent_dim,
            image_shape=tuple(image_shape),
            latent_components=recipe["latent_components"],
            latent_scale=recipe["latent_scale"],
        )

    generator = build_generator()
    discriminator = models.build_discriminator(
        input_shape=tuple(image_shape),
        optimizer=adam(recipe["d_learning_rate"], updates_per_step=2),
        loss=recipe["loss"],
        dropout=recipe["d_dropout"],
    )
    gan = models.build_gan(
        generator, discriminator, optimizer=adam(recipe["g_learning_rate"], updates_per_step=1)
    )
    kwargs = {
        "steps": steps,
        "batch_size": recipe["batch_size"],
        "real_label": recipe["real_label"],
        "callbacks": [],
    }
    if recipe["ema_decay"]:
        kwargs["callbacks"].append(MovingAverage(build_generator(), recipe["ema_decay"]))
    return generator, discriminator, gan, kwargs


def final_generator(generator, callbacks=()):
    """The generator to sample from after training: the averaged generator of the first
    callbacks.MovingAverage among `callbacks` (a recipe with ema_decay), else `generator`."""
    from gan_course.callbacks import MovingAverage

    for callback in callbacks:
        if isinstance(callback, MovingAverage):
            return callback.ema_generator
    return generator


def build_fit_recipe(name="textbook", steps=None, seed=0):
    """A recipe of RECIPES as a compiled gan_model.GAN for fit(): the same models, optimizers
    (learning-rate schedules included), loss, real label and moving average as build_recipe.

    Returns (gan, fit_kwargs); train with gan_model.fit_gan(gan, x_train, **fit_kwargs). For a
    recipe with a moving average, sample from final_generator(gan.generator,
    fit_kwargs["callbacks"]) afterwards.
    """
    from gan_course.gan_model import GAN

    generator, discriminator, combined, kwargs = build_recipe(name, steps=steps)
    discriminator.trainable = True  # build_recipe froze it for the combined model
    gan = GAN(generator, discriminator, real_label=kwargs["real_label"], seed=seed)
    gan.compile(discriminator.optimizer, combined.optimizer, loss=RECIPES[name]["loss"])
    return gan, {
        "steps": kwargs["steps"],
        "batch_size": kwargs["batch_size"],
        "callbacks": kwargs["callbacks"],
    }
