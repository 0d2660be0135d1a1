#!/usr/bin/env bash
# Build deploy/Containerfile with podman and run the image in its roles, on a machine
# that reaches no container registry (only Debian's mirror and PyPI).
#
#   sudo scripts/container-check.sh            # from the repository's root, as root
#
# 1. A local base image standing in for python:3.11-slim-bookworm: debootstrap of
#    Debian 12 (minbase) with Debian's python3 (3.11), pip and venv, `python` ->
#    python3, pip allowed to install system-wide; imported as localhost/bookworm-python:3.11.
#    deploy/Containerfile itself is unchanged: `podman build --from` swaps the base.
# 2. `podman build -f deploy/Containerfile` (a clean build, timed). This machine's CA
#    bundle and a pip.conf naming it are bind-mounted for the build only, so pip trusts
#    a TLS-intercepting proxy if the host has one; nothing of them is kept in the image
#    but their empty mount points (/etc/pip.conf, /run/build-ca).
# 3. Runs: `--help`; `entities` (the pinned spaCy pipelines load); `serve` on SQLite
#    (/healthz and / answer 200); on PostgreSQL: `migrate`, `serve --no-worker` with a
#    `worker` beside it (/healthz and / answer 200), `backup` with pg_dump.
#
# Not part of the test suite or CI. Idempotent: it removes its own containers (named
# broadsheet-check-*) and its database before and after; it keeps the two images.
# Exits non-zero on the first failure.
#
# Settings (environment):
#   CONTAINER_CHECK_MIRROR    Debian mirror for debootstrap (default: the one this machine's
#                             apt uses for bookworm); CONTAINER_CHECK_SECURITY_MIRROR likewise
#   CONTAINER_CHECK_NEW_BASE  1: rebuild the base image even if it exists
#   CONTAINER_CHECK_CACHE     1: reuse cached build layers (default: a clean build)
#   CONTAINER_CHECK_PG        0: skip the PostgreSQL part
#   CONTAINER_CHECK_PG_HOST / _PORT / _USER / _ADMIN_DB   (127.0.0.1 / 5432 / $(id -un) / postgres)
#   CONTAINER_CHECK_PORT      host port for the SQLite container (18000); PostgreSQL web: +1
set -euo pipefail

BASE_IMAGE=localhost/bookworm-python:3.11
IMAGE=localhost/broadsheet:latest

# The Debian mirror that this machine's apt uses for SUITE (deb822 .sources or one-line lists)
host_mirror() {
    local suite=$1 f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && awk -v suite="$suite" '
            /^[[:space:]]*$/ { if (uri != "" && hit) { print uri; done = 1; exit } uri = ""; hit = 0; next }
            /^URIs:/ { uri = $2 }
            /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) hit = 1 }
            END { if (!done && uri != "" && hit) print uri }' "$f" || true
    done
    cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | awk -v suite="$suite" '$1 == "deb" { u = ($2 ~ /^\[/) ? $3 : $2; s = ($2 ~ /^\[/) ? $4 : $3; if (s == suite) print u }' || true
}
MIRROR=${CONTAINER_CHECK_MIRROR:-$(host_mirror bookworm | head -1)}
SECURITY_MIRROR=${CONTAINER_CHECK_SECURITY_MIRROR:-$(host_mirror bookworm-security | head -1)}
PORT=${CONTAINER_CHECK_PORT:-18000}
PG_PORT_WEB=$((PORT + 1))
PG=${CONTAINER_CHECK_PG:-1}
PG_HOST=${CONTAINER_CHECK_PG_HOST:-127.0.0.1}
PG_PORT=${CONTAINER_CHECK_PG_PORT:-5432}
PG_USER=${CONTAINER_CHECK_PG_USER:-$(id -un)}
PG_ADMIN_DB=${CONTAINER_CHECK_PG_ADMIN_DB:-postgres}
PG_DB=containercheck
WORK=/var/tmp/broadsheet-container-check
NAMES=(broadsheet-check-sqlite broadsheet-check-pg-web broadsheet-check-pg-worker)

