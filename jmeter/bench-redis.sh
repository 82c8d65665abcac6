#!/usr/bin/env bash
# Redis's modes side by side: bench.sh's purchase path (a) on the same machine, in one run, interleaved,
# against three full deployments (four Payara Micro instances and nginx each, by payara/cluster.sh) that
# differ only in their Redis:
#   standalone  one Redis, as payara/cluster.sh runs it
#   cluster     a local Redis Cluster of three masters (redis.mode=cluster), events spread over them
#   sentinel    one master, one replica, three sentinels (redis.mode=sentinel) with redis.wait-replicas=1:
#               every reservation is on the replica before it is answered (what surviving a failover costs)
# Every Redis fsyncs its AOF on every write, as in bench.sh.
#
#   jmeter/bench-redis.sh            measure and print the table (also in target/bench-redis/results.md)
#   jmeter/bench-redis.sh --record   the same, and add it to docs/benchmarks.md (last under its Results)
#
# Starts and stops everything itself, by pid file, on its own ports (BENCH_PORT_BASE, default 13000).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=jmeter/bench.sh
source "$ROOT/jmeter/bench.sh"

BENCH_DIR=$ROOT/target/bench-redis
read -r -a MODES <<< "${MODES:-standalone cluster sentinel}"
PORT_BASE=${BENCH_PORT_BASE:-13000}
RECORD=false
[[ ${1:-} == --record ]] && RECORD=true

# Ports: each mode gets a block of 100 from PORT_BASE: +0..3 instances, +10 nginx, +20.. Redis servers.
mode_base() { local i; for i in "${!MODES[@]}"; do [[ ${MODES[i]} == "$1" ]] && echo $((PORT_BASE + 100 * i)); done; }
nginx_port() { echo $(($(mode_base "$1") + 10)); }

REDIS_PIDS=()
start_redis() { # dir port args...
    local dir=$1 port=$2; shift 2
    mkdir -p "$dir"
    port_busy "$port" && die "port $port is taken; choose another BENCH_PORT_BASE"
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" \
        --logfile "$dir/redis.log" --save '' --appendonly yes --appendfsync always "$@" >/dev/null
    wait_until 10 redis_pong "$port" || die "Redis on $port did not start in 10 s; see $dir/redis.log"
    REDIS_PIDS+=("$dir/redis.pid")
}

redis_pong() { [[ $(redis-cli -p "$1" ping 2>/dev/null) == PONG ]]; }
cluster_ok() { redis-cli -p "$1" cluster info 2>/dev/null | grep -q cluster_state:ok; }
# Whether the sentinel on port $1 sees the replica and the other two sentinels.
sentinels_agree() { redis-cli -p "$1" info sentinel 2>/dev/null | grep -q 'slaves=1,sentinels=3'; }

start_redis_cluster() { # base
    local base=$1 i nodes=()
    for i in 1 2 3; do
        rm -rf "$BENCH_DIR/cluster/redis-$i"
        start_redis "$BENCH_DIR/cluster/redis-$i" $((base + 20 + i)) --cluster-enabled yes \
            --cluster-config-file nodes.conf --cluster-port $((base + 30 + i))
        nodes+=("127.0.0.1:$((base + 20 + i))")
    done
    redis-cli --cluster create "${nodes[@]}" --cluster-replicas 0 --cluster-yes >"$BENCH_DIR/cluster/create.log"
    wait_until 20 cluster_ok $((base + 21)) || die "the Redis Cluster did not come up in 20 s; see $BENCH_DIR/cluster"
    sleep 2 # every node learns the others' slots
    REDIS_NODES=$(IFS=,; echo "${nodes[*]}")
}

start_sentinel() { # base
    local base=$1 i sentinels=()
    rm -rf "$BENCH_DIR/sentinel/redis-"*
    start_redis "$BENCH_DIR/sentinel/redis-master" $((base + 21))
    start_redis "$BENCH_DIR/sentinel/redis-replica" $((base + 22)) --replicaof 127.0.0.1 $((base + 21))
    for i in 1 2 3; do
        local dir=$BENCH_DIR/sentinel/redis-sentinel-$i
        mkdir -p "$dir"
        printf 'sentinel monitor ticketrush 127.0.0.1 %s 2\nsentinel down-after-milliseconds ticketrush 5000\n' \
            $((base + 21)) >"$dir/sentinel.conf"
        redis-server "$dir/sentinel.conf" --sentinel --port $((base + 25 + i)) --bind 127.0.0.1 --daemonize yes \
            --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >/dev/null
        REDIS_PIDS+=("$dir/redis.pid")
        sentinels+=("127.0.0.1:$((base + 25 + i))")
    done
    wait_until 30 sentinels_agree $((base + 26)) || die "the sentinels did not see each other in 30 s; see $BENCH_DIR/sentinel"
    REDIS_SENTINELS=$(IFS=,; echo "${sentinels[*]}")
}

cluster_sh() { # mode command
    local mode=$1 base
    base=$(mode_base "$mode")
    local env=(RUN_DIR="$BENCH_DIR/$mode/run" BASE_PORT="$base" NGINX_PORT=$((base + 10)) REDIS_PORT=$((base + 20)))
    case $mode in
        cluster) env+=(REDIS_MODE=cluster REDIS_NODES="$REDIS_NODES") ;;
        sentinel) env+=(REDIS_MODE=sentinel REDIS_SENTINELS="$REDIS_SENTINELS" REDIS_MASTER_NAME=ticketrush
            REDIS_WAIT_REPLICAS=1) ;;
    esac
    env "${env[@]}" "$ROOT/payara/cluster.sh" "$2"
}

