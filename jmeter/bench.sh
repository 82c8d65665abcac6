#!/usr/bin/env bash
# The benchmark: the purchase path against the machine's own ceiling, measured side by side in one run.
#
#   jmeter/bench.sh            measure and print the table (results also in target/bench/results.md)
#   jmeter/bench.sh --record   the same, and add the table to docs/benchmarks.md (last under its Results)
#   jmeter/bench.sh --mint     only sign the pool of access tokens (n) needs, when the one kept is short or
#                              about to expire: minutes of CPU, better spent before the measured run than in it
#   PATHS="c m n" BURST_CONNECTIONS= jmeter/bench.sh
#                              the buyer-authentication comparison alone, beside the static ceiling
#   PATHS="c g p q" BURST_CONNECTIONS= jmeter/bench.sh
#                              joins with a proof of work against plain ones
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
# Not measured unless PATHS names them (each needs minutes of preparation the full run need not pay):
#   (m) purchase, buyer.auth=open   as (k), sent straight to an instance of its own beside the cluster (on its
#                 Redis and PostgreSQL, outside nginx's list), distinct userIds
#   (n) purchase, buyer.auth=oidc   the same to a twin instance in oidc mode, each request with an access token
#                 never sent before (jmeter/wrk-buy-token.lua): every purchase pays one RS256 signature check.
#                 The tokens come from a stand-in provider: TokenMint (src/test/java/io/ticketrush/bench) signs a
#                 pool of TOKENS, one buyer each, and writes its discovery document and JWKS, which an nginx of
#                 the bench's own serves on ISSUER_PORT; the instance fetches and checks them as a real provider's.
#                 Target n/m >= 0.8. The two instances run side by side for the whole run, so (m) and (n) are
#                 interleaved like every other path; each instance's CPU per purchase is reported.
#   (p) join with a proof of work   as (g), for a queued sale whose places cost a proof of work (POW_MAXNUMBER),
#                 each request a new buyer with its solved challenge (jmeter/wrk-join-pow.lua): PowMint
#                 (src/test/java/io/ticketrush/bench) makes and solves them just before each run, as an instance
#                 makes them, with the cluster's queue secret (a challenge expires in ten minutes)
#   (q) challenge GET /queue/{id}/challenge through nginx for that sale, a new buyer each time: the request each
#                 buyer makes before (p). With (g) measured too, the service's CPU per join is reported for each.
# and prints req/s, p50 and p99 for each (medians over the rounds, min–max spread), each path's share of both
# ceilings, the targets (b/c ≥ 0.5, a/i ≥ 0.15, h/c ≥ 0.5, g/a ≥ 1), how many polls and sold-out purchases
# reached an instance, and the instances' resident memory afterwards. Then the burst: h2load sends BURST_REQUESTS
# sold-out purchases over each of BURST_CONNECTIONS connections at once, counting every answer.
#
# Uses the cluster on NGINX_PORT if one answers there; otherwise starts one with payara/cluster.sh up (and
# stops it again at the end).
#
# Settings, from the environment: PATHS (the letters above to measure; default every one but m, n, p, q), ROUNDS,
# DURATION, WARMUP, POLL_WARMUP, THREADS, CONNECTIONS, BURST_REQUESTS, BURST_CONNECTIONS ("" skips the burst),
# CEILING_PORT, PROXY_PORT, and for (m) and (n): OPEN_INSTANCE and OIDC_INSTANCE (host:port, each host a loopback
# address of its own), ISSUER_PORT, TOKENS, TOKEN_VALID_SECONDS; for (p): POW_MAXNUMBER, POW_RATE_BOUND. The
# cluster's own (NGINX_PORT, RUN_DIR, REDIS_PORT, ...) say which cluster to use or start.
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
# The paths to measure, by letter. m, n, p and q are left out by default: m and n boot two more instances and need a
# pool of signed tokens, p solved challenges before each round; minutes that the full run need not pay.
DEFAULT_PATHS='a b l f c i j k d e g h'
PATHS=${PATHS:-$DEFAULT_PATHS}
# (m) and (n): the two instances beside the cluster. cluster.sh starts the INSTANCES entries whose host is its
# HOST_ADDRESS, so each needs a loopback address of its own (any of 127.0.0.0/8 reaches this host).
OPEN_INSTANCE=${OPEN_INSTANCE:-127.0.0.2:3011}
OIDC_INSTANCE=${OIDC_INSTANCE:-127.0.0.3:3012}
# Their weight in the deployment: it sizes only their local share of a sale's stock, never reached here.
SIDE_WEIGHT=1
ISSUER_PORT=${ISSUER_PORT:-8097}
ISSUER=http://127.0.0.1:$ISSUER_PORT
TOKEN_AUDIENCE=ticketrush
# One token per purchase of (n), its warm-up included: at most ~6,000 purchases a second for WARMUP + ROUNDS x
# DURATION (90 + 30 s) by default. Signing takes ~1 ms of CPU each; a pool is kept in target/bench-tokens and
# signed again only when too small or expiring within TOKEN_MIN_LEFT_SECONDS.
TOKENS=${TOKENS:-700000}
TOKEN_VALID_SECONDS=${TOKEN_VALID_SECONDS:-86400}
TOKEN_MIN_LEFT_SECONDS=7200
TOKEN_DIR=$ROOT/target/bench-tokens
TOKEN_FILE=$TOKEN_DIR/tokens.txt
# (p) and (q): a queued sale that prices each place in proof of work. An instance's check costs the same whatever the
# price (one SHA-256 of salt and number, one HMAC), so a small price keeps the solving short: PowMint solves each
# buyer's challenge before each run of (p), MAXNUMBER / 2 hashes on average.
POW_MAXNUMBER=${POW_MAXNUMBER:-100}
# Solutions PowMint makes per second that wrk runs (p): more than the path can join, so that none runs short.
POW_RATE_BOUND=${POW_RATE_BOUND:-8000}

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

