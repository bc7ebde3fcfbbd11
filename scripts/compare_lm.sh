#!/usr/bin/env bash
# Side-by-side quality-per-time benchmark of the tiny-shakespeare char-LSTM (docs/lm-benchmarks-protocol.md):
# SeqLearn (`seqlearn train`, 2-thread pool) and PyTorch 1.13 (`scripts/lm_torch.py charlm`, 1 intra-op thread),
# same protocol and budget, run one after the other, alternating which goes first in each round.
#
#   bash scripts/compare_lm.sh [--budget SECONDS] [--rounds N] [--out DIR] [--baseline-coretype X]
#
# Per run it records the final validation loss, training tokens/s, peak RSS and (SeqLearn) the resident set every
# 10 s, and prints the medians, the throughput ratio and the memory growth. Needs scripts/install-baselines.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/baseline_env.sh
budget=300; rounds=1; out=/tmp/seqlearn-compare-lm
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) budget=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --baseline-coretype) baseline_coretype_option "${2:-}"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
data="$(cd .. && pwd)/shared/data"
corpus="$data/tinyshakespeare/input.txt"
[ -f "$corpus" ] || { echo "corpus not found: $corpus (../shared beside the repository)" >&2; exit 1; }
require_torch
mkdir -p "$out"
describe_baseline "set_num_threads(1)"
dotnet build Engine.Cli -c Release -v q -nologo > "$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
cli=Engine.Cli/bin/Release/net10.0/seqlearn

run_seqlearn() {  # $1 = round
  local log="$out/seqlearn-$1.log" rss="$out/seqlearn-$1.rss"
  /usr/bin/time -v "$cli" train --corpus "$corpus" --level char --cell lstm --embedding 64 --hidden 256 --layers 2 \
    --batch 32 --bptt 64 --optimizer adam --lr 0.002 --clip 5 --time-budget "$budget" --threads 2 --seed 1 \
    --eval-every 0 --eval-every-seconds 60 --sample 0 > "$log" 2> "$out/seqlearn-$1.time" &
  local pid=$! child=""
  : > "$rss"
  while kill -0 "$pid" 2>/dev/null; do
    [ -n "$child" ] || child=$(pgrep -P "$pid" seqlearn || true)
    [ -n "$child" ] && awk '/VmRSS/ {print $2}' "/proc/$child/status" 2>/dev/null >> "$rss" || true
    sleep 10
  done
  wait "$pid" || { echo "SeqLearn run $1 failed:" >&2; tail -5 "$log" "$out/seqlearn-$1.time" >&2; exit 1; }
}
run_torch() {
  baseline /usr/bin/python3 scripts/lm_torch.py charlm --budget "$budget" --data "$corpus" > "$out/torch-$1.jsonl" 2> "$out/torch-$1.err" \
    || { echo "PyTorch run $1 failed:" >&2; tail -5 "$out/torch-$1.err" >&2; exit 1; }
}

for r in $(seq 1 "$rounds"); do
  echo "round $r/$rounds ($(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg))"
  if [ $((r % 2)) -eq 1 ]; then run_seqlearn "$r"; run_torch "$r"; else run_torch "$r"; run_seqlearn "$r"; fi
done

/usr/bin/python3 - "$out" "$rounds" "$budget" <<'PY'
import json, re, statistics, sys
out, rounds, budget = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = []
for r in range(1, rounds + 1):
    log = open(f"{out}/seqlearn-{r}.log", encoding="utf-8").read()
    timing = open(f"{out}/seqlearn-{r}.time").read()
    s_loss = float(re.search(r"^valid loss ([0-9.]+)", log, re.M).group(1))
    s_tps = float(re.search(r"training [0-9:]+, evaluation [0-9:]+, ([0-9,]+) tokens/s", log).group(1).replace(",", ""))
    s_steps = int(re.search(r"after ([0-9,]+) steps", log).group(1).replace(",", ""))
    s_rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1)) / 1024
    samples = [int(x) / 1024 for x in open(f"{out}/seqlearn-{r}.rss").read().split()]
    final = [json.loads(l) for l in open(f"{out}/torch-{r}.jsonl") if '"final"' in l][0]
    rows.append(dict(s_loss=s_loss, s_tps=s_tps, s_steps=s_steps, s_rss=s_rss, samples=samples,
                     t_loss=final["valid_loss"], t_tps=final["train_tokens_per_s"], t_steps=final["steps"], t_rss=final["peak_rss_mb"]))
print(f"| round | SeqLearn valid loss | PyTorch valid loss | SeqLearn tok/s | PyTorch tok/s | ratio | SeqLearn steps | PyTorch steps | SeqLearn peak RSS MB | PyTorch peak RSS MB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for i, x in enumerate(rows, 1):
    print(f"| {i} | {x['s_loss']:.4f} | {x['t_loss']:.4f} | {x['s_tps']:,.0f} | {x['t_tps']:,.0f} | {x['s_tps'] / x['t_tps']:.2f} | {x['s_steps']:,} | {x['t_steps']:,} | {x['s_rss']:.0f} | {x['t_rss']:.0f} |")
for i, x in enumerate(rows, 1):
    s = x["samples"]
    if len(s) >= 4:
        q = len(s) // 4
        print(f"round {i}: SeqLearn RSS every 10 s (MB): min {min(s):.0f}, first quarter median {statistics.median(s[:q]):.0f}, last quarter median {statistics.median(s[-q:]):.0f}")
med = lambda k: statistics.median(x[k] for x in rows)
print(f"charlm valid loss after {budget} s (median): SeqLearn {med('s_loss'):.4f}, PyTorch {med('t_loss'):.4f}")
print(f"charlm training throughput ratio vs PyTorch (median): {statistics.median(x['s_tps'] / x['t_tps'] for x in rows):.2f}")
PY
