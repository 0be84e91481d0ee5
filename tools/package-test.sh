#!/usr/bin/env bash
# make package-test (a step of make test): the .deb set of dist/ installed
# on this machine as an operator would, following docs/operator-guide.md:
#   1. dpkg -i walor walor-plugin-dev: the walor user, /var/lib/walor, the
#      conffiles, the unit (systemd-analyze verify clean; security figure)
#   2. walord --check-config refuses the shipped configuration, naming lines
#   3. walorctl setup answered on stdin writes conf.d/90-setup.ini and the
#      credentials; walorctl check-config then passes
#   4. the example plugin built out of tree against the installed SDK, with
#      pkg-config (its Makefile) and with the CMake package, installed
#   5. the installed walord, as the walor user, against tgsim: /start is
#      answered and hello's button is in the menu; under strace, every
#      system call it made is allowed by the unit's SystemCallFilter
#   6. rpm -qlp lists the same files as the .deb set
#   7. dpkg --purge leaves nothing but /var/lib/walor (the shop's data) and
#      the walor user, which the guide says are kept; then the test removes them
# Runs as root (CI does). Refuses to run where walor is installed already.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIST=${PKG_DIR:-$ROOT/dist}
BUILD=${WALOR_BUILD_DIR:-$ROOT/build}
TGSIM=$BUILD/bin/tgsim
TOKEN=123456:AAHpackageTestTokenForTgsim0123456789
OWNER=100001

