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
# Each round checks the small mesh three times and the large one once,
# after one check of each, not counted, that reads them into the page
# cache. Processor time is printed too: it varies less than elapsed time
# on a shared machine. It needs GNU time as /usr/bin/time.
set -euo pipefail
if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: ratio.sh MESHC SMALL_MESH LARGE_MESH [ROUNDS]" >&2
  exit 2
fi
meshc=$(realpath "$(command -v "$1" || echo "$1")")
small=$(realpath "$2")
large=$(realpath "$3")
rounds=${4:-3}
if [ ! -x "$meshc" ]; then
  echo "ratio.sh: $1 is not a program" >&2
  exit 2
fi
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
  echo "ratio.sh: ROUNDS is a number of rounds, 1 or more, not $rounds" >&2
  exit 2
fi
if ! /usr/bin/time -f '%e' true 2>/dev/null; then
  echo "ratio.sh: GNU time is needed as /usr/bin/time (Debian: apt-get install time)" >&2
  exit 2
fi
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

timed small "$small" && timed large "$large" && rm "$work/small" "$work/large" # the page cache's
for round in $(seq "$rounds"); do
  for _ in 1 2 3; do timed small "$small"; done
  timed large "$large"
  echo "round $round: small $(tail -3 "$work/small" | cut -d' ' -f1 | tr '\n' ' ')s," \
    "large $(tail -1 "$work/large" | cut -d' ' -f1) s ($(tail -1 "$work/large" | cut -d' ' -f2) KB)"
done
field() { cut -d' ' -f"$1" "$work/$2"; }
s=$(field 1 small | median)
l=$(field 1 large | median)
smin=$(field 1 small | sort -n | head -1)
lmin=$(field 1 large | sort -n | head -1)
scpu=$(field 3 small | median)
lcpu=$(field 3 large | median)
awk -v s="$s" -v l="$l" -v smin="$smin" -v lmin="$lmin" -v scpu="$scpu" -v lcpu="$lcpu" 'BEGIN {
  printf "medians: small %.2f s, large %.2f s: %.1f times; minimums: %.2f s, %.2f s: %.1f times\n", s, l, l / s, smin, lmin, lmin / smin
  printf "processor time (user and system), medians: small %.2f s, large %.2f s: %.1f times\n", scpu, lcpu, lcpu / scpu
}'
