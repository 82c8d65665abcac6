#!/usr/bin/env bash
# Runs ticketrush on this machine: Redis, four Payara Micro instances and nginx in front of them.
#
#   payara/cluster.sh up       start what is not running yet, open the default sale, print how to use it
#                              (Redis, PostgreSQL for the durable orders, four Payara Micro instances, nginx)
#   payara/cluster.sh down     stop exactly what `up` started (by pid file)
#   payara/cluster.sh status   each component: up or down, pid, port
#
# Over several hosts, run it on each with the same INSTANCES list (every host's instances) and SERVICES
# naming what that host runs; each host starts its own part and nginx balances over the whole list.
#
# Every setting is an environment variable, declared once in payara/lib/settings.sh (see usage()).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Functions by component, each file named after what it runs; this file keeps the commands.
# shellcheck source=payara/lib/common.sh
source "$ROOT/payara/lib/common.sh"
# status and down look at a cluster `up` started: where it runs comes from up's record (see read_record).
case ${1:-} in status | down) READ_RECORD=true ;; *) READ_RECORD=false ;; esac
# shellcheck source=payara/lib/settings.sh
source "$ROOT/payara/lib/settings.sh"
# shellcheck source=payara/lib/topology.sh
source "$ROOT/payara/lib/topology.sh"
# shellcheck source=payara/lib/redis.sh
source "$ROOT/payara/lib/redis.sh"
# shellcheck source=payara/lib/postgres.sh
source "$ROOT/payara/lib/postgres.sh"
# shellcheck source=payara/lib/instances.sh
source "$ROOT/payara/lib/instances.sh"
# shellcheck source=payara/lib/nginx.sh
source "$ROOT/payara/lib/nginx.sh"

WAR=$ROOT/target/ticketrush.war
MICRO_JAR=$ROOT/target/payara-micro.jar
TOKEN_FILE=$RUN_DIR/admin-token
[[ -n $PG_DIR ]] || PG_DIR=$(default_pg_dir)
DB_NAME=ticketrush
DB_USER=ticketrush
# The shortest waiting-room key an instance accepts (WaitingRoom.MIN_SECRET_LENGTH).
MIN_QUEUE_SECRET_LENGTH=16
CONFIGURATION_DOC=$ROOT/docs/configuration.md

usage() {
    cat <<USAGE
Usage: payara/cluster.sh up | down | status | settings [--markdown | --write-docs] | packages

  up        start what is not running yet, open the default sale, print how to use it
  down      stop exactly what 'up' started (by pid file)
  status    each component: up or down, pid, port
  settings  the settings below; --markdown: as the table in docs/configuration.md;
            --write-docs: rewrite that table from payara/lib/settings.sh
  packages  install (apt-get) what is missing to build and test here too: Java, Maven, shellcheck, Node.js, and
            Chromium with its driver for the pages' browser tests ('up' installs what it needs itself)

Settings, from the environment (defaults in brackets):
$(print_settings)

The instances' own settings (REDIS_SENTINELS, REDIS_WAIT_REPLICAS, ...) pass through the environment; see
docs/configuration.md.
USAGE
}

settings() {
    case ${1:-} in
        '') print_settings ;;
        --markdown) print_settings_markdown ;;
        --write-docs) write_settings_markdown "$CONFIGURATION_DOC" ;;
        *) usage >&2; exit 2 ;;
    esac
}

# --- the sale --------------------------------------------------------------------------------------------

# How long the default sale's status may answer 503 (a Redis just started still loads its data; the instances
# fail fast for a moment after they lost it) before `up` gives up.
SALE_READ_SECONDS=15

# The HTTP status of the default sale's admin status, in SALE_STATUS.
read_sale_status() {
    SALE_STATUS=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$1")
    [[ $SALE_STATUS != 503 ]]
}

open_default_sale() {
    local url status
    url="$(nginx_url)/admin/events/$EVENT_ID"
    wait_until "$SALE_READ_SECONDS" read_sale_status "$url" || true
    status=$SALE_STATUS
    if [[ $status == 200 ]]; then
        log "Sale '$EVENT_ID': already open, left as it is: $(curl -sS -H "Authorization: Bearer $TOKEN" "$url")"
        return 0
    fi
    [[ $status == 404 ]] || die "reading sale '$EVENT_ID' answered HTTP $status; is ADMIN_TOKEN the one the instances run with?"
    curl -fsS -X PUT -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d "{\"tickets\":$TICKETS,\"holdSeconds\":$HOLD_SECONDS}" "$url" >/dev/null \
        || die "opening sale '$EVENT_ID' failed"
    log "Sale '$EVENT_ID': opened with $TICKETS tickets, holds of $HOLD_SECONDS s"
}

