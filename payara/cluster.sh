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
# Every setting is an environment variable; see usage() or the README's configuration table.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Functions by component, each file named after what it runs; this file keeps the commands.
# shellcheck source=payara/lib/common.sh
source "$ROOT/payara/lib/common.sh"
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

RUN_DIR=${RUN_DIR:-$ROOT/target/cluster}
BASE_PORT=${BASE_PORT:-3001}
NGINX_PORT=${NGINX_PORT:-8080}
REDIS_PORT=${REDIS_PORT:-6379}
# PostgreSQL: PG_PORT if set, else the port an earlier `up` chose, else 5432 or the next free one.
PG_PORT=${PG_PORT:-}
TICKETS=${TICKETS:-10000}
HOLD_SECONDS=${HOLD_SECONDS:-300}
EVENT_ID=${EVENT_ID:-default}
# The seed's weighted round-robin: instance i gets WEIGHTS[i] of every sum(WEIGHTS) requests.
read -r -a WEIGHTS <<< "${WEIGHTS:-1 2 3 4}"
# Every instance of the deployment, on every host: "host:port:weight", separated by spaces or commas. Empty:
# the seed's four on this host, 127.0.0.1:BASE_PORT.. with WEIGHTS. Instance n (its place in the list) is
# instance-n everywhere: in X-Instance, in status and in its directory.
INSTANCES=${INSTANCES:-}
# Which entries of INSTANCES are this host's: those whose host is HOST_ADDRESS; if it is empty, those naming
# a loopback address, this host's name or one of its addresses (hostname -I).
HOST_ADDRESS=${HOST_ADDRESS:-}
# What runs on this host: any of redis, postgres, instances, nginx.
SERVICES=${SERVICES:-redis postgres instances nginx}
# standalone: the Redis this script starts (or finds). sentinel, cluster: Redis run elsewhere, which the
# instances reach through REDIS_SENTINELS / REDIS_NODES (see the README); no Redis is started here.
REDIS_MODE=${REDIS_MODE:-standalone}
# Addresses Redis, PostgreSQL and nginx listen on. Anything beyond loopback is for instances or clients on
# other hosts; Redis then needs REDIS_PASSWORD.
REDIS_BIND=${REDIS_BIND:-127.0.0.1}
PG_LISTEN=${PG_LISTEN:-127.0.0.1}
NGINX_BIND=${NGINX_BIND:-127.0.0.1}
REDIS_PASSWORD=${REDIS_PASSWORD:-}
# Where the instances reach Redis and PostgreSQL: this host's (first listen address) unless set.
REDIS_HOST=${REDIS_HOST:-}
DB_HOST=${DB_HOST:-}
# Four JVMs share 2 cores and must stay under ~2.5 GiB together: a modest heap, the serial collector.
# (Raising the C2 thresholds saved a quarter of the boot CPU but halved throughput after a 90 s warm-up.)
INSTANCE_JAVA_OPTS=${INSTANCE_JAVA_OPTS:--Xms256m -Xmx384m -XX:+UseSerialGC -Xss512k}
# Hazelcast (Payara's clustering) is not needed: instances share state through Redis only.
HAZELCAST=${HAZELCAST:-off}
START_TIMEOUT=${START_TIMEOUT:-180}
# Worker threads per instance. Four JVMs share two cores: Payara's default of 200 each only adds context
# switches; a request spends most of its time waiting for Redis, so a few dozen keep the cores busy.
HTTP_THREADS=${HTTP_THREADS:-16}
# Per-client-IP rate limit at nginx in requests/s (0: off) and the burst allowed above it.
RATE_LIMIT=${RATE_LIMIT:-0}
RATE_BURST=${RATE_BURST:-100}
# Grizzly's I/O strategy (empty: Payara's default, a worker thread per request).
IO_STRATEGY=${IO_STRATEGY:-}
# "always": every reservation is on disk before it is answered (see BENCHMARKS.md for the cost).
REDIS_APPENDFSYNC=${REDIS_APPENDFSYNC:-always}

WAR=$ROOT/target/ticketrush.war
MICRO_JAR=$ROOT/target/payara-micro.jar
TOKEN_FILE=$RUN_DIR/admin-token
PG_DIR=$RUN_DIR/postgres
DB_NAME=ticketrush
DB_USER=ticketrush

