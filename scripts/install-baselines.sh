#!/usr/bin/env bash
# Installs the baselines SeqLearn is compared against (Debian 12 packages):
#   python3-torch   PyTorch 1.13, for reference fixtures and the RNN/LM comparisons
#   libopenblas0    OpenBLAS 0.3.21 (libopenblas.so.0), for `compare gemm`
#   python3-numpy   NumPy, used by the fixture scripts
#   python3-nltk    NLTK, whose BLEU functions scripts/translation_reference.py (and translate_torch.py) check against
#   python3-sklearn scikit-learn, the sentiment baselines (scripts/classify_baselines_sklearn.py, which
#                   scripts/classify_torch.py imports for its folds)
# Idempotent: packages already installed are skipped, and nothing runs when all are present.
# The tests do not need any of this; only the comparisons and fixture regeneration do.
set -euo pipefail

packages=(python3-torch libopenblas0 python3-numpy python3-nltk python3-sklearn)
missing=()
for p in "${packages[@]}"; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    echo "already installed: $p"
  else
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "all baselines present"
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing: ${missing[*]}"
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${missing[@]}"
