# shellcheck shell=bash
# The Payara Micro instances of this host: building the WAR, starting each with its preboot settings, and
# waiting until they are ready.

# How long a just-forked instance may take to become the java process its pid file names.
EXEC_TIMEOUT_SECONDS=5

# Builds the WAR when it is missing or older than the sources; Maven also fetches Payara Micro into target/.
build_if_needed() {
    command -v java >/dev/null || die "java not found; install a JDK 17 (apt-get install -y openjdk-17-jdk-headless)"
    if [[ ! -f $WAR || ! -f $MICRO_JAR ]] || [[ -n $(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$WAR" -print -quit) ]]; then
        command -v mvn >/dev/null || die "mvn not found; install Maven (apt-get install -y maven)"
        local build_log=$RUN_DIR/build.log
        mkdir -p "$RUN_DIR"
        log "Building the WAR and fetching Payara Micro (mvn package, output in $build_log) ..."
        # Classes of sources since moved or deleted would stay in target/ and in the WAR (Payara refuses a WAR whose
        # stale servlet shares a path with its successor): compile afresh. Not `mvn clean`, which would also delete
        # the run directory and the boot archives under target/.
        rm -rf "$ROOT/target/classes" "$ROOT/target/ticketrush" "$WAR"
        # Into a file: Debian's Maven 3.8 prints colour resets even with -B and -q, which would litter up's output.
        if ! (cd "$ROOT" && mvn -q -B -DskipTests -Dspotless.check.skip=true package) >"$build_log" 2>&1; then
            sed 's/\x1b\[[0-9;]*m//g' "$build_log" | tail -n 40 >&2
            die "the build failed; its whole output is in $build_log"
        fi
    fi
}

# The address instance $1 listens on: its host's address when that is an IPv4 one, else every interface.
bind_address() {
    local host=${HOSTS[$1]}
    if [[ $host =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then echo "$host"; else echo 0.0.0.0; fi
}

# Payara Micro unpacked once per build, with a class-data-sharing archive of the classes a boot loads: in
# target/micro-runtime/KEY, KEY naming payara-micro.jar, the WAR, java and INSTANCE_JAVA_OPTS it was made for
# (a JVM maps an archive only when all of them match). Each instance boots from a copy of the unpacked directory
# and maps the archived classes instead of loading, parsing and verifying each of them again, which saves a
# third of the boot CPU (docs/benchmarks.md). The first `up` after a build pays
# for one extra boot, alone, which writes the archive; without one (that boot failed) instances boot as before.
prepare_runtime() {
    local i=$1 key parent
    parent=$ROOT/target/micro-runtime
    key=$({ stat -c '%n %s %Y' "$MICRO_JAR" "$WAR" "$(readlink -f "$(command -v java)")"; echo "$INSTANCE_JAVA_OPTS"; } | sha256sum | cut -c1-16)
    RUNTIME=$parent/$key
    [[ -d $RUNTIME ]] && return 0
    mkdir -p "$parent"
    # One build at a time: test clusters and other hosts of this checkout share the runtime.
    exec 9>"$parent/.lock"
    flock 9
    if [[ ! -d $RUNTIME ]]; then
        log "Payara Micro: unpacking it and writing a class archive from one boot of instance-$i (once per build) ..."
        local begin=$SECONDS build
        build=$(mktemp -d "$parent/build.XXXXXX")
        java -jar "$MICRO_JAR" --rootdir "$build/payara-micro" --outputlauncher >"$build/unpack.log" 2>&1 \
            || { tail -n 20 "$build/unpack.log" >&2; die "unpacking $MICRO_JAR failed"; }
        # One boot until ready (--warmup exits before the application starts, and its archive saved less), from
        # a copy as the instances will boot; the JVM writes the archive as it exits. It records the class path as
        # given (relative: payara-micro/...), which every instance repeats.
        mkdir "$build/boot" && cp -a "$build/payara-micro" "$build/boot/payara-micro"
        (cd "$build/boot" && run_instance "$i" -XX:ArchiveClassesAtExit="$build/classes.jsa") 9>&- </dev/null >"$build/boot.log" 2>&1 &
        local pid=$! waited=0
        while kill -0 "$pid" 2>/dev/null && ! http_ok "$(instance_url "$i")/health/ready" && ((waited++ < START_TIMEOUT)); do sleep 1; done
        kill -TERM "$pid" 2>/dev/null || true
        waited=0
        while kill -0 "$pid" 2>/dev/null && ((waited++ < 60)); do sleep 1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        if [[ ! -s $build/classes.jsa ]]; then
            log "Payara Micro: no class archive (see $build/boot.log); the instances boot without it"
            rm -f "$build/classes.jsa"
        fi
        rm -rf "${build:?}/boot"
        # Runtimes of earlier builds, and builds cut short: no instance runs from them (each has its own copy).
        find "$parent" -mindepth 1 -maxdepth 1 -type d ! -path "$build" -exec rm -rf {} +
        mv "$build" "$RUNTIME"
        log "Payara Micro: ready in $RUNTIME ($((SECONDS - begin)) s)"
    fi
    flock -u 9
    exec 9>&-
}

# Runs Payara Micro as instance $1 from payara-micro/ in the working directory, with the JVM options and
# Payara arguments that follow.
run_instance() {
    local i=$1 port dir jvm=()
    shift
    port=$(instance_port "$i"); dir=$(instance_dir "$i")
    while [[ $# -gt 0 && $1 == -X* ]]; do jvm+=("$1"); shift; done
    # Only --nohazelcast: adding --nocluster would start Hazelcast again, in single-member mode.
    local hazelcast=(--nohazelcast)
    [[ $HAZELCAST == on ]] && hazelcast=()
    # Secrets go in the environment, not the command line, where `ps` would show them.
    # REDIS_MODE and the other redis.* settings reach the instance through the inherited environment.
    # shellcheck disable=SC2086 # INSTANCE_JAVA_OPTS is a list of options
    # EVENT_DEFAULT: a purchase naming no event buys in the sale 'up' opens, which nginx's shared answers assume too.
    EVENT_DEFAULT=$EVENT_ID ADMIN_TOKEN=$TOKEN QUEUE_SECRET=$QUEUE_SECRET REDIS_HOST=$REDIS_HOST REDIS_PORT=$REDIS_PORT REDIS_PASSWORD=$REDIS_PASSWORD \
        DB_HOST=$DB_HOST DB_PORT=$PG_PORT DB_NAME=$DB_NAME DB_USER=$DB_USER DB_PASSWORD=$DB_PASSWORD \
        BUYER_AUTH=$BUYER_AUTH OIDC_ISSUER=$OIDC_ISSUER OIDC_AUDIENCE=$OIDC_AUDIENCE OIDC_BUYER_CLAIM=$OIDC_BUYER_CLAIM \
        OIDC_CLIENT_ID=$OIDC_CLIENT_ID OIDC_SCOPE=$OIDC_SCOPE \
        exec nohup java $INSTANCE_JAVA_OPTS "${jvm[@]}" \
        -Dinstance.name="instance-$i" -Dinstance.weight="${LOADS[i]}" -Dcluster.total-weight="$(total_weight)" \
        -jar payara-micro/launch-micro.jar --deploy "$WAR" --port "$port" "${hazelcast[@]}" \
        --prebootcommandfile "$dir/preboot.asadmin" "$@"
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
    mkdir -p "$dir"
    write_preboot "$dir/preboot.asadmin" "$address"
    prepare_runtime "$i"
    # A fresh copy of the runtime directory: booting from a reused one is slower.
    rm -rf "$dir/root" "$dir/payara-micro"
    cp -a "$RUNTIME/payara-micro" "$dir/payara-micro"
    local cds=()
    [[ -f $RUNTIME/classes.jsa ]] && cds=(-XX:SharedArchiveFile="$RUNTIME/classes.jsa")
    (cd "$dir" && run_instance "$i" "${cds[@]}") </dev/null >"$dir/instance.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/instance.pid"
    # Until it execs java the pid is a subshell of this script, which live_pid would take for a dead instance:
    # wait for the exec (an instance that dies first is reported by await_instances).
    wait_until "$EXEC_TIMEOUT_SECONDS" live_pid "$dir/instance.pid" "--port $port" >/dev/null || true
    STARTED+=("$i")
    log "instance-$i: starting (pid $pid, $address:$port, weight ${LOADS[i]})"
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
        if ((ready == ${#STARTED[@]})); then
            progress_done "  instances ready: $ready/${#STARTED[@]} ($((SECONDS - start))s)"
            return 0
        fi
        progress "  instances ready: $ready/${#STARTED[@]} ($((SECONDS - start))s)"
        if ((SECONDS - start > START_TIMEOUT)); then
            [[ -t 1 ]] && log ""
            log "instance-${pending[0]} did not answer within ${START_TIMEOUT}s. Last lines of its log:"
            tail -n 30 "$(instance_dir "${pending[0]}")/instance.log" >&2
            exit 1
        fi
        sleep 1
    done
}
