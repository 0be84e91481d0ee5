#!/usr/bin/env bash
# make bench: walord against tgsim on 127.0.0.1, driven by bench/host_bench.c
# in three phases, each with its own tgsim and walord:
#   polling  hello, long polling: getMe, open loop (latency), closed loop
#   webhook  hello, webhook mode: tgsim pushes to walord's HTTP listener
#   bulk     hello + probe: a 10,000-message broadcast under flood control
#   cluster  hello in webhook mode behind nginx: SQLite with one walord, then
#            PostgreSQL with 1, 2 and 3 (bench/cluster-walord.sh)
# then the SQLite micro-benchmark (bench/db_bench.c) and the plugins' own
# benchmarks (phase "plugins": bench/*_bench.py, each printing its own
# `bench:` line: catalog browsing, stock reservations, order creation,
# payment webhooks, 50 streaming support conversations next to catalog
# browsing, analytics reports over a million orders — the last one seeds a
# 2.7 GB database in /tmp for about six minutes; CRM search and export over 100,000
# clients, a 100,000-message broadcast at 1,000/s (about 4 minutes);
# bench/bookings_bench.c: free
# slots of a 60-day horizon over 5,000 bookings; then bench/e2e: the
# checkout's quote, loyalty's quote).
# Method and figures: docs/PERFORMANCE.md.
#
#   WALOR_BUILD_DIR     build tree (default: <repo>/build; make bench sets it)
#   BENCH_USERS         closed-loop users (default 200)
#   BENCH_UPDATES       closed-loop presses, at most (default 20000)
#   BENCH_SECONDS       closed-loop time limit (default 10)
#   BENCH_RATE          open-loop presses per second (default 1000)
#   BENCH_LAT_SECONDS   open-loop duration (default 5)
#   BENCH_WORKERS       walord's [walor] workers (default: walord's own, 4)
#   BENCH_WEBHOOK_USERS    webhook closed-loop users (default 200)
#   BENCH_WEBHOOK_SECONDS  webhook closed-loop time limit (default 5)
#   BENCH_BULK_USERS    bulk audience (default 500)
#   BENCH_BULK_TOTAL    bulk messages, spread evenly over them (default 10000)
#   BENCH_BULK_RATE     walord's bulk_rate = tgsim's global limit (default 300)
#   BENCH_PHASES        the phases to run (default "polling webhook bulk cluster db plugins")
#   BENCH_CLUSTER_RATE  cluster phase: open-loop presses/s for p50/p99 (default 100)
#   BENCH_CLUSTER_SECONDS  cluster phase: closed-loop time limit (default 10)
#   BENCH_KEEP=1        keep the work directory (logs, ini, database)
#
# Stdout: `bench: tgsim_req_per_s=…`, `bench: updates_per_s=… p50_ms=… p99_ms=…
# rss_mb=… startup_ms=… peak_rss_mb=…`, `bench: webhook_updates_per_s=…
# bulk_efficiency=… bulk_429=… …`, `bench: db_tx_per_s=… db_select_per_s=…`.
# Exit status non-zero if walord, tgsim or a benchmark fails; every process
# started here is stopped (by its pid) on the way out.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bdir=${WALOR_BUILD_DIR:-$repo/build}
walord=$bdir/bin/walord
tgsim=$bdir/bin/tgsim
host_bench=$bdir/bench/host_bench
db_bench=$bdir/bench/db_bench
bookings_bench=$bdir/bench/bookings_bench
plugin_dir=$bdir/lib/walor/plugins
probe_so=$bdir/lib/walor/test-plugins/probe.so
token=100:bench-token
owner=4200001 # bulk phase: the owner who sends /bulk
phases=" ${BENCH_PHASES:-polling webhook bulk cluster db plugins} "

