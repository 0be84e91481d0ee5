#!/usr/bin/env bash
# make bench: walord + hello against tgsim on 127.0.0.1, driven by
# bench/host_bench.c, then the SQLite micro-benchmark (bench/db_bench.c).
# Method and figures: docs/PERFORMANCE.md.
#
#   WALOR_BUILD_DIR     build tree (default: <repo>/build; make bench sets it)
#   BENCH_USERS         closed-loop users (default 200)
#   BENCH_UPDATES       closed-loop presses, at most (default 20000)
#   BENCH_SECONDS       closed-loop time limit (default 10)
#   BENCH_RATE          open-loop presses per second (default 1000)
#   BENCH_LAT_SECONDS   open-loop duration (default 5)
#   BENCH_WORKERS       walord's [walor] workers (default: walord's own, 4)
#   BENCH_KEEP=1        keep the work directory (logs, ini, database)
#
# Stdout: `bench: tgsim_req_per_s=…`, `bench: updates_per_s=… p50_ms=… p99_ms=…
# rss_mb=… startup_ms=… peak_rss_mb=…`, `bench: db_tx_per_s=… db_select_per_s=…`.
# Exit status non-zero if walord, tgsim or a benchmark fails; every process
# started here is stopped (by its pid) on the way out.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bdir=${WALOR_BUILD_DIR:-$repo/build}
walord=$bdir/bin/walord
tgsim=$bdir/bin/tgsim
host_bench=$bdir/bench/host_bench
db_bench=$bdir/bench/db_bench
plugin_dir=$bdir/lib/walor/plugins
token=100:bench-token

for f in "$walord" "$tgsim" "$host_bench" "$db_bench" "$plugin_dir/hello.so"; do
    [[ -e $f ]] || { echo "bench: $f is not built (make build)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/walor-bench-XXXXXX)
tgsim_pid=""

stop_rc=0
stop_pid() { # pid: SIGTERM, up to 10 s, then SIGKILL; exit code in $stop_rc
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    stop_rc=0
    wait "$pid" 2>/dev/null || stop_rc=$?
}

cleanup() {
    local rc=$?
    # walord is host_bench's child; host_bench stops it, but not if it was killed
    if [[ -s $work/walord.pid ]]; then
        local wpid
        wpid=$(<"$work/walord.pid")
        if kill -0 "$wpid" 2>/dev/null && grep -q walord "/proc/$wpid/cmdline" 2>/dev/null; then
            kill -TERM "$wpid" 2>/dev/null || true
            sleep 1
            kill -KILL "$wpid" 2>/dev/null || true
        fi
    fi
    [[ -n $tgsim_pid ]] && stop_pid "$tgsim_pid"
    if ((rc != 0)); then
        echo "bench: FAILED (work directory $work kept)" >&2
        for log in "$work/walord.log" "$work/tgsim.log"; do
            [[ -f $log ]] && { echo "--- tail of $log" >&2; tail -n 30 "$log" >&2; }
        done
    elif [[ ${BENCH_KEEP:-0} == 1 ]]; then
        echo "bench: work directory $work kept" >&2
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tgsim: a small call log keeps /_sim/log polls cheap (it is scanned whole)
"$tgsim" --listen 127.0.0.1:0 --token "$token" --port-file "$work/tgsim.port" \
    --log-cap 20000 --quiet </dev/null >"$work/tgsim.log" 2>&1 &
tgsim_pid=$!
for ((i = 0; i < 200; i++)); do
    [[ -s $work/tgsim.port ]] && break
    kill -0 "$tgsim_pid" 2>/dev/null || { echo "bench: tgsim exited during start" >&2; exit 1; }
    sleep 0.05
done
[[ -s $work/tgsim.port ]] || { echo "bench: tgsim wrote no port file within 10 s" >&2; exit 1; }
port=$(head -n1 "$work/tgsim.port")
sim=http://127.0.0.1:$port

# --- walord: production defaults (workers, poll_timeout, log_level info), hello only
cat >"$work/walor.ini" <<EOF
; written by bench/run.sh
[walor]
db = $work/walor.db
plugin_dir = $plugin_dir
plugins = hello
owners = 1
log_level = info
${BENCH_WORKERS:+workers = $BENCH_WORKERS}

[telegram]
token = $token
api_root = $sim

[plugin.hello]
enabled = yes
EOF

# walord reads these from the environment over its config: never inherit them
env -u WALOR_BOT_TOKEN -u WALOR_API_ROOT -u WALOR_DB -u WALOR_OWNERS -u WALOR_PLUGIN_DIR \
    -u WALOR_CONFIG -u BOT_TOKEN \
    "$host_bench" --sim "$sim" --token "$token" --walord "$walord" --config "$work/walor.ini" \
    --log "$work/walord.log" --pid-file "$work/walord.pid" --tgsim-pid "$tgsim_pid" \
    --users "${BENCH_USERS:-200}" --updates "${BENCH_UPDATES:-20000}" \
    --seconds "${BENCH_SECONDS:-10}" --rate "${BENCH_RATE:-1000}" \
    --lat-seconds "${BENCH_LAT_SECONDS:-5}"

# --- tgsim must still be up, and stop cleanly
kill -0 "$tgsim_pid" 2>/dev/null || { echo "bench: tgsim died during the run" >&2; exit 1; }
stop_pid "$tgsim_pid"
tgsim_pid=""
((stop_rc == 0)) || { echo "bench: tgsim exited with code $stop_rc" >&2; exit 1; }

(cd "$work" && "$db_bench")
