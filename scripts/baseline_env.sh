# Sourced by the comparison scripts: runs the baselines (PyTorch, and the OpenBLAS it calls) at full strength.
# OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, when exported (Haswell / 512 on the project's machines), confine Debian's
# OpenBLAS to its AVX2 kernels, about half its speed on an AVX-512 CPU; `baseline CMD...` runs CMD with both
# removed from its environment alone, or with OPENBLAS_CORETYPE=$BASELINE_CORETYPE when a script's
# --baseline-coretype X set it, to reproduce a forced kernel on purpose. SeqLearn's own runs keep the environment.
BASELINE_CORETYPE=""

# The value of a script's --baseline-coretype X (call with "${2:-}"); exits on a missing kernel name.
baseline_coretype_option() {
  if [ -z "${1:-}" ] || [ "${1#--}" != "$1" ]; then
    echo "--baseline-coretype needs a kernel name, e.g. Haswell or SkylakeX" >&2
    exit 2
  fi
  BASELINE_CORETYPE=$1
}

baseline() {
  if [ -n "$BASELINE_CORETYPE" ]; then
    env -u OPENBLAS_L2_SIZE OPENBLAS_CORETYPE="$BASELINE_CORETYPE" "$@"
  else
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"
  fi
}

# Exits with a message naming the installer when /usr/bin/python3 cannot import torch.
require_torch() {
  /usr/bin/python3 -c 'import torch' 2>/dev/null \
    || { echo "PyTorch missing (/usr/bin/python3 cannot import torch): run bash scripts/install-baselines.sh" >&2; exit 1; }
}

# One line naming the CPU, its logical CPU count and the load.
describe_machine() {
  local cpu
  cpu=$(awk -F': ' '/^model name/ {n=$2} /^cpu family/ {f=$2} /^model\t/ {m=$2} /^$/ {exit} END {printf "%s (family %s model %s)", n, f, m}' /proc/cpuinfo)
  echo "machine: $cpu, $(nproc) logical CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# describe_machine, then a line naming what the baseline runs on: PyTorch's version and default threads, the
# OpenBLAS kernel it loaded (openblas_get_corename) and, given as $1, the intra-op threads the script runs it with.
describe_baseline() {
  describe_machine
  echo "baseline: $(baseline /usr/bin/python3 -c '
import ctypes, torch
blas = ctypes.CDLL("libopenblas.so.0"); blas.openblas_get_corename.restype = ctypes.c_char_p
print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} intra-op threads by default, OpenBLAS core {blas.openblas_get_corename().decode()}")
' 2>/dev/null || echo 'PyTorch not found')${1:+, run with $1}$([ -n "$BASELINE_CORETYPE" ] && echo " (forced with --baseline-coretype $BASELINE_CORETYPE)" || echo " (OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE unset)")"
}
