#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for tests, CI and benchmarks: Debian's
# server binaries, a data directory and a unix socket in DIR, no TCP port.
#
#   tools/pg-cluster.sh start DIR [--durable]   prints the conninfo of database "postgres"
#   tools/pg-cluster.sh stop DIR                stops it and removes DIR
#
# initdb refuses to run as root, so as root the cluster belongs to the
# unprivileged "postgres" user (created by Debian's postgresql package).
# Without --durable the server skips fsync (tests: a crash of the machine
# loses the cluster, which is thrown away anyway); --durable keeps fsync
# and commits as SQLite's synchronous=NORMAL does (synchronous_commit=off:
# a process crash loses nothing, a power cut the last few commits).
set -euo pipefail

die() { echo "pg-cluster.sh: $*" >&2; exit 1; }

bindir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x $d/initdb ]] && { echo "$d"; return; }
    done
    die "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb): packaging/install-deps.sh installs postgresql"
}

as_owner() {
    if ((EUID == 0)); then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

cmd=${1:-}
dir=${2:-}
[[ -n $cmd && -n $dir ]] || die "usage: pg-cluster.sh start|stop DIR [--durable]"

case $cmd in
start)
    bin=$(bindir)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    # a unix socket path must fit in 107 bytes
    ((${#dir} < 90)) || die "$dir is too long for a unix socket path"
    ((EUID == 0)) && chown postgres "$dir"
    opts="-k $dir -c listen_addresses= -c max_connections=300 -c shared_buffers=64MB"
    if [[ ${3:-} == --durable ]]; then
        opts+=" -c synchronous_commit=off"
    else
        opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_owner "$bin/initdb" -D "$dir/data" -A trust -U walor -E UTF8 --locale=C.UTF-8 --no-sync \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null ||
        { cat "$dir/server.log" >&2; die "the server did not start"; }
    echo "host=$dir user=walor dbname=postgres"
    ;;
stop)
    [[ -d $dir/data ]] || exit 0
    bin=$(bindir)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    die "unknown command $cmd"
    ;;
esac