say() { printf '== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
SUMMARY=()
ok() { SUMMARY+=("ok    $*"); printf 'ok: %s\n' "$*"; }

[ -n "$MIRROR" ] || fail "no bookworm mirror in /etc/apt/sources.list*: set CONTAINER_CHECK_MIRROR"
[ "$(id -u)" = 0 ] || fail "run as root (debootstrap, chroot and rootful podman)"
[ -f deploy/Containerfile ] || fail "run from the repository's root"
REPO=$(pwd)
mkdir -p "$WORK"

# ---- tools ------------------------------------------------------------------
need=()
for tool in podman debootstrap runc curl; do command -v "$tool" >/dev/null || need+=("$tool"); done
[ "$PG" = 0 ] || command -v psql >/dev/null || need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then
    say "apt-get install ${need[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
fi

psql_admin() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_ADMIN_DB" -v ON_ERROR_STOP=1 -qAt "$@"; }

PODMAN=(podman)
RUNOPTS=()
cleanup() {
    for name in "${NAMES[@]}"; do
        "${PODMAN[@]}" rm -f -t 5 "$name" >/dev/null 2>&1 || true
    done
    if [ "$PG" != 0 ]; then
        psql_admin -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
    fi
    if mountpoint -q "$WORK/rootfs/proc" 2>/dev/null; then umount "$WORK/rootfs/proc"; fi
}
trap cleanup EXIT
cleanup

# ---- 1. the base image ------------------------------------------------------
if [ "${CONTAINER_CHECK_NEW_BASE:-0}" = 1 ] || ! podman image exists "$BASE_IMAGE"; then
    say "debootstrap bookworm (minbase) from $MIRROR"
    rm -rf "$WORK/rootfs"
    nice -n 10 debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
        || fail "debootstrap (see $WORK/debootstrap.log)"
    {
        echo "deb $MIRROR bookworm main"
        echo "deb $MIRROR bookworm-updates main"
        [ -z "$SECURITY_MIRROR" ] || echo "deb $SECURITY_MIRROR bookworm-security main"
    } >"$WORK/rootfs/etc/apt/sources.list"
    say "python3, pip, venv, ca-certificates into the base"
    mount -t proc proc "$WORK/rootfs/proc"
    nice -n 10 chroot "$WORK/rootfs" /bin/sh -c '
        export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8
        apt-get update -q
        apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip python-is-python3 ca-certificates
        apt-get clean
        rm -rf /var/lib/apt/lists/*' >"$WORK/chroot.log" 2>&1 || fail "chroot install (see $WORK/chroot.log)"
    umount "$WORK/rootfs/proc"
    rm -f "$WORK"/rootfs/usr/lib/python3.*/EXTERNALLY-MANAGED
    : >"$WORK/rootfs/etc/resolv.conf"
    say "podman import -> $BASE_IMAGE"
    old_base=$(podman image inspect --format '{{.Id}}' "$BASE_IMAGE" 2>/dev/null || true)
    tar -C "$WORK/rootfs" -c . | nice -n 10 podman import \
        --change 'ENV LANG=C.UTF-8' --change 'CMD ["python3"]' - "$BASE_IMAGE" >"$WORK/import.log" 2>&1 \
        || fail "podman import (see $WORK/import.log)"
    if [ -n "$old_base" ]; then podman rmi "$old_base" >/dev/null 2>&1 || true; fi
    rm -rf "$WORK/rootfs"
    ok "base image $BASE_IMAGE built by debootstrap"
else
    ok "base image $BASE_IMAGE (exists; CONTAINER_CHECK_NEW_BASE=1 rebuilds it)"
fi

# ---- how containers run here ------------------------------------------------
# Some VMs refuse podman's defaults: crun on a hybrid cgroup hierarchy ("cgroups in
# hybrid mode not supported"), or raising RLIMIT_NOFILE/NPROC without CAP_SYS_RESOURCE.
# Take the first of these that runs a container.
LIMITS=(--ulimit nofile=16384:16384 --ulimit nproc=16384:16384)
found=
for candidate in "default" "runc" "runc+limits" "crun+limits"; do
    case $candidate in
        default) p=(podman); r=() ;;
        runc) p=(podman --runtime runc); r=() ;;
        runc+limits) p=(podman --runtime runc); r=("${LIMITS[@]}") ;;
        crun+limits) p=(podman); r=("${LIMITS[@]}") ;;
    esac
    if "${p[@]}" run --rm "${r[@]}" "$BASE_IMAGE" true >"$WORK/probe.log" 2>&1; then
        PODMAN=("${p[@]}"); RUNOPTS=("${r[@]}"); found=$candidate; break
    fi
done
[ -n "$found" ] || fail "podman cannot run a container here: $(tail -1 "$WORK/probe.log")"
ok "containers run with: ${PODMAN[*]} ${RUNOPTS[*]}"

# ---- 2. build ---------------------------------------------------------------
mkdir -p "$WORK/ca"
cp "${PIP_CERT:-${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}}" "$WORK/ca/ca-certificates.crt"
printf '[global]\ncert = /run/build-ca/ca-certificates.crt\n' >"$WORK/pip.conf"
old_id=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
cache=(--no-cache)
[ "${CONTAINER_CHECK_CACHE:-0}" = 1 ] && cache=()
say "podman build -f deploy/Containerfile --from $BASE_IMAGE -t $IMAGE (log: $WORK/build.log)"
start=$(date +%s)
nice -n 10 "${PODMAN[@]}" build "${cache[@]}" "${RUNOPTS[@]}" \
    -f deploy/Containerfile --from "$BASE_IMAGE" \
    -v "$WORK/ca:/run/build-ca:ro" -v "$WORK/pip.conf:/etc/pip.conf:ro" \
    -t "$IMAGE" "$REPO" >"$WORK/build.log" 2>&1 || fail "build (see $WORK/build.log): $(tail -3 "$WORK/build.log")"