# An instance answers 503 while Redis does not answer it in time, as happens for a moment on a busy machine just after
# instances boot: the admin calls are retried on it (opening or reading a sale twice is doing it once).
ADMIN_RETRIES=5
admin() { # method event [json]
    local token
    token=${ADMIN_TOKEN:-$(cat "$RUN_DIR/admin-token")}
    curl -fsS --retry "$ADMIN_RETRIES" --retry-delay 1 -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
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

# Whether PATHS names path $1; measuring_any: any of $1...
measuring() { [[ " $PATHS " == *" $1 "* ]]; }
measuring_any() {
    local path
    for path in "$@"; do measuring "$path" && return 0; done
    return 1
}

# --- (m) and (n): buyers named by the form, or by a verified access token --------------------------------

# The pool of tokens: TOKENS of them, for ISSUER and TOKEN_AUDIENCE, valid TOKEN_MIN_LEFT_SECONDS more at least.
token_pool_ok() {
    local properties=$TOKEN_FILE.properties
    [[ -s $properties && -s $TOKEN_FILE && -s $TOKEN_DIR/issuer/jwks.json ]] || return 1
    awk -F= -v issuer="$ISSUER" -v audience="$TOKEN_AUDIENCE" -v count="$TOKENS" \
        -v until=$(($(date +%s) + TOKEN_MIN_LEFT_SECONDS)) '
        { v[$1] = substr($0, length($1) + 2) }
        END { exit !(v["issuer"] == issuer && v["audience"] == audience && v["count"] >= count && v["expires"] >= until) }' \
        "$properties"
}

# The class path of the bench's tools (src/test/java/io/ticketrush/bench), built first when they are missing or
# older than their sources.
bench_tools_classpath() {
    local tools=$ROOT/src/test/java/io/ticketrush/bench classes=$ROOT/target/test-classes/io/ticketrush/bench
    local classpath=$ROOT/target/bench-classpath.txt source
    for source in "$tools"/*.java; do
        if [[ ! -f $classes/$(basename "$source" .java).class || $source -nt $classes/$(basename "$source" .java).class ]]; then
            log "Building the bench's tools (mvn test-compile) ..."
            (cd "$ROOT" && mvn -q -B -Dspotless.check.skip=true test-compile) >&2 || die "building the bench's tools failed"
            break
        fi
    done
    if [[ ! -s $classpath || $ROOT/pom.xml -nt $classpath ]]; then
        (cd "$ROOT" && mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath") >&2 \
            || die "mvn dependency:build-classpath failed"
    fi
    echo "$ROOT/target/test-classes:$ROOT/target/classes:$(<"$classpath")"
}

# Signs a new pool with TokenMint unless the one kept will do.
ensure_tokens() {
    if token_pool_ok; then
        log "Tokens: the pool in $TOKEN_FILE will do ($(sed -n 's/^count=//p' "$TOKEN_FILE.properties") for $ISSUER)"
        return 0
    fi
    local classpath
    classpath=$(bench_tools_classpath)
    log "Tokens: signing $TOKENS RS256 access tokens for $ISSUER (about 1 ms of CPU each) ..."
    mkdir -p "$TOKEN_DIR"
    java -cp "$classpath" io.ticketrush.bench.TokenMint "$ISSUER" "$TOKEN_AUDIENCE" \
        "$TOKENS" "$TOKEN_VALID_SECONDS" "$TOKEN_DIR/issuer" "$TOKEN_FILE" || die "TokenMint failed"
}

# A wrk duration ("10s", "2m", "1h") in seconds.
seconds() {
    local value=${1%[smh]}
    case $1 in *m) echo $((value * 60)) ;; *h) echo $((value * 3600)) ;; *) echo "$value" ;; esac
}

# Solved challenges of sale $1 for new buyers "$2-<thread>-<n>", enough for wrk to join for $3 (a duration) at
# POW_RATE_BOUND, into $BENCH_DIR/pow (see PowMint): made with the cluster's queue secret, as an instance makes them.
POW_CLASSPATH=""
mint_pow() { # event prefix duration
    [[ -n $POW_CLASSPATH ]] || POW_CLASSPATH=$(bench_tools_classpath)
    local per_thread=$(((POW_RATE_BOUND * $(seconds "$3") + THREADS - 1) / THREADS))
    rm -rf "$BENCH_DIR/pow"
    QUEUE_SECRET=${QUEUE_SECRET:-$(<"$RUN_DIR/queue-secret")} java -cp "$POW_CLASSPATH" io.ticketrush.bench.PowMint \
        "$1" "$POW_MAXNUMBER" "$2" "$per_thread" "$THREADS" "$BENCH_DIR/pow" || die "PowMint failed"
}

# The stand-in provider: an nginx answering the discovery document and the JWKS TokenMint wrote, from its
# configuration (the workers need not read files under the checkout).
start_issuer() {
    local dir=$BENCH_DIR/issuer
    mkdir -p "$dir/tmp"
    : >"$dir/access.log"
    cat >"$dir/nginx.conf" <<CONF
# The issuer of (n)'s tokens, as a provider publishes it. The instance fetches these once, then every few minutes.
$([[ $EUID -eq 0 ]] && echo "user nobody nogroup;")
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp;
    default_type application/json;
    server {
        listen 127.0.0.1:$ISSUER_PORT;
        location = /.well-known/openid-configuration { return 200 '$(<"$TOKEN_DIR/issuer/.well-known/openid-configuration")'; }
        location = /jwks.json { return 200 '$(<"$TOKEN_DIR/issuer/jwks.json")'; }
        location / { return 404; }
    }
}
CONF
    nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
    ISSUER_PID_FILE=$dir/nginx.pid
    http_ok "$ISSUER/.well-known/openid-configuration" || die "the issuer nginx does not answer on $ISSUER"
}

# The cluster's INSTANCES with the two side instances after them: the list both side deployments are given, as
# hosts of one deployment are, so the side instances are instance-N+1 and instance-N+2 in Redis's roll of members.
side_instances_list() {
    local i list=""
    parse_instances
    for ((i = 1; i <= $(instance_count); i++)); do list+="${HOSTS[i]}:${PORTS[i]}:${LOADS[i]} "; done
    echo "$list$OPEN_INSTANCE:$SIDE_WEIGHT $OIDC_INSTANCE:$SIDE_WEIGHT"
}

# Runs payara/cluster.sh command $2 for side deployment $1 (open or oidc): this host's instances of the list being
# the one at that address, on the cluster's Redis and PostgreSQL, with its secrets.
side_cluster() { # auth command
    local auth=$1 address list
    address=$OPEN_INSTANCE
    [[ $auth == oidc ]] && address=$OIDC_INSTANCE
    list=$(side_instances_list)
    env RUN_DIR="$BENCH_DIR/buyers-$auth" SERVICES=instances INSTANCES="$list" HOST_ADDRESS="${address%%:*}" \
        ADMIN_TOKEN="${ADMIN_TOKEN:-$(<"$RUN_DIR/admin-token")}" QUEUE_SECRET="${QUEUE_SECRET:-$(<"$RUN_DIR/queue-secret")}" \
        DB_PASSWORD="${DB_PASSWORD:-$(<"$RUN_DIR/db-password")}" PG_PORT="${PG_PORT:-$(<"$RUN_DIR/postgres/port")}" \
        REDIS_PORT="$REDIS_PORT" BUYER_AUTH="$auth" OIDC_ISSUER="$ISSUER" OIDC_AUDIENCE="$TOKEN_AUDIENCE" \
        "$ROOT/payara/cluster.sh" "$2"
}

# Boots both side instances at once (stopping first any an interrupted run left: an instance that has verified
# tokens would answer them from its memory).
start_side_instances() {
    local auth pids=() i=0
    for auth in open oidc; do
        compgen -G "$BENCH_DIR/buyers-$auth/instance-*/instance.pid" >/dev/null && side_cluster "$auth" down >&2
        mkdir -p "$BENCH_DIR/buyers-$auth"
        log "Starting the side instance with buyer.auth=$auth ..."
        side_cluster "$auth" up >"$BENCH_DIR/buyers-$auth/up.log" 2>&1 &
        pids+=($!)
    done
    for auth in open oidc; do
        wait "${pids[i++]}" || { tail -n 30 "$BENCH_DIR/buyers-$auth/up.log" >&2; die "the side instance with buyer.auth=$auth did not start"; }
    done
    STARTED_SIDE=true
}

stop_side_instances() {
    local auth
    for auth in open oidc; do side_cluster "$auth" down >&2 || true; done
}

# Where the next wrk of (n) starts in the pool, and the check that the pool lasted.
NEXT_TOKEN=0
take_tokens() {
    NEXT_TOKEN=$(<"$BENCH_DIR/tokens.next")
    local count
    count=$(sed -n 's/^count=//p' "$TOKEN_FILE.properties")
    ((NEXT_TOKEN <= count)) || die "the pool of $count tokens ran out (line $NEXT_TOKEN): sign more, TOKENS=$((NEXT_TOKEN * 3 / 2)) jmeter/bench.sh --mint"
}

# (n) with tokens from NEXT_TOKEN on, as measure does (its result line, CPU in cpu-n.txt); call take_tokens after.
measure_signed() { # label url event
    measure_with wrk-buy-token.lua "$1" "$2" "$3" "$TOKEN_FILE" "$NEXT_TOKEN" "$THREADS" "$BENCH_DIR/tokens.next"
}

cleanup() {
    stop_ceiling
    [[ -z ${ISSUER_PID_FILE:-} ]] || stop_pid "$ISSUER_PID_FILE" "nginx: master" "issuer nginx" QUIT
    if ${STARTED_SIDE:-false}; then stop_side_instances; fi
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
    # The side instances of (m) and (n), by their buyer.auth.
    local auth
    for auth in open oidc; do
        for f in "$BENCH_DIR/buyers-$auth"/instance-*/instance.pid; do
            [[ -f $f ]] && echo "$auth $(ticks "$(<"$f")")"
        done
    done
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

# $1 as a share of $2, or a dash when $2 was not measured.
share() { if [[ -n $2 ]]; then awk -v v="$1" -v c="$2" 'BEGIN { printf "%.3f", v / c }'; else echo '–'; fi; }

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%s–%s", lo, hi }'; }

usage() {
    sed -n '2,/^set -euo pipefail/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

main() {
    case ${1:-} in
        '' | --record) ;;
        --mint) ensure_tokens; return 0 ;;
        -h | --help) usage; return 0 ;;
        *) usage >&2; exit 2 ;;
    esac
    require_tools
    mkdir -p "$BENCH_DIR"
    rm -f "$BENCH_DIR"/cpu-*.txt
    measuring n && ensure_tokens
    trap cleanup EXIT
    ensure_cluster
    start_ceiling
    start_proxy_ceiling
    local direct
    direct=$(direct_instance)
    if measuring_any m n; then
        start_issuer
        start_side_instances
    fi

    local stamp buy soldout local_only queue buyers_open buyers_oidc
    stamp=$(date +%s)
    buy=bench-buy-$stamp
    soldout=bench-soldout-$stamp
    local_only=bench-nohandoff-$stamp
    queue=bench-queue-$stamp
    buyers_open=bench-open-$stamp
    buyers_oidc=bench-oidc-$stamp
    local pow_queue=bench-pow-$stamp
    admin PUT "$buy" '{"tickets":1000000000,"holdSeconds":86400}' >/dev/null
    admin PUT "$local_only" '{"tickets":1000000000,"holdSeconds":86400,"handoff":false}' >/dev/null
    admin PUT "$soldout" '{"tickets":0,"holdSeconds":60}' >/dev/null
    # A queued sale that stays in its pre-queue for the whole run: every join takes a place, nobody is admitted.
    admin PUT "$queue" "$(printf '{"tickets":1000000,"holdSeconds":60,"queue":{"opensAt":%d,"admitPerSecond":100,"admitWindowSeconds":60}}' \
        $((($(date +%s) + PRE_QUEUE_SECONDS) * 1000)))" >/dev/null
    # (m) and (n) each their own sale, as (a): every answered purchase is counted against its reservations.
    admin PUT "$buyers_open" '{"tickets":1000000000,"holdSeconds":86400}' >/dev/null
    admin PUT "$buyers_oidc" '{"tickets":1000000000,"holdSeconds":86400}' >/dev/null
    # (p) and (q): as (g)'s, each place priced at a proof of work.
    admin PUT "$pow_queue" "$(printf '{"tickets":1000000,"holdSeconds":60,"queue":{"opensAt":%d,"admitPerSecond":100,"admitWindowSeconds":60,"proofOfWork":%d}}' \
        $((($(date +%s) + PRE_QUEUE_SECONDS) * 1000)) "$POW_MAXNUMBER")" >/dev/null

    local open_url=http://$OPEN_INSTANCE/ oidc_url=http://$OIDC_INSTANCE/
    local nginx_url=http://127.0.0.1:$NGINX_PORT/
    log "Warming up for $WARMUP per path (the JIT of four JVMs on the same cores takes a while) ..."
    if measuring_any a d e k; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-buy.lua" "$nginx_url" -- "$buy" "warm$stamp" >/dev/null
    fi
    if measuring_any b j; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-buy.lua" "$nginx_url" -- "$soldout" "warm$stamp" >/dev/null
    fi
    if measuring f; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-buy.lua" "$nginx_url" -- "$soldout" "warmf$stamp" '&retry=true' >/dev/null
    fi
    if measuring l; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-buy.lua" "$nginx_url" -- "$soldout" "warml$stamp" "$NOT_SHARED" >/dev/null
    fi
    if measuring g; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-join.lua" "$nginx_url" -- "$queue" "warmq$stamp" >/dev/null
    fi
    if measuring h; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$POLL_WARMUP" "http://127.0.0.1:$NGINX_PORT/queue/$queue" >/dev/null
    fi
    if measuring i; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$POLL_WARMUP" -s "$ROOT/jmeter/wrk-buy.lua" "http://127.0.0.1:$PROXY_PORT/" -- "$soldout" "warmi$stamp" >/dev/null
    fi
    if measuring m; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-buy.lua" "$open_url" -- "$buyers_open" "warmm$stamp" >/dev/null
    fi
    if measuring n; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-buy-token.lua" "$oidc_url" -- "$buyers_oidc" \
            "$TOKEN_FILE" "$NEXT_TOKEN" "$THREADS" "$BENCH_DIR/tokens.next" >/dev/null
        take_tokens
    fi
    if measuring p; then
        mint_pow "$pow_queue" "warmp$stamp" "$WARMUP"
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-join-pow.lua" "$nginx_url" -- "$pow_queue" "$BENCH_DIR/pow" >/dev/null
    fi
    if measuring q; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$ROOT/jmeter/wrk-challenge.lua" "$nginx_url" -- "$pow_queue" "warmc$stamp" >/dev/null
    fi

    local reserved_before joined_before log_offset open_before oidc_before pow_joined_before
    reserved_before=$(admin GET "$buy" | redis_reserved)
    joined_before=$(admin GET "$queue" | queue_joined)
    open_before=$(admin GET "$buyers_open" | redis_reserved)
    oidc_before=$(admin GET "$buyers_oidc" | redis_reserved)
    pow_joined_before=$(admin GET "$pow_queue" | queue_joined)
    log_offset=$(access_log_size)
    : >"$BENCH_DIR/raw.txt"
    : >"$BENCH_DIR/soldout-verdicts.txt"
    local round
    for ((round = 1; round <= ROUNDS; round++)); do
        log "Round $round/$ROUNDS: paths $PATHS ($DURATION each) ..."
        if measuring a; then echo "a $(measure a "$nginx_url" "$buy" "r$round-$stamp")" >>"$BENCH_DIR/raw.txt"; fi
        if measuring b; then
            local b_start b_end
            b_start=$(access_log_size)
            echo "b $(measure b "$nginx_url" "$soldout" "r$round-$stamp")" >>"$BENCH_DIR/raw.txt"
            b_end=$(access_log_size)
            purchase_verdicts "$b_start" "$b_end" >>"$BENCH_DIR/soldout-verdicts.txt"
        fi
        if measuring l; then echo "l $(measure l "$nginx_url" "$soldout" "l$round-$stamp" "$NOT_SHARED")" >>"$BENCH_DIR/raw.txt"; fi
        if measuring f; then echo "f $(measure f "$nginx_url" "$soldout" "f$round-$stamp" '&retry=true')" >>"$BENCH_DIR/raw.txt"; fi
        if measuring c; then echo "c $(measure c "http://127.0.0.1:$CEILING_PORT/" "$soldout" "r$round-$stamp")" >>"$BENCH_DIR/raw.txt"; fi
        if measuring i; then echo "i $(measure i "http://127.0.0.1:$PROXY_PORT/" "$soldout" "r$round-$stamp")" >>"$BENCH_DIR/raw.txt"; fi
        if measuring j; then echo "j $(measure j "http://$direct/" "$soldout" "j$round-$stamp")" >>"$BENCH_DIR/raw.txt"; fi
        if measuring k; then echo "k $(measure k "http://$direct/" "$buy" "k$round-$stamp")" >>"$BENCH_DIR/raw.txt"; fi
        if measuring d && [[ -f $RUN_DIR/redis/redis.pid ]]; then
            redis-cli -p "$REDIS_PORT" CONFIG SET appendfsync everysec >/dev/null
            echo "d $(measure d "$nginx_url" "$buy" "d$round-$stamp")" >>"$BENCH_DIR/raw.txt"
            redis-cli -p "$REDIS_PORT" CONFIG SET appendfsync always >/dev/null
        fi
        if measuring e; then echo "e $(measure e "$nginx_url" "$local_only" "e$round-$stamp")" >>"$BENCH_DIR/raw.txt"; fi
        if measuring g; then
            echo "g $(measure_with wrk-join.lua g "$nginx_url" "$queue" "g$round-$stamp")" >>"$BENCH_DIR/raw.txt"
            cp "$BENCH_DIR/cpu-g.txt" "$BENCH_DIR/cpu-g-$round.txt"
        fi
        if measuring p; then
            # Solved just before they are sent: a challenge expires ten minutes after it is made.
            mint_pow "$pow_queue" "p$round-$stamp" "$DURATION"
            echo "p $(measure_with wrk-join-pow.lua p "$nginx_url" "$pow_queue" "$BENCH_DIR/pow")" >>"$BENCH_DIR/raw.txt"
            cp "$BENCH_DIR/cpu-p.txt" "$BENCH_DIR/cpu-p-$round.txt"
        fi
        if measuring q; then
            echo "q $(measure_with wrk-challenge.lua q "$nginx_url" "$pow_queue" "q$round-$stamp")" >>"$BENCH_DIR/raw.txt"
            cp "$BENCH_DIR/cpu-q.txt" "$BENCH_DIR/cpu-q-$round.txt"
        fi
        if measuring h; then echo "h $(measure_with "" h "http://127.0.0.1:$NGINX_PORT/queue/$queue")" >>"$BENCH_DIR/raw.txt"; fi
        # (m) and (n) take turns going first, so that neither always follows the same path.
        local auth order="m n"
        ((round % 2)) || order="n m"
        for auth in $order; do
            measuring "$auth" || continue
            if [[ $auth == m ]]; then
                echo "m $(measure m "$open_url" "$buyers_open" "m$round-$stamp")" >>"$BENCH_DIR/raw.txt"
            else
                echo "n $(measure_signed n "$oidc_url" "$buyers_oidc")" >>"$BENCH_DIR/raw.txt"
                take_tokens
            fi
            cp "$BENCH_DIR/cpu-$auth.txt" "$BENCH_DIR/cpu-$auth-$round.txt"
        done
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
    # And of the joins with a proof of work.
    local pow_joined_after pow_joins
    pow_joined_after=$(admin GET "$pow_queue" | queue_joined)
    pow_joins=$(awk '$1 == "p" { s += $5 - $6 } END { print s + 0 }' "$BENCH_DIR/raw.txt")
    echo "$pow_joins $((pow_joined_after - pow_joined_before))" >"$BENCH_DIR/pow-joins.txt"

    # And of (m) and (n): answered purchases and reservations of each sale, in buyers.txt for the report.
    local open_after oidc_after
    open_after=$(admin GET "$buyers_open" | redis_reserved)
    oidc_after=$(admin GET "$buyers_oidc" | redis_reserved)
    printf 'm %s %s\nn %s %s\n' \
        "$(awk '$1 == "m" { s += $5 - $6 } END { print s + 0 }' "$BENCH_DIR/raw.txt")" $((open_after - open_before)) \
        "$(awk '$1 == "n" { s += $5 - $6 } END { print s + 0 }' "$BENCH_DIR/raw.txt")" $((oidc_after - oidc_before)) \
        >"$BENCH_DIR/buyers.txt"

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
    local col bought reserved
    while read -r col bought reserved; do
        # In flight when a wrk stopped: its warm-up's may still land after the count before the rounds.
        if ((reserved < bought || reserved > bought + CONNECTIONS * (ROUNDS + 1))); then
            die "($col) answered $bought purchases but Redis made $reserved reservations: a token or a buyer was used twice, or a purchase lost"
        fi
    done <"$BENCH_DIR/buyers.txt"
    if measuring n && awk '$1 == "n" && $6 > 0 { bad = 1 } END { exit !bad }' "$BENCH_DIR/raw.txt"; then
        die "(n) had non-2xx answers: tokens refused (see the oidc instance's log in $BENCH_DIR/buyers-oidc)"
    fi
    local pow_places=$((pow_joined_after - pow_joined_before))
    if ((pow_places < pow_joins || pow_places > pow_joins + CONNECTIONS * (ROUNDS + 1))); then
        die "answered $pow_joins joins with a proof of work but the queue gained $pow_places places: not exact"
    fi
    if measuring_any p q && awk '($1 == "p" || $1 == "q") && $6 > 0 { bad = 1 } END { exit !bad }' "$BENCH_DIR/raw.txt"; then
        die "(p) or (q) had non-2xx answers: proofs of work refused, or too few solved (raise POW_RATE_BOUND)"
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
    printf '### %s — %s cores, %s GiB, wrk -t%s -c%s, %s × %s rounds interleaved, %s warm-up per path%s\n\n' \
        "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)" \
        "$THREADS" "$CONNECTIONS" "$DURATION" "$ROUNDS" "$WARMUP" "$([[ $PATHS == "$DEFAULT_PATHS" ]] || echo ", paths $PATHS")"
    for col in a b c d e f g h i j k l m n p q; do
        grep -q "^$col " "$BENCH_DIR/raw.txt" && med[$col]=$(awk -v c=$col '$1 == c { print $2 }' "$BENCH_DIR/raw.txt" | median)
    done
    echo '| path | req/s median (spread) | ÷ static ceiling (c) | ÷ proxy ceiling (i) | p50 ms | p99 ms | non-2xx | socket errors |'
    echo '|---|---|---|---|---|---|---|---|'
    for col in a b l f g p q h j k m n c i d e; do
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
            m) label='(m) side instance direct, purchase, buyer.auth=open' ;;
            n) label='(n) side instance direct, purchase, buyer.auth=oidc (a new RS256 token each)' ;;
            p) label='(p) join the queue with a solved proof of work, Lua every request' ;;
            q) label='(q) a proof-of-work challenge (GET /queue/{id}/challenge)' ;;
        esac
        printf '| %s | %.0f (%s) | %s | %s | %s | %s | %s | %s |\n' "$label" "${med[$col]}" \
            "$(awk -v c=$col '$1 == c { printf "%.0f\n", $2 }' "$BENCH_DIR/raw.txt" | spread)" \
            "$(share "${med[$col]}" "${med[c]:-}")" "$(share "${med[$col]}" "${med[i]:-}")" \
            "$(awk -v c=$col '$1 == c { print $3 }' "$BENCH_DIR/raw.txt" | median)" \
            "$(awk -v c=$col '$1 == c { print $4 }' "$BENCH_DIR/raw.txt" | median)" \
            "$(awk -v c=$col '$1 == c { s += $6 } END { print s + 0 }' "$BENCH_DIR/raw.txt")" \
            "$(awk -v c=$col '$1 == c { s += $7 } END { print s + 0 }' "$BENCH_DIR/raw.txt")"
    done
    echo
    local p99a
    p99a=$(awk '$1 == "a" { print $4 }' "$BENCH_DIR/raw.txt" | median)
    # Each ratio only when both of its paths were measured (PATHS).
    awk -v a="${med[a]:-}" -v b="${med[b]:-}" -v c="${med[c]:-}" -v i="${med[i]:-}" -v g="${med[g]:-}" -v h="${med[h]:-}" \
        -v p99="$p99a" '
        function verdict(ok) { return ok ? "met" : "not met" }
        function target(name, x, y, least) {
            if (x == "" || y == "") return
            out = out sep sprintf("%s = %.2f (≥ %s, %s)", name, x / y, least, verdict(x / y >= least)); sep = "; "
        }
        BEGIN {
            target("sold out b/c", b, c, 0.5); target("purchase a/i", a, i, 0.15); target("polls h/c", h, c, 0.5)
            target("joins g/a", g, a, 1)
            if (a != "") { out = out sep "p99 of (a) " p99 " ms"; sep = "; " }
            if (out != "") print "Targets (medians of this run): " out "\n"
        }'
    awk -v a="${med[a]:-}" -v b="${med[b]:-}" -v d="${med[d]:-}" -v e="${med[e]:-}" -v f="${med[f]:-}" -v j="${med[j]:-}" \
        -v k="${med[k]:-}" -v l="${med[l]:-}" '
        function ratio(text, x, y) {
            if (x == "" || y == "") return
            out = out sep sprintf(text, x / y); sep = "; "
        }
        BEGIN {
            ratio("nginx'"'"'s shared answer runs at b/l = %.2f of the instances'"'"' sold-out answer", b, l)
            ratio("sold out with retry=true at f/l = %.2f of it", f, l)
            ratio("four instances behind nginx answer l/j = %.2f of one instance hit directly (sold out)", l, j)
            ratio("a/k = %.2f (purchase)", a, k)
            ratio("fsync on every write costs a/d = %.2f of the everysec throughput", a, d)
            ratio("with the hand-off, purchases run at a/e = %.2f of the throughput without it", a, e)
            if (out != "") print "Other ratios: " out "\n"
        }'
    if measuring_any a d k; then
        echo "Purchases answered in (a), (d) and (k): $answered; reservations made meanwhile: $((reserved_after - reserved_before))" \
            "(up to $((CONNECTIONS * ROUNDS * 3)) more: requests still in flight when wrk stopped)."
    fi
    if measuring g; then
        echo "Joins answered in (g): $joins; places taken meanwhile: $places (up to $((CONNECTIONS * ROUNDS)) more: requests still in flight when wrk stopped)."
    fi
    buyers_report
    pow_report
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

