#!/usr/bin/env bash
# Times meshc as whole processes on a mesh, against the parse floor of the
# same files measured in the same run (docs/performance.md):
#
#   go build -o /tmp/meshc ./cmd/meshc
#   go run ./internal/synth/meshsynth -n 10000 --seed 1 /tmp/mesh10k
#   internal/perf/processes.sh /tmp/meshc /tmp/mesh10k
#
# It builds the three targets into MESH/gen first, so that the builds with
# --check compare unchanged files, edits one product's file (and puts it
# back) to time a warm check after a change, and times fmt --check without
# the cache, filling it (its list of formatted files) and warm. The cache
# lives in a temporary folder of its own, and so do the builds' output
# indexes (the user's cache folder, XDG_CACHE_HOME): the warm builds with
# --check, after the first, find their files through the index rather than
# read them.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: processes.sh MESHC MESH" >&2
  exit 2
fi
meshc=$(realpath "$1")
mesh=$(realpath "$2")
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
cache=$work/cache
floor=$work/floor
edited=$(find "$mesh" -name '*.mesh.hcl' -path '*/domains/*' ! -name domain.mesh.hcl | sort | sed -n 1p)
if [ -z "$edited" ]; then
  echo "processes.sh: no product file under $mesh/domains to edit" >&2
  exit 2
fi
cp "$edited" "$work/edited.keep"
# Put the edited file back whatever happens.
trap 'cp "$work/edited.keep" "$edited"; rm -rf "$work"' EXIT
(cd "$root" && go build -o "$floor" ./internal/perf/floor)

timed() { # LABEL CACHE COMMAND...: prints seconds and peak memory, and the exit code if not 0
  local label=$1 c=$2 status=0
  shift 2
  (cd "$mesh" && MESHC_CACHE=$c XDG_CACHE_HOME=$work/user /usr/bin/time -o "$work/time" -f '%e s, %M KB' "$@" >/dev/null 2>&1) || status=$?
  printf '%-44s %s%s\n' "$label" "$(tail -1 "$work/time")" "$([ $status = 0 ] || echo ", exit $status")"
}

(cd "$mesh" && MESHC_CACHE=off "$meshc" build --target gitlab,airflow,snowflake . >/dev/null 2>&1)
"$floor" "$mesh"
timed "check, no cache" off "$meshc" check .
rm -rf "$cache"
timed "check, filling the cache" "$cache" "$meshc" check .
timed "check, warm" "$cache" "$meshc" check .
printf '\n# edited\n' >> "$edited"
timed "check, warm, one file edited" "$cache" "$meshc" check .
cp "$work/edited.keep" "$edited"
timed "fmt --check, no cache" off "$meshc" fmt --check .
timed "fmt --check, filling the cache" "$cache" "$meshc" fmt --check .
timed "fmt --check, warm" "$cache" "$meshc" fmt --check .
for target in gitlab airflow snowflake; do
  timed "build --target $target --check, warm" "$cache" "$meshc" build --target $target --check .
done
for target in gitlab airflow snowflake; do
  timed "build --target $target --check, no cache" off "$meshc" build --target $target --check .
done
timed "build --target all three --check, no cache" off "$meshc" build --target gitlab,airflow,snowflake --check .
timed "build --target all three --check, warm" "$cache" "$meshc" build --target gitlab,airflow,snowflake --check .
"$floor" "$mesh"
