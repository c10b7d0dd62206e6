#!/usr/bin/env bash
# Times `meshc check` without the cache on a small and a large mesh as
# whole processes, alternating them so that both see the same machine,
# and prints how many times the small mesh's time the large one's is
# (docs/performance.md):
#
#   go build -o /tmp/meshc ./cmd/meshc
#   go run ./internal/synth/meshsynth -n 10000 --seed 1 /tmp/mesh10k
#   go run ./internal/synth/meshsynth -n 100000 --seed 1 /tmp/mesh100k
#   internal/perf/ratio.sh /tmp/meshc /tmp/mesh10k /tmp/mesh100k 3
#
# Each round checks the small mesh three times and the large one once.
# Processor time is printed too: it varies less than elapsed time on a
# shared machine.
# The first round also reads the meshes into the page cache, so run at
# least three.
set -euo pipefail
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: ratio.sh MESHC SMALL_MESH LARGE_MESH [ROUNDS]" >&2
  exit 2
fi
meshc=$(realpath "$1")
small=$(realpath "$2")
large=$(realpath "$3")
rounds=${4:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

timed() { # LABEL MESH: adds "seconds peak-KB cpu-seconds" to $work/LABEL; exits if the check fails
  local status=0
  (cd "$2" && MESHC_CACHE=off /usr/bin/time -o "$work/time" -f '%e %M %U %S' "$meshc" check >"$work/output" 2>&1) || status=$?
  if [ $status != 0 ]; then
    echo "ratio.sh: meshc check in $2 exited with $status:" >&2
    tail -5 "$work/output" >&2
    exit 1
  fi
  tail -1 "$work/time" | awk '{print $1, $2, $3 + $4}' >>"$work/$1"
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

for round in $(seq "$rounds"); do
  for _ in 1 2 3; do timed small "$small"; done
  timed large "$large"
  echo "round $round: small $(tail -3 "$work/small" | cut -d' ' -f1 | tr '\n' ' ')s," \
    "large $(tail -1 "$work/large" | cut -d' ' -f1) s ($(tail -1 "$work/large" | cut -d' ' -f2) KB)"
done
column() { cut -d' ' -f"$1" "$work/$2"; }
s=$(column 1 small | median)
l=$(column 1 large | median)
smin=$(column 1 small | sort -n | head -1)
lmin=$(column 1 large | sort -n | head -1)
scpu=$(column 3 small | median)
lcpu=$(column 3 large | median)
awk -v s="$s" -v l="$l" -v smin="$smin" -v lmin="$lmin" -v scpu="$scpu" -v lcpu="$lcpu" 'BEGIN {
  printf "medians: small %.2f s, large %.2f s: %.1f times; minimums: %.2f s, %.2f s: %.1f times\n", s, l, l / s, smin, lmin, lmin / smin
  printf "processor time (user and system), medians: small %.2f s, large %.2f s: %.1f times\n", scpu, lcpu, lcpu / scpu
}'