for f in "$walord" "$tgsim" "$host_bench" "$db_bench" "$bookings_bench" "$plugin_dir/hello.so" "$probe_so"; do
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
    local rc=$? pf wpid log
    # walord is host_bench's child; host_bench stops it, but not if it was killed
    for pf in "$work"/walord*.pid; do
        [[ -s $pf ]] || continue
        wpid=$(<"$pf")
        if kill -0 "$wpid" 2>/dev/null && grep -q walord "/proc/$wpid/cmdline" 2>/dev/null; then
            kill -TERM "$wpid" 2>/dev/null || true
            sleep 1
            kill -KILL "$wpid" 2>/dev/null || true
        fi
    done
    [[ -n $tgsim_pid ]] && stop_pid "$tgsim_pid"
    if ((rc != 0)); then
        echo "bench: FAILED (work directory $work kept)" >&2
        for log in "$work"/walord*.log "$work"/tgsim*.log; do
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

# --- tgsim, one per phase ($1 names its files): a small call log keeps
# /_sim/log polls cheap (it is scanned whole). Sets tgsim_pid and sim.
start_tgsim() {
    local name=$1 i
    "$tgsim" --listen 127.0.0.1:0 --token "$token" --port-file "$work/$name.port" \
        --log-cap 20000 --quiet </dev/null >"$work/$name.log" 2>&1 &
    tgsim_pid=$!
    for ((i = 0; i < 200; i++)); do
        [[ -s $work/$name.port ]] && break
        kill -0 "$tgsim_pid" 2>/dev/null || { echo "bench: $name exited during start" >&2; exit 1; }
        sleep 0.05
    done
    [[ -s $work/$name.port ]] || { echo "bench: $name wrote no port file within 10 s" >&2; exit 1; }
    sim=http://127.0.0.1:$(head -n1 "$work/$name.port")
}

# --- tgsim must still be up, and stop cleanly
end_tgsim() {
    kill -0 "$tgsim_pid" 2>/dev/null || { echo "bench: tgsim died during the run" >&2; exit 1; }
    stop_pid "$tgsim_pid"
    tgsim_pid=""
    ((stop_rc == 0)) || { echo "bench: tgsim exited with code $stop_rc" >&2; exit 1; }
}

# walord reads these from the environment over its config: never inherit them
run_host_bench() {
    env -u WALOR_BOT_TOKEN -u WALOR_API_ROOT -u WALOR_DB -u WALOR_OWNERS -u WALOR_PLUGIN_DIR \
        -u WALOR_CONFIG -u BOT_TOKEN \
        "$host_bench" --sim "$sim" --token "$token" --walord "$walord" --tgsim-pid "$tgsim_pid" "$@"
}

# --- polling: production defaults (workers, poll_timeout, log_level info), hello only
if [[ $phases == *" polling "* ]]; then
    start_tgsim tgsim
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
    run_host_bench --config "$work/walor.ini" --log "$work/walord.log" --pid-file "$work/walord.pid" \
        --users "${BENCH_USERS:-200}" --updates "${BENCH_UPDATES:-20000}" \
        --seconds "${BENCH_SECONDS:-10}" --rate "${BENCH_RATE:-1000}" \
        --lat-seconds "${BENCH_LAT_SECONDS:-5}"
    end_tgsim
fi

parts=() # key=value groups of the webhook and bulk phases, printed as one line

# walord with hello in webhook mode: FILE DB LISTEN_PORT WEBHOOK_PORT (the
# webhook port is nginx's in the cluster phase, the listener's own otherwise)
webhook_ini() {
    cat >"$1" <<EOF
; written by bench/run.sh
[walor]
db = $2
plugin_dir = $plugin_dir
plugins = hello
owners = 1
log_level = info
test_mode = yes
${BENCH_WORKERS:+workers = $BENCH_WORKERS}

[telegram]
token = $token
api_root = $sim
mode = webhook
webhook_url = http://127.0.0.1:$4/telegram/webhook
webhook_secret = bench_Secret-7f3a

[http]
listen = 127.0.0.1:$3

[plugin.hello]
enabled = yes
EOF
}

