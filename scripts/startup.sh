#!/usr/bin/env bash
# startup.sh: the start-up CPU of pathlab's three short commands (issue 15,
# Build 6: at most 20 ms each), with a Go hello-world beside them for the
# load of the machine. CPU accounting here is tick-based, so perf stat's
# task-clock is the measure, not rusage.
#
#   scripts/startup.sh [RUNS]      (default 30 runs of each; needs perf)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
world=${WORLD:-simnet/worlds/shop.yaml} # the reference world: WORLD=/work/shared/examples/shop.yaml
command -v perf >/dev/null || { echo "startup.sh: perf is missing (apt-get install -y linux-perf)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/pathlab" ./cmd/pathlab
mkdir "$tmp/hello"
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n' >"$tmp/hello/main.go"
printf 'module hello\n\ngo 1.22\n' >"$tmp/hello/go.mod"
(cd "$tmp/hello" && go build -o "$tmp/hello-world" .)

measure() { # name, command...
  local name=$1
  shift
  perf stat -r "$runs" -x, -e task-clock,page-faults "$@" 2>"$tmp/stat" >/dev/null || true
  awk -F, -v name="$name" '
    $3 == "task-clock" { ms = $1; sd = $4 }
    $3 == "page-faults" { pf = $1 }
    END { printf "%-28s %7.1f ms CPU (+-%s) %6d page faults\n", name, ms, sd, pf }' "$tmp/stat"
}
uptime
measure "hello-world" "$tmp/hello-world"
measure "pathlab --help" "$tmp/pathlab" --help
measure "pathlab trace" "$tmp/pathlab" trace
measure "pathlab check $(basename "$world")" "$tmp/pathlab" check "$world"