build_s=$(( $(date +%s) - start ))
new_id=$(podman image inspect --format '{{.Id}}' "$IMAGE")
if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then podman rmi "$old_id" >/dev/null 2>&1 || true; fi
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
size_mb=$(( size / 1000000 ))
ok "build ${cache[*]:-(cached layers)}: $((build_s / 60)) min $((build_s % 60)) s, image $size_mb MB"

run() { "${PODMAN[@]}" run "${RUNOPTS[@]}" "$@"; }

wait_200() {  # URL NAME: poll up to 120 s for a 200
    local url=$1 name=$2 code=
    for _ in $(seq 1 60); do
        code=$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)
        [ "$code" = 200 ] && return 0
        if ! "${PODMAN[@]}" container exists "$name" || \
           [ "$("${PODMAN[@]}" inspect --format '{{.State.Running}}' "$name")" != true ]; then
            "${PODMAN[@]}" logs "$name" 2>&1 | tail -20 >&2
            fail "$name exited before $url answered"
        fi
        sleep 2
    done
    "${PODMAN[@]}" logs "$name" 2>&1 | tail -20 >&2
    fail "$url answered $code, not 200, after 120 s"
}

# ---- 3. runs ----------------------------------------------------------------
run --rm "$IMAGE" --help >"$WORK/help.txt" 2>&1 || fail "broadsheet --help: $(tail -3 "$WORK/help.txt")"
grep -q migrate "$WORK/help.txt" || fail "broadsheet --help lists no commands"
ok "broadsheet --help"

echo '{"id": 1, "text": "Angela Merkel visited Paris on Monday."}' \
    | run --rm -i "$IMAGE" entities >"$WORK/entities.txt" 2>&1 || fail "broadsheet entities: $(tail -3 "$WORK/entities.txt")"
grep -q '"PERSON"' "$WORK/entities.txt" || fail "no PERSON entity: $(cat "$WORK/entities.txt")"
ok "broadsheet entities (the pinned spaCy pipeline loads)"

say "SQLite: serve on 127.0.0.1:$PORT"
run -d --name broadsheet-check-sqlite -p "127.0.0.1:$PORT:8000" \
    -e BROADSHEET_DEFAULT_SOURCES=0 "$IMAGE" >/dev/null
wait_200 "http://127.0.0.1:$PORT/healthz" broadsheet-check-sqlite
wait_200 "http://127.0.0.1:$PORT/" broadsheet-check-sqlite
ok "SQLite serve (+ worker): /healthz 200, / 200"
"${PODMAN[@]}" rm -f -t 10 broadsheet-check-sqlite >/dev/null

if [ "$PG" != 0 ]; then
    url="postgresql+psycopg://$PG_USER@$PG_HOST:$PG_PORT/$PG_DB"
    say "PostgreSQL: database $PG_DB on $PG_HOST:$PG_PORT"
    psql_admin -c "CREATE DATABASE $PG_DB" >/dev/null || fail "create database $PG_DB"
    run --rm --network host -e BROADSHEET_DATABASE_URL="$url" "$IMAGE" migrate >"$WORK/migrate.txt" 2>&1 \
        || fail "migrate: $(tail -3 "$WORK/migrate.txt")"
    ok "PostgreSQL migrate: $(tail -1 "$WORK/migrate.txt")"
    run -d --name broadsheet-check-pg-web --network host -e BROADSHEET_DATABASE_URL="$url" \
        -e BROADSHEET_HOST=127.0.0.1 -e BROADSHEET_PORT="$PG_PORT_WEB" -e BROADSHEET_DEFAULT_SOURCES=0 \
        "$IMAGE" serve --no-worker >/dev/null
    run -d --name broadsheet-check-pg-worker --network host -e BROADSHEET_DATABASE_URL="$url" \
        -e BROADSHEET_DEFAULT_SOURCES=0 "$IMAGE" worker >/dev/null
    wait_200 "http://127.0.0.1:$PG_PORT_WEB/" broadsheet-check-pg-web
    # /healthz answers 503 "no worker" until the worker container's first heartbeat
    wait_200 "http://127.0.0.1:$PG_PORT_WEB/healthz" broadsheet-check-pg-web
    ok "PostgreSQL serve --no-worker beside a worker container: /healthz 200, / 200"
    run --rm --network host -e BROADSHEET_DATABASE_URL="$url" --entrypoint sh "$IMAGE" \
        -c 'broadsheet backup /tmp/check.backup && head -c 5 /tmp/check.backup' >"$WORK/backup.txt" 2>&1 \
        || fail "backup: $(tail -3 "$WORK/backup.txt")"
    grep -q PGDMP "$WORK/backup.txt" || fail "backup is not a pg_dump archive: $(cat "$WORK/backup.txt")"
    ok "PostgreSQL backup (pg_dump custom format)"
fi

cleanup
trap - EXIT
echo
echo "container check passed ($(date -u '+%Y-%m-%d %H:%M UTC'))"
printf '  %s\n' "${SUMMARY[@]}"
