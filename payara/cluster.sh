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

log() { printf '%s\n' "$*"; }
die() { printf 'cluster.sh: %s\n' "$*" >&2; exit 1; }

# --- the deployment: instances, services, addresses ----------------------------------------------------

has_service() { [[ " ${SERVICES//,/ } " == *" $1 "* ]]; }

# Reads INSTANCES (or the default from BASE_PORT and WEIGHTS) into HOSTS, PORTS and LOADS, indexed from 1
# like the instances' names; dies naming the first entry that is not host:port:weight.
parse_instances() {
    local list=${INSTANCES//,/ } entry n=0 i seen=" "
    if [[ -z ${list// /} ]]; then
        list=""
        for ((i = 0; i < ${#WEIGHTS[@]}; i++)); do list+="127.0.0.1:$((BASE_PORT + i)):${WEIGHTS[i]} "; done
    fi
    HOSTS=(""); PORTS=(""); LOADS=("")
    for entry in $list; do
        n=$((n + 1))
        [[ $entry =~ ^([A-Za-z0-9][A-Za-z0-9._-]*):([0-9]{1,5}):([0-9]{1,4})$ ]] \
            || die "INSTANCES entry $n '$entry' is not host:port:weight (like 10.0.0.5:3001:2)"
        local host=${BASH_REMATCH[1]} port=$((10#${BASH_REMATCH[2]})) weight=$((10#${BASH_REMATCH[3]}))
        ((port >= 1 && port <= 65535)) || die "INSTANCES entry $n '$entry': port $port is not 1-65535"
        ((weight >= 1)) || die "INSTANCES entry $n '$entry': the weight must be at least 1"
        [[ $seen == *" $host:$port "* ]] && die "INSTANCES entry $n '$entry': $host:$port is listed twice"
        seen+="$host:$port "
        HOSTS+=("$host"); PORTS+=("$port"); LOADS+=("$weight")
    done
    ((n > 0)) || die "INSTANCES lists no instance"
}

instance_count() { echo $((${#HOSTS[@]} - 1)); }
instance_port() { echo "${PORTS[$1]}"; }
instance_host() { echo "${HOSTS[$1]}"; }
instance_dir() { echo "$RUN_DIR/instance-$1"; }
total_weight() { local sum=0 i; for ((i = 1; i < ${#LOADS[@]}; i++)); do sum=$((sum + LOADS[i])); done; echo "$sum"; }

# Whether host $1 is this host (see HOST_ADDRESS).
is_local_host() {
    local host=$1 address
    if [[ -n $HOST_ADDRESS ]]; then
        [[ $host == "$HOST_ADDRESS" ]]
        return
    fi
    case $host in 127.* | localhost | "$(hostname)" | "$(hostname -f 2>/dev/null || hostname)") return 0 ;; esac
    for address in $(hostname -I 2>/dev/null); do [[ $host == "$address" ]] && return 0; done
    return 1
}

# Instance $1 runs on this host (and instances are among this host's services).
is_local_instance() { has_service instances && is_local_host "${HOSTS[$1]}"; }

# The address to reach a server listening on $1 (a listen address or list) from this host.
reach_address() {
    local first=${1%%[ ,]*}
    case $first in '' | 0.0.0.0 | '*' | '::') echo 127.0.0.1 ;; *) echo "$first" ;; esac
}

# Whether every address in the list $1 is a loopback one.
loopback_only() {
    local address
    for address in ${1//,/ }; do
        case $address in 127.* | localhost | ::1) ;; *) return 1 ;; esac
    done
}

# Checks the settings that do not depend on anything running, before anything starts.
check_settings() {
    local service
    for service in ${SERVICES//,/ }; do
        case $service in redis | postgres | instances | nginx) ;;
            *) die "SERVICES: unknown service '$service' (redis, postgres, instances, nginx)" ;;
        esac
    done
    case $REDIS_MODE in standalone | sentinel | cluster) ;;
        *) die "REDIS_MODE must be standalone, sentinel or cluster, not '$REDIS_MODE'" ;;
    esac
    parse_instances
    if has_service redis && [[ $REDIS_MODE == standalone ]] && ! loopback_only "$REDIS_BIND" && [[ -z $REDIS_PASSWORD ]]; then
        die "Redis would listen on '$REDIS_BIND' without a password; set REDIS_PASSWORD (the instances are given it)"
    fi
    REDIS_HOST=${REDIS_HOST:-$(reach_address "$REDIS_BIND")}
    DB_HOST=${DB_HOST:-$(reach_address "$PG_LISTEN")}
}

# --- processes, by pid file only ---------------------------------------------------------------------

# The pid in $1 if that process is alive and its command line contains $2 (guards against pid reuse).
live_pid() {
    local file=$1 marker=$2 pid
    [[ -f $file ]] || return 1
    pid=$(head -n 1 "$file")
    [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
    echo "$pid"
}

# Sends TERM (or $4) to the process in pid file $1 (checked against marker $2), waits, then KILL; removes
# the file.
stop_pid() {
    local file=$1 marker=$2 name=$3 signal=${4:-TERM} pid waited=0
    if ! pid=$(live_pid "$file" "$marker"); then
        rm -f "$file"
        log "  $name: not running"
        return 0
    fi
    kill "-$signal" "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((waited < 200)); do sleep 0.1; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        log "  $name: did not stop in 20 s, killing pid $pid"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
    log "  $name: stopped (pid $pid)"
}

# Whether something accepts connections on port $1 of address $2 (default 127.0.0.1).
port_busy() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

# --- prerequisites -------------------------------------------------------------------------------------

# Installs Debian packages when we are root on Debian/Ubuntu; otherwise names the command to run.
install_packages() {
    if [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        log "Installing $* with apt-get ..."
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
    else
        die "missing $*; install with: sudo apt-get install -y $*"
    fi
}

# Installs what is missing of binary:package pairs.
require_packages() {
    local missing=() pair binary
    for pair in "$@"; do
        binary=${pair%%:*}
        command -v "$binary" >/dev/null 2>&1 || [[ -x /usr/sbin/$binary ]] || missing+=("${pair##*:}")
    done
    ((${#missing[@]} == 0)) || install_packages "${missing[@]}"
}

nginx_binary() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

# Builds the WAR when it is missing or older than the sources; Maven also fetches Payara Micro into target/.
build_if_needed() {
    command -v java >/dev/null || die "java not found; install a JDK 17 (apt-get install -y openjdk-17-jdk-headless)"
    if [[ ! -f $WAR || ! -f $MICRO_JAR ]] || [[ -n $(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$WAR" -print -quit) ]]; then
        command -v mvn >/dev/null || die "mvn not found; install Maven (apt-get install -y maven)"
        log "Building the WAR and fetching Payara Micro (mvn package) ..."
        (cd "$ROOT" && mvn -q -B -DskipTests package) || die "the build failed"
    fi
}

# A secret: the value of variable $1 if set, else the one kept in file $2, else a new random one kept there
# (mode 600).
secret() {
    local given=${!1:-} file=$2
    if [[ -n $given ]]; then
        echo "$given"
    elif [[ -s $file ]]; then
        cat "$file"
    else
        local value
        value=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
        (umask 077 && printf '%s\n' "$value" >"$file")
        echo "$value"
    fi
}

# --- Redis ---------------------------------------------------------------------------------------------

# The password through the environment (REDISCLI_AUTH), not the command line.
redis_answers() {
    [[ $(REDISCLI_AUTH=$REDIS_PASSWORD redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" --no-auth-warning ping 2>/dev/null) == PONG ]]
}

start_redis() {
    local dir=$RUN_DIR/redis pid
    if pid=$(live_pid "$dir/redis.pid" "redis-server"); then
        log "Redis: already running (pid $pid, port $REDIS_PORT)"
        return 0
    fi
    if redis_answers; then
        log "Redis: one already answers on $REDIS_HOST:$REDIS_PORT; using it (it is not ours to stop)"
        return 0
    fi
    mkdir -p "$dir"
    # The password is kept in the file Redis reads, readable by its owner only.
    (umask 077 && cat >"$dir/redis.conf") <<CONF
# Written by payara/cluster.sh
bind ${REDIS_BIND//,/ }
port $REDIS_PORT
dir $dir
pidfile $dir/redis.pid
logfile $dir/redis.log
daemonize yes
# The AOF is the durability of every reservation; no RDB snapshots on top.
appendonly yes
appendfsync $REDIS_APPENDFSYNC
save ""
${REDIS_PASSWORD:+requirepass $REDIS_PASSWORD}
CONF
    redis-server "$dir/redis.conf"
    local waited=0
    until redis_answers; do
        ((waited++ < 100)) || die "Redis did not answer on $REDIS_HOST:$REDIS_PORT; see $dir/redis.log"
        sleep 0.1
    done
    log "Redis: started (pid $(<"$dir/redis.pid"), $REDIS_HOST:$REDIS_PORT, AOF fsync $REDIS_APPENDFSYNC)"
}

# --- PostgreSQL ----------------------------------------------------------------------------------------

# The directory of PostgreSQL's server binaries (initdb, pg_ctl), or nothing.
pg_bin() {
    local initdb dir
    initdb=$(command -v initdb 2>/dev/null) && dir=$(dirname "$(readlink -f "$initdb")")
    for dir in ${dir:-} $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [[ -x $dir/initdb && -x $dir/pg_ctl ]] && { echo "$dir"; return 0; }
    done
    return 1
}

# PostgreSQL refuses to run as root: as root its commands run as the system user postgres.
as_postgres() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# As root, PostgreSQL runs as postgres, which must be able to enter every directory above its data (a clone
# under `mktemp -d`, mode 700, is not). Dies naming the first one it cannot enter.
postgres_can_reach() {
    local path="" part parts
    IFS=/ read -r -a parts <<<"$(realpath -m "$1")"
    for part in "${parts[@]}"; do
        [[ -n $part ]] || continue
        path+="/$part"
        [[ -d $path ]] || return 0
        runuser -u postgres -- test -x "$path" \
            || die "PostgreSQL runs as the user postgres, which cannot enter $path (mode $(stat -c %a "$path")); set RUN_DIR to a directory under one others may enter, or: chmod o+x $path"
    done
}

start_postgres() {
    local bin pid
    if [[ -z $PG_PORT ]]; then
        if [[ -s $PG_DIR/port ]]; then
            PG_PORT=$(<"$PG_DIR/port")
        else
            PG_PORT=5432
            while port_busy "$PG_PORT" "$(reach_address "$PG_LISTEN")"; do PG_PORT=$((PG_PORT + 1)); done
        fi
    fi
    if pid=$(live_pid "$PG_DIR/data/postmaster.pid" "$PG_DIR/data"); then
        log "PostgreSQL: already running (pid $pid, port $PG_PORT)"
        return 0
    fi
    port_busy "$PG_PORT" "$(reach_address "$PG_LISTEN")" && die "port $PG_PORT is taken by another process; set PG_PORT"
    bin=$(pg_bin) || die "PostgreSQL's server binaries (initdb, pg_ctl) are missing; install with: sudo apt-get install -y postgresql"
    if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        die "as root PostgreSQL must run as the user postgres, which does not exist (apt-get install -y postgresql creates it)"
    fi
    mkdir -p "$PG_DIR"
    [[ $EUID -eq 0 ]] && chown postgres "$PG_DIR"
    if [[ ! -f $PG_DIR/data/PG_VERSION ]]; then
        # The password reaches initdb through a private file, never the command line.
        (umask 077 && printf '%s\n' "$DB_PASSWORD" >"$PG_DIR/pwfile")
        [[ $EUID -eq 0 ]] && chown postgres "$PG_DIR/pwfile"
        as_postgres "$bin/initdb" -D "$PG_DIR/data" -U "$DB_USER" --pwfile="$PG_DIR/pwfile" \
            --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
            || { rm -f "$PG_DIR/pwfile"; tail -n 20 "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
        rm -f "$PG_DIR/pwfile"
    fi
    echo "$PG_PORT" >"$PG_DIR/port"
    # initdb lets password logins in from loopback only; listening beyond it is for instances on other hosts.
    if ! loopback_only "$PG_LISTEN" && ! grep -q '^# ticketrush: other hosts' "$PG_DIR/data/pg_hba.conf"; then
        printf '%s\n' '# ticketrush: other hosts' 'host all all 0.0.0.0/0 scram-sha-256' 'host all all ::/0 scram-sha-256' \
            >>"$PG_DIR/data/pg_hba.conf"
    fi
    as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses='${PG_LISTEN// /}'" start >/dev/null \
        || { tail -n 20 "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
    # Over the local socket, where initdb made the owner trusted.
    if [[ -z $(psql -h "$PG_DIR" -p "$PG_PORT" -U "$DB_USER" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
        psql -h "$PG_DIR" -p "$PG_PORT" -U "$DB_USER" -d postgres -qc "CREATE DATABASE $DB_NAME" >/dev/null
    fi
    log "PostgreSQL: started (pid $(head -n 1 "$PG_DIR/data/postmaster.pid"), $DB_HOST:$PG_PORT, database $DB_NAME)"
}

# --- Payara Micro instances ------------------------------------------------------------------------------

# The address instance $1 listens on: its host's address when that is an IPv4 one, else every interface.
bind_address() {
    local host=${HOSTS[$1]}
    if [[ $host =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then echo "$host"; else echo 0.0.0.0; fi
}

start_instance() {
    local i=$1 port dir pid address
    port=$(instance_port "$i"); dir=$(instance_dir "$i"); address=$(bind_address "$i")
    if pid=$(live_pid "$dir/instance.pid" "--port $port"); then
        log "instance-$i: already running (pid $pid, $address:$port)"
        return 0
    fi
    port_busy "$port" "$(reach_address "$address")" \
        && die "port $port of $address is taken by another process; choose another port for instance-$i"
    # A fresh runtime directory: booting from a reused one measured slower than unpacking a new one.
    rm -rf "$dir/root"
    mkdir -p "$dir"
    write_preboot "$dir/preboot.asadmin" "$address"
    # Only --nohazelcast: adding --nocluster would start Hazelcast again, in single-member mode.
    local hazelcast=(--nohazelcast)
    [[ $HAZELCAST == on ]] && hazelcast=()
    # Secrets go in the environment, not the command line, where `ps` would show them.
    # REDIS_MODE and the other redis.* settings reach the instance through the inherited environment.
    # shellcheck disable=SC2086 # INSTANCE_JAVA_OPTS is a list of options
    ADMIN_TOKEN=$TOKEN REDIS_HOST=$REDIS_HOST REDIS_PORT=$REDIS_PORT REDIS_PASSWORD=$REDIS_PASSWORD \
        DB_HOST=$DB_HOST DB_PORT=$PG_PORT DB_NAME=$DB_NAME DB_USER=$DB_USER DB_PASSWORD=$DB_PASSWORD \
        nohup java $INSTANCE_JAVA_OPTS \
        -Dinstance.name="instance-$i" -Dinstance.weight="${LOADS[i]}" -Dcluster.total-weight="$(total_weight)" \
        -jar "$MICRO_JAR" --deploy "$WAR" --port "$port" "${hazelcast[@]}" \
        --rootdir "$dir/root" --prebootcommandfile "$dir/preboot.asadmin" >"$dir/instance.log" 2>&1 &
    echo $! >"$dir/instance.pid"
    STARTED+=("$i")
    log "instance-$i: starting (pid $!, $address:$port, weight ${LOADS[i]})"
}

# Payara settings applied before an instance boots (asadmin commands, one a line), into file $1; the
# instance listens on address $2.
write_preboot() {
    local http=configs.config.server-config.network-config.protocols.protocol.http-listener.http
    {
        echo "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=$2"
        echo "set configs.config.server-config.thread-pools.thread-pool.http-thread-pool.max-thread-pool-size=$HTTP_THREADS"
        echo "set configs.config.server-config.thread-pools.thread-pool.http-thread-pool.min-thread-pool-size=$HTTP_THREADS"
        # Payara closes a keep-alive connection after 250 requests by default; nginx would reconnect.
        echo "set $http.max-connections=-1"
        echo "set $http.comet-support-enabled=false"
        echo "set $http.server-header=false"
        # TRACE then reaches the WAR, which refuses it in JSON like every other wrong method.
        echo "set $http.trace-enabled=true"
        if [[ -n $IO_STRATEGY ]]; then
            echo "set configs.config.server-config.network-config.transports.transport.tcp.io-strategy=$IO_STRATEGY"
        fi
    } >"$1"
}

# Where this host reaches instance $1.
instance_url() {
    if is_local_instance "$1"; then
        echo "http://$(reach_address "$(bind_address "$1")"):${PORTS[$1]}"
    else
        echo "http://${HOSTS[$1]}:${PORTS[$1]}"
    fi
}

# Waits until every instance started now answers /health/ready; fails with the log of one that does not.
await_instances() {
    local start=$SECONDS i ready pending
    ((${#STARTED[@]} == 0)) && return 0
    while :; do
        ready=0; pending=()
        for i in "${STARTED[@]}"; do
            local dir port
            dir=$(instance_dir "$i"); port=$(instance_port "$i")
            if ! live_pid "$dir/instance.pid" "--port $port" >/dev/null; then
                [[ -t 1 ]] && log ""
                log "instance-$i exited during start. Last lines of $dir/instance.log:"
                tail -n 30 "$dir/instance.log" >&2
                exit 1
            fi
            if http_ok "$(instance_url "$i")/health/ready"; then ready=$((ready + 1)); else pending+=("$i"); fi
        done
        progress "  instances ready: $ready/${#STARTED[@]} ($((SECONDS - start))s)"
        ((ready == ${#STARTED[@]})) && break
        if ((SECONDS - start > START_TIMEOUT)); then
            [[ -t 1 ]] && log ""
            log "instance-${pending[0]} did not answer within ${START_TIMEOUT}s. Last lines of its log:"
            tail -n 30 "$(instance_dir "${pending[0]}")/instance.log" >&2
            exit 1
        fi
        sleep 1
    done
    [[ -t 1 ]] && log ""
    return 0
}

# On a terminal one line that updates in place; in a log (tests, CI) a line every few seconds.
progress() {
    if [[ -t 1 ]]; then
        printf '\r%s' "$1"
    elif ((SECONDS - ${LAST_PROGRESS:-0} >= 5)); then
        LAST_PROGRESS=$SECONDS
        log "$1"
    fi
}

# --- nginx -----------------------------------------------------------------------------------------------

# Writes nginx's configuration for the whole INSTANCES list to file $1.
render_nginx_conf() {
    local file=$1 dir=$RUN_DIR/nginx servers="" i user_line=""
    for ((i = 1; i <= $(instance_count); i++)); do
        servers+="        server ${HOSTS[i]}:${PORTS[i]} weight=${LOADS[i]} max_fails=1 fail_timeout=3s;  # instance-$i"$'\n'
    done
    # As root the workers drop to nobody; as anyone else there is nothing to drop.
    [[ $EUID -eq 0 ]] && user_line="user nobody nogroup;"
    local zone="" limit=""
    if ((RATE_LIMIT > 0)); then
        zone="    limit_req_zone \$binary_remote_addr zone=per_client:10m rate=${RATE_LIMIT}r/s;"
        limit="        limit_req zone=per_client burst=$RATE_BURST nodelay;"
    fi
    local conf
    conf=$(<"$ROOT/nginx/nginx.conf.template")
    conf=${conf//@RUN_DIR@/$RUN_DIR}
    conf=${conf//@NGINX_PORT@/$NGINX_PORT}
    conf=${conf//@NGINX_BIND@/$NGINX_BIND}
    conf=${conf//@USER_LINE@/$user_line}
    conf=${conf//@LIMIT_REQ_ZONE@/$zone}
    conf=${conf//@LIMIT_REQ@/$limit}
    conf=${conf//@UPSTREAM_SERVERS@/${servers%$'\n'}}
    mkdir -p "$dir/tmp"
    printf '%s\n' "$conf" >"$file"
}

# Dies unless nginx accepts configuration file $1.
check_nginx_conf() {
    local dir=$RUN_DIR/nginx
    "$(nginx_binary)" -q -p "$dir" -e "$dir/error.log" -c "$1" -t 2>/dev/null \
        || { "$(nginx_binary)" -p "$dir" -e "$dir/error.log" -c "$1" -t; die "the nginx configuration $1 is invalid"; }
}

nginx_url() { echo "http://$(reach_address "$NGINX_BIND"):$NGINX_PORT"; }

# Starts nginx; when it is running already and the configuration changed (an instance added to INSTANCES,
# a weight changed), has it reload: new connections go by the new list, requests under way finish.
start_nginx() {
    local dir=$RUN_DIR/nginx pid
    mkdir -p "$dir"
    if pid=$(live_pid "$dir/nginx.pid" "nginx: master"); then
        render_nginx_conf "$dir/nginx.conf.new"
        if cmp -s "$dir/nginx.conf.new" "$dir/nginx.conf"; then
            rm -f "$dir/nginx.conf.new"
            log "nginx: already running (pid $pid, port $NGINX_PORT)"
        else
            check_nginx_conf "$dir/nginx.conf.new"
            mv "$dir/nginx.conf.new" "$dir/nginx.conf"
            kill -HUP "$pid"
            log "nginx: configuration changed, reloaded (pid $pid, port $NGINX_PORT)"
        fi
        return 0
    fi
    port_busy "$NGINX_PORT" "$(reach_address "$NGINX_BIND")" \
        && die "port $NGINX_PORT is taken by another process; choose another NGINX_PORT"
    render_nginx_conf "$dir/nginx.conf"
    check_nginx_conf "$dir/nginx.conf"
    "$(nginx_binary)" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
    local waited=0
    until http_ok "$(nginx_url)/health/ready"; do
        ((waited++ < 100)) || die "nginx did not answer on $NGINX_BIND:$NGINX_PORT; see $dir/error.log"
        sleep 0.1
    done
    log "nginx: started (pid $(<"$dir/nginx.pid"), $NGINX_BIND:$NGINX_PORT)"
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

# Redis is started here only in standalone mode and when this host runs it.
runs_redis() { has_service redis && [[ $REDIS_MODE == standalone ]]; }

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
