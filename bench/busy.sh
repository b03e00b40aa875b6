#!/usr/bin/env bash
# Load generator for the mount benchmark (issue 17): N busy processes, each
# spinning on a CPU until this script gets SIGTERM or SIGINT (it then ends them).
#
#     bench/busy.sh 2 &  ...  kill %1
set -u
n=${1:?usage: bench/busy.sh N}
pids=()
for _ in $(seq "$n"); do
    sh -c 'while :; do :; done' &
    pids+=($!)
done
stop() {
    [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
    exit 0
}
trap stop TERM INT
wait
