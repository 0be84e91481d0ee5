#!/usr/bin/env bash
# What `make run` starts.
#
#   BOT_TOKEN=123:abc make run
#       runs walord against the real Telegram Bot API with conf.d/walor.ini,
#       database var/walor.db, in the foreground.
#   make run
#       demo without Telegram: starts tgsim (fake Bot API with a web chat) on
#       127.0.0.1:${TGSIM_PORT:-8081}, creates an owner and a customer there and
#       starts walord against it (database var/demo.db). Ctrl-C stops both.
#
# Environment: WALOR_BUILD_DIR (default build), TGSIM_PORT (default 8081).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
BUILD=${WALOR_BUILD_DIR:-$ROOT/build}
WALORD=$BUILD/bin/walord
TGSIM=$BUILD/bin/tgsim
CONFIG=$ROOT/conf.d/walor.ini
PLUGIN_DIR=$BUILD/lib/walor/plugins

die() { echo "run-demo: $*" >&2; exit 1; }
[[ -x $WALORD ]] || die "$WALORD not found: run 'make build' first"
[[ -f $CONFIG ]] || die "$CONFIG not found"
mkdir -p "$ROOT/var"

if [[ -n ${BOT_TOKEN:-} ]]; then
    echo "run-demo: walord with the real Telegram Bot API (Ctrl-C stops it)"
    exec env WALOR_BOT_TOKEN="$BOT_TOKEN" WALOR_DB="$ROOT/var/walor.db" \
        WALOR_PLUGIN_DIR="$PLUGIN_DIR" "$WALORD" --config "$CONFIG"
fi

# ---- demo: tgsim + walord ----
[[ -x $TGSIM ]] || die "$TGSIM not found: run 'make build' first"
command -v curl >/dev/null || die "curl is needed (packaging/install-deps.sh installs it)"

TOKEN=100:demo-token
RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/walor-demo.XXXXXX")
SIM_PID=""
WALORD_PID=""

# shellcheck disable=SC2317  # called from the traps
stop() {
    local pid
    trap - INT TERM EXIT
    for pid in $WALORD_PID $SIM_PID; do       # walord first: it may be mid-request to tgsim
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$RUNDIR"
}
trap 'echo; echo "run-demo: stopping"; stop; exit 0' INT TERM
trap stop EXIT

# var/demo.db outlives tgsim, whose update ids would start over and be taken
# for duplicates already handled: start them from the clock instead
"$TGSIM" --listen "127.0.0.1:${TGSIM_PORT:-8081}" --token "$TOKEN" \
    --first-update-id "$(( $(date +%s) * 10 ))" \
    --port-file "$RUNDIR/tgsim.port" &
SIM_PID=$!

PORT=""
for _ in $(seq 100); do                       # up to 10 s
    if [[ -s $RUNDIR/tgsim.port ]]; then PORT=$(tr -d '[:space:]' <"$RUNDIR/tgsim.port"); break; fi
    kill -0 "$SIM_PID" 2>/dev/null || die "tgsim exited during start (port ${TGSIM_PORT:-8081} busy? try TGSIM_PORT=0)"
    sleep 0.1
done
[[ -n $PORT ]] || die "tgsim did not report its port within 10 s"
SIM_URL=http://127.0.0.1:$PORT

add_user() {
    curl -fsS -X POST -H 'Content-Type: application/json' --data "$1" "$SIM_URL/_sim/users" >/dev/null \
        || die "tgsim refused user $1"
}
add_user '{"id":100001,"first_name":"Владелец"}'
add_user '{"id":100002,"first_name":"Покупатель"}'

WALOR_BOT_TOKEN=$TOKEN WALOR_API_ROOT=$SIM_URL WALOR_DB="$ROOT/var/demo.db" \
WALOR_OWNERS=100001 WALOR_PLUGIN_DIR="$PLUGIN_DIR" \
    "$WALORD" --config "$CONFIG" &
WALORD_PID=$!

echo
echo "Демо: откройте $SIM_URL/ — Владелец (100001) видит админку, Покупатель (100002) — магазин"
echo "(Ctrl-C останавливает демо; база: var/demo.db)"
echo

# Whichever exits first ends the demo; the traps stop the other one.
set +e
wait -n "$WALORD_PID" "$SIM_PID"
rc=$?
set -e
if kill -0 "$WALORD_PID" 2>/dev/null; then
    echo "run-demo: tgsim exited ($rc)" >&2
else
    echo "run-demo: walord exited ($rc)" >&2
fi
exit "$rc"
