#!/usr/bin/env bash
# One prepared device session: the GPU check, then a 16-way CPU calibration sweep (1 thread each).
export PYTHONPATH=workflow PYTHONUNBUFFERED=1
nvidia-smi -L; python3 -c "import torch; print(torch.__version__)"
[ -z "$SKIP_GPU" ] && timeout 120 python3 bench/gpu_check.py $OUT/gpu.json > $OUT/gpu.log 2>&1; tail -12 $OUT/gpu.log
S=${CALIB_SECONDS:-240}
while read -r name args; do
  python3 bench/calibrate_pathstar.py $OUT/calib.jsonl $name $args 20000 $S > /dev/null 2>&1 &
done <<'CONFIGS'
ntp_l4_bs32_lr1e-3 ntp 2 4 20 2 2 64 32 0.001
tl_l4_bs32_lr1e-3 teacherless 2 4 20 2 2 64 32 0.001
rev_l4_bs32_lr1e-3_s1 reverse 2 4 20 2 2 64 32 0.001
ntp_l4_bs64_lr1e-3 ntp 2 4 20 2 2 64 64 0.001
tl_l4_bs64_lr1e-3 teacherless 2 4 20 2 2 64 64 0.001
ntp_l3_n10_bs32_lr1e-3 ntp 2 3 10 2 2 64 32 0.001
tl_l3_n10_bs32_lr1e-3 teacherless 2 3 10 2 2 64 32 0.001
rev_l3_n10_bs32_lr1e-3 reverse 2 3 10 2 2 64 32 0.001
ntp_l4_d128h4_lr1e-3 ntp 2 4 20 2 4 128 64 0.001
tl_l4_d128h4_lr1e-3 teacherless 2 4 20 2 4 128 64 0.001
ntp_l4_bs32_lr5e-4 ntp 2 4 20 2 2 64 32 0.0005
rev_l4_bs32_lr5e-4 reverse 2 4 20 2 2 64 32 0.0005
ntp_l5_n50_bs32_lr1e-3 ntp 2 5 50 2 2 64 32 0.001
rev_l5_n50_bs32_lr1e-3 reverse 2 5 50 2 2 64 32 0.001
tl_l5_n50_bs32_lr1e-3 teacherless 2 5 50 2 2 64 32 0.001
ntp_l4_bs128_lr1e-3 ntp 2 4 20 2 2 64 128 0.001
CONFIGS
wait
python3 - <<'PY'
import json, os, collections
last = collections.OrderedDict()
for line in open(os.environ["OUT"] + "/calib.jsonl"):
    r = json.loads(line); last.setdefault(r["name"], []).append(r)
for name, rs in last.items():
    curve = " ".join(f"{r['step']}:{r['full']:.2f}" for r in rs[::2])
    print(f"{name:24s} steps={rs[-1]['step']:6d} sec={rs[-1]['sec']:5.0f} full={rs[-1]['full']:.3f} forced={[round(x,2) for x in rs[-1]['forced']]}\n   {curve}")
PY