usage() {
    cat <<USAGE
Usage: payara/cluster.sh up|down|status

Environment (defaults in brackets):
  RUN_DIR [target/cluster]   pid files, logs, Redis data, nginx config
  BASE_PORT [3001]           instances listen on BASE_PORT .. BASE_PORT+3
  INSTANCES [seed's four]    every instance on every host, "host:port:weight" separated by spaces or
                             commas; default 127.0.0.1:BASE_PORT:1 .. 127.0.0.1:BASE_PORT+3:4 (WEIGHTS)
  HOST_ADDRESS [auto]        the host part of this host's INSTANCES entries (auto: loopback, hostname and
                             the addresses of hostname -I); entries of other hosts are not started here
  SERVICES ["redis postgres instances nginx"]  what runs on this host
  NGINX_PORT [8080]          nginx listens on NGINX_BIND:NGINX_PORT
  NGINX_BIND [127.0.0.1]     nginx's listen address (0.0.0.0: every interface)
  REDIS_PORT [6379]          Redis's port; one already answering there is used, not started
  REDIS_BIND [127.0.0.1]     addresses Redis listens on (space-separated); beyond loopback needs REDIS_PASSWORD
  REDIS_PASSWORD []          Redis's password (requirepass); the instances are given it
  REDIS_HOST [REDIS_BIND's first]  where the instances reach Redis
  REDIS_MODE [standalone]    sentinel or cluster: Redis runs elsewhere (REDIS_SENTINELS, REDIS_NODES ...)
                             and no Redis is started here
  PG_PORT [5432 or next free] PostgreSQL of this cluster (its own data directory in RUN_DIR/postgres)
  PG_LISTEN [127.0.0.1]      PostgreSQL's listen_addresses (comma-separated); beyond loopback it accepts
                             password logins from any address
  DB_HOST [PG_LISTEN's first] where the instances reach PostgreSQL
  DB_PASSWORD [generated]    password of the database user ticketrush; else kept in RUN_DIR/db-password
                             (a host without postgres in SERVICES must be given the database host's)
  TICKETS [10000]            tickets of the sale opened by 'up' (only if the sale does not exist yet)
  HOLD_SECONDS [300]         how long a reservation is held unpaid
  EVENT_ID [default]         the event 'up' opens
  ADMIN_TOKEN [generated]    admin API token; else one is generated and kept in RUN_DIR/admin-token
                             (a host without nginx in SERVICES must be given the nginx host's)
  WEIGHTS ["1 2 3 4"]        nginx weights of the instances when INSTANCES is empty
  INSTANCE_JAVA_OPTS         JVM options of each instance [$INSTANCE_JAVA_OPTS]
  HAZELCAST [off]            'on' leaves Payara's Hazelcast clustering on
  START_TIMEOUT [180]        seconds to wait for everything to answer
  HTTP_THREADS [16]          HTTP worker threads per instance
  RATE_LIMIT [0]             nginx per-client-IP limit in requests/s (0: off); answers 429 JSON beyond it
  RATE_BURST [100]           requests a client may send above RATE_LIMIT before the limit bites
  IO_STRATEGY []             Grizzly I/O strategy class (empty: Payara's default)
  REDIS_APPENDFSYNC [always] Redis AOF fsync policy: always | everysec
USAGE
}

# --- the sale --------------------------------------------------------------------------------------------

open_default_sale() {
    local url status
    url="$(nginx_url)/admin/events/$EVENT_ID"
    status=$(curl -sS -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$url")
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
    # Before anything starts, not halfway.
    if [[ $EUID -eq 0 ]] && has_service postgres && id postgres >/dev/null 2>&1; then
        mkdir -p "$PG_DIR"
        postgres_can_reach "$PG_DIR"
    fi
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
    ((local_instances > 0)) && build_if_needed
    mkdir -p "$RUN_DIR"
    TOKEN=$(secret ADMIN_TOKEN "$TOKEN_FILE")
    DB_PASSWORD=$(secret DB_PASSWORD "$RUN_DIR/db-password")
    STARTED=()
    runs_redis && start_redis
    if has_service postgres; then start_postgres; else PG_PORT=${PG_PORT:-5432}; fi
    for ((i = 1; i <= $(instance_count); i++)); do
        if is_local_instance "$i"; then start_instance "$i"; fi
    done
    await_instances
    if has_service nginx; then
        start_nginx
        open_default_sale
        cat <<DONE

ticketrush is up in $((SECONDS - begin)) s: $(nginx_url)/
  admin token: $TOKEN   (also in $TOKEN_FILE unless ADMIN_TOKEN was set)
  buy a ticket:  curl -s -d userId=alice $(nginx_url)/buy/ticket
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

case ${1:-} in
    up) up ;;
    down) down ;;
    status) status ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
esac
