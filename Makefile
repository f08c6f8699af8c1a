# Shortcuts for the scripts in scripts/ (which work without make, too).
.PHONY: setup train test notebooks exercises grade links benchmark

setup:      ## create .venv and install the course
	bash scripts/setup.sh

train:      ## the main job: train the textbook DCGAN, pictures in outputs/
	bash scripts/train.sh

test:       ## lint + unit tests + nbval strict over every notebook (fast mode)
	bash scripts/test.sh

notebooks:  ## re-execute every notebook in full mode and save its outputs (slow)
	.venv/bin/python scripts/execute_notebooks.py

exercises:  ## rebuild notebooks/exercises/ from notebooks/solutions/
	.venv/bin/python scripts/make_exercises.py

grade:      ## grade submissions: make grade SUBMISSIONS=submissions/
	.venv/bin/python scripts/grade.py $(SUBMISSIONS)

links:      ## point Colab badges and install cells at [tool.gan_course] in pyproject.toml
	.venv/bin/python scripts/sync_links.py

benchmark:  ## training speed: textbook loop, compiled step, fit(); float32 and bfloat16; the peak
	.venv/bin/python benchmarks/train_speed.py
