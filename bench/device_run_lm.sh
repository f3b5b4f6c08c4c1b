#!/usr/bin/env bash
# One prepared device session for the language-model papers: their training stages on CUDA
# (tests/test_cuda.py), then full-size timings of the pause papers (bench/gpu_check_lm.py).
# Needs the wheels of datasets and its missing dependencies in .whl (see the device README).
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:workflow:tests PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
nvidia-smi -L
timeout 300 python3 -m pytest -q -p no:cacheprovider tests/test_cuda.py > $OUT/cuda_tests.log 2>&1; tail -25 $OUT/cuda_tests.log
timeout 200 python3 bench/gpu_check_lm.py $OUT/gpu_check_lm.json 2>&1 | grep -v "it/s" | tail -8