# CPU microseconds per answered purchase of path $1 (m or n) in round $2 ($3 purchases), by component: "the
# instance measured, the other side instance, the cluster's instances, Redis, PostgreSQL, nginx, wrk, softirq, all".
buyers_cpu() { # path round purchases
    local self=open other=oidc
    [[ $1 == n ]] && self=oidc other=open
    cpu_per_request "$BENCH_DIR/cpu-$1-$2.txt" "$3" "$self" "$other" payara redis postgres nginx wrk softirq busy
}

# (m) against (n): the ratio and its target, what a purchase costs each component in either mode (medians over the
# rounds), and that every answered purchase was one reservation.
buyers_report() {
    measuring_any m n || return 0
    local m n
    m=$(awk '$1 == "m" { print $2 }' "$BENCH_DIR/raw.txt" | median)
    n=$(awk '$1 == "n" { print $2 }' "$BENCH_DIR/raw.txt" | median)
    if [[ -n $m && -n $n ]]; then
        awk -v m="$m" -v n="$n" 'BEGIN { printf "Buyer authentication: purchases with a verified token run at n/m = %.2f of those naming their buyer (≥ 0.8, %s).\n\n",
            n / m, (n / m >= 0.8 ? "met" : "not met") }'
    fi
    echo "CPU per answered purchase in (m) and (n), µs, median of the $ROUNDS rounds (spread); from /proc. Every instance"
    echo "moves orders to PostgreSQL (the hand-off), so the instances not sent to work for each purchase too:"
    echo
    echo '| path | the instance measured | the other side instance | the cluster'"'"'s instances | Redis | PostgreSQL | nginx | wrk | kernel softirq | all busy CPU |'
    echo '|---|---|---|---|---|---|---|---|---|---|'
    local col round field purchases rows cells
    for col in m n; do
        measuring "$col" || continue
        rows=$(for ((round = 1; round <= ROUNDS; round++)); do
            purchases=$(awk -v c=$col -v r=$round '$1 == c && ++seen == r { print $5 - $6 }' "$BENCH_DIR/raw.txt")
            ((purchases > 0)) && buyers_cpu "$col" "$round" "$purchases"
        done)
        [[ -n $rows ]] || continue
        cells=""
        for field in 1 2 3 4 5 6 7 8 9; do
            cells+=" $(cut -d' ' -f"$field" <<<"$rows" | median | xargs printf '%.0f') ($(cut -d' ' -f"$field" <<<"$rows" | spread)) |"
        done
        echo "| ($col) buyer.auth=$([[ $col == m ]] && echo open || echo oidc) |$cells"
    done
    echo
    local bought reserved
    while read -r col bought reserved; do
        measuring "$col" || continue
        echo "Purchases answered in ($col): $bought; reservations made meanwhile in its sale: $reserved (up to $((CONNECTIONS * (ROUNDS + 1))) more: requests still in flight when wrk stopped)."
    done <"$BENCH_DIR/buyers.txt"
    if measuring n; then
        echo "Tokens: lines 0 to $NEXT_TOKEN of the pool of $(sed -n 's/^count=//p' "$TOKEN_FILE.properties") sent at most once each, warm-up included; the oidc instance asked the issuer $(grep -vc 'curl/' "$BENCH_DIR/issuer/access.log" || true) times (its discovery document, then its JWKS: once each is all it needs)."
    fi
    echo
}

