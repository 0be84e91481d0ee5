#!/usr/bin/env bash
# What `make run` starts.
#
#   BOT_TOKEN=123:abc make run
#       runs walord against the real Telegram Bot API with conf.d/walor.ini
#       exactly as the merchant configured it, database var/walor.db, in the
#       foreground.
#   make run
#       offline demo: starts tgsim (fake Bot API with a web chat) on
#       127.0.0.1:${TGSIM_PORT:-8081}, the fakes of CDEK, DaData, the support
#       assistant's model (an OpenAI-compatible fake) and the E-COM
#       cash register (tests/fakes/) on free local ports, creates an owner and a
#       customer in tgsim and starts walord against all of them with conf.d
#       plus a generated 90-demo.ini (pay-ecom enabled and every plugin pointed
#       at the fakes). A fake invoice pays itself WALOR_DEMO_PAY_DELAY seconds
#       after it is issued, or at once from its "💳 Оплатить" link. Database
#       var/demo.db, tgsim's chats in var/tgsim-state.json (both kept across
#       runs). walord's exit code 75 (the owner's "🔄 Перезапуск") starts
#       it again, as systemd's unit does; any other exit ends the demo with
#       that code. Ctrl-C stops everything.
#
# Environment: WALOR_BUILD_DIR (default build), TGSIM_PORT (default 8081; 0 =
# any free port), WALOR_DEMO_VAR (default var: where demo.db lives),
# WALOR_DEMO_PAY_DELAY (seconds, default 5).
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

if [[ -n ${BOT_TOKEN:-} ]]; then
    mkdir -p "$ROOT/var"
    echo "run-demo: walord with the real Telegram Bot API (Ctrl-C stops it)"
    exec env WALOR_BOT_TOKEN="$BOT_TOKEN" WALOR_DB="$ROOT/var/walor.db" \
        WALOR_PLUGIN_DIR="$PLUGIN_DIR" "$WALORD" --config "$CONFIG"
fi

# ---- demo: tgsim + the fakes + walord ----
[[ -x $TGSIM ]] || die "$TGSIM not found: run 'make build' first"
command -v curl >/dev/null || die "curl is needed (packaging/install-deps.sh installs it)"
command -v python3 >/dev/null || die "python3 is needed for the fakes of CDEK, DaData and E-COM"

TOKEN=100:demo-token
VAR=${WALOR_DEMO_VAR:-$ROOT/var}
FAKES=$ROOT/tests/fakes
PAY_DELAY=${WALOR_DEMO_PAY_DELAY:-5}
mkdir -p "$VAR"
RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/walor-demo.XXXXXX")
PIDS=()            # every child, in start order
WALORD_PID=""

