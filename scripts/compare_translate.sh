#!/usr/bin/env bash
# Side-by-side English→French training throughput and quality (docs/seq2seq-model.md §7): SeqLearn
# (`seqlearn translate train`, 2-thread pool) and PyTorch 1.13 (`scripts/translate_torch.py`, its best thread count: 1),
# the same protocol, run one after the other, alternating which goes first in each round.
#
#   bash scripts/compare_translate.sh [--attention bahdanau|luong-general] [--steps N | --budget SECONDS] [--rounds N]
#                                     [--torch-threads 1] [--out DIR] [--baseline-coretype X]
#
# --steps N (default 300) trains both for N optimizer steps (a throughput comparison: PyTorch skips its test decoding);
# --budget S trains both for S seconds and reports test BLEU too. Prints, per round, the load average, both target
# tokens/s, their ratio, and at the end the median ratio. PyTorch runs without OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (scripts/baseline_env.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/baseline_env.sh
attention=bahdanau; steps=300; budget=""; rounds=3; tthreads=1; out=/tmp/seqlearn-compare-translate
while [ $# -gt 0 ]; do
  case "$1" in
    --attention) attention=$2; shift 2 ;;
    --steps) steps=$2; budget=""; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --torch-threads) tthreads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --baseline-coretype) baseline_coretype_option "${2:-}"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
pairs="${PAIRS:-/work/shared/data/translation/fra-eng-30k.txt}"
[ -f "$pairs" ] || pairs="$(cd .. && pwd)/shared/data/translation/fra-eng-30k.txt"
[ -f "$pairs" ] || { echo "corpus not found: set PAIRS=.../fra-eng-30k.txt" >&2; exit 1; }
require_torch
mkdir -p "$out"
describe_baseline "set_num_threads($tthreads)"
dotnet build Engine.Cli -c Release -v q -nologo > "$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
cli=Engine.Cli/bin/Release/net10.0/seqlearn.dll
if [ -n "$budget" ]; then limit=(--time-budget "$budget"); tlimit=(--budget "$budget"); else limit=(--max-steps "$steps" --eval-every "$steps"); tlimit=(--max-steps "$steps" --no-test --eval-seconds 1e9); fi

run_seqlearn() {
  dotnet "$cli" translate train --pairs "$pairs" --attention "$attention" --threads 2 "${limit[@]}" > "$out/seqlearn-$1.log" 2>&1 \
    || { echo "SeqLearn run $1 failed:" >&2; tail -5 "$out/seqlearn-$1.log" >&2; exit 1; }
}
run_torch() {
  baseline /usr/bin/python3 scripts/translate_torch.py --pairs "$pairs" --attention "$attention" \
    --threads "$tthreads" "${tlimit[@]}" > "$out/torch-$1.jsonl" 2> "$out/torch-$1.err" \
    || { echo "PyTorch run $1 failed:" >&2; tail -5 "$out/torch-$1.err" >&2; exit 1; }
}

for r in $(seq 1 "$rounds"); do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  if [ $((r % 2)) -eq 1 ]; then run_seqlearn "$r"; run_torch "$r"; else run_torch "$r"; run_seqlearn "$r"; fi
  echo "$load" > "$out/load-$r"
done

/usr/bin/python3 - "$out" "$rounds" <<'PY'
import json, re, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
ratios = []
for r in range(1, rounds + 1):
    log = open(f"{out}/seqlearn-{r}.log", encoding="utf-8").read()
    s = re.search(r"stopped: .*?after ([0-9,]+) steps.*training ([0-9:]+), evaluation [0-9:]+, ([0-9,]+) tokens/s", log)
    s_steps, s_tps = int(s.group(1).replace(",", "")), float(s.group(3).replace(",", ""))
    tests = dict(re.findall(r"test, .*?(greedy|beam 5) \([0-9.]+ s\): BLEU = ([0-9.]+)", log))
    t = json.loads(open(f"{out}/torch-{r}.jsonl").read().strip().splitlines()[-1])
    ratios.append(s_tps / t["tokens_per_s"])
    load = open(f"{out}/load-{r}").read().strip()
    print(f"round {r} (load before: {load}): SeqLearn {s_steps} steps {s_tps:,.0f} tok/s"
          f"{' test ' + tests.get('greedy', '?') + ' / ' + tests.get('beam 5', '?') if tests else ''} | "
          f"PyTorch ({t['threads']} thread) {t['steps']} steps {t['tokens_per_s']:,} tok/s"
          f"{' test %s / %s' % (t['test_greedy'], t['test_beam5']) if 'test_greedy' in t else ''} | ratio {ratios[-1]:.2f}")
print(f"median throughput ratio SeqLearn / PyTorch over {rounds} rounds: {statistics.median(ratios):.2f}")
PY