die() { echo "package-test: FAIL: $*" >&2; exit 1; }
step() { echo "package-test: $*"; }
((EUID == 0)) || die "needs root (dpkg -i); CI runs make test as root"
[[ -x $TGSIM ]] || die "$TGSIM not built (make build)"
ARCH=$(dpkg --print-architecture)
VERSION=$(sed -n 's/^project(walor VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
DEB=$DIST/walor_${VERSION}_$ARCH.deb
DEV=$DIST/walor-plugin-dev_${VERSION}_all.deb
for f in "$DEB" "$DEV"; do [[ -f $f ]] || die "$f missing: run make package"; done
if dpkg-query -W -f='${Status}' walor 2>/dev/null | grep -q installed; then
    die "walor is installed on this machine: package-test installs and purges it, so it will not run here"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/walor-package-test.XXXXXX")
chmod 755 "$WORK"
PIDS=()
INSTALLED=0
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    if ((INSTALLED)); then
        rm -f /usr/lib/walor/plugins/hello.so /etc/walor/conf.d/95-package-test.ini
        dpkg --purge walor-plugin-dev walor >/dev/null 2>&1 || true
        rm -rf /var/lib/walor
        getent passwd walor >/dev/null && deluser --quiet --system walor >/dev/null 2>&1 || true
        getent group walor >/dev/null && delgroup --quiet --system walor >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---- 1. install
step "dpkg -i $(basename "$DEB") $(basename "$DEV")"
INSTALLED=1
dpkg -i "$DEB" "$DEV" >"$WORK/dpkg.log" 2>&1 || { cat "$WORK/dpkg.log"; die "dpkg -i failed"; }
getent passwd walor >/dev/null || die "the package created no walor user"
[[ $(stat -c %U "/var/lib/walor") == walor ]] || die "/var/lib/walor is not walor's"
[[ $(walord --version) == "walord $VERSION "* ]] || die "walord --version: $(walord --version), expected $VERSION"
CONFFILES=$(dpkg-query -W -f='${Conffiles}' walor)
for f in /etc/walor/walor.ini /etc/walor/conf.d/50-checkout-cdek.ini /etc/walor/conf.d/texts/ru.ini; do
    grep -q " $f " <<<"$CONFFILES" || die "$f is not a conffile"
done
UNIT=/lib/systemd/system/walord.service
[[ -f $UNIT ]] || die "no $UNIT"
if command -v systemd-analyze >/dev/null; then
    verify=$(systemd-analyze verify "$UNIT" 2>&1 || true)
    [[ -z $verify ]] || die "systemd-analyze verify $UNIT: $verify"
    step "systemd-analyze verify: clean; $(systemd-analyze security --offline=yes "$UNIT" 2>&1 | tail -n1 | sed 's/^→ //')"
fi

# ---- 2. the shipped configuration cannot go live
step "walord --check-config refuses the shipped configuration"
set +e
WALOR_BOT_TOKEN=$TOKEN walord --check-config --config /etc/walor/walor.ini >"$WORK/check1.out" 2>&1
rc=$?
set -e
((rc == 2)) || die "check-config of the shipped files exited $rc, expected 2: $(tail -5 "$WORK/check1.out")"
grep -Eq '^error: /etc/walor/conf.d/50-checkout-cdek.ini:[0-9]+: plugin.checkout-cdek.cdek_client_id: no CDEK account' \
    "$WORK/check1.out" || die "check-config did not name the empty CDEK account: $(grep error "$WORK/check1.out")"
grep -Eq '^error: /etc/walor/walor.ini:[0-9]+: walor.owners: no owner' "$WORK/check1.out" ||
    die "check-config did not name the missing owner"

# ---- 3. walorctl setup
step "walorctl setup (answers on stdin)"
printf '%s\n' "$TOKEN" "$OWNER" "https://bot.myshop.ru" "ShopAccount12345" "ShopSecret-12345" "no" |
    walorctl setup >"$WORK/setup.out" 2>&1 || { cat "$WORK/setup.out"; die "walorctl setup failed"; }
for f in /etc/walor/conf.d/90-setup.ini /etc/walor/credentials/bot-token /etc/walor/credentials/webhook-secret; do
    [[ $(stat -c '%a %U %G' "$f") == "640 root walor" ]] || die "$f: $(stat -c '%a %U %G' "$f"), expected 640 root walor"
done
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# this machine's free port instead of setup's 8080, and the plugin of step 4
printf '[http]\nlisten = 127.0.0.1:%s\n[plugin.hello]\nenabled = yes\n' "$PORT" >/etc/walor/conf.d/95-package-test.ini

# ---- 4. a plugin built out of tree against the installed SDK
step "hello built against the installed SDK (pkg-config and CMake)"
cp -r /usr/share/walor/sdk/examples/hello "$WORK/hello"
make -s -C "$WORK/hello" >"$WORK/hello-make.log" 2>&1 || { cat "$WORK/hello-make.log"; die "make with pkg-config failed"; }
PLUGINDIR=$(pkg-config --variable=plugindir walor-plugin)
[[ $PLUGINDIR == /usr/lib/walor/plugins ]] || die "pkg-config plugindir is $PLUGINDIR"
mkdir "$WORK/hello-cmake"
cp "$WORK/hello/hello.c" "$WORK/hello-cmake/"
printf 'cmake_minimum_required(VERSION 3.25)\nproject(hello C)\nfind_package(walor-plugin REQUIRED)\nwalor_add_plugin(hello SOURCES hello.c)\n' \
    >"$WORK/hello-cmake/CMakeLists.txt"
{ cmake -S "$WORK/hello-cmake" -B "$WORK/hello-cmake/b" && cmake --build "$WORK/hello-cmake/b"; } >"$WORK/hello-cmake.log" 2>&1 ||
    { cat "$WORK/hello-cmake.log"; die "the CMake package walor-plugin failed"; }
[[ -f $WORK/hello-cmake/b/hello.so ]] || die "walor_add_plugin built no hello.so"
install -m644 "$WORK/hello/hello.so" "$PLUGINDIR/"
CREDENTIALS_DIRECTORY=/etc/walor/credentials walorctl check-config >"$WORK/check2.out" 2>&1 ||
    { grep -E '^(error|configuration)' "$WORK/check2.out"; die "check-config after setup failed"; }

# ---- 5. the installed walord as walor, against tgsim, under strace
step "walord as the walor user against tgsim"
"$TGSIM" --listen 127.0.0.1:0 --token "$TOKEN" --port-file "$WORK/tgsim.port" >"$WORK/tgsim.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 100); do [[ -s $WORK/tgsim.port ]] && break; sleep 0.1; done
SIM=http://127.0.0.1:$(tr -d '[:space:]' <"$WORK/tgsim.port")
curl -fsS -X POST -H 'Content-Type: application/json' --data "{\"id\":$OWNER,\"first_name\":\"Владелец\"}" \
    "$SIM/_sim/users" >/dev/null
TRACE=()
install -d -o walor -g walor "$WORK/trace"   # strace runs as walor too
command -v strace >/dev/null && TRACE=(strace -f -qq -c -o "$WORK/trace/strace.txt")
(cd /var/lib/walor && exec runuser -u walor -- env CREDENTIALS_DIRECTORY=/etc/walor/credentials \
    WALOR_API_ROOT="$SIM" "${TRACE[@]}" /usr/bin/walord --config /etc/walor/walor.ini) >"$WORK/walord.log" 2>&1 &
RUNNER=$!
PIDS+=("$RUNNER")
for _ in $(seq 300); do
    grep -q 'walord: ready' "$WORK/walord.log" && break
    kill -0 "$RUNNER" 2>/dev/null || { cat "$WORK/walord.log"; die "walord exited during start"; }
    sleep 0.1
done
grep -q 'walord: ready' "$WORK/walord.log" || { tail -20 "$WORK/walord.log"; die "walord not ready in 30 s"; }
grep -q 'plugin hello .* loaded' "$WORK/walord.log" || die "the out-of-tree hello was not loaded"
curl -fsS -X POST -H 'Content-Type: application/json' --data '{"text":"/start"}' "$SIM/_sim/users/$OWNER/send" >/dev/null
answered=""
for _ in $(seq 100); do
    chat=$(curl -fsS "$SIM/_sim/users/$OWNER/chat")
    if grep -q 'Выберите раздел' <<<"$chat" && grep -q 'Привет' <<<"$chat"; then answered=1; break; fi
    sleep 0.1
done
[[ -n $answered ]] || die "/start was not answered with the menu and hello's button: $chat"
WALORD_PID=$(pgrep -u walor -x walord -P "$(pgrep -P "$RUNNER" | tr '\n' ',' | sed 's/,$//')" 2>/dev/null | head -n1 || true)
[[ -n $WALORD_PID ]] || WALORD_PID=$(pgrep -u walor -x walord | head -n1)
kill -TERM "$WALORD_PID"
wait "$RUNNER" || die "walord did not stop cleanly (exit $?): $(tail -5 "$WORK/walord.log")"
PIDS=("${PIDS[@]/$RUNNER}")
if [[ -s $WORK/trace/strace.txt ]]; then
    # a set names other sets (@basic-io, …): expand them down to system calls
    expand() {
        local n
        systemd-analyze syscall-filter "$1" | sed -n 's/^    //p' | grep -v '^#' | while read -r n; do
            if [[ $n == @* ]]; then expand "$n"; else echo "$n"; fi
        done
    }
    expand @system-service | sort -u >"$WORK/allowed"
    expand @privileged | sort -u >"$WORK/privileged"
    awk '$NF ~ /^[a-z_0-9]+$/ && $NF != "syscall" && $NF != "total" {print $NF}' "$WORK/trace/strace.txt" | sort -u >"$WORK/used"
    denied=$( { comm -23 "$WORK/used" "$WORK/allowed"; comm -12 "$WORK/used" "$WORK/privileged"; } | sort -u | tr '\n' ' ')
    [[ -z ${denied// } ]] || die "walord made system calls the unit's SystemCallFilter denies: $denied"
    step "SystemCallFilter: all $(wc -l <"$WORK/used") system calls walord made are allowed"
fi

# ---- 6. the .rpm set holds the same files
RPMS=("$DIST"/walor-"$VERSION"-*.rpm "$DIST"/walor-devel-"$VERSION"-*.rpm)
if command -v rpm >/dev/null && [[ -f ${RPMS[0]} ]]; then
    step "rpm -qlp lists the files of the .deb set"
    for r in "${RPMS[@]}"; do rpm -qlvp "$r" 2>/dev/null; done | awk '$1 !~ /^d/ {print ($(NF-1) == "->" ? $(NF-2) : $NF)}' |
        grep -v -e '^/usr/share/doc/' -e '^/usr/lib/\.build-id' | sort -u >"$WORK/rpm.files"
    for d in "$DEB" "$DEV"; do dpkg-deb -c "$d"; done | awk '$1 !~ /^d/ {print substr($6, 2)}' |
        sed 's|^/lib/systemd/|/usr/lib/systemd/|' | grep -v -e '^/usr/share/doc/' -e '^/usr/share/lintian/' |
        sort -u >"$WORK/deb.files"
    diff -u "$WORK/deb.files" "$WORK/rpm.files" || die "the .rpm and .deb sets hold different files"
else
    die "no .rpm set in $DIST (make package builds it)"
fi

# ---- 7. purge
step "dpkg --purge walor-plugin-dev walor"
rm -f "$PLUGINDIR/hello.so" /etc/walor/conf.d/95-package-test.ini   # ours, as the guide says for own plugins
dpkg --purge walor-plugin-dev walor >"$WORK/purge.log" 2>&1 || { cat "$WORK/purge.log"; die "purge failed"; }
INSTALLED=0
left=$(find /etc/walor /usr/lib/walor /usr/include/walor /usr/share/walor /var/log/walor /usr/bin/walord \
    /usr/bin/walorctl /lib/systemd/system/walord.service /usr/lib/cmake/walor-plugin 2>/dev/null || true)
[[ -z $left ]] || die "purge left: $left"
[[ -f /var/lib/walor/walor.db ]] || die "purge removed the shop's database, which the guide says is kept"
rm -rf /var/lib/walor
deluser --quiet --system walor >/dev/null 2>&1 || true
delgroup --quiet --system walor >/dev/null 2>&1 || true
echo "package-test: 7 passed, 0 failed"
