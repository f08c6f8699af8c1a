"""requirements.txt, environment.yml and pyproject.toml agree, and the wheel carries the data."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]


def _requirements(lines):
    reqs = [line.split("#")[0].strip() for line in lines]
    return sorted(re.sub(r"\s+", "", r) for r in reqs if r)


def test_requirements_pyproject_and_environment_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    from_pyproject = _requirements(
        project["dependencies"] + project["optional-dependencies"]["course"]
    )
    from_requirements = _requirements((ROOT / "requirements.txt").read_text().splitlines())
    env_text = (ROOT / "environment.yml").read_text()
    pip_section = env_text.split("- pip:")[1]
    from_environment = _requirements(re.findall(r"^\s+- (.+)$", pip_section, flags=re.M))
    assert from_requirements == from_pyproject
    assert from_environment == from_pyproject
    python = re.search(r"- python(\S+)", env_text).group(1)
    assert python == project["requires-python"], "environment.yml and pyproject.toml: Python"


def test_the_wheel_installs_the_package_with_its_data_files(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("gan_course-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for expected in (
        "gan_course/data_files/mnist_5k.npz",
        "gan_course/data_files/MNIST_5K_LICENSE.md",
        "gan_course/data_files/diagrams/gan.svg",
        "gan_course/data_files/mnist_classifier.weights.h5",
        "gan_course/data_files/diagrams/vae.svg",
        "gan_course/training.py",
        "gan_course/callbacks.py",
        "gan_course/checkpoints.py",
        "gan_course/recipes.py",
        "gan_course/train_dcgan.py",
        "gan_course/checks/__init__.py",
        "gan_course/checks/_common.py",
        "gan_course/checks/networks.py",
    ):
        assert expected in names


def test_fast_mode_reads_the_environment(monkeypatch):
    from gan_course import fast_mode

    cases = {
        "": False,
        "0": False,
        "1": True,
        "yes": True,
        "TRUE": True,
        "True": True,
        "false": False,
        "No": False,
        "off": False,
        " on ": True,
    }
    for value, expected in cases.items():
        monkeypatch.setenv("GAN_COURSE_FAST", value)
        assert fast_mode() is expected, value
    monkeypatch.delenv("GAN_COURSE_FAST")
    assert fast_mode() is False


@pytest.mark.parametrize("value", ["maybe", "2", "fast", "-1"])
def test_fast_mode_refuses_values_that_are_neither_on_nor_off(monkeypatch, value):
    from gan_course import fast_mode

    monkeypatch.setenv("GAN_COURSE_FAST", value)
    with pytest.raises(ValueError, match="GAN_COURSE_FAST=.*on/off"):
        fast_mode()


def test_only_the_retracing_warning_is_dropped():
    import logging

    import gan_course  # noqa: F401  (installs the filter)

    logger = logging.getLogger("tensorflow")
    retracing = logger.makeRecord(
        "tensorflow",
        logging.WARNING,
        __file__,
        1,
        "5 out of the last 7 calls to <f> triggered tf.function retracing.",
        None,
        None,
    )
    other = logger.makeRecord(
        "tensorflow", logging.WARNING, __file__, 1, "something else", None, None
    )
    assert not logger.filter(retracing)
    assert logger.filter(other)
