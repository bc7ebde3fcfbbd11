#!/usr/bin/env bash
# The Zaremba et al. (2014) "small" word-level LSTM on Penn Treebank, SeqLearn and PyTorch 1.13 one after the
# other (docs/lm-benchmarks-protocol.md): 2 LSTM layers of 200, no dropout, weights U(-0.1, 0.1), B = 20, T = 20,
# SGD, clip 5 on the loss summed over T (= lr 20, clip 0.25 on SeqLearn's per-token mean loss), lr halved every
# epoch after the 4th, 13 epochs, validation after every epoch, test perplexity at the end.
#
#   bash scripts/compare_ptb.sh [--epochs N] [--only seqlearn|torch] [--out DIR] [--baseline-coretype X]
#
# Each side's wall time is taken by this script around its process(es) and covers everything: start-up, loading,
# training, the per-epoch validation, the test evaluation.
# It takes about an hour for both sides: not part of CI. Needs scripts/install-baselines.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/baseline_env.sh
epochs=13; only=""; out=/tmp/seqlearn-compare-ptb
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) epochs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --baseline-coretype) baseline_coretype_option "${2:-}"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
ptb="$(cd .. && pwd)/shared/data/ptb"
case "$only" in ""|seqlearn|torch) ;; *) echo "--only takes seqlearn or torch, not '$only'" >&2; exit 2 ;; esac
[ -f "$ptb/ptb.train.txt" ] || { echo "PTB not found: $ptb (../shared beside the repository)" >&2; exit 1; }
[ "$only" = seqlearn ] || require_torch
mkdir -p "$out"
if [ "$only" = seqlearn ]; then describe_machine; else describe_baseline "set_num_threads(1)"; fi  # no PyTorch run: no baseline line
cli=Engine.Cli/bin/Release/net10.0/seqlearn

if [ "$only" != torch ]; then
  dotnet build Engine.Cli -c Release -v q -nologo > "$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
  rm -rf "$out/checkpoint"
  echo "SeqLearn: $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(date +%s.%N)
  /usr/bin/time -v "$cli" train --train "$ptb/ptb.train.txt" --valid "$ptb/ptb.valid.txt" --level word \
    --cell lstm --embedding 200 --hidden 200 --layers 2 --dropout 0 --init-range 0.1 --batch 20 --bptt 20 \
    --optimizer sgd --lr 20 --clip 0.25 --schedule step --step-size 1 --gamma 0.5 --first-decay-epoch 4 \
    --epochs "$epochs" --eval-every 2323 --threads 2 --seed 1 --sample 0 --checkpoint "$out/checkpoint" \
    --metrics "$out/seqlearn-metrics.jsonl" > "$out/seqlearn-train.log" 2> "$out/seqlearn-train.time"
  "$cli" eval --checkpoint "$out/checkpoint/last" --corpus "$ptb/ptb.test.txt" --batch 1 --steps 20 --threads 2 \
    > "$out/seqlearn-test.log"
  end=$(date +%s.%N)
  echo "$start $end" > "$out/seqlearn-wall"
  tail -4 "$out/seqlearn-train.log"; cat "$out/seqlearn-test.log"
fi

if [ "$only" != seqlearn ]; then
  echo "PyTorch: $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(date +%s.%N)
  baseline /usr/bin/python3 scripts/lm_torch.py ptb --epochs "$epochs" --data "$ptb" > "$out/torch.jsonl" 2> "$out/torch.err" \
    || { echo "PyTorch run failed:" >&2; tail -5 "$out/torch.err" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$start $end" > "$out/torch-wall"
  tail -2 "$out/torch.err"
fi

/usr/bin/python3 - "$out" "$only" <<'PY'
import json, os, re, sys
out, only = sys.argv[1], sys.argv[2]
if only != "torch":
    start, end = map(float, open(f"{out}/seqlearn-wall").read().split())
    test = open(f"{out}/seqlearn-test.log", encoding="utf-8").read()
    ppl = float(re.search(r"Perplexity including OOVs:\s*([0-9.]+)", test).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{out}/seqlearn-train.time").read()).group(1)) / 1024
    print(f"ptb SeqLearn: test perplexity {ppl:.2f}, wall {end - start:.0f} s ({(end - start) / 60:.1f} min), peak RSS {rss:.0f} MB")
if only != "seqlearn":
    final = [json.loads(l) for l in open(f"{out}/torch.jsonl") if '"final"' in l][0]
    start, end = map(float, open(f"{out}/torch-wall").read().split())
    print(f"ptb PyTorch: test perplexity {final['test_ppl']:.2f}, wall {end - start:.0f} s ({(end - start) / 60:.1f} min; "
          f"{final['total_seconds']:.0f} s after import torch), peak RSS {final['peak_rss_mb']:.0f} MB")
PY
