#!/usr/bin/env bash
# The benchmark: the purchase path against the machine's own ceiling, measured side by side in one run.
#
#   jmeter/bench.sh            measure and print the table (results also in target/bench/results.md)
#   jmeter/bench.sh --record   the same, and add the table to docs/benchmarks.md (last under its Results)
#
# Measures, interleaved, ROUNDS times each, with the same tool (wrk) and connections:
#   (a) purchase  POST /buy/ticket through nginx, distinct userIds, stock far larger than the requests:
#                 every request runs the reserve Lua script
#   (b) sold out  POST /buy/ticket through nginx for an event with 0 tickets, plain forms: answered by nginx from
#                 the sold-out answer it shares for the rest of each second (an instance asked about once a second)
#   (l) sold out, through an instance: as (b), each form with one more field nginx does not share, so every
#                 request reaches an instance and its local share answers
#   (c) ceiling   a separate nginx on this machine answering `return 200`: what the machine can serve at all
#   (d) purchase again with Redis's AOF fsync relaxed from `always` to `everysec` (only when cluster.sh
#                 started that Redis): what durability of every reservation costs
#   (e) purchase for a sale opened with "handoff":false: no Redis Stream record, nothing for PostgreSQL —
#                 what the asynchronous order hand-off costs the purchase path
#   (f) sold out as (b), every request sent with retry=true: never shared, each asks Redis whether its buyer
#                 holds an order — what clients (or bots) that always claim to retry cost the sold-out path
#   (g) join      POST /queue/{id}/join through nginx, distinct userIds, for a queued sale still in its
#                 pre-queue: every request takes a new place (the join Lua script)
#   (h) poll      GET /queue/{id} through nginx, the waiting room's shared state: answered by nginx's
#                 microcache, an instance asked about once a second
#   (i) proxy ceiling  the front nginx's own configuration (nginx/nginx.conf.template, rendered as cluster.sh
#                 renders it) proxying to the ceiling nginx of (c) over upstream keep-alive: the most any
#                 service behind this nginx could answer here
#   (j) one instance, sold out   as (b), sent straight to one instance (the one with the largest weight)
#   (k) one instance, purchase   as (a), sent straight to that instance: what the stack costs per request
#                 without the topology
# and prints req/s, p50 and p99 for each (medians over the rounds, min–max spread), each path's share of both
# ceilings, the targets (b/c ≥ 0.5, a/i ≥ 0.15, h/c ≥ 0.5, g/a ≥ 1), how many polls and sold-out purchases
# reached an instance, and the instances' resident memory afterwards. Then the burst: h2load sends BURST_REQUESTS
# sold-out purchases over each of BURST_CONNECTIONS connections at once, counting every answer.
#
# Uses the cluster on NGINX_PORT if one answers there; otherwise starts one with payara/cluster.sh up (and
# stops it again at the end).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=payara/lib/common.sh
source "$ROOT/payara/lib/common.sh"
# shellcheck source=payara/lib/settings.sh
source "$ROOT/payara/lib/settings.sh"
# shellcheck source=payara/lib/topology.sh
source "$ROOT/payara/lib/topology.sh"
# shellcheck source=payara/lib/nginx.sh
source "$ROOT/payara/lib/nginx.sh"
# Standard output is the results table; messages go to standard error.
LOG_FD=2
export RUN_DIR=${RUN_DIR:-$ROOT/target/cluster}
export NGINX_PORT=${NGINX_PORT:-8080}
CEILING_PORT=${CEILING_PORT:-8099}
PROXY_PORT=${PROXY_PORT:-8098}
# How far in the future the queued sale of (g) and (h) opens: it stays in its pre-queue for the whole run.
PRE_QUEUE_SECONDS=86400
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-90s}
# The poll path (h) runs no Java to warm up: nginx answers it.
POLL_WARMUP=${POLL_WARMUP:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-100}
# The burst: h2load, every request counted; a list of connection counts, each run in turn ("" skips the burst).
BURST_REQUESTS=${BURST_REQUESTS:-1000000}
BURST_CONNECTIONS=${BURST_CONNECTIONS-10000 20000}
BENCH_DIR=$ROOT/target/bench
REDIS_PORT=${REDIS_PORT:-6379}
RECORD=false
[[ ${1:-} == --record ]] && RECORD=true
RESULTS_DOC=$ROOT/docs/benchmarks.md