# (g) against (p), and (q): what a join with a proof of work costs the service, median over the rounds. The service's
# CPU is its processes' (the four instances, nginx, Redis, PostgreSQL); the kernel's softirq (loopback traffic,
# charged to no process) and all busy CPU are beside it.
pow_report() {
    measuring_any p q || return 0
    local g p
    g=$(awk '$1 == "g" { print $2 }' "$BENCH_DIR/raw.txt" | median)
    p=$(awk '$1 == "p" { print $2 }' "$BENCH_DIR/raw.txt" | median)
    if [[ -n $g && -n $p ]]; then
        awk -v g="$g" -v p="$p" 'BEGIN { printf "Proof of work: joins with a solved challenge run at p/g = %.2f of plain joins.\n\n", p / g }'
    fi
    echo "CPU per request of (g), (p) and (q), µs, median of the $ROUNDS rounds (spread); from /proc:"
    echo
    echo '| path | the service | of which Payara (4 JVMs) | nginx | Redis | PostgreSQL | kernel softirq | wrk | all busy CPU |'
    echo '|---|---|---|---|---|---|---|---|---|'
    local col round field requests rows cells label joins places
    for col in g p q; do
        measuring "$col" || continue
        rows=$(for ((round = 1; round <= ROUNDS; round++)); do
            requests=$(awk -v c=$col -v r=$round '$1 == c && ++seen == r { print $5 - $6 }' "$BENCH_DIR/raw.txt")
            ((requests > 0)) && cpu_per_request "$BENCH_DIR/cpu-$col-$round.txt" "$requests" \
                payara+nginx+redis+postgres payara nginx redis postgres softirq wrk busy
        done)
        [[ -n $rows ]] || continue
        cells=""
        for field in 1 2 3 4 5 6 7 8; do
            cells+=" $(cut -d' ' -f"$field" <<<"$rows" | median | xargs printf '%.0f') ($(cut -d' ' -f"$field" <<<"$rows" | spread)) |"
        done
        case $col in
            g) label='(g) join' ;;
            p) label="(p) join with a proof of work (maxnumber $POW_MAXNUMBER)" ;;
            q) label='(q) challenge' ;;
        esac
        echo "| $label |$cells"
    done
    echo
    if measuring p; then
        read -r joins places <"$BENCH_DIR/pow-joins.txt"
        echo "Joins answered in (p): $joins; places taken meanwhile: $places (up to $((CONNECTIONS * (ROUNDS + 1))) more: requests still in flight when wrk stopped)."
        echo
    fi
}

