#!/usr/bin/env bash
# Set up, then run the main job: train the textbook DCGAN (4,001 steps, batch 32) and write
# outputs/dcgan_samples.png, outputs/dcgan_training.gif and outputs/dcgan_losses.png.
# Extra arguments go to the trainer, e.g. --dataset fashion_mnist or --steps 1001.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
TF_CPP_MIN_LOG_LEVEL=3 MPLBACKEND=Agg .venv/bin/python -m gan_course.train_dcgan "$@"