mode_admin() { # mode method event [json]
    local mode=$1 token
    token=$(cat "$BENCH_DIR/$mode/run/admin-token")
    curl -fsS -X "$2" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        ${4:+-d "$4"} "http://127.0.0.1:$(nginx_port "$mode")/admin/events/$3"
}

cleanup_modes() {
    local mode pid_file
    for mode in "${MODES[@]}"; do
        [[ -d $BENCH_DIR/$mode/run ]] && cluster_sh "$mode" down >&2 || true
    done
    for pid_file in "${REDIS_PIDS[@]}"; do
        stop_pid "$pid_file" redis-server "$(basename "$(dirname "$pid_file")")"
    done
}

reserved() { mode_admin "$1" GET "$2" | redis_reserved; }

main_modes() {
    require_tools
    require_packages redis-server:redis-server redis-cli:redis-tools
    mkdir -p "$BENCH_DIR"
    trap cleanup_modes EXIT
    local mode stamp
    stamp=$(date +%s)
    for mode in "${MODES[@]}"; do
        mkdir -p "$BENCH_DIR/$mode"
        case $mode in
            cluster) start_redis_cluster "$(mode_base cluster)" ;;
            sentinel) start_sentinel "$(mode_base sentinel)" ;;
            standalone) ;;
            *) die "unknown mode $mode (standalone, cluster, sentinel)" ;;
        esac
        log "Starting ticketrush on $mode Redis ..."
        cluster_sh "$mode" up >"$BENCH_DIR/$mode/up.log" 2>&1 || { tail -20 "$BENCH_DIR/$mode/up.log" >&2; die "$mode: up failed"; }
        mode_admin "$mode" PUT "bench-$stamp" '{"tickets":1000000000,"holdSeconds":86400}' >/dev/null
    done
    for mode in "${MODES[@]}"; do
        log "Warming up $mode for $WARMUP ..."
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-buy.lua" \
            "http://127.0.0.1:$(nginx_port "$mode")/" -- "bench-$stamp" "warm$stamp" >/dev/null
    done
    local -A before
    for mode in "${MODES[@]}"; do before[$mode]=$(reserved "$mode" "bench-$stamp"); done
    : >"$BENCH_DIR/raw.txt"
    local round
    for ((round = 1; round <= ROUNDS; round++)); do
        log "Round $round/$ROUNDS: ${MODES[*]} ($DURATION each) ..."
        for mode in "${MODES[@]}"; do
            RUN_DIR=$BENCH_DIR/$mode/run
            echo "$mode $(measure "$mode" "http://127.0.0.1:$(nginx_port "$mode")/" "bench-$stamp" "r$round-$stamp")" \
                >>"$BENCH_DIR/raw.txt"
        done
    done
    report_modes "$stamp" before | tee "$BENCH_DIR/results.md"
    if $RECORD; then
        record
        log "Recorded in $RESULTS_DOC, at the end of its Results"
    fi
}

report_modes() { # stamp name-of-before-array
    local stamp=$1 mode
    local -n made_before=$2
    local -A med
    printf '### %s — Redis modes: %s cores, %s GiB, wrk -t%s -c%s, %s × %s rounds interleaved\n\n' \
        "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)" \
        "$THREADS" "$CONNECTIONS" "$DURATION" "$ROUNDS"
    echo '| purchase path (a) on | req/s median (spread) | p50 ms | p99 ms | non-2xx | socket errors | answered = reserved |'
    echo '|---|---|---|---|---|---|---|'
    for mode in "${MODES[@]}"; do
        local label answered made
        case $mode in
            standalone) label='standalone Redis' ;;
            cluster) label='Redis Cluster, 3 masters' ;;
            sentinel) label='Sentinel, WAIT for 1 replica' ;;
        esac
        med[$mode]=$(awk -v m="$mode" '$1 == m { print $2 }' "$BENCH_DIR/raw.txt" | median)
        answered=$(awk -v m="$mode" '$1 == m { s += $5 } END { print s + 0 }' "$BENCH_DIR/raw.txt")
        made=$(($(reserved "$mode" "bench-$stamp") - made_before[$mode]))
        printf '| %s | %.0f (%s) | %s | %s | %s | %s | %s |\n' "$label" "${med[$mode]}" \
            "$(awk -v m="$mode" '$1 == m { printf "%.0f\n", $2 }' "$BENCH_DIR/raw.txt" | spread)" \
            "$(awk -v m="$mode" '$1 == m { print $3 }' "$BENCH_DIR/raw.txt" | median)" \
            "$(awk -v m="$mode" '$1 == m { print $4 }' "$BENCH_DIR/raw.txt" | median)" \
            "$(awk -v m="$mode" '$1 == m { s += $6 } END { print s + 0 }' "$BENCH_DIR/raw.txt")" \
            "$(awk -v m="$mode" '$1 == m { s += $7 } END { print s + 0 }' "$BENCH_DIR/raw.txt")" \
            "$answered / $made"
        if ((made < answered || made > answered + CONNECTIONS * ROUNDS)); then
            die "$mode: answered $answered purchases but Redis made $made reservations"
        fi
    done
    echo
    if [[ -n ${med[standalone]:-} ]]; then
        printf 'Ratios to standalone (medians):'
        for mode in "${MODES[@]}"; do
            [[ $mode == standalone ]] || printf ' %s %.2f' "$mode" "$(awk -v a="${med[$mode]}" -v b="${med[standalone]}" 'BEGIN { print a / b }')"
        done
        echo
    fi
}

main_modes "$@"
