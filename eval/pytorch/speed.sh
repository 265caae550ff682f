#!/usr/bin/env bash
# Ferry's fine-tuning against the PyTorch reference, run alternately on the same sample, so that
# both see the same load: eval/README.md#pytorch-reference. From the project root:
#   eval/pytorch/speed.sh                      # 3 rounds of top2, full, contrastive on 2 threads
#   eval/pytorch/speed.sh --rounds 5 --threads 4 --modes full --task movie-reviews --k 64 --epochs 1
# Prints each run's JSON line, then per mode the median texts/s of each, their ratio, each one's
# largest peak resident memory, and each round's ratio. Needs ./ferry build, /usr/bin/python3 with
# python3-torch and python3-onnx, and for a fair PyTorch an optimized BLAS (see below).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS=3 THREADS=2 MODES=top2,full,contrastive TASK=movie-reviews K=64 EPOCHS=1 SEED=1
ENCODER=all-minilm-l6-v2 DATA="$ROOT/../shared/data"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2 ;; --threads) THREADS=$2 ;; --modes) MODES=$2 ;; --task) TASK=$2 ;;
    --k) K=$2 ;; --epochs) EPOCHS=$2 ;; --seed) SEED=$2 ;; --encoder) ENCODER=$2 ;; --data) DATA=$2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
cd "$ROOT"
[ -f eval/target/ferry-bench.classpath ] || ./ferry build
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
CP="$ROOT/eval/target/classes:$(cat eval/target/ferry-bench.classpath)"
# The JVM options the ferry launcher gives (its heap starts at 64 MB), then FERRY_JAVA_OPTS.
java_main() {
  ORT_DISABLE_TELEMETRY=1 "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
    -Xss4m -Xms64m ${FERRY_JAVA_OPTS:-} -cp "$CP" "$@" 2> >(grep -v '^SLF4J' >&2)
}
# Debian's python3-torch calls BLAS through libblas.so.3, which is the slow reference BLAS unless
# an optimized one is installed (apt-get install libopenblas0-pthread) or named here.
BLAS="${FERRY_OPENBLAS_DIR:-/usr/lib/x86_64-linux-gnu/openblas-pthread}"
if [ -f "$BLAS/libblas.so.3" ]; then
  export LD_LIBRARY_PATH="$BLAS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
  echo "speed.sh: no OpenBLAS in $BLAS: PyTorch runs on the reference BLAS, about 10x slower;" \
    "install libopenblas0-pthread or set FERRY_OPENBLAS_DIR" >&2
fi
# OpenBLAS picks its kernels by CPU model, and a virtual CPU it does not know (a generic "Intel
# Xeon Processor") gets its oldest ones, Prescott's SSE3: about 3x slower matrix products here. Then
# it is given the kernels for the vector instructions the CPU reports.
if [ -z "${OPENBLAS_CORETYPE:-}" ] \
  && OPENBLAS_VERBOSE=2 /usr/bin/python3 -c 'import torch' 2>&1 | grep -q '^Core: Prescott'; then
  if grep -qw avx512f /proc/cpuinfo; then
    export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo; then
    export OPENBLAS_CORETYPE=Haswell
  fi
  echo "speed.sh: OpenBLAS did not know this CPU; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Prescott}" >&2
fi
# Neither side's threads spin while they wait (Ferry's training sessions do not): on a machine
# with other work, spinning OpenMP threads made PyTorch several times slower.
export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS OMP_WAIT_POLICY=PASSIVE
OUT=$(mktemp -d)
EXAMPLES="$OUT/examples.jsonl"
java_main dev.ferry.eval.finetune.TokenizedExport --data "$DATA" --task "$TASK" --k "$K" \
  --seed "$SEED" --encoder "$ENCODER" --out "$EXAMPLES" --no-test true >&2
MODEL=$(java_main dev.ferry.eval.finetune.EncoderFile --encoder "$ENCODER")
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for round in $(seq 1 "$ROUNDS"); do
  for mode in ${MODES//,/ }; do
    FERRY=$(java_main dev.ferry.eval.finetune.FineTuneSpeed --data "$DATA" --task "$TASK" --k "$K" \
      --seed "$SEED" --encoder "$ENCODER" --mode "$mode" --epochs "$EPOCHS" --threads "$THREADS")
    echo "$FERRY" | tee -a "$OUT/runs.jsonl"
    # The reference trains what Ferry trained: the same layers, batch and dropout.
    ARGS=$(/usr/bin/python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("--unfreeze", r["layers_trained"], "--batch", r["batch"], "--dropout", r["dropout"], "" if r["embeddings_trained"] else "--freeze-embeddings")' "$FERRY")
    /usr/bin/python3 eval/pytorch/finetune_reference.py --model "$MODEL" --examples "$EXAMPLES" \
      --mode "$mode" --epochs "$EPOCHS" --threads "$THREADS" --seed "$SEED" --no-test $ARGS \
      | tee -a "$OUT/runs.jsonl"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
/usr/bin/python3 - "$OUT/runs.jsonl" <<'PY'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
print("mode        ferry texts/s  pytorch texts/s  ratio   ferry peak RSS  pytorch peak RSS  ratio"
      "   ratio per round")
for mode in dict.fromkeys(r["mode"] for r in runs):
    f = [r for r in runs if r["mode"] == mode and r.get("system") == "ferry"]
    p = [r for r in runs if r["mode"] == mode and r.get("system") != "ferry"]
    fs, ps = (statistics.median(x["texts_per_second"] for x in rs) for rs in (f, p))
    fm, pm = (max(x["peak_rss_mib"] for x in rs) for rs in (f, p))
    # Each round ran the two back to back, so a round's ratio saw one load; the spread of these
    # is the run-to-run noise the medians hide.
    rounds = " ".join(f"{a['texts_per_second'] / b['texts_per_second']:.2f}" for a, b in zip(f, p))
    print(f"{mode:11s} {fs:13.1f} {ps:16.1f} {fs / ps:6.2f}x {fm:12.0f} MiB {pm:13.0f} MiB {fm / pm:6.2f}x"
          f"   {rounds}")
PY
rm -rf "$OUT"
