#!/usr/bin/env bash
# startup.sh: the start-up CPU of pathlab's three short commands (issue 15,
# Build 6: at most 20 ms each), with a Go hello-world beside them for the
# load of the machine. CPU accounting here is tick-based, so perf stat's
# task-clock is the measure, not rusage. Each run is one perf stat, the
# commands interleaved, and the figure is the median (and quartiles) of the
# runs: the machine's load drifts over a minute more than one command differs
# from another.
#
#   scripts/startup.sh [RUNS]      (default 40 runs of each; needs perf)
#   REREAD=1 scripts/startup.sh    (root: the binaries' pages read back from
#                                   disk first, as after a reboot)
#
# Three builds of the same source: go build as it comes (cgo on where a C
# compiler is, as here: the net package links the C library, and
# internal/cstart's constructor runs first), CGO_ENABLED=0 (a static binary),
# and the first with PATHLAB_PREFAULT=0 (cstart's and prefault's mapping off)
# for comparison.
#
# How a binary's pages came into the page cache changes its start: written
# by the linker just now, or read back from disk. REREAD=1 drops the page
# cache after the builds (sync; echo 3 >/proc/sys/vm/drop_caches) and runs
# each binary once before measuring.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-40}
world=${WORLD:-simnet/worlds/shop.yaml} # the reference world: WORLD=/work/shared/examples/shop.yaml
command -v perf >/dev/null || { echo "startup.sh: perf is missing (apt-get install -y linux-perf)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/pathlab" ./cmd/pathlab
CGO_ENABLED=0 go build -o "$tmp/pathlab-static" ./cmd/pathlab
mkdir "$tmp/hello"
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' >"$tmp/hello/main.go"
printf 'module hello\n\ngo 1.22\n' >"$tmp/hello/go.mod"
(cd "$tmp/hello" && go build -o "$tmp/hello-world" .)
# the same hello-world importing net: what cgo's start (the dynamic loader,
# the C library, threads made by pthread_create) costs any Go program that
# does, as pathlab does
mkdir "$tmp/hello-net"
printf 'package main\n\nimport (\n\t"fmt"\n\t_ "net"\n)\n\nfunc main() { fmt.Println("hello") }\n' >"$tmp/hello-net/main.go"
printf 'module hello\n\ngo 1.22\n' >"$tmp/hello-net/go.mod"
(cd "$tmp/hello-net" && go build -o hello-net .)

# name|environment|command
cases=("hello-world||$tmp/hello-world" "hello-world importing net||$tmp/hello-net/hello-net")
for b in pathlab pathlab-static; do
  cases+=("$b --help||$tmp/$b --help" "$b trace||$tmp/$b trace" "$b check $(basename "$world")||$tmp/$b check $world")
done
cases+=("PATHLAB_PREFAULT=0 trace|PATHLAB_PREFAULT=0|$tmp/pathlab trace")

if [ -n "${REREAD:-}" ]; then
  sync
  echo 3 >/proc/sys/vm/drop_caches
  for c in "${cases[@]}"; do
    IFS='|' read -r _ _ cmd <<<"$c"
    $cmd >/dev/null 2>&1 </dev/null || true
  done
fi
uptime
for _ in $(seq "$runs"); do
  for c in "${cases[@]}"; do
    IFS='|' read -r name vars cmd <<<"$c"
    # shellcheck disable=SC2086 # the words of vars and cmd
    (if [ -n "$vars" ]; then export $vars; fi; perf stat -x, -e task-clock,page-faults $cmd 2>&1 >/dev/null </dev/null) |
      awk -F, -v name="$name" '$3 == "task-clock" { ms = $1 } $3 == "page-faults" { pf = $1 } END { printf "%s\t%s\t%s\n", name, ms, pf }'
  done
done >"$tmp/runs"
# quantile NAME COLUMN Q: the Q quantile (0-1) of a column of NAME's runs
quantile() {
  awk -F'\t' -v name="$1" -v col="$2" '$1 == name { print $col }' "$tmp/runs" | sort -g |
    awk -v q="$3" '{ v[NR] = $1 } END { i = int(q * (NR - 1) + 1.5); print v[i] }'
}
for c in "${cases[@]}"; do
  name=${c%%|*}
  printf "%-30s %6.1f ms CPU (quartiles %.1f-%.1f) %5d page faults\n" "$name" \
    "$(quantile "$name" 2 0.5)" "$(quantile "$name" 2 0.25)" "$(quantile "$name" 2 0.75)" "$(quantile "$name" 3 0.5)"
done
