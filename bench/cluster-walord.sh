#!/usr/bin/env bash
# Stands in for walord when bench/run.sh's "cluster" phase runs host_bench:
# host_bench execs `<this> --config FILE`, where FILE (written by run.sh)
# sets N (instances), DIR (their configs walor-1.ini … and logs), WALORD and
# NGINX. Starts nginx in front of the N walords, says "walord: ready" once
# every one did, and stops them all (SIGTERM, waited for) when host_bench
# stops it. host_bench's CPU and memory figures then describe this script,
# not the walords: the cluster phase reports throughput and latency only.
set -euo pipefail
[[ ${1:-} == --config && -f ${2:-} ]] || { echo "cluster-walord.sh --config FILE" >&2; exit 2; }
# shellcheck disable=SC1090
source "$2"
pids=()
stop_all() {
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    exit 0
}
trap stop_all TERM INT
"$NGINX" -p "$DIR/nginx" -c "$DIR/nginx/nginx.conf" 2>"$DIR/nginx/stderr.log" &
pids+=($!)
for ((i = 1; i <= N; i++)); do
    "$WALORD" --config "$DIR/walor-$i.ini" >>"$DIR/walord-$i.log" 2>&1 &
    pids+=($!)
done
for ((i = 1; i <= N; i++)); do
    for ((t = 0; t < 600; t++)); do
        grep -q "walord: ready" "$DIR/walord-$i.log" 2>/dev/null && break
        sleep 0.05
    done
done
echo "walord: ready ($N instance(s) behind nginx)"
wait