# CPU microseconds per request from CPU file $1 (cpu_sample before and after) over $2 requests, for each component
# named after them ("a+b" the sum of two), on one line.
cpu_per_request() { # file requests components...
    local file=$1 requests=$2
    shift 2
    awk -v hz="$(getconf CLK_TCK)" -v n="$requests" -v components="$*" '
        $1 == "before" { before[$2] += $3 }
        $1 == "after" { after[$2] += $3 }
        END {
            us = 1000000 / hz / n
            # wrk is sampled while it runs: its line holds the difference already.
            before["wrk"] = 0
            count = split(components, names, " ")
            for (i = 1; i <= count; i++) {
                parts = split(names[i], part, "+"); sum = 0
                for (j = 1; j <= parts; j++) sum += after[part[j]] - before[part[j]]
                printf "%s%.0f", (i > 1 ? " " : ""), sum * us
            }
            print ""
        }' "$file"
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
    local measured=""
    for col in a b l f g p q h j k d e; do [[ -f $BENCH_DIR/cpu-$col.txt ]] && measured+=" $col"; done
    [[ -n $measured ]] || return 0
    echo "Where the time goes (last round; CPU microseconds per request, from /proc; $(nproc) cores = $(nproc),000,000 µs/s):"
    echo
    echo '| path | Payara (4 JVMs) | nginx | Redis | PostgreSQL | wrk | kernel softirq | all busy CPU | req/s |'
    echo '|---|---|---|---|---|---|---|---|---|'
    for col in $measured; do
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