require_tools() { require_packages wrk:wrk ab:apache2-utils curl:curl h2load:nghttp2-client; }

STARTED_CLUSTER=false
CLUSTER_UP_SECONDS=""
ensure_cluster() {
    if http_ok "http://127.0.0.1:$NGINX_PORT/health/ready"; then
        log "Using the cluster already answering on port $NGINX_PORT"
        return 0
    fi
    log "Starting the cluster (payara/cluster.sh up) ..."
    local out
    out=$("$ROOT/payara/cluster.sh" up | tee /dev/stderr)
    CLUSTER_UP_SECONDS=$(sed -n 's/^ticketrush is up in \([0-9]*\) s.*/\1/p' <<<"$out")
    STARTED_CLUSTER=true
}

admin() { # method event [json]
    local token
    token=${ADMIN_TOKEN:-$(cat "$RUN_DIR/admin-token")}
    curl -fsS -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        ${3:+-d "$3"} "http://127.0.0.1:$NGINX_PORT/admin/events/$2"
}

# The places a queued sale's waiting room has given, from its admin sale status (data.queue.joined).
queue_joined() { grep -o '"joined":[0-9]*' | head -n 1 | cut -d: -f2; }

# nginx's access log: its size now (where the measured rounds' lines begin), once its buffers are flushed.
ACCESS_LOG_FLUSH_SECONDS=3
access_log_size() {
    sleep "$ACCESS_LOG_FLUSH_SECONDS"
    stat -c %s "$RUN_DIR/nginx/access.log" 2>/dev/null || echo 0
}

# From byte $1 of nginx's access log on, the polls of queue $2 by the cache's verdict ("HIT 123456", ...).
# Nothing when the log is not this checkout's cluster's.
poll_verdicts() {
    local log=$RUN_DIR/nginx/access.log
    [[ -f $log ]] || return 0
    sleep "$ACCESS_LOG_FLUSH_SECONDS"
    tail -c +"$(($1 + 1))" "$log" | awk -v request="\"GET /queue/$2 HTTP/1.1\"" '
        index($0, request) { v = $NF; sub(/^cache=/, "", v); n[v]++ }
        END { for (v in n) print v, n[v] }' | sort
}

# From byte $1 to byte $2 of nginx's access log, the purchases by the cache's verdict ("HIT 123456", ...): how
# many sold-out answers nginx gave itself (HIT, UPDATING) and how many an instance gave (EXPIRED, MISS, BYPASS).
purchase_verdicts() {
    local log=$RUN_DIR/nginx/access.log
    [[ -f $log ]] || return 0
    tail -c +"$(($1 + 1))" "$log" | head -c "$(($2 - $1))" | awk '
        index($0, "\"POST /buy/ticket HTTP/1.1\"") { v = $NF; sub(/^cache=/, "", v); print v }'
}

# A form field nginx does not share the answer of (any field beyond userId and eventId); the instances ignore it.
NOT_SHARED='&via=instance'

# One h2load burst: $BURST_REQUESTS sold-out purchases of event $1 over $2 connections opened at once, HTTP/1.1,
# one request at a time on each. A client process holds at most BURST_CLIENT_CONNECTIONS (its descriptors are
# bounded by the shell's hard limit, 20,000 on this machine): more connections are split over several processes.
# Prints "burst <connections> <seconds> <req/s> <2xx> <3xx> <4xx> <5xx> <failed> <errored> <timeout> <not done>",
# and keeps h2load's own output and nginx's error log of the burst in BENCH_DIR.
BURST_CLIENT_CONNECTIONS=${BURST_CLIENT_CONNECTIONS:-10000}
burst() { # event connections
    local event=$1 connections=$2 clients i pids=() begin end error_start
    clients=$(((connections + BURST_CLIENT_CONNECTIONS - 1) / BURST_CLIENT_CONNECTIONS))
    printf 'userId=burst&eventId=%s' "$event" >"$BENCH_DIR/burst-body.txt"
    ulimit -Sn "$(ulimit -Hn)"
    error_start=$(stat -c %s "$RUN_DIR/nginx/error.log" 2>/dev/null || echo 0)
    log "Burst: $BURST_REQUESTS sold-out purchases over $connections connections at once ($clients h2load) ..."
    begin=$(date +%s.%N)
    for ((i = 0; i < clients; i++)); do
        h2load --h1 -n $((BURST_REQUESTS / clients)) -c $((connections / clients)) -t "$THREADS" \
            -d "$BENCH_DIR/burst-body.txt" -H 'Content-Type: application/x-www-form-urlencoded' \
            "http://127.0.0.1:$NGINX_PORT/buy/ticket" >"$BENCH_DIR/h2load-$connections-$i.txt" 2>&1 &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || true; done
    end=$(date +%s.%N)
    tail -c +"$((error_start + 1))" "$RUN_DIR/nginx/error.log" 2>/dev/null >"$BENCH_DIR/burst-$connections-error.log" || true
    cat "$BENCH_DIR"/h2load-"$connections"-*.txt | awk -v c="$connections" -v begin="$begin" -v end="$end" '
        /^requests:/ { total += $2; done_ += $6; failed += $10; errored += $12; timeout += $14 }
        /^status codes:/ { s2 += $3; s3 += $5; s4 += $7; s5 += $9 }
        END { t = end - begin; printf "burst %d %.1f %.0f %d %d %d %d %d %d %d %d\n", c, t, done_ / t, s2, s3, s4, s5,
              failed, errored, timeout, total - done_ }'
}