# --- webhook: tgsim pushes every update to walord's HTTP listener (one at a
# time, in order, as Telegram does per bot); the same hello closed loop as
# above, completion read from the call log. No getMe or open-loop phase.
# test_mode = yes only because walord takes a plain http:// webhook_url in
# test mode alone (Telegram posts to https); it changes nothing on the update
# path (it adds the /_test/clock route and keeps the listener on loopback).
if [[ $phases == *" webhook "* ]]; then
    start_tgsim tgsim-webhook
    mkdir -p "$work/webhook"
    hport=$("$host_bench" --free-port)
    webhook_ini "$work/webhook/walor.ini" "$work/webhook/walor.db" "$hport" "$hport"
    run_host_bench --mode webhook --config "$work/webhook/walor.ini" --log "$work/walord-webhook.log" \
        --pid-file "$work/walord-webhook.pid" --getme-seconds 0 --lat-seconds 0 \
        --users "${BENCH_WEBHOOK_USERS:-200}" --updates "${BENCH_UPDATES:-20000}" \
        --seconds "${BENCH_WEBHOOK_SECONDS:-5}" >"$work/webhook.out"
    end_tgsim
    line=$(grep '^bench-part: ' "$work/webhook.out") || { echo "bench: no webhook figures" >&2; exit 1; }
    parts+=("${line#bench-part: }")
fi

# --- bulk: hello + probe (its `/bulk N id…` sends with WALOR_SEND_BULK);
# tgsim's flood control is Telegram's, scaled: bulk_rate/s overall, 1/s per chat
if [[ $phases == *" bulk "* ]]; then
    start_tgsim tgsim-bulk
    mkdir -p "$work/bulk/plugins" # walord takes one plugin_dir: symlinks to both
    ln -s "$plugin_dir/hello.so" "$probe_so" "$work/bulk/plugins/"
    cat >"$work/bulk/walor.ini" <<EOF
; written by bench/run.sh
[walor]
db = $work/bulk/walor.db
plugin_dir = $work/bulk/plugins
plugins = hello, probe
owners = $owner
log_level = info
${BENCH_WORKERS:+workers = $BENCH_WORKERS}

[telegram]
token = $token
api_root = $sim
bulk_rate = ${BENCH_BULK_RATE:-300}
bulk_per_chat_rate = 1

[plugin.hello]
enabled = yes

[plugin.probe]
enabled = yes
EOF
    run_host_bench --mode bulk --config "$work/bulk/walor.ini" --log "$work/walord-bulk.log" \
        --pid-file "$work/walord-bulk.pid" --owner "$owner" --users "${BENCH_BULK_USERS:-500}" \
        --bulk-total "${BENCH_BULK_TOTAL:-10000}" --bulk-rate "${BENCH_BULK_RATE:-300}" >"$work/bulk.out"
    end_tgsim
    line=$(grep '^bench-part: ' "$work/bulk.out") || { echo "bench: no bulk figures" >&2; exit 1; }
    parts+=("${line#bench-part: }")
fi

