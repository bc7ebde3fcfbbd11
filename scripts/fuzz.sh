#!/usr/bin/env bash
# Runs the reader fuzz tests (Engine.Tests/Fuzzing) with more inputs than CI and prints one summary line per reader.
#
#   scripts/fuzz.sh [--iterations N] [--reader NAME] [--seed S] [--no-build]
#
# N inputs per reader (CI uses 2,000), from seed S (default: $SEQLEARN_FUZZ_SEED, else 20). NAME is one of:
#   arpa safetensors checkpoint lm-checkpoint corpus pairs labelled polarity csv   (default: all)
# A failure prints each crashing input with SEQLEARN_FUZZ_SEED/SEQLEARN_FUZZ_ONLY values; with them set, e.g.
#   SEQLEARN_FUZZ_SEED=20 SEQLEARN_FUZZ_ONLY=242 scripts/fuzz.sh --reader arpa
# reruns just that input.
set -euo pipefail
cd "$(dirname "$0")/.."

iterations=2000 reader=all seed=${SEQLEARN_FUZZ_SEED:-20} build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --iterations) iterations="$2"; shift 2 ;;
    --reader) reader="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$iterations" in ''|*[!0-9]*) echo "fuzz.sh: --iterations must be a positive integer, got '$iterations'" >&2; exit 2 ;; esac
[ "$iterations" -ge 1 ] || { echo "fuzz.sh: --iterations must be at least 1" >&2; exit 2; }

ns=SeqLearn.Tests.Fuzzing
case "$reader" in
  all)           filter="FullyQualifiedName~$ns.&FullyQualifiedName!~$ns.MutatorTests" ;;
  arpa)          filter="FullyQualifiedName~$ns.ArpaFuzzTests" ;;
  safetensors)   filter="FullyQualifiedName~$ns.SafeTensorsFuzzTests" ;;
  checkpoint)    filter="FullyQualifiedName~$ns.CheckpointFuzzTests.MutatedCheckpointDirectories" ;;
  lm-checkpoint) filter="FullyQualifiedName~$ns.CheckpointFuzzTests.MutatedLanguageModelCheckpoints" ;;
  corpus)        filter="FullyQualifiedName~$ns.CorpusFuzzTests" ;;
  pairs)         filter="FullyQualifiedName~$ns.ParallelCorpusFuzzTests" ;;
  labelled)      filter="FullyQualifiedName~$ns.LabeledTextFuzzTests.MutatedLabelledText" ;;
  polarity)      filter="FullyQualifiedName~$ns.LabeledTextFuzzTests.MutatedPolarityFiles" ;;
  csv)           filter="FullyQualifiedName~$ns.TimeSeriesCsvFuzzTests" ;;
  *) echo "fuzz.sh: unknown reader '$reader' (arpa safetensors checkpoint lm-checkpoint corpus pairs labelled polarity csv)" >&2; exit 2 ;;
esac

[ "$build" = 1 ] && dotnet build Engine.Tests -c Release 2>&1 | tail -2
report=$(mktemp)
log=$(mktemp)
trap 'rm -f "$report" "$log"' EXIT
started=$(date -u '+%Y-%m-%d %H:%M UTC')
SECONDS=0
status=0
SEQLEARN_FUZZ_ITERATIONS=$iterations SEQLEARN_FUZZ_SEED=$seed SEQLEARN_FUZZ_REPORT=$report \
  dotnet test Engine.Tests -c Release --no-build --filter "$filter" >"$log" 2>&1 || status=$?

echo "fuzz: $iterations inputs per reader, seed $seed, reader $reader; started $started, ${SECONDS} s wall"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) CPUs; load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
sort "$report"
awk '{ for (i = 1; i < NF; i++) { if ($i == "inputs") n += $(i+1); if ($i == "accepted") a += $(i+1); if ($i == "rejected") r += $(i+1); if ($i == "crashes") c += $(i+1) } }
     END { printf "total        inputs %7d  accepted %6d  rejected %7d  crashes %3d\n", n, a, r, c }' "$report"
if [ "$status" != 0 ]; then
  echo "--- dotnet test failed (exit $status); failures:"
  grep -E -A40 '^\s+Failed SeqLearn' "$log" | head -300
  grep -E '^(Passed|Failed)!' "$log" || tail -20 "$log"
fi
exit "$status"