# Redis's "reserved" from an admin sale status: the first one. The status also carries the database's counts
# ("database":{"reserved":…}), which trail Redis by the hand-off's lag.
redis_reserved() { grep -o '"reserved":[0-9]*' | head -n 1 | cut -d: -f2; }

start_ceiling() {
    local dir=$BENCH_DIR/ceiling
    mkdir -p "$dir/tmp"
    cat >"$dir/nginx.conf" <<CONF
# The ceiling: nginx with the same worker setup as the front nginx, answering without any upstream.
$([[ $EUID -eq 0 ]] && echo "user nobody nogroup;")
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; multi_accept on; }
http {
    access_log off;
    client_body_temp_path $dir/tmp;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$CEILING_PORT reuseport backlog=4096;
        location / { return 200 '{"code":-1,"msg":"sold out","data":null}'; }
    }
}
CONF
    nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
    CEILING_PID_FILE=$dir/nginx.pid
}

# The proxy ceiling: the front nginx's configuration, rendered by cluster.sh's own function for one upstream,
# the ceiling nginx, in a run directory of its own.
start_proxy_ceiling() {
    local dir=$BENCH_DIR/proxy
    # Locals are seen by the functions called from here (bash scopes dynamically): the cluster's own stay as
    # they are.
    # shellcheck disable=SC2034 # read by render_nginx_conf
    local RUN_DIR=$dir NGINX_PORT=$PROXY_PORT NGINX_BIND=127.0.0.1 RATE_LIMIT=0
    # shellcheck disable=SC2034
    local -a HOSTS=("" 127.0.0.1) PORTS=("" "$CEILING_PORT") LOADS=("" 1)
    render_nginx_conf "$dir/nginx/nginx.conf"
    check_nginx_conf "$dir/nginx/nginx.conf"
    "$(nginx_binary)" -p "$dir/nginx" -e "$dir/nginx/error.log" -c "$dir/nginx/nginx.conf"
    PROXY_PID_FILE=$dir/nginx/nginx.pid
}

stop_ceiling() {
    # QUIT: nginx's graceful shutdown.
    [[ -z ${CEILING_PID_FILE:-} ]] || stop_pid "$CEILING_PID_FILE" "nginx: master" "ceiling nginx" QUIT
    [[ -z ${PROXY_PID_FILE:-} ]] || stop_pid "$PROXY_PID_FILE" "nginx: master" "proxy-ceiling nginx" QUIT
}

# The address of the instance with the largest weight (the last such of INSTANCES), for (j) and (k).
direct_instance() {
    local i best=1
    parse_instances
    for ((i = 1; i <= $(instance_count); i++)); do ((LOADS[i] >= LOADS[best])) && best=$i; done
    echo "$(reach_address "${HOSTS[best]}"):${PORTS[best]}"
}

cleanup() {
    stop_ceiling
    if $STARTED_CLUSTER; then "$ROOT/payara/cluster.sh" down >&2 || true; fi
}