# shellcheck disable=SC2317  # called from the traps
stop() {
    local i
    trap - INT TERM EXIT
    # walord first (it may be mid-request to the others), then the rest
    for (( i = ${#PIDS[@]} - 1; i >= 0; i-- )); do
        kill -TERM "${PIDS[i]}" 2>/dev/null || true
        wait "${PIDS[i]}" 2>/dev/null || true
    done
    rm -rf "$RUNDIR"
}
trap 'echo; echo "run-demo: stopping"; stop; exit 0' INT TERM
trap stop EXIT

# the address a fake prints first (up to 10 s)
url_from() {
    local pid=$1 file=$2 what=$3 url=""
    for _ in $(seq 100); do
        url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$file" 2>/dev/null | head -n1 || true)
        if [[ -n $url ]]; then echo "$url"; return 0; fi
        kill -0 "$pid" 2>/dev/null || die "$what exited during start: $(cat "$file")"
        sleep 0.1
    done
    die "$what did not start within 10 s"
}

# var/demo.db outlives tgsim: tgsim keeps its users, chats, files and update
# ids beside it (written atomically), so a restarted demo goes on where it
# was. Update ids also start no lower than the clock's, should the state file
# be deleted while the database stays: old ids would be taken for duplicates.
"$TGSIM" --listen "127.0.0.1:${TGSIM_PORT:-8081}" --token "$TOKEN" \
    --first-update-id "$(( $(date +%s) * 10 ))" \
    --state-file "$VAR/tgsim-state.json" \
    --port-file "$RUNDIR/tgsim.port" &
SIM_PID=$!
PIDS+=("$SIM_PID")

PORT=""
for _ in $(seq 100); do                       # up to 10 s
    if [[ -s $RUNDIR/tgsim.port ]]; then PORT=$(tr -d '[:space:]' <"$RUNDIR/tgsim.port"); break; fi
    kill -0 "$SIM_PID" 2>/dev/null || die "tgsim exited during start (port ${TGSIM_PORT:-8081} busy? try TGSIM_PORT=0)"
    sleep 0.1
done
[[ -n $PORT ]] || die "tgsim did not report its port within 10 s"
SIM_URL=http://127.0.0.1:$PORT

# -u: unbuffered, so the address line arrives at once
PYTHONPATH=$FAKES/cdek python3 -u "$FAKES/cdek/fake_cdek.py" >"$RUNDIR/cdek.out" 2>&1 &
PIDS+=("$!")
CDEK_URL=$(url_from "$!" "$RUNDIR/cdek.out" "the CDEK fake")
PYTHONPATH=$FAKES/cdek python3 -u "$FAKES/dadata/fake_dadata.py" >"$RUNDIR/dadata.out" 2>&1 &
PIDS+=("$!")
DADATA_URL=$(url_from "$!" "$RUNDIR/dadata.out" "the DaData fake")
PYTHONPATH=$FAKES/cdek python3 -u "$FAKES/openai/fake_openai.py" >"$RUNDIR/openai.out" 2>&1 &
PIDS+=("$!")
AI_URL=$(url_from "$!" "$RUNDIR/openai.out" "the model fake")
python3 -u "$FAKES/ecom/fake_ecom.py" --port 0 --auto-pay "$PAY_DELAY" >"$RUNDIR/ecom.out" 2>&1 &
PIDS+=("$!")
ECOM_URL=$(url_from "$!" "$RUNDIR/ecom.out" "the E-COM fake")
# walord's HTTP listener: the payment fake posts its callbacks there
HTTP_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# the merchant's conf.d as it is, plus one later file pointing at the fakes
mkdir "$RUNDIR/conf"
ln -s "$ROOT"/conf.d/*.ini "$ROOT/conf.d/texts" "$RUNDIR/conf/"
{
    echo "; generated by tools/run-demo.sh for the offline demo"
    echo "[walor]"
    echo "demo = yes"
    echo "shop_name = Walor Demo"
    echo "public_url = http://127.0.0.1:$HTTP_PORT"
    echo "webhook_secret = demo-webhook-secret-0123456789"
    echo "[http]"
    echo "listen = 127.0.0.1:$HTTP_PORT"
    echo "[plugin.catalog]"
    echo "demo = yes"
    echo "[plugin.warehouse]"
    echo "demo = yes"
    echo "[plugin.checkout-cdek]"
    echo "cdek_test = yes"
    echo "cdek_base_url = $CDEK_URL/v2"
    echo "dadata_clean_url = $DADATA_URL/api/v1/"
    echo "dadata_suggest_url = $DADATA_URL/suggestions/api/4_1/rs/"
    echo "dadata_api_key = test-dadata-key"
    echo "dadata_secret = test-dadata-secret"
    echo "[plugin.pay-ecom]"
    echo "enabled = yes"
    echo "api_url = $ECOM_URL"
    echo "gateway_url = $ECOM_URL"
    echo "login = shop"
    echo "password = shop-password"
    echo "group_code = 700"
    echo "fiscal = no"
    echo "[plugin.support-groq]"
    echo "enabled = yes"
    echo "base_url = $AI_URL/openai/v1"
    echo "keys = demo-key"
} >"$RUNDIR/conf/90-demo.ini"

# the two demo users, unless tgsim's state already has them (409)
add_user() {
    local code
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        --data "$1" "$SIM_URL/_sim/users") || die "tgsim refused user $1"
    [[ $code == 200 || $code == 409 ]] || die "tgsim refused user $1 (HTTP $code)"
}
add_user '{"id":100001,"first_name":"Владелец"}'
add_user '{"id":100002,"first_name":"Покупатель"}'

# walord's exit code 75 (EX_TEMPFAIL) asks for a restart (the owner's
# "🔄 Перезапуск"): the demo starts it again as systemd's unit does, and only
# then; any other exit ends the demo with walord's code.
EXIT_RESTART=75
start_walord() {
    WALOR_BOT_TOKEN=$TOKEN WALOR_API_ROOT=$SIM_URL WALOR_DB="$VAR/demo.db" \
    WALOR_OWNERS=100001 WALOR_PLUGIN_DIR="$PLUGIN_DIR" \
        "$WALORD" --config "$RUNDIR/conf/walor.ini" &
    WALORD_PID=$!
    PIDS+=("$WALORD_PID")
}
start_walord

echo
echo "Демо: откройте $SIM_URL/ — Владелец (100001) видит админку, Покупатель (100002) — магазин"
echo "СДЭК, DaData, касса E-COM и модель ассистента «💬 Поддержка» — местные имитации; счёт оплачивается сам через $PAY_DELAY с"
echo "(или сразу по кнопке «💳 Оплатить»). Ctrl-C останавливает демо; база: $VAR/demo.db"
echo

# Whichever exits first ends the demo (the traps stop the others), except
# walord asking for a restart.
set +e
while :; do
    wait -n -p done_pid "${PIDS[@]}"
    rc=$?
    if [[ ${done_pid:-} != "$WALORD_PID" ]]; then
        echo "run-demo: a helper of the demo exited ($rc)" >&2
        break
    fi
    if (( rc != EXIT_RESTART )); then
        echo "run-demo: walord exited ($rc)" >&2
        break
    fi
    echo "run-demo: walord asked for a restart (exit $rc): starting it again" >&2
    unset 'PIDS[${#PIDS[@]}-1]'        # walord is always the last one started
    start_walord
done
set -e
exit "$rc"
