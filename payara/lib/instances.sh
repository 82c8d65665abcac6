# shellcheck shell=bash
# The Payara Micro instances of this host: building the WAR, starting each with its preboot settings, and
# waiting until they are ready.

# Builds the WAR when it is missing or older than the sources; Maven also fetches Payara Micro into target/.
build_if_needed() {
    command -v java >/dev/null || die "java not found; install a JDK 17 (apt-get install -y openjdk-17-jdk-headless)"
    if [[ ! -f $WAR || ! -f $MICRO_JAR ]] || [[ -n $(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$WAR" -print -quit) ]]; then
        command -v mvn >/dev/null || die "mvn not found; install Maven (apt-get install -y maven)"
        log "Building the WAR and fetching Payara Micro (mvn package) ..."
        (cd "$ROOT" && mvn -q -B -DskipTests package) || die "the build failed"
    fi
}

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
