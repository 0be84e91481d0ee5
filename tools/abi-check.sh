#!/usr/bin/env bash
# SDK stability gate (docs/plugin-guide.md "SDK stability").
#
# Compares the public ABI of sdk/include/walor, as instantiated by
# libwalor_abi_probe.so (sdk/abi/abi_probe.c), with every committed release
# baseline sdk/abi/walor-sdk-<major.minor>.{abi.xml,dump}, with two tools:
#   abidiff (libabigail)     exit 0 = same ABI; bit 4 = ABI change, bit 8 =
#                            incompatible change, bits 1/2 = tool error.
#                            An ABI change passes only when every change is
#                            a member appended at the end of a struct that
#                            may grow (walor_host_api, walor_plugin_desc,
#                            walor_*_def) or a new walor_abi_* probe function.
#   abi-compliance-checker   must report 100% binary compatibility.
# The _Static_asserts of sdk/abi/sdk_1_0_layout.c, compiled with the probe,
# catch what both tools miss (a slot retyped to a same-size pointer type).
#
#   tools/abi-check.sh                 rebuild the probe in $BUILD_DIR (default build/), check
#   tools/abi-check.sh --baseline      write the baseline of the current SDK version (release only)
#   tools/abi-check.sh --probe LIB [--headers DIR]
#                                      check an already built probe (experiments)
# Reports are left in $BUILD_DIR/abi-report/. Exit 0 = compatible.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD_DIR=${BUILD_DIR:-${WALOR_BUILD_DIR:-build}}
CMAKE=${CMAKE:-cmake}
PYTHON=${PYTHON:-/usr/bin/python3}
ABI_DIR=sdk/abi
MODE=check
PROBE=
HEADERS=sdk/include/walor

die() { echo "abi-check: $*" >&2; exit 2; }

while (($#)); do
    case $1 in
        --baseline) MODE=baseline ;;
        --probe) PROBE=${2:?--probe needs a file}; shift ;;
        --headers) HEADERS=${2:?--headers needs a directory}; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) die "unknown option: $1" ;;
    esac
    shift
done

for tool in abidw abidiff abi-dumper abi-compliance-checker; do
    command -v "$tool" >/dev/null 2>&1 ||
        die "$tool not found: run packaging/install-deps.sh (abigail-tools abi-dumper abi-compliance-checker)"
done

sdk_version() {
    local h=sdk/include/walor/version.h
    local major minor
    major=$(sed -n 's/^#define[[:space:]]\+WALOR_SDK_MAJOR[[:space:]]\+\([0-9]\+\).*/\1/p' "$h")
    minor=$(sed -n 's/^#define[[:space:]]\+WALOR_SDK_MINOR[[:space:]]\+\([0-9]\+\).*/\1/p' "$h")
    [[ -n $major && -n $minor ]] || die "cannot read the SDK version from $h"
    echo "$major.$minor"
}

if [[ -z $PROBE ]]; then
    [[ -f $BUILD_DIR/CMakeCache.txt ]] ||
        die "$BUILD_DIR is not configured: run make build first (or set BUILD_DIR)"
    echo "abi-check: building the ABI probe in $BUILD_DIR"
    "$CMAKE" --build "$BUILD_DIR" --target walor_abi_probe >/dev/null ||
        { "$CMAKE" --build "$BUILD_DIR" --target walor_abi_probe; die "the ABI probe does not build (see above: an SDK 1.0 layout assert?)"; }
    PROBE=$BUILD_DIR/lib/abi/libwalor_abi_probe.so
fi
[[ -f $PROBE ]] || die "no probe library at $PROBE"
[[ -d $HEADERS ]] || die "no header directory $HEADERS"

