#!/usr/bin/env bash
# The pre-queue benchmark (issue 20): a crowd of JOINERS distinct buyers joins one queued sale through nginx while a
# polling crowd asks the sale's shared state (GET /queue/{id}) POLL_RATE times a second; then the sale opens.
#
#   jmeter/bench-prequeue.sh            two million joiners (a quarter of an hour or so, most of it joining)
#   JOINERS=50000 jmeter/bench-prequeue.sh
#
# It checks, and prints with the figures (also in target/bench-prequeue/results.md):
#   - every joiner joined before opensAt, each taking one place (the pre-queue is exactly JOINERS places);
#   - every instance answers /health/ready at every sample, from the first join to the end;
#   - the digest of the pre-queue is published, and the seed not before it (GET /queue/{id}/fairness);
#   - the first admission comes within FIRST_ADMISSION_LIMIT seconds of opensAt (reach > 0 in the shared state);
#   - a pre-queue member's position is known (POST /queue/{id}/admission with the place they were given), and the
#     verifier (FairnessVerifier, from the public record) puts them at that same position;
#   - the instances' resident memory, summed over all of them (VmRSS from /proc), stays under RSS_LIMIT_GIB at
#     every sample;
# and prints the join rate. Exit status 1 when a check failed.
#
# opensAt is chosen from the join rate measured first (CALIBRATION seconds of joins to a sale of its own, after
# CALIBRATION_WARMUP seconds of joins that warm the JIT up; or JOIN_RATE, given), so that the crowd has joined
# before it with a margin. Uses the cluster on NGINX_PORT if one answers there (its instances' pid files must be
# in RUN_DIR, for their memory); otherwise starts one with payara/cluster.sh up and stops it again at the end. Run
# it alone on the machine: it measures the machine.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=payara/lib/common.sh
source "$ROOT/payara/lib/common.sh"
# shellcheck source=payara/lib/settings.sh
source "$ROOT/payara/lib/settings.sh"
# shellcheck source=payara/lib/topology.sh
source "$ROOT/payara/lib/topology.sh"
# Standard output is the results; messages go to standard error.
LOG_FD=2
export RUN_DIR NGINX_PORT

JOINERS=${JOINERS:-2000000}
THREADS=${THREADS:-2}
JOIN_CONNECTIONS=${JOIN_CONNECTIONS:-100}
POLL_RATE=${POLL_RATE:-3000}
POLL_CONNECTIONS=${POLL_CONNECTIONS:-30}
CALIBRATION=${CALIBRATION:-30}
# Joins before the calibration, not measured: a fresh cluster joined at 906/s in its first 30 s and at 4,500/s
# once compiled, which set opensAt 39 minutes out for a crowd that had joined in 7.
CALIBRATION_WARMUP=${CALIBRATION_WARMUP:-60}
# The join rate to expect, given instead of measured (joins/s): skips the calibration and its warm-up.
JOIN_RATE=${JOIN_RATE:-}
# opensAt = now + the joins' expected time x JOIN_TIME_MARGIN + OPENING_LEAD seconds: the crowd joins under the
# polls and a growing Redis, a little slower than while calibrating.
JOIN_TIME_MARGIN=${JOIN_TIME_MARGIN:-1.3}
OPENING_LEAD=${OPENING_LEAD:-20}
FIRST_ADMISSION_LIMIT=${FIRST_ADMISSION_LIMIT:-10}
RSS_LIMIT_GIB=${RSS_LIMIT_GIB:-2.0}
VERIFY=${VERIFY:-true}
# The sale opened: enough tickets and admissions that the first batch comes at once.
SALE_TICKETS=${SALE_TICKETS:-1000}
ADMIT_PER_SECOND=${ADMIT_PER_SECOND:-100}
# How long the joins may go without a new place before the run gives up on the rest.
STALL_SECONDS=30
# How long after opensAt the opening is watched at most (the checks need FIRST_ADMISSION_LIMIT of it).
OPENING_WATCH_SECONDS=60
# How often the opening is sampled.
OPENING_SAMPLE_SECONDS=0.2
BENCH_DIR=$ROOT/target/bench-prequeue