# CPU ticks (user + system) used so far by each component, one "component ticks" line each, plus the
# machine's softirq ticks (the loopback network stack, charged to no process) and total ticks.
cpu_sample() {
    local pid f
    ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
    for f in "$RUN_DIR"/instance-*/instance.pid; do
        [[ -f $f ]] && echo "payara $(ticks "$(<"$f")")"
    done
    if [[ -f $RUN_DIR/nginx/nginx.pid ]]; then
        pid=$(<"$RUN_DIR/nginx/nginx.pid")
        for f in $(ps -o pid= --ppid "$pid"); do echo "nginx $(ticks "$f")"; done
    fi
    [[ -f $RUN_DIR/redis/redis.pid ]] && echo "redis $(ticks "$(<"$RUN_DIR/redis/redis.pid")")"
    if [[ -f $RUN_DIR/postgres/data/postmaster.pid ]]; then
        pid=$(head -1 "$RUN_DIR/postgres/data/postmaster.pid")
        for f in "$pid" $(ps -o pid= --ppid "$pid"); do echo "postgres $(ticks "$f")"; done
    fi
    awk '/^cpu / { print "softirq", $8; print "busy", $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}

# Runs wrk with jmeter/wrk-buy.lua and prints "req/s p50_ms p99_ms requests non2xx errors"; the CPU each
# component used meanwhile goes to $BENCH_DIR/cpu-<label>.txt.
measure() { # label url script-args...
    measure_with wrk-buy.lua "$@"
}

# measure with another wrk script of jmeter/ ("" for none: a plain GET of url).
measure_with() { # script label url script-args...
    local script=$1 label=$2 url=$3; shift 3
    local out before wrk_pid script_args=()
    [[ -n $script ]] && script_args=(-s "$ROOT/jmeter/$script")
    before=$(cpu_sample)
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${script_args[@]}" "$url" -- "$@" >"$BENCH_DIR/wrk.out" &
    wrk_pid=$!
    sleep 0.5
    local wrk_before
    wrk_before=$(awk '{ print $14 + $15 }' "/proc/$wrk_pid/stat")
    local wrk_after=$wrk_before
    while kill -0 "$wrk_pid" 2>/dev/null; do
        wrk_after=$(awk '{ print $14 + $15 }' "/proc/$wrk_pid/stat" 2>/dev/null || echo "$wrk_after")
        sleep 0.2
    done
    wait "$wrk_pid"
    out=$(<"$BENCH_DIR/wrk.out")
    { echo "$before" | sed 's/^/before /'; cpu_sample | sed 's/^/after /'; echo "after wrk $((wrk_after - wrk_before))"; } \
        >"$BENCH_DIR/cpu-$label.txt"
    awk -v out="$out" 'BEGIN {
        n = split(out, lines, "\n"); rps = 0; p50 = 0; p99 = 0; reqs = 0; non2xx = 0; errors = 0
        for (i = 1; i <= n; i++) {
            l = lines[i]
            if (l ~ /Requests\/sec:/) { split(l, f, " "); rps = f[2] }
            if (l ~ /^ +50%/) { split(l, f, " "); p50 = f[2] }
            if (l ~ /^ +99%/) { split(l, f, " "); p99 = f[2] }
            if (l ~ /requests in/) { split(l, f, " "); reqs = f[1] }
            if (l ~ /Non-2xx/) { split(l, f, ":"); non2xx = f[2] + 0 }
            if (l ~ /Socket errors/) { gsub(/[^0-9 ]/, " ", l); split(l, f, " "); errors = f[1] + f[2] + f[3] + f[4] }
        }
        printf "%s %s %s %s %s %s\n", rps, ms(p50), ms(p99), reqs, non2xx, errors
    }
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s–%s", lo, hi }'; }

main() {
    require_tools
    mkdir -p "$BENCH_DIR"
    trap cleanup EXIT
    ensure_cluster
    start_ceiling
    start_proxy_ceiling
    local direct
    direct=$(direct_instance)

    local stamp buy soldout local_only queue
    stamp=$(date +%s)
    buy=bench-buy-$stamp
    soldout=bench-soldout-$stamp
    local_only=bench-nohandoff-$stamp
    queue=bench-queue-$stamp
    admin PUT "$buy" '{"tickets":1000000000,"holdSeconds":86400}' >/dev/null
    admin PUT "$local_only" '{"tickets":1000000000,"holdSeconds":86400,"handoff":false}' >/dev/null
    admin PUT "$soldout" '{"tickets":0,"holdSeconds":60}' >/dev/null
    # A queued sale that stays in its pre-queue for the whole run: every join takes a place, nobody is admitted.
    admin PUT "$queue" "$(printf '{"tickets":1000000,"holdSeconds":60,"queue":{"opensAt":%d,"admitPerSecond":100,"admitWindowSeconds":60}}' \
        $((($(date +%s) + PRE_QUEUE_SECONDS) * 1000)))" >/dev/null

    log "Warming up for $WARMUP (the JIT of four JVMs on the same cores takes a while) ..."
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-buy.lua" "http://127.0.0.1:$NGINX_PORT/" -- "$buy" "warm$stamp" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-buy.lua" "http://127.0.0.1:$NGINX_PORT/" -- "$soldout" "warm$stamp" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-buy.lua" "http://127.0.0.1:$NGINX_PORT/" -- "$soldout" "warmf$stamp" '&retry=true' >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-buy.lua" "http://127.0.0.1:$NGINX_PORT/" -- "$soldout" "warml$stamp" "$NOT_SHARED" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-join.lua" "http://127.0.0.1:$NGINX_PORT/" -- "$queue" "warmq$stamp" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$POLL_WARMUP" "http://127.0.0.1:$NGINX_PORT/queue/$queue" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$POLL_WARMUP" -s "$ROOT/jmeter/wrk-buy.lua" "http://127.0.0.1:$PROXY_PORT/" -- "$soldout" "warmi$stamp" >/dev/null

    local reserved_before joined_before log_offset
    reserved_before=$(admin GET "$buy" | redis_reserved)
    joined_before=$(admin GET "$queue" | queue_joined)
    log_offset=$(access_log_size)
    : >"$BENCH_DIR/raw.txt"
    : >"$BENCH_DIR/soldout-verdicts.txt"
    local round
    for ((round = 1; round <= ROUNDS; round++)); do
        log "Round $round/$ROUNDS: purchase, sold out (shared, through an instance, retry=true), both ceilings, one instance, fsync everysec, no hand-off, join, poll ($DURATION each) ..."
        echo "a $(measure a "http://127.0.0.1:$NGINX_PORT/" "$buy" "r$round-$stamp")" >>"$BENCH_DIR/raw.txt"
        local b_start b_end
        b_start=$(access_log_size)
        echo "b $(measure b "http://127.0.0.1:$NGINX_PORT/" "$soldout" "r$round-$stamp")" >>"$BENCH_DIR/raw.txt"
        b_end=$(access_log_size)
        purchase_verdicts "$b_start" "$b_end" >>"$BENCH_DIR/soldout-verdicts.txt"
        echo "l $(measure l "http://127.0.0.1:$NGINX_PORT/" "$soldout" "l$round-$stamp" "$NOT_SHARED")" >>"$BENCH_DIR/raw.txt"
        echo "f $(measure f "http://127.0.0.1:$NGINX_PORT/" "$soldout" "f$round-$stamp" '&retry=true')" >>"$BENCH_DIR/raw.txt"
        echo "c $(measure c "http://127.0.0.1:$CEILING_PORT/" "$soldout" "r$round-$stamp")" >>"$BENCH_DIR/raw.txt"
        echo "i $(measure i "http://127.0.0.1:$PROXY_PORT/" "$soldout" "r$round-$stamp")" >>"$BENCH_DIR/raw.txt"
        echo "j $(measure j "http://$direct/" "$soldout" "j$round-$stamp")" >>"$BENCH_DIR/raw.txt"
        echo "k $(measure k "http://$direct/" "$buy" "k$round-$stamp")" >>"$BENCH_DIR/raw.txt"
        if [[ -f $RUN_DIR/redis/redis.pid ]]; then
            redis-cli -p "$REDIS_PORT" CONFIG SET appendfsync everysec >/dev/null
            echo "d $(measure d "http://127.0.0.1:$NGINX_PORT/" "$buy" "d$round-$stamp")" >>"$BENCH_DIR/raw.txt"
            redis-cli -p "$REDIS_PORT" CONFIG SET appendfsync always >/dev/null
        fi
        echo "e $(measure e "http://127.0.0.1:$NGINX_PORT/" "$local_only" "e$round-$stamp")" >>"$BENCH_DIR/raw.txt"
        echo "g $(measure_with wrk-join.lua g "http://127.0.0.1:$NGINX_PORT/" "$queue" "g$round-$stamp")" >>"$BENCH_DIR/raw.txt"
        echo "h $(measure_with "" h "http://127.0.0.1:$NGINX_PORT/queue/$queue")" >>"$BENCH_DIR/raw.txt"
    done

    # Exactness under load: every answered purchase of (a) is one reservation in Redis (requests still in
    # flight when wrk stops may add up to CONNECTIONS more).
    local reserved_after answered
    reserved_after=$(admin GET "$buy" | redis_reserved)
    answered=$(awk '$1 == "a" || $1 == "d" || $1 == "k" { s += $5 } END { print s + 0 }' "$BENCH_DIR/raw.txt")

    # Exactness of joins likewise: every answered join is one place.
    local joined_after joins
    joined_after=$(admin GET "$queue" | queue_joined)
    joins=$(awk '$1 == "g" { s += $5 } END { print s + 0 }' "$BENCH_DIR/raw.txt")
    # Which polls an instance answered: nginx's access log says, for each, the cache's verdict.
    poll_verdicts "$log_offset" "$queue" >"$BENCH_DIR/polls.txt"

    local rss_kb=0 f pid
    for f in "$RUN_DIR"/instance-*/instance.pid; do
        pid=$(<"$f")
        [[ -r /proc/$pid/status ]] && rss_kb=$((rss_kb + $(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")))
    done

    : >"$BENCH_DIR/burst.txt"
    local connections
    for connections in $BURST_CONNECTIONS; do
        burst "$soldout" "$connections" >>"$BENCH_DIR/burst.txt"
    done

    report "$reserved_after" "$reserved_before" "$answered" "$rss_kb" "$joins" "$((joined_after - joined_before))" \
        | tee "$BENCH_DIR/results.md"
    local made=$((reserved_after - reserved_before)) in_flight=$((CONNECTIONS * ROUNDS * 3))
    if ((made < answered || made > answered + in_flight)); then
        die "answered $answered purchases but Redis made $made reservations: the purchase path is not exact"
    fi
    local places=$((joined_after - joined_before))
    if ((places < joins || places > joins + CONNECTIONS * ROUNDS)); then
        die "answered $joins joins but the queue gained $places places: the join path is not exact"
    fi
    if $RECORD; then
        record
        log "Recorded in $RESULTS_DOC, at the end of its Results"
    fi
}

# Puts the new run last under "## Results", before the analysis that follows it (or at the end).
record() {
    local file=$RESULTS_DOC
    awk -v results="$BENCH_DIR/results.md" '
        function emit() { while ((getline line < results) > 0) print line; print ""; done = 1 }
        /^## / && seen && !done { emit() }
        /^## Results/ { seen = 1 }
        { print }
        END { if (!done) { print ""; emit() } }' "$file" >"$file.new"
    mv "$file.new" "$file"
}

report() {
    local reserved_after=$1 reserved_before=$2 answered=$3 rss_kb=$4 joins=$5 places=$6 col label
    local -A med
    printf '### %s — %s cores, %s GiB, wrk -t%s -c%s, %s × %s rounds interleaved, %s warm-up per path\n\n' \
        "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)" \
        "$THREADS" "$CONNECTIONS" "$DURATION" "$ROUNDS" "$WARMUP"
    for col in a b c d e f g h i j k l; do
        grep -q "^$col " "$BENCH_DIR/raw.txt" && med[$col]=$(awk -v c=$col '$1 == c { print $2 }' "$BENCH_DIR/raw.txt" | median)
    done
    echo '| path | req/s median (spread) | ÷ static ceiling (c) | ÷ proxy ceiling (i) | p50 ms | p99 ms | non-2xx | socket errors |'
    echo '|---|---|---|---|---|---|---|---|'
    for col in a b l f g h j k c i d e; do
        [[ -n ${med[$col]:-} ]] || continue
        case $col in
            a) label='(a) purchase, Lua every request' ;;
            b) label='(b) sold out, shared by nginx' ;;
            l) label='(l) sold out, through an instance (local stock)' ;;
            c) label='(c) static ceiling: nginx return 200' ;;
            d) label='(d) purchase, AOF appendfsync everysec' ;;
            e) label='(e) purchase, no hand-off to PostgreSQL' ;;
            f) label='(f) sold out, every request retry=true' ;;
            g) label='(g) join the queue, Lua every request' ;;
            h) label='(h) poll the queue state (nginx microcache)' ;;
            i) label='(i) proxy ceiling: front nginx → nginx return 200' ;;
            j) label='(j) one instance direct, sold out' ;;
            k) label='(k) one instance direct, purchase' ;;
        esac
        printf '| %s | %.0f (%s) | %.3f | %.3f | %s | %s | %s | %s |\n' "$label" "${med[$col]}" \
            "$(awk -v c=$col '$1 == c { printf "%.0f\n", $2 }' "$BENCH_DIR/raw.txt" | spread)" \
            "$(awk -v v="${med[$col]}" -v c="${med[c]}" 'BEGIN { print v / c }')" \
            "$(awk -v v="${med[$col]}" -v i="${med[i]}" 'BEGIN { print v / i }')" \
            "$(awk -v c=$col '$1 == c { print $3 }' "$BENCH_DIR/raw.txt" | median)" \
            "$(awk -v c=$col '$1 == c { print $4 }' "$BENCH_DIR/raw.txt" | median)" \
            "$(awk -v c=$col '$1 == c { s += $6 } END { print s + 0 }' "$BENCH_DIR/raw.txt")" \
            "$(awk -v c=$col '$1 == c { s += $7 } END { print s + 0 }' "$BENCH_DIR/raw.txt")"
    done
    echo
    local p99a
    p99a=$(awk '$1 == "a" { print $4 }' "$BENCH_DIR/raw.txt" | median)
    awk -v a="${med[a]}" -v b="${med[b]}" -v c="${med[c]}" -v i="${med[i]}" -v g="${med[g]}" -v h="${med[h]}" -v p99="$p99a" \
        'function verdict(ok) { return ok ? "met" : "not met" }
         BEGIN { printf "Targets (medians of this run): sold out b/c = %.2f (≥ 0.5, %s); purchase a/i = %.2f (≥ 0.15, %s);", b / c, verdict(b / c >= 0.5), a / i, verdict(a / i >= 0.15)
                 printf " polls h/c = %.2f (≥ 0.5, %s); joins g/a = %.2f (≥ 1, %s); p99 of (a) %s ms\n", h / c, verdict(h / c >= 0.5), g / a, verdict(g / a >= 1), p99 }'
    echo
    awk -v a="${med[a]}" -v b="${med[b]}" -v d="${med[d]:-0}" -v e="${med[e]}" -v f="${med[f]}" -v j="${med[j]}" -v k="${med[k]}" -v l="${med[l]}" \
        'BEGIN { printf "Other ratios: nginx'"'"'s shared answer runs at b/l = %.2f of the instances'"'"' sold-out answer; sold out with retry=true at f/l = %.2f of it", b / l, f / l
                 printf "; four instances behind nginx answer l/j = %.2f of one instance hit directly (sold out), a/k = %.2f (purchase)", l / j, a / k
                 if (d > 0) printf "; fsync on every write costs a/d = %.2f of the everysec throughput", a / d
                 printf "; with the hand-off, purchases run at a/e = %.2f of the throughput without it", a / e
                 print "" }'
    echo
    echo "Purchases answered in (a), (d) and (k): $answered; reservations made meanwhile: $((reserved_after - reserved_before))" \
        "(up to $((CONNECTIONS * ROUNDS * 3)) more: requests still in flight when wrk stopped)."
    echo "Joins answered in (g): $joins; places taken meanwhile: $places (up to $((CONNECTIONS * ROUNDS)) more: requests still in flight when wrk stopped)."
    if [[ -s $BENCH_DIR/soldout-verdicts.txt ]]; then
        sort "$BENCH_DIR/soldout-verdicts.txt" | uniq -c | awk '{ n += $1; if ($2 != "HIT" && $2 != "UPDATING") up += $1; v = v sep $2 " " $1; sep = ", " }
             END { printf "Sold-out purchases in (b), by the cache'"'"'s verdict in nginx'"'"'s access log: %s; an instance answered %d of %d (%.4f%%).\n", v, up, n, n ? 100 * up / n : 0 }'
    fi
    if [[ -s $BENCH_DIR/polls.txt ]]; then
        awk '{ n += $2; if ($1 == "MISS" || $1 == "EXPIRED" || $1 == "BYPASS" || $1 == "-") up += $2; v = v sep $1 " " $2; sep = ", " }
             END { printf "Polls in (h), by the cache'"'"'s verdict in nginx'"'"'s access log: %s; an instance answered %d of %d (%.4f%%).\n", v, up, n, n ? 100 * up / n : 0 }' \
            "$BENCH_DIR/polls.txt"
    fi
    printf 'Resident memory of the instances after the benchmark: %.2f GiB.\n' "$(awk -v k="$rss_kb" 'BEGIN { print k / 1048576 }')"
    [[ -n $CLUSTER_UP_SECONDS ]] && echo "Cluster start (payara/cluster.sh up): $CLUSTER_UP_SECONDS s."
    echo
    burst_report
    where_time_goes
    return 0
}

