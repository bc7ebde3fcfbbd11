#!/usr/bin/env bash
# Training tokens/s of the recurrent sentence classifier, fold 0 of MR: SeqLearn (`classify cv --only-folds 0
# --max-steps N`) and PyTorch 1.13 (`scripts/classify_torch.py --epochs 1 --max-batches N`), the same model and batch
# size, interleaved (for each cell, thread count and round; SeqLearn goes first in odd rounds, PyTorch in even ones, as
# compare_lm.sh and compare_translate.sh alternate). Tokens are the valid (unpadded)
# tokens of the training batches; time is training time only. Prints one line per pair and the median ratio per cell.
#
#   bash scripts/compare_classify_throughput.sh [--steps 40] [--rounds 3] [--cells "lstm gru"] [--threads "1 2"] [--baseline-coretype X]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/baseline_env.sh
steps=40; rounds=3; cells="lstm gru"; threads="1 2"; out=/tmp/seqlearn-compare-classify
while [ $# -gt 0 ]; do
  case "$1" in
    --baseline-coretype) baseline_coretype_option "${2:-}"; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --cells) cells=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
d=$(pwd); while [ "$d" != / ] && [ ! -d "$d/shared/data" ]; do d=$(dirname "$d"); done   # the first shared/data above
data="$d/shared/data/sentiment"
[ -f "$data/rt-polarity.pos" ] || { echo "MR not found under $data" >&2; exit 1; }
require_torch
mkdir -p "$out"
describe_baseline "set_num_threads($(echo $threads | sed 's/ / and /g')), the faster counted"
rm -f "$out/pairs.txt"
dotnet build Engine.Cli -c Release -v q -nologo > "$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
cli=Engine.Cli/bin/Release/net10.0/seqlearn.dll
for round in $(seq 1 "$rounds"); do
  for cell in $cells; do
    for t in $threads; do
      run_seqlearn() {
        rm -f "$out/metrics.jsonl" "$out/metrics.fold0.jsonl"   # cv writes fold f's log as NAME.fold{f}.EXT
        dotnet "$cli" classify cv --pos "$data/rt-polarity.pos" --neg "$data/rt-polarity.neg" --model rnn --ensemble 1 --cell "$cell" \
          --only-folds 0 --max-steps "$steps" --threads "$t" --metrics "$out/metrics.jsonl" > /dev/null
        sl=$(/usr/bin/python3 -c "import json,sys; print(round([json.loads(l) for l in open(sys.argv[1]) if '\"eval\"' in l][-1]['tokens_per_s']))" "$out/metrics.fold0.jsonl")
      }
      run_torch() {
        pt=$(baseline /usr/bin/python3 scripts/classify_torch.py --fold 0 --cell "$cell" \
          --dropout 0.5 --emb-dropout 0.25 --embedding-std 0.1 --word-dropout 0.25 --threads "$t" --epochs 1 --max-batches "$steps" | tail -1 | sed -E 's/.* ([0-9]+) tokens\/s/\1/')
      }
      if [ $((round % 2)) -eq 1 ]; then run_seqlearn; run_torch; else run_torch; run_seqlearn; fi
      echo "round $round cell $cell threads $t seqlearn $sl torch $pt ratio $(/usr/bin/python3 -c "print(f'{$sl/$pt:.2f}')") load $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out/pairs.txt"
    done
  done
done
/usr/bin/python3 - "$out/pairs.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()]
for cell in sorted({r[3] for r in rows}):
    best_sl = {}; best_pt = {}
    for r in rows:
        if r[3] != cell: continue
        best_sl.setdefault(r[1], []).append(int(r[7])); best_pt.setdefault(r[1], []).append(int(r[9]))
    ratios = [max(v) / max(best_pt[k]) for k, v in best_sl.items()]
    print(f"{cell}: median over rounds of (best SeqLearn / best PyTorch over thread counts) = {statistics.median(ratios):.2f}")
PY
