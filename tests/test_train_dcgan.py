"""The main job writes its three pictures and resumes an interrupted run."""

import imageio.v2 as imageio

from gan_course import train_dcgan


def test_main_job_writes_pictures_and_resumes(tmp_path, capsys):
    args = ["--steps", "4", "--sample-every", "2", "--out", str(tmp_path)]
    history = train_dcgan.main(args)
    assert len(history["g_loss"]) == 4
    for name in ("dcgan_samples.png", "dcgan_training.gif", "dcgan_losses.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert len(imageio.mimread(tmp_path / "dcgan_training.gif")) == 2  # steps 0 and 2
    history = train_dcgan.main(["--steps", "6", "--sample-every", "2", "--out", str(tmp_path)])
    assert "Resuming from the checkpoint" in capsys.readouterr().out
    assert len(history["g_loss"]) == 6