REPORT_DIR=$BUILD_DIR/abi-report
mkdir -p "$REPORT_DIR"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# abi-dumper keeps only symbols declared in the public headers it is given:
# the SDK headers plus the probe's own declarations.
HLIST=$TMP/public-headers.list
printf '%s\n' "$HEADERS"/*.h "$ABI_DIR/abi_probe.h" >"$HLIST"

abidw_of() {   # probe headers-dir out.xml
    abidw --no-corpus-path --no-comp-dir-path --drop-private-types \
          --headers-dir "$2" "$1" >"$3"
}
dump_of() {    # probe version out.dump
    abi-dumper "$1" -o "$3" -lver "$2" -public-headers "$HLIST" >"$TMP/abi-dumper.log" 2>&1 ||
        { cat "$TMP/abi-dumper.log" >&2; die "abi-dumper failed on $1"; }
}

if [[ $MODE == baseline ]]; then
    ver=$(sdk_version)
    abidw_of "$PROBE" "$HEADERS" "$ABI_DIR/walor-sdk-$ver.abi.xml"
    dump_of "$PROBE" "$ver" "$ABI_DIR/walor-sdk-$ver.dump"
    echo "abi-check: wrote $ABI_DIR/walor-sdk-$ver.abi.xml and $ABI_DIR/walor-sdk-$ver.dump"
    if [[ ! -d $ABI_DIR/include-$ver/walor ]]; then
        mkdir -p "$ABI_DIR/include-$ver/walor"
        cp -p sdk/include/walor/*.h "$ABI_DIR/include-$ver/walor/"
        echo "abi-check: froze the headers in $ABI_DIR/include-$ver/walor"
    fi
    echo "abi-check: commit them with the release; never regenerate a released version's baseline"
    exit 0
fi

mapfile -t BASELINES < <(ls "$ABI_DIR"/walor-sdk-*.abi.xml 2>/dev/null | sort -V)
((${#BASELINES[@]})) || die "no baseline in $ABI_DIR (make abi-baseline at a release)"

dump_of "$PROBE" current "$TMP/current.dump"

# Accepts an abidiff --leaf-changes-only report when every change is a
# member appended at the end of a growable struct or an added probe function.
classify_abidiff() {
    "$PYTHON" - "$1" <<'PY'
import re, sys
GROWABLE = re.compile(r"^walor_(host_api|plugin_desc|[a-z0-9_]+_def)$")
bad = []
cur = None            # [struct name, growable, old size in bits, section]
def note(msg):
    bad.append(msg)
for raw in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = raw.rstrip("\n")
    s = line.strip()
    m = re.match(r"^Removed/Changed/Added functions summary: (\d+) Removed, (\d+) Changed", line)
    if m and (int(m.group(1)) or int(m.group(2))):
        note("probe functions removed or changed (a public type was removed?): " + line)
        continue
    m = re.match(r"^Removed/Changed/Added variables summary: (\d+) Removed, (\d+) Changed", line)
    if m and (int(m.group(1)) or int(m.group(2))):
        note("variables removed or changed: " + line)
        continue
    if re.match(r"^ELF SONAME changed|^SONAME changed", line):
        note("the probe's SONAME changed (build problem, not an SDK change)")
        continue
    m = re.match(r"^'(?:struct|union) (\w+)(?: at [^']*)?' changed:", line)
    if m:
        cur = [m.group(1), bool(GROWABLE.match(m.group(1))), None, None]
        continue
    m = re.match(r"^'([^']*)' changed:", line)
    if m:
        cur = None
        note(f"{m.group(1)} changed")
        continue
    if cur is None or not line.startswith("  ") or not s:
        continue
    name = cur[0]
    if not line.startswith("    "):          # a heading inside the struct's entry
        m = re.match(r"type size changed from (\d+) to (\d+)", s)
        if m:
            old, new = int(m.group(1)), int(m.group(2))
            cur[2] = old
            if not cur[1]:
                note(f"{name}: size changed {old//8} -> {new//8} bytes, and it may never grow "
                     "(it travels in arrays or prefixes every handle)")
            elif new < old:
                note(f"{name}: shrank {old//8} -> {new//8} bytes")
        elif s == "type size hasn't changed":
            pass
        elif re.match(r"\d+ data member insertions?:", s):
            cur[3] = "ins"
        elif re.match(r"\d+ data member deletions?:", s):
            cur[3] = "del"
        elif re.match(r"there are data member changes:|\d+ data member changes?", s):
            cur[3] = "chg"
        else:
            cur[3] = None
            note(f"{name}: {s}")
        continue
    if line.startswith("      "):             # detail of a member change
        continue
    m = re.match(r"'(.*)', at offset (\d+) \(in bits\)", s)
    member = m.group(1) if m else s
    if cur[3] == "ins":
        if not cur[1]:
            note(f"{name}: member added: {member} (this struct may never grow)")
        elif cur[2] is None or (m and int(m.group(2)) < cur[2]):
            note(f"{name}: member {member} inserted in the middle, not appended")
    elif cur[3] == "del":
        note(f"{name}: member REMOVED: {member}")
    else:
        note(f"{name}: member changed (moved or retyped): {s.rstrip(':')}")
shown = list(dict.fromkeys(bad))
for b in shown[:12]:
    print("  - " + b)
if len(shown) > 12:
    print(f"  - ... and {len(shown) - 12} more (full report in the file named below)")
sys.exit(1 if bad else 0)
PY
}

fail=0
for xml in "${BASELINES[@]}"; do
    ver=${xml##*/walor-sdk-}
    ver=${ver%.abi.xml}
    dump=$ABI_DIR/walor-sdk-$ver.dump
    old_headers=$ABI_DIR/include-$ver/walor
    [[ -d $old_headers ]] || old_headers=sdk/include/walor
    echo "abi-check: SDK $ver baseline vs $PROBE"

    # 1. abidiff
    set +e
    abidiff --headers-dir1 "$old_headers" --headers-dir2 "$HEADERS" "$xml" "$PROBE" \
        >"$REPORT_DIR/abidiff-$ver.txt" 2>&1
    rc=$?
    set -e
    if ((rc == 0)); then
        echo "  abidiff: no change"
    elif ((rc & 3)); then
        cat "$REPORT_DIR/abidiff-$ver.txt" >&2
        echo "  abidiff: FAILED to run (exit $rc)" >&2
        fail=1
    else
        abidiff --leaf-changes-only --headers-dir1 "$old_headers" --headers-dir2 "$HEADERS" "$xml" "$PROBE" \
            >"$REPORT_DIR/abidiff-leaf-$ver.txt" 2>&1 || true
        if ((rc & 8)); then
            echo "  abidiff: INCOMPATIBLE change (exit $rc):" >&2
            classify_abidiff "$REPORT_DIR/abidiff-leaf-$ver.txt" >&2 || true
            echo "    full report: $REPORT_DIR/abidiff-leaf-$ver.txt" >&2
            fail=1
        elif why=$(classify_abidiff "$REPORT_DIR/abidiff-leaf-$ver.txt"); then
            echo "  abidiff: only appended members / new probe functions (exit $rc): allowed"
        else
            echo "  abidiff: ABI CHANGE that is not an append (exit $rc):" >&2
            echo "$why" >&2
            echo "    full report: $REPORT_DIR/abidiff-leaf-$ver.txt" >&2
            fail=1
        fi
    fi

    # 2. abi-compliance-checker: 100% binary compatibility or nothing
    set +e
    abi-compliance-checker -l walor-sdk -old "$dump" -new "$TMP/current.dump" -binary \
        -report-format xml -report-path "$REPORT_DIR/acc-$ver.xml" >"$REPORT_DIR/acc-$ver.log" 2>&1
    rc=$?
    set -e
    pct=$(sed -n 's/^Binary compatibility: \([0-9.]*\)%.*/\1/p' "$REPORT_DIR/acc-$ver.log")
    if ((rc == 0)) && [[ $pct == 100 ]]; then
        echo "  abi-compliance-checker: binary compatibility 100%"
    else
        echo "  abi-compliance-checker: binary compatibility ${pct:-?}% (exit $rc), problems:" >&2
        "$PYTHON" - "$REPORT_DIR/acc-$ver.xml" <<'PY' >&2 || cat "$REPORT_DIR/acc-$ver.log" >&2
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for sec in root.iter():
    if sec.tag not in ("problems_with_types", "problems_with_symbols", "removed_symbols"):
        continue
    sev = sec.get("severity", "")
    if sec.tag == "removed_symbols":
        for s in sec.iter("name"):
            print(f"  - removed symbol {s.text}")
        continue
    for t in sec.iter():
        if t.tag not in ("type", "symbol") or t.find("problem") is None:
            continue
        for p in t.findall("problem"):
            ch = p.find("change")
            text = ch.text if ch is not None else ""
            for k, v in (ch.attrib.items() if ch is not None else []):
                text = text.replace("@" + k, repr(v))
            print(f"  - [{sev}] {t.get('name')}: {p.get('id')}: {text}")
PY
        abi-compliance-checker -l walor-sdk -old "$dump" -new "$TMP/current.dump" -binary \
            -report-path "$REPORT_DIR/acc-$ver.html" >/dev/null 2>&1 || true
        echo "  full report: $REPORT_DIR/acc-$ver.html" >&2
        fail=1
    fi
done

if ((fail)); then
    cat >&2 <<'EOF'
abi-check: FAILED: the SDK's public ABI changed incompatibly.
  The SDK is append-only (ARCHITECTURE.md §3): never reorder, remove or
  retype a slot of walor_host_api or a field of an SDK struct; add a new
  slot (e.g. foo_v2) or field at the END and bump WALOR_SDK_MINOR.
EOF
    exit 1
fi
echo "abi-check: OK (SDK ABI compatible with ${#BASELINES[@]} baseline(s))"
