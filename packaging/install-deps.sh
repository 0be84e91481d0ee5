#!/usr/bin/env bash
# Install the Debian 12 packages Walor needs to build, test and run its demo.
# Idempotent: asks dpkg first and touches apt only when something is missing.
#   packaging/install-deps.sh          install what is missing
#   packaging/install-deps.sh --list   print the package list and exit
#   packaging/install-deps.sh --check  exit 1 (and name them) if any are missing
set -euo pipefail

# The one list of packages, by purpose.
PACKAGES=(
    # toolchain
    build-essential cmake pkg-config git
    # host (walord): event loop, HTTP client and listener, JSON, DB, config
    libuv1-dev libcurl4-openssl-dev libmicrohttpd-dev libjansson-dev
    libsqlite3-dev libinih-dev libssl-dev
    # the PostgreSQL backend (libpq) and, for its tests, a throw-away server;
    # python3-psycopg2 lets the e2e suite look into that database; nginx
    # stands in front of several instances in the multi-instance test
    libpq-dev postgresql python3-psycopg2 nginx-light
    # make package / package-test: the .deb and .rpm sets, lintian, the
    # systemd checks of the unit (systemd-analyze), strace for its syscall filter
    debhelper dpkg-dev fakeroot lintian rpm debugedit cpio systemd strace adduser
    # plugins: Excel, QR codes, PDF, chart images, zip archives, Cyrillic font
    libxlsxwriter-dev libqrencode-dev libhpdf-dev libcairo2-dev libzip-dev
    fonts-dejavu-core
    # help PDF: colour emoji (Noto's bitmaps read with FreeType, host/ui/pdf_text.c)
    libfreetype-dev fonts-noto-color-emoji
    # unit tests (cmocka via ctest)
    libcmocka-dev
    # e2e and unit tests: pytest, DB inspection, reading generated PDFs and QR
    # codes (without poppler-utils test_help_pdf reports "skipped", exit 77);
    # mount, losetup and mkfs.ext4/e2fsck for the disk-full and read-only tests
    python3 python3-pytest sqlite3 poppler-utils zbar-tools mount e2fsprogs
    # demo (tools/run-demo.sh talks to tgsim's control API)
    curl
    # browser tests of tgsim's web chat (tests/e2e/test_tgsim_web.py): headless
    # chromium driven by playwright-core from npm (tests/e2e/web, npm ci below)
    chromium nodejs npm
    # checkers: second compiler, fuzzing, memory checking, the layout of
    # .clang-format (CODE_STYLE.md)
    clang valgrind clang-format
    # libFuzzer for clang 14 (libclang_rt.fuzzer*.a, used by make fuzz / fuzz-smoke)
    libclang-rt-14-dev
    # SDK stability gate (tools/abi-check.sh, make abi): abidw/abidiff,
    # abi-dumper, abi-compliance-checker
    abigail-tools abi-dumper abi-compliance-checker
    # catalog plugin: reading .xlsx imports (libzip + expat: Debian has no
    # xlsx reader for C); its unit tests write fixtures with openpyxl (without
    # it test_catalog_xlsx reports "skipped", exit 77), and the analytics e2e
    # tests read the reports back with it
    libexpat1-dev python3-openpyxl
    # analytics plugin: the revenue chart's text through fontconfig (cairo's
    # toy font API; FcFini at unload keeps valgrind runs clean)
    libfontconfig-dev
    # loyalty plugin: promo and certificate codes compared in Unicode upper
    # case (Cyrillic included) with GLib
    libglib2.0-dev
    # backup-gdrive's fake Google (tests/fakes/gdrive) checks the RS256 JWT
    # the plugin signs, and the e2e tests make the service account's key
    python3-cryptography
)

missing_packages() {
    local p status
    for p in "${PACKAGES[@]}"; do
        # a Node.js from elsewhere (NodeSource's nodejs bundles npm and conflicts
        # with Debian's npm) serves as well as Debian's
        if [[ $p == nodejs || $p == npm ]] && command -v node >/dev/null && command -v npm >/dev/null; then
            continue
        fi
        status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
        [[ $status == ii* ]] || printf '%s\n' "$p"
    done
}

case "${1:-}" in
    --list) printf '%s\n' "${PACKAGES[@]}"; exit 0 ;;
    --check|"") ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "install-deps.sh: unknown option: $1" >&2; exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps.sh: this script supports Debian 12 (dpkg/apt) only" >&2
    exit 1
fi

# The browser tests' npm packages (playwright-core, pinned by the lock file),
# once the Debian packages are there; only when missing or out of date.
WEB_TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/e2e/web
npm_deps() {
    [[ -f $WEB_TESTS/package-lock.json ]] || return 0
    if [[ ! -f $WEB_TESTS/node_modules/.package-lock.json ||
          $WEB_TESTS/package-lock.json -nt $WEB_TESTS/node_modules/.package-lock.json ]]; then
        echo "install-deps: npm ci in tests/e2e/web"
        (cd "$WEB_TESTS" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

mapfile -t MISSING < <(missing_packages)
if ((${#MISSING[@]} == 0)); then
    echo "install-deps: all ${#PACKAGES[@]} packages already installed"
    [[ ${1:-} == --check ]] || npm_deps
    exit 0
fi
if [[ ${1:-} == --check ]]; then
    echo "install-deps: missing: ${MISSING[*]}" >&2
    exit 1
fi

echo "install-deps: installing ${MISSING[*]}"
SUDO=()
if ((EUID != 0)); then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "install-deps.sh: not root and sudo is not available; install: ${MISSING[*]}" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${MISSING[@]}"

mapfile -t STILL < <(missing_packages)
if ((${#STILL[@]})); then
    echo "install-deps.sh: still missing after install: ${STILL[*]}" >&2
    exit 1
fi
npm_deps
echo "install-deps: done"