usage() {
    sed -n '2,/^set -euo/{ /^set -euo/d; s/^# \{0,1\}//; p; }' "${BASH_SOURCE[0]}"
    cat <<USAGE

Settings, from the environment (defaults in brackets):
  JOINERS [$JOINERS]  THREADS [$THREADS]  JOIN_CONNECTIONS [$JOIN_CONNECTIONS]  (wrk, jmeter/wrk-join.lua)
  POLL_RATE [$POLL_RATE]/s over POLL_CONNECTIONS [$POLL_CONNECTIONS]  (wrk, jmeter/wrk-poll.lua)
  CALIBRATION_WARMUP [$CALIBRATION_WARMUP] s  CALIBRATION [$CALIBRATION] s  JOIN_RATE [measured]  JOIN_TIME_MARGIN [$JOIN_TIME_MARGIN]  OPENING_LEAD [$OPENING_LEAD] s
  FIRST_ADMISSION_LIMIT [$FIRST_ADMISSION_LIMIT] s  RSS_LIMIT_GIB [$RSS_LIMIT_GIB]  VERIFY [$VERIFY]
  SALE_TICKETS [$SALE_TICKETS]  ADMIT_PER_SECOND [$ADMIT_PER_SECOND]
  and payara/cluster.sh's (RUN_DIR, NGINX_PORT, BASE_PORT, REDIS_PORT, PG_PORT, ...: payara/cluster.sh --help)
  for the cluster it uses or starts.
USAGE
}

require_tools() { require_packages wrk:wrk curl:curl jq:jq java:openjdk-17-jdk-headless; }

STARTED_CLUSTER=false
ensure_cluster() {
    if http_ok "http://127.0.0.1:$NGINX_PORT/health/ready"; then
        log "Using the cluster already answering on port $NGINX_PORT (RUN_DIR $RUN_DIR)"
        return 0
    fi
    log "Starting the cluster (payara/cluster.sh up, RUN_DIR $RUN_DIR, nginx on $NGINX_PORT) ..."
    STARTED_CLUSTER=true
    "$ROOT/payara/cluster.sh" up >&2
}

admin() { # method event [json]
    local token
    token=${ADMIN_TOKEN:-$(cat "$RUN_DIR/admin-token")}
    curl -fsS -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        ${3:+-d "$3"} "http://127.0.0.1:$NGINX_PORT/admin/events/$2"
}

nginx_url() { echo "http://127.0.0.1:$NGINX_PORT"; }

# The address of instance $1.
instance_address() { echo "$(reach_address "${HOSTS[$1]}"):${PORTS[$1]}"; }

# The sale's shared state from instance 1 itself, not nginx's microcache: what Redis says now.
fresh_state() { curl -fsS --max-time 5 "http://$(instance_address 1)/queue/$1"; }

epoch_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- samples: memory and readiness -----------------------------------------------------------------------

# The instances' pids, from their pid files in RUN_DIR.
instance_pids() {
    local f
    for f in "$RUN_DIR"/instance-*/instance.pid; do [[ -f $f ]] && head -n 1 "$f"; done
}

# Resident memory of every instance, summed, in KiB.
rss_kb() {
    local pid total=0 kb
    for pid in $(instance_pids); do
        kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
        total=$((total + ${kb:-0}))
    done
    echo "$total"
}

# How many instances answer /health/ready.
ready_count() {
    local i ready=0
    for ((i = 1; i <= $(instance_count); i++)); do
        http_ok "http://$(instance_address "$i")/health/ready" && ready=$((ready + 1))
    done
    echo "$ready"
}

# One line "ms rss_kb ready phase" in samples.txt.
sample() { echo "$(epoch_ms) $(rss_kb) $(ready_count) $1" >>"$BENCH_DIR/samples.txt"; }

# --- the crowds ------------------------------------------------------------------------------------------

# Starts the polling crowd on event $1 in the background (POLL_PID); its summary goes to poll-$2.out.
start_polls() {
    local delay_ms
    delay_ms=$(awk -v c="$POLL_CONNECTIONS" -v r="$POLL_RATE" 'BEGIN { printf "%d", c * 1000 / r }')
    wrk -t1 -c"$POLL_CONNECTIONS" -d24h -s "$ROOT/jmeter/wrk-poll.lua" "$(nginx_url)/queue/$1" -- "$delay_ms" \
        >"$BENCH_DIR/poll-$2.out" 2>&1 &
    POLL_PID=$!
}