if ((${#parts[@]})); then
    echo "bench: ${parts[*]}"
fi

# --- cluster: webhook mode behind nginx, SQLite with one walord, then
# PostgreSQL with 1, 2 and 3 (host/core/cluster.h). host_bench drives them as
# one walord (bench/cluster-walord.sh stands in for it): an open loop at
# BENCH_CLUSTER_RATE presses/s for latency, then the closed loop.
if [[ $phases == *" cluster "* ]]; then
    nginx=$(command -v nginx || echo /usr/sbin/nginx)
    [[ -x $nginx ]] || { echo "bench: nginx is not installed (packaging/install-deps.sh)" >&2; exit 1; }
    pgdir=$(mktemp -d /tmp/walor-bench-pg-XXXXXX)
    admin=$("$repo/tools/pg-cluster.sh" start "$pgdir" --durable)
    cluster_stop() { "$repo/tools/pg-cluster.sh" stop "$pgdir" >/dev/null 2>&1 || true; }
    cparts=()
    for setup in sqlite:1 pg:1 pg:2 pg:3; do
        engine=${setup%%:*} n=${setup##*:}
        cdir=$work/cluster-$engine$n
        mkdir -p "$cdir/nginx" "$cdir/conf.d"
        # walord refuses a conf_dir without any .ini: every section is in walor-N.ini
        echo "; bench/run.sh keeps every section in walor-N.ini" >"$cdir/conf.d/00-bench.ini"
        start_tgsim "tgsim-cluster-$engine$n"
        if [[ $engine == pg ]]; then
            dbname=bench_${n}_$$
            psql "$admin" -qc "CREATE DATABASE $dbname" >/dev/null || { cluster_stop; exit 1; }
            db=${admin/dbname=postgres/dbname=$dbname}
        else
            db=$cdir/walor.db
        fi
        front=$("$host_bench" --free-port)
        upstreams=""
        for ((i = 1; i <= n; i++)); do
            port=$("$host_bench" --free-port)
            upstreams+="        server 127.0.0.1:$port max_fails=0;"$'\n'
            webhook_ini "$cdir/walor-$i.ini" "$db" "$port" "$front"
        done
        user=""
        ((EUID == 0)) && user="user root;"
        awk -v prefix="$cdir/nginx" -v port="$front" -v ups="$upstreams" -v user="$user" '
            /^#/ {next}
            {gsub(/@PREFIX@/, prefix); gsub(/@PORT@/, port); gsub(/@USER@/, user)}
            /@UPSTREAMS@/ {printf "%s", ups; next}
            {print}' "$repo/tests/e2e/nginx-cluster.conf.in" >"$cdir/nginx/nginx.conf"
        cat >"$cdir/cluster.env" <<EOF2
N=$n
DIR=$cdir
WALORD=$walord
NGINX=$nginx
EOF2
        env -u WALOR_BOT_TOKEN -u WALOR_API_ROOT -u WALOR_DB -u WALOR_OWNERS -u WALOR_PLUGIN_DIR \
            -u WALOR_CONFIG -u BOT_TOKEN \
            "$host_bench" --sim "$sim" --token "$token" --walord "$repo/bench/cluster-walord.sh" \
            --tgsim-pid "$tgsim_pid" --mode webhook --config "$cdir/cluster.env" \
            --log "$work/walord-cluster-$engine$n.log" --pid-file "$work/cluster-$engine$n.pid" \
            --getme-seconds 0 --rate "${BENCH_CLUSTER_RATE:-100}" --lat-seconds "${BENCH_LAT_SECONDS:-5}" \
            --users "${BENCH_WEBHOOK_USERS:-200}" --updates "${BENCH_UPDATES:-20000}" \
            --seconds "${BENCH_CLUSTER_SECONDS:-10}" >"$cdir/out" 2>"$cdir/err" ||
            { cat "$cdir/err" >&2; cluster_stop; exit 1; }
        end_tgsim
        ups=$(sed -n 's/^bench-part: webhook_updates_per_s=\([0-9]*\).*/\1/p' "$cdir/out")
        p50=$(sed -n 's/.*open loop:.* p50 \([0-9.]*\) ms.*/\1/p' "$cdir/err")
        p99=$(sed -n 's/.*open loop:.* p99 \([0-9.]*\) ms.*/\1/p' "$cdir/err")
        echo "bench: cluster $engine x$n: $ups updates/s (closed loop), p50 $p50 ms, p99 $p99 ms at ${BENCH_CLUSTER_RATE:-100}/s" >&2
        cparts+=("${engine}${n}_updates_per_s=$ups ${engine}${n}_p50_ms=$p50 ${engine}${n}_p99_ms=$p99")
    done
    cluster_stop
    echo "bench: cluster ${cparts[*]}"
fi

if [[ $phases == *" db "* ]]; then
    (cd "$work" && "$db_bench")
fi

if [[ $phases == *" plugins "* ]]; then
    for b in catalog stock orders webhook support analytics crm broadcast; do
        WALOR_BUILD_DIR="$bdir" /usr/bin/python3 "$repo/bench/${b}_bench.py"
    done
    "$bookings_bench" # free slots of a 60-day horizon over 5,000 bookings
    # the checkout's quote and loyalty's pricing provider, driven through the
    # e2e harness (bench/e2e): their `bench:` lines only
    WALOR_BUILD_DIR="$bdir" /usr/bin/python3 -m pytest "$repo/bench/e2e" -q -s |
        grep '^bench: ' || { echo "bench: bench/e2e failed" >&2; exit 1; }
fi