# --- commands --------------------------------------------------------------------------------------------

up() {
    local begin=$SECONDS i local_instances=0
    check_settings
    has_service nginx && check_nginx_limits
    for ((i = 1; i <= $(instance_count); i++)); do is_local_instance "$i" && local_instances=$((local_instances + 1)); done
    local packages=(curl:curl)
    runs_redis && packages+=(redis-server:redis-server redis-cli:redis-tools)
    has_service nginx && packages+=(nginx:nginx)
    has_service postgres && packages+=(psql:postgresql-client)
    require_packages "${packages[@]}"
    if has_service postgres; then pg_bin >/dev/null || install_packages postgresql; fi
    # Secrets are made where they are first needed (the admin API behind nginx, the database) and handed to
    # the other hosts; a host without that service must be given them, or its instances would disagree.
    has_service nginx || [[ -n ${ADMIN_TOKEN:-} || -s $TOKEN_FILE ]] \
        || die "ADMIN_TOKEN is not set: give this host the token of the host running nginx (its RUN_DIR/admin-token)"
    has_service postgres || [[ -n ${DB_PASSWORD:-} || -s $RUN_DIR/db-password ]] \
        || die "DB_PASSWORD is not set: give this host the password of the host running postgres (its RUN_DIR/db-password)"
    has_service nginx || [[ -n ${QUEUE_SECRET:-} || -s $RUN_DIR/queue-secret ]] \
        || die "QUEUE_SECRET is not set: give this host the key of the host running nginx (its RUN_DIR/queue-secret)"
    ((local_instances > 0)) && build_if_needed
    mkdir -p "$RUN_DIR"
    TOKEN=$(secret ADMIN_TOKEN "$TOKEN_FILE")
    QUEUE_SECRET=$(secret QUEUE_SECRET "$RUN_DIR/queue-secret")
    ((${#QUEUE_SECRET} >= MIN_QUEUE_SECRET_LENGTH)) \
        || die "QUEUE_SECRET must be at least $MIN_QUEUE_SECRET_LENGTH characters: an instance refuses to start with a shorter key"
    DB_PASSWORD=$(secret DB_PASSWORD "$RUN_DIR/db-password")
    STARTED=()
    runs_redis && start_redis
    if has_service postgres; then start_postgres; else PG_PORT=${PG_PORT:-5432}; fi
    write_record "$RECORD_FILE"
    for ((i = 1; i <= $(instance_count); i++)); do
        if is_local_instance "$i"; then start_instance "$i"; fi
    done
    await_instances
    if has_service nginx; then
        start_nginx
        open_default_sale
        local buyers buy
        if [[ $BUYER_AUTH == oidc ]]; then
            buyers="buyers sign in at $OIDC_ISSUER (BUYER_AUTH=oidc)"
            buy="curl -s -H 'Authorization: Bearer <access token>' -X POST $(nginx_url)/buy/ticket"
        else
            buyers="buyers are NOT authenticated (BUYER_AUTH=open): anyone can buy as anyone; for a real sale see docs/operations.md"
            buy="curl -s -d userId=alice $(nginx_url)/buy/ticket"
        fi
        cat <<DONE

ticketrush is up in $((SECONDS - begin)) s: $(nginx_url)/
  $buyers
  admin token: $TOKEN   (also in $TOKEN_FILE unless ADMIN_TOKEN was set)
  buy a ticket:  $buy
  sale status:   curl -s -H 'Authorization: Bearer $TOKEN' $(nginx_url)/admin/events/$EVENT_ID
  stop it all:   payara/cluster.sh down
DONE
    else
        log ""
        log "This host's part of ticketrush is up in $((SECONDS - begin)) s ($local_instances of $(instance_count) instances); nginx runs elsewhere."
    fi
}

down() {
    log "Stopping ticketrush in $RUN_DIR"
    stop_pid "$RUN_DIR/nginx/nginx.pid" "nginx: master" nginx
    local dir
    # In parallel: each instance takes a few seconds to shut down cleanly.
    for dir in "$RUN_DIR"/instance-*; do
        [[ -d $dir ]] || continue
        stop_pid "$dir/instance.pid" "payara-micro" "$(basename "$dir")" &
    done
    wait
    # Only a Redis we started has a pid file here; one that was already running is left alone.
    stop_pid "$RUN_DIR/redis/redis.pid" "redis-server" redis
    # SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to leave.
    stop_pid "$PG_DIR/data/postmaster.pid" "$PG_DIR/data" postgres INT
    rm -f "$RECORD_FILE"
}

status() {
    local pid dir i port state
    check_settings
    if [[ $REDIS_MODE != standalone ]]; then
        log "redis       external  REDIS_MODE=$REDIS_MODE (not run by cluster.sh)"
    elif pid=$(live_pid "$RUN_DIR/redis/redis.pid" "redis-server"); then
        log "redis       up    pid $pid  port $REDIS_PORT"
    elif ! has_service redis; then
        state=down
        port_busy "$REDIS_PORT" "$REDIS_HOST" && state=up
        log "redis       $state  $REDIS_HOST:$REDIS_PORT (on another host)"
    elif ! command -v redis-cli >/dev/null 2>&1; then
        log "redis       elsewhere  $REDIS_HOST:$REDIS_PORT (no redis-cli here to ask it)"
    elif redis_answers; then
        log "redis       up    (not started by cluster.sh)  $REDIS_HOST:$REDIS_PORT"
    else
        log "redis       down  $REDIS_HOST:$REDIS_PORT"
    fi
    if pid=$(live_pid "$PG_DIR/data/postmaster.pid" "$PG_DIR/data"); then
        log "postgres    up    pid $pid  port $(cat "$PG_DIR/port" 2>/dev/null)"
    elif ! has_service postgres; then
        state=down
        port_busy "${PG_PORT:-5432}" "$DB_HOST" && state=up
        log "postgres    $state  $DB_HOST:${PG_PORT:-5432} (on another host)"
    else
        log "postgres    down  port ${PG_PORT:-$(cat "$PG_DIR/port" 2>/dev/null || echo 5432)}"
    fi
    for ((i = 1; i <= $(instance_count); i++)); do
        dir=$(instance_dir "$i"); port=$(instance_port "$i")
        if ! is_local_instance "$i"; then
            state=down
            http_ok "$(instance_url "$i")/health/ready" && state=up
            log "instance-$i  $state  ${HOSTS[i]}:$port  weight ${LOADS[i]}  (on another host)"
        elif pid=$(live_pid "$dir/instance.pid" "--port $port"); then
            state=starting
            http_ok "$(instance_url "$i")/health/ready" && state=up
            log "instance-$i  $state  pid $pid  port $port  weight ${LOADS[i]}"
        else
            log "instance-$i  down  port $port"
        fi
    done
    if pid=$(live_pid "$RUN_DIR/nginx/nginx.pid" "nginx: master"); then
        log "nginx       up    pid $pid  port $NGINX_PORT"
    elif has_service nginx; then
        log "nginx       down  port $NGINX_PORT"
    else
        log "nginx       elsewhere (not in SERVICES)"
    fi
}

# Everything this repository uses on one host: what 'up' runs, the build (Java, Maven, shellcheck; kill, which the
# tests signal processes with and Debian's container image lacks; node and npm, with which the format check runs
# Prettier over the pages' scripts) and the pages' tests (Chromium, chromedriver).
packages() {
    require_packages redis-server:redis-server redis-cli:redis-tools nginx:nginx curl:curl psql:postgresql-client \
        java:openjdk-17-jdk-headless mvn:maven shellcheck:shellcheck kill:procps node:nodejs npm:npm \
        chromium:chromium chromedriver:chromium-driver
    # PostgreSQL's server binaries live off the PATH, in /usr/lib/postgresql/<version>/bin.
    pg_bin >/dev/null || install_packages postgresql
}

case ${1:-} in
    up) up ;;
    packages) packages ;;
    down) down ;;
    status) status ;;
    settings) settings "${2:-}" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