# Stops a wrk started here (SIGINT: it prints its summary) and waits for it.
stop_wrk() {
    local pid=$1
    kill -INT "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

wrk_rate() { awk '/Requests\/sec:/ { print $2 }' "$1"; }
wrk_non2xx() { awk -F: '/Non-2xx/ { s += $2 } END { print s + 0 }' "$1"; }
wrk_errors() { awk '/Socket errors/ { gsub(/[^0-9 ]/, " "); s += $1 + $2 + $3 + $4 } END { print s + 0 }' "$1"; }

# --- the run ---------------------------------------------------------------------------------------------

POLL_PID=""
JOIN_PID=""
cleanup() {
    [[ -z $POLL_PID ]] || stop_wrk "$POLL_PID"
    [[ -z $JOIN_PID ]] || stop_wrk "$JOIN_PID"
    if [[ -n ${EVENT:-} && ${KEEP_SALE:-false} != true ]] && http_ok "$(nginx_url)/health/ready"; then
        # Without its queue the sale's places are unlinked: the pre-queue does not stay in Redis.
        admin PUT "$EVENT" '{"tickets":0,"holdSeconds":60}' >/dev/null || true
    fi
    if $STARTED_CLUSTER; then "$ROOT/payara/cluster.sh" down >&2 || true; fi
}

# Joins to a sale of its own for CALIBRATION seconds, under the polling crowd: the join rate to expect.
calibrate() {
    local event=$1 out=$BENCH_DIR/calibration.out
    admin PUT "$event" "$(printf '{"tickets":%d,"holdSeconds":60,"queue":{"opensAt":%d,"admitPerSecond":%d,"admitWindowSeconds":60}}' \
        "$SALE_TICKETS" $((($(date +%s) + 86400) * 1000)) "$ADMIT_PER_SECOND")" >/dev/null
    start_polls "$event" calibration
    log "Warming up: joins for ${CALIBRATION_WARMUP}s, not measured ..."
    wrk -t"$THREADS" -c"$JOIN_CONNECTIONS" -d"${CALIBRATION_WARMUP}s" -s "$ROOT/jmeter/wrk-join.lua" "$(nginx_url)/" -- \
        "$event" "warm$STAMP" >"$BENCH_DIR/warm-up.out"
    log "Calibrating: joins for ${CALIBRATION}s ..."
    wrk -t"$THREADS" -c"$JOIN_CONNECTIONS" -d"${CALIBRATION}s" -s "$ROOT/jmeter/wrk-join.lua" "$(nginx_url)/" -- \
        "$event" "cal$STAMP" >"$out"
    stop_wrk "$POLL_PID"
    POLL_PID=""
    admin PUT "$event" '{"tickets":0,"holdSeconds":60}' >/dev/null
    CALIBRATED_RATE=$(wrk_rate "$out")
    log "Calibration: $CALIBRATED_RATE joins/s"
}

# Waits until the pre-queue has JOINERS places, the join crowd ended or stalled; sampling meanwhile.
await_joins() {
    local event=$1 joined=0 last=-1 since=$SECONDS
    while :; do
        joined=$(fresh_state "$event" | jq -r '.data.joined' || echo "$joined")
        sample joins
        ((joined >= JOINERS)) && break
        kill -0 "$JOIN_PID" 2>/dev/null || break
        if ((joined != last)); then last=$joined; since=$SECONDS; fi
        ((SECONDS - since < STALL_SECONDS)) || { log "No new place for ${STALL_SECONDS}s: giving up on the rest"; break; }
        progress "  joined: $joined of $JOINERS"
        sleep 1
    done
    [[ -t 1 ]] && log ""
    return 0
}

# Field $2 of token $1, whose payload (before the dot) is base64url of fields joined by '|': a place is
# p|event|buyer|gen|place, an admission a|event|buyer|gen|place|position|expiresAt.
token_field() {
    local payload=${1%%.*}
    payload=$(tr '_-' '/+' <<<"$payload")
    while ((${#payload} % 4)); do payload+="="; done
    base64 -d <<<"$payload" | cut -d'|' -f"$2"
}

main() {
    [[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
    [[ -z ${1:-} ]] || { usage >&2; exit 2; }
    require_tools
    parse_instances
    ((JOINERS >= THREADS)) || die "JOINERS ($JOINERS) must be at least THREADS ($THREADS)"
    LOAD_AT_START=$(cut -d' ' -f1 /proc/loadavg)
    rm -rf "$BENCH_DIR"
    mkdir -p "$BENCH_DIR"
    trap cleanup EXIT
    ensure_cluster
    [[ -n $(instance_pids) ]] || die "no instance pid files in $RUN_DIR/instance-*: give the RUN_DIR of the cluster on port $NGINX_PORT"

    STAMP=$(date +%s)
    if [[ -n $JOIN_RATE ]]; then
        CALIBRATED_RATE=$JOIN_RATE
        log "Join rate given: $JOIN_RATE joins/s (no calibration)"
    else
        calibrate "prequeue-calibration-$STAMP"
    fi

    EVENT=prequeue-$STAMP
    local opens_in opens_at commitment
    opens_in=$(awk -v n="$JOINERS" -v r="$CALIBRATED_RATE" -v m="$JOIN_TIME_MARGIN" -v l="$OPENING_LEAD" \
        'BEGIN { printf "%d", n / r * m + l }')
    opens_at=$(($(epoch_ms) + opens_in * 1000))
    commitment=$(admin PUT "$EVENT" "$(printf '{"tickets":%d,"holdSeconds":60,"queue":{"opensAt":%d,"admitPerSecond":%d,"admitWindowSeconds":60}}' \
        "$SALE_TICKETS" "$opens_at" "$ADMIT_PER_SECOND")" | jq -r '.data.queue.commitment')
    log "Sale $EVENT opens in ${opens_in}s; commitment $commitment"

    start_polls "$EVENT" sale
    local joins_start joins_end
    joins_start=$(epoch_ms)
    wrk -t"$THREADS" -c"$JOIN_CONNECTIONS" -d"$((opens_in - 1))s" -s "$ROOT/jmeter/wrk-join.lua" "$(nginx_url)/" -- \
        "$EVENT" "pq$STAMP" "$JOINERS" "$THREADS" >"$BENCH_DIR/joins.out" &
    JOIN_PID=$!
    log "Joining $JOINERS buyers ..."
    await_joins "$EVENT"
    joins_end=$(epoch_ms)
    stop_wrk "$JOIN_PID"
    JOIN_PID=""
    local joined
    joined=$(fresh_state "$EVENT" | jq -r '.data.joined')

    # A buyer from the middle of the first thread's share: joining again gives back their place.
    local member member_answer place member_place
    member=pq$STAMP-0-$((JOINERS / THREADS / 2 + 1))
    member_answer=$(curl -fsS -d "userId=$member" "$(nginx_url)/queue/$EVENT/join")
    place=$(jq -r '.data.place' <<<"$member_answer")
    member_place=$(token_field "$place" 5)
    log "Pre-queue member $member: place $member_place, $(jq -r '.data.state' <<<"$member_answer")"

    log "Waiting for opensAt ($(((opens_at - $(epoch_ms)) / 1000))s) ..."
    while (($(epoch_ms) < opens_at)); do
        sample wait
        sleep 1
    done

    log "The opening ..."
    local now digest_at="" seed_at="" seed_first=false admitted_at="" admitted_after="" fairness state digest size
    while :; do
        now=$(epoch_ms)
        fairness=$(curl -fsS --max-time 5 "$(nginx_url)/queue/$EVENT/fairness" || echo '{}')
        if [[ -z $digest_at && $(jq -r '.data.frozen.digest // empty' <<<"$fairness") != "" ]]; then
            digest_at=$now
            digest=$(jq -r '.data.frozen.digest' <<<"$fairness")
            size=$(jq -r '.data.frozen.size' <<<"$fairness")
        fi
        if [[ -z $seed_at && $(jq -r '.data.seed // empty' <<<"$fairness") != "" ]]; then
            seed_at=$now
            [[ -n $digest_at ]] || seed_first=true
        fi
        state=$(fresh_state "$EVENT" || echo '{}')
        if [[ -z $admitted_at ]] && (($(jq -r '.data.reach // 0' <<<"$state") > 0)); then
            admitted_at=$now
            # By Redis's clock, which the state carries: when this reading was made, at most.
            admitted_after=$(jq -r '.data.now - .data.opensAt' <<<"$state")
        fi
        sample opening
        ((now - opens_at > OPENING_WATCH_SECONDS * 1000)) && break
        [[ -n $admitted_at && -n $seed_at ]] && ((now - opens_at > FIRST_ADMISSION_LIMIT * 1000)) && break
        sleep "$OPENING_SAMPLE_SECONDS"
    done

    local admission position
    admission=$(curl -fsS -d "place=$place" "$(nginx_url)/queue/$EVENT/admission")
    position=$(jq -r '.data.position // empty' <<<"$admission")
    if [[ -z $position && $(jq -r '.code' <<<"$admission") == 1 ]]; then
        # Admitted already: the position is in the admission token.
        position=$(token_field "$(jq -r '.data.admission' <<<"$admission")" 6)
    fi
    log "Pre-queue member $member: $(jq -c '.data' <<<"$admission")"

    local verified="not run" verified_position=""
    if [[ $VERIFY == true ]]; then
        [[ -d $ROOT/target/classes/io && -d $ROOT/target/verifier-lib ]] || (cd "$ROOT" && mvn -q -B -Dspotless.check.skip=true compile)
        log "Verifying the order from the public record (FairnessVerifier) ..."
        if java -Xmx1g -cp "$ROOT/target/classes:$ROOT/target/verifier-lib/*" io.ticketrush.fairness.FairnessVerifier \
            "$(nginx_url)" "$EVENT" \
            --commitment "$commitment" --out "$BENCH_DIR/order.txt" >"$BENCH_DIR/verifier.out" 2>&1; then
            verified=verified
            verified_position=$(awk -v p="$member_place" '$2 == p { print $1; exit }' "$BENCH_DIR/order.txt")
        else
            verified="refused: $(tail -n 3 "$BENCH_DIR/verifier.out" | tr '\n' ' ')"
        fi
    fi
    stop_wrk "$POLL_PID"
    POLL_PID=""

    report "$joined" "$joins_start" "$joins_end" "$opens_at" "${digest_at:-}" "${seed_at:-}" "$seed_first" \
        "${admitted_after:-}" "${size:-}" "${digest:-}" "$member_place" "${position:-}" "$verified" \
        "$verified_position" | tee "$BENCH_DIR/results.md"
    grep -q '^- FAILED' "$BENCH_DIR/results.md" && exit 1
    return 0
}

report() {
    local joined=$1 joins_start=$2 joins_end=$3 opens_at=$4 digest_at=$5 seed_at=$6 seed_first=$7 admitted_after=$8
    local size=$9 digest=${10} member_place=${11} position=${12} verified=${13} verified_position=${14}
    local seconds join_rate max_rss opening_rss end_rss not_ready samples poll_rate
    seconds=$(awk -v a="$joins_start" -v b="$joins_end" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
    join_rate=$(awk -v n="$joined" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }')
    max_rss=$(awk '{ if ($2 > m) m = $2 } END { printf "%.2f", m / 1048576 }' "$BENCH_DIR/samples.txt")
    opening_rss=$(awk '$4 == "opening" { if ($2 > m) m = $2 } END { printf "%.2f", m / 1048576 }' "$BENCH_DIR/samples.txt")
    end_rss=$(awk '{ v = $2 } END { printf "%.2f", v / 1048576 }' "$BENCH_DIR/samples.txt")
    samples=$(wc -l <"$BENCH_DIR/samples.txt")
    not_ready=$(awk -v n="$(instance_count)" '$3 < n { c++ } END { print c + 0 }' "$BENCH_DIR/samples.txt")
    poll_rate=$(wrk_rate "$BENCH_DIR/poll-sale.out")
    local digest_line
    digest_line=$(grep -h "Event $EVENT: the digest" "$RUN_DIR"/instance-*/instance.log 2>/dev/null | sed 's/.*Event /Event /' | head -n 1 || true)

    printf '### %s — pre-queue of %s, %s cores, %s GiB, wrk -t%s -c%s joins, %s polls/s asked over %s connections\n\n' \
        "$(date -u '+%Y-%m-%d %H:%M UTC')" "$JOINERS" "$(nproc)" \
        "$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)" "$THREADS" "$JOIN_CONNECTIONS" \
        "$POLL_RATE" "$POLL_CONNECTIONS"
    echo "| figure | value |"
    echo "|---|---|"
    echo "| joins: places taken | $joined of $JOINERS in ${seconds} s |"
    echo "| join rate (places / wall time) | $join_rate joins/s (wrk: $(wrk_rate "$BENCH_DIR/joins.out") req/s, $(wrk_non2xx "$BENCH_DIR/joins.out") non-2xx, $(wrk_errors "$BENCH_DIR/joins.out") socket errors; calibration $CALIBRATED_RATE) |"
    echo "| polls of the shared state meanwhile | $poll_rate req/s ($(wrk_non2xx "$BENCH_DIR/poll-sale.out") non-2xx, $(wrk_errors "$BENCH_DIR/poll-sale.out") socket errors) |"
    echo "| opensAt after the last join | $(((opens_at - joins_end) / 1000)) s |"
    echo "| digest published | ${digest_at:+$((digest_at - opens_at))} ms after opensAt (seen by a poll every ${OPENING_SAMPLE_SECONDS} s): size ${size:-?}, ${digest:0:16}… |"
    echo "| the holder's account | ${digest_line:-none found in $RUN_DIR/instance-*/instance.log} |"
    echo "| seed published | ${seed_at:+$((seed_at - opens_at))} ms after opensAt |"
    echo "| first admission | by ${admitted_after:-?} ms after opensAt (Redis's clock, at the first reading that showed it) |"
    echo "| a pre-queue member's position | place $member_place: position ${position:-unknown}; the verifier: ${verified_position:-?} ($verified) |"
    echo "| instances' resident memory, summed | at most $max_rss GiB ($opening_rss GiB at most during the opening, $end_rss GiB at the end) |"
    echo "| readiness | $not_ready of $samples samples with an instance not ready |"
    echo "| the machine's load average (1 min), at the start and at the end | $LOAD_AT_START, $(cut -d' ' -f1 /proc/loadavg) |"
    echo
    check $((joined == JOINERS)) "the pre-queue holds every joiner ($joined of $JOINERS)"
    check $((joins_end < opens_at)) "the joins ended before opensAt"
    check $((not_ready == 0)) "every instance ready at every sample ($samples samples)"
    check "$([[ -n $digest_at && -n $seed_at && $seed_first == false ]] && echo 1 || echo 0)" "the digest published, and the seed not before it"
    check "$([[ ${size:-} == "$joined" ]] && echo 1 || echo 0)" "the digest is of the whole pre-queue (size ${size:-?})"
    check "$([[ -n $admitted_after ]] && ((admitted_after <= FIRST_ADMISSION_LIMIT * 1000)) && echo 1 || echo 0)" "the first admission within ${FIRST_ADMISSION_LIMIT} s of opensAt"
    check "$([[ -n $position ]] && ((position >= 1 && position <= joined)) && echo 1 || echo 0)" "a pre-queue member's position is known"
    if [[ $VERIFY == true ]]; then
        check "$([[ $verified == verified && $verified_position == "$position" ]] && echo 1 || echo 0)" "the verifier accepts the record and agrees on the member's position"
    fi
    check "$(awk -v m="$max_rss" -v l="$RSS_LIMIT_GIB" 'BEGIN { print (m < l) ? 1 : 0 }')" "the instances under $RSS_LIMIT_GIB GiB resident at every sample"
}

check() { # ok(1/0) what
    if [[ $1 == 1 ]]; then echo "- met: $2"; else echo "- FAILED: $2"; fi
}

main "$@"