# The bursts (h2load) with the limits that bound them: the client's and nginx's descriptors, the kernel's listen
# queue and ephemeral ports, and what nginx's error log said meanwhile.
burst_report() {
    [[ -s $BENCH_DIR/burst.txt ]] || return 0
    local worker limit
    worker=$(ps -o pid= --ppid "$(cat "$RUN_DIR/nginx/nginx.pid" 2>/dev/null || echo 0)" 2>/dev/null | head -n 1 | tr -d ' ' || true)
    limit=$(awk '/Max open files/ { print $4 }' "/proc/$worker/limits" 2>/dev/null || echo '?')
    echo "Bursts: h2load --h1, $BURST_REQUESTS sold-out purchases each, over N connections opened at once (at most $BURST_CLIENT_CONNECTIONS per h2load process); a request not answered 2xx counts as failed:"
    echo
    echo '| connections | seconds | answers/s | 2xx | 4xx | 5xx | failed | connection errors | timeouts | never sent or answered | nginx error log |'
    echo '|---|---|---|---|---|---|---|---|---|---|---|'
    local c t rps s2 s4 s5 failed errored timeout missing errors
    while read -r _ c t rps s2 _ s4 s5 failed errored timeout missing; do
        # No such line at all is the good case: grep's status 1 must not end the script (pipefail).
        errors=$({ grep -oE 'worker_connections are not enough|Too many open files|limiting connections|upstream timed out|no live upstreams' \
            "$BENCH_DIR/burst-$c-error.log" 2>/dev/null || true; } | sort | uniq -c | awk '{ n = $1; $1 = ""; printf "%s%s ×%d", sep, substr($0, 2), n; sep = ", " }')
        printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$t" "$rps" "$s2" "$s4" "$s5" "$failed" \
            "$errored" "$timeout" "$missing" "${errors:-nothing}"
    done <"$BENCH_DIR/burst.txt"
    echo
    echo "Limits: this shell's descriptors $(ulimit -Sn) (hard $(ulimit -Hn)); each nginx worker's $limit" \
        "(NGINX_WORKER_CONNECTIONS $NGINX_WORKER_CONNECTIONS); the kernel's listen queue net.core.somaxconn" \
        "$(cat /proc/sys/net/core/somaxconn) per worker; ephemeral ports $(tr '\t' '-' </proc/sys/net/ipv4/ip_local_port_range)."
    echo
}

