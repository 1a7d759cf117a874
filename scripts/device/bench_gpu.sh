#!/usr/bin/env bash
# scripts/bench_gpu.py on a GPU machine that has torch, torchvision and rich but neither the
# hydra packages nor the data, and no network (the device machine), in one call:
#
#   scripts/device/bench_gpu.sh prepare         # here: .gpu_carry/ = the wheels + MNIST, USPS, BSDS500 (~30 MB)
#   scripts/device/bench_gpu.sh run [ARGS ...]  # there, with .gpu_carry carried: installs, unpacks, benchmarks
#
# `run` writes the Markdown table to $OUT/bench_gpu.md (or ./bench_gpu.md) and passes ARGS on to
# bench_gpu.py (e.g. --preset-jobs 8 --compile). The digits preset runs on MNIST->USPS, USPS->MNIST
# and MNIST->MNIST-M with MNIST-M generated from BSDS500 (the published archive, 128 MB, is over
# what a call carries). Needs pip here (prepare); nothing is downloaded there.
set -euo pipefail
cd "$(dirname "$0")/../.."
CARRY=.gpu_carry
DATA=${TRANSFERBENCH_DATA:-../shared/datasets}
# What transferbench needs beyond the device image's packages (torch, torchvision, rich, numpy,
# scipy, scikit-learn, matplotlib, joblib, PyYAML are there).
WHEELS=(hydra-core==1.3.8 omegaconf==2.3.1 antlr4-python3-runtime==4.9.3 hydra-joblib-launcher==1.2.0)

prepare() {
  rm -rf "$CARRY" && mkdir -p "$CARRY/wheels" "$CARRY/data/MNIST/raw" "$CARRY/data/USPS"
  python3 -m pip wheel --quiet --no-deps --wheel-dir "$CARRY/wheels" "${WHEELS[@]}"
  for file in "$DATA"/MNIST/raw/*-ubyte; do gzip -c "$file" > "$CARRY/data/MNIST/raw/$(basename "$file").gz"; done
  cp "$DATA"/USPS/usps.bz2 "$DATA"/USPS/usps.t.bz2 "$CARRY/data/USPS/"
  cp -r "$DATA/BSDS500" "$CARRY/data/"
  chmod -R u+w "$CARRY"
  du -sh "$CARRY"
}

run() {
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site "$CARRY"/wheels/*.whl
  export PYTHONPATH="/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}" TRANSFERBENCH_DATA="$PWD/$CARRY/data" PYTHONUNBUFFERED=1
  gunzip -kf "$CARRY"/data/MNIST/raw/*.gz
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
  python3 scripts/bench_gpu.py --preset-tasks mnist_usps usps_mnist mnist_mnistm_generated \
    --out "${OUT:-.}/bench_gpu.md" "$@"
}

case "${1:-}" in
  prepare) prepare ;;
  run) shift; run "$@" ;;
  *) echo "usage: $0 prepare | run [bench_gpu.py arguments]" >&2; exit 2 ;;
esac