# CPU per request by component during the last round of each path: where the time goes. PostgreSQL is
# whatever its server processes used meanwhile (the hand-off's writes, for (a) and (d)).
where_time_goes() {
    local hz col
    hz=$(getconf CLK_TCK)
    echo "Where the time goes (last round; CPU microseconds per request, from /proc; $(nproc) cores = $(nproc),000,000 µs/s):"
    echo
    echo '| path | Payara (4 JVMs) | nginx | Redis | PostgreSQL | wrk | kernel softirq | all busy CPU | req/s |'
    echo '|---|---|---|---|---|---|---|---|---|'
    for col in a b l f g h j k d e; do
        [[ -f $BENCH_DIR/cpu-$col.txt ]] || continue
        awk -v hz="$hz" -v col="$col" -v rps="$(awk -v c="$col" '$1 == c { v = $2 } END { print v }' "$BENCH_DIR/raw.txt")" \
            -v reqs="$(awk -v c="$col" '$1 == c { v = $5 } END { print v }' "$BENCH_DIR/raw.txt")" '
            $1 == "before" { before[$2] += $3 }
            $1 == "after" { after[$2] += $3 }
            END {
                us = 1000000 / hz / reqs
                printf "| (%s) | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |\n", col,
                    (after["payara"] - before["payara"]) * us, (after["nginx"] - before["nginx"]) * us,
                    (after["redis"] - before["redis"]) * us, (after["postgres"] - before["postgres"]) * us, after["wrk"] * us,
                    (after["softirq"] - before["softirq"]) * us, (after["busy"] - before["busy"]) * us, rps
            }' "$BENCH_DIR/cpu-$col.txt"
    done
}

# Run as a script; sourced (by jmeter/bench-redis.sh), it only defines its functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi
