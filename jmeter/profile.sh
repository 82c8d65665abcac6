#!/usr/bin/env bash
# Where one JVM spends its time on the hot paths: a JFR profile of one instance, hit directly (not through
# nginx), summarised as Markdown for docs/benchmarks.md.
#
#   jmeter/profile.sh   profile, then print the account (also in target/profile/account.md, beside the recordings
#                       <path>.jfr, for JDK Mission Control or `jfr print`)
#   PROFILE_PATHS="open oidc" jmeter/profile.sh
#                       the purchase path with buyer.auth=open against oidc, on bench.sh's side instances
#
# For each path of PROFILE_PATHS, in turn, wrk warms its instance up for WARMUP, then JFR records it (the JDK's
# "profile" settings) while wrk runs DURATION more. The paths:
#   sold-out   a sale of 0 tickets: the local-stock answer      } on the instance bench.sh's (j) and (k) hit:
#   purchase   10^9 tickets: the reserve Lua script every time  } the largest weight (the default paths)
#   open       purchase on bench.sh's side instance with buyer.auth=open, as its (m)
#   oidc       purchase on its twin with buyer.auth=oidc, a never-used access token per request, as its (n): each
#              request pays one signature check (tokens and issuer as bench.sh's; see its header)
# The account gives, per path: wrk's req/s and latency; the JVM's CPU load, collections and JIT compilations during
# the recording; the execution samples by layer (package prefixes) and the top self frames.
#
# Settings: PROFILE_PATHS ["sold-out purchase"], WARMUP [90s], DURATION [20s], THREADS [2], CONNECTIONS [50],
# STACK_DEPTH [256], SAMPLE_PERIOD ["1 ms"], TOP_FRAMES [25], bench.sh's for the side instances (OPEN_INSTANCE,
# OIDC_INSTANCE, ISSUER_PORT, TOKENS), and the cluster's (NGINX_PORT, RUN_DIR, INSTANCES, ...). Uses the cluster
# answering on NGINX_PORT if there is one; otherwise starts one with payara/cluster.sh up and stops it again
# at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Our defaults, before bench.sh sets its own: one JVM needs fewer connections than four; the warm-up is
# as long, because a 30 s one left the compilers busy for the whole recording (docs/benchmarks.md).
WARMUP=${WARMUP:-90s}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-50}
# bench.sh's functions (ensure_cluster, admin, direct_instance, measure, cleanup) and the payara/lib helpers.
# shellcheck source=jmeter/bench.sh
source "$ROOT/jmeter/bench.sh"
BENCH_DIR=$ROOT/target/profile
# JFR keeps 64 frames by default, which cuts Payara's request stacks (100 and more frames) off above Grizzly;
# a JVM takes another depth only before its first recording.
STACK_DEPTH=${STACK_DEPTH:-256}
# How often JFR samples the threads running Java. The profile settings' 10 ms gave ~25 samples a second on two
# busy cores, too few to rank frames; 1 ms gives several times more.
SAMPLE_PERIOD=${SAMPLE_PERIOD:-1 ms}
# The account ranks this many self frames.
TOP_FRAMES=${TOP_FRAMES:-25}
PROFILE_PATHS=${PROFILE_PATHS:-sold-out purchase}
JFR=$(dirname "$(readlink -f "$(command -v java)")")/jfr

# The layers of the account, one a line: a label, "=", the package prefixes that make it up. A frame belongs
# to the first layer whose prefix it starts with, so the catch-all GlassFish line comes last.
LAYERS="io.ticketrush (the WAR's own code)=io.ticketrush.
nimbus-jose-jwt (token parsing and checks)=com.nimbusds.
JCA (RSA signatures, SHA-256; sun.security, java.math.BigInteger)=sun.security. java.math. java.security.
Caffeine (the verified tokens' cache)=com.github.benmanes.caffeine.
Jedis (and its pool, commons-pool2)=redis.clients. org.apache.commons.pool2.
Grizzly (HTTP codec, I/O)=org.glassfish.grizzly.
servlet pipeline (catalina, glassfish.web, coyote)=org.apache.catalina. org.glassfish.web. org.apache.coyote.
Weld (CDI)=org.jboss.weld.
EJB (com.sun.ejb, glassfish.ejb)=com.sun.ejb. org.glassfish.ejb.
fish.payara=fish.payara.
JSON (jakarta.json, glassfish.json, parsson)=jakarta.json. org.glassfish.json. org.eclipse.parsson.
hand-off to PostgreSQL (EclipseLink, JDBC driver)=org.eclipse.persistence. org.postgresql.
java.util.concurrent=java.util.concurrent.
NIO (sun.nio, java.nio)=sun.nio. java.nio.
other GlassFish (com.sun.enterprise, org.glassfish.*, hk2)=com.sun.enterprise. org.glassfish. org.jvnet.hk2."

# Payara's own work on every request, as docs/benchmarks.md names it, one a line: a label, "=", the frames whose
# samples make it up. A frame is Class.method, a prefix ending in "." (every method under it), or Class.method:A-B
# (that method while on its lines A to B, as numbered in Payara 6.2025.10 and its Weld 5.1.6). Lines starting
# "of which" split the first line above them that does not.
ITEMS="HK2 lookup of the InvocationManager for OpenTracing, after the servlet (StandardWrapper.service)=org.apache.catalina.core.StandardWrapper.service:1557-1566
request listeners (StandardContext.fireRequestInitializedEvent, ...Destroyed; Weld's also around asynchronous listeners)=org.apache.catalina.core.StandardContext.fireRequestInitializedEvent org.apache.catalina.core.StandardContext.fireRequestDestroyedEvent org.jboss.weld.module.web.servlet.WeldInitialListener.requestInitialized org.jboss.weld.module.web.servlet.WeldInitialListener.requestDestroyed
of which Payara's invocation around each listener (WebContainerListener)=com.sun.web.server.WebContainerListener.containerEvent
of which Weld's listener (WeldInitialListener)=org.jboss.weld.module.web.servlet.WeldInitialListener.requestInitialized org.jboss.weld.module.web.servlet.WeldInitialListener.requestDestroyed
of which Weld's nested-invocation guard (HttpContextLifecycle)=org.jboss.weld.module.web.servlet.HttpContextLifecycle.requestInitialized:225-247 org.jboss.weld.module.web.servlet.HttpContextLifecycle.requestDestroyed:300-314
J2EEInstanceListener, before and after the servlet=com.sun.web.server.J2EEInstanceListener.instanceEvent
a request-tracing span built (RequestTracingService.startTrace)=fish.payara.nucleus.requesttracing.RequestTracingService.startTrace
of which its two random UUIDs (RequestTraceSpanContext)=fish.payara.notification.requesttracing.RequestTraceSpanContext.<init>
stuck-thread bookkeeping (StuckThreadsStore, from ContainerMapper.service)=fish.payara.nucleus.healthcheck.stuck.StuckThreadsStore.registerThread fish.payara.nucleus.healthcheck.stuck.StuckThreadsStore.deregisterThread
PoolManagerImpl.handleLazilyAssociatedConnectionPools=com.sun.enterprise.resource.pool.PoolManagerImpl.handleLazilyAssociatedConnectionPools
security checks (RealmAdapter)=com.sun.web.security.
Weld's client proxies of the WAR's beans (ContextBeanInstance.getInstance)=org.jboss.weld.bean.proxy.ContextBeanInstance.getInstance"

# The recordings started and not stopped yet, "pid name" each; JVM_PID is the instance being profiled.
RECORDINGS=()
JVM_PID=""

# Recordings still running (the script failed) are stopped, then bench.sh's cleanup runs.
profile_cleanup() {
    local recording
    for recording in "${RECORDINGS[@]}"; do
        jcmd "${recording%% *}" JFR.stop name="${recording#* }" >/dev/null 2>&1 || true
    done
    cleanup
}

# Our settings on top of the JDK's "profile": a finer sampling, and every JIT compilation, not only those over
# 100 ms (is the JIT still busy?).
write_jfr_settings() {
    cat >"$1" <<JFC
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="ticketrush profile">
  <event name="jdk.ExecutionSample">
    <setting name="enabled">true</setting>
    <setting name="period">$SAMPLE_PERIOD</setting>
  </event>
  <event name="jdk.Compilation">
    <setting name="enabled">true</setting>
    <setting name="threshold">0 ms</setting>
  </event>
</configuration>
JFC
}

# Starts JFR recording $1 on the instance, with JFR.start's arguments $2...
start_recording() {
    local name=$1 out
    shift
    out=$(jcmd "$JVM_PID" JFR.start name="$name" settings=profile settings="$BENCH_DIR/ticketrush.jfc" "$@" 2>&1)
    # jcmd answers 0 even when the command fails: its output says.
    [[ $out == *"Started recording"* ]] || die "JFR.start on pid $JVM_PID failed: $out"
    RECORDINGS+=("$JVM_PID $name")
}

stop_recording() {
    local name=$1 kept=() recording
    jcmd "$JVM_PID" JFR.stop name="$name" >/dev/null
    for recording in "${RECORDINGS[@]}"; do [[ $recording == "$JVM_PID $name" ]] || kept+=("$recording"); done
    RECORDINGS=("${kept[@]}")
}

# The instance of path $1: its address in URL, its JVM in JVM_PID, and its name in INSTANCE.
target_instance() {
    local address f dir
    case $1 in
        sold-out | purchase) address=$(direct_instance); dir=$RUN_DIR ;;
        open) address=$OPEN_INSTANCE; dir=$BENCH_DIR/buyers-open ;;
        oidc) address=$OIDC_INSTANCE; dir=$BENCH_DIR/buyers-oidc ;;
        *) die "PROFILE_PATHS: unknown path '$1' (sold-out, purchase, open, oidc)" ;;
    esac
    URL=http://$address/
    JVM_PID=""
    # The instance's JVM: the pid file of that deployment whose java listens on that port.
    for f in "$dir"/instance-*/instance.pid; do
        if JVM_PID=$(live_pid "$f" "--port ${address##*:}"); then break; fi
    done
    [[ -n $JVM_PID ]] || die "no instance of $dir listens on port ${address##*:} (is it on another host?)"
    INSTANCE="$(basename "$(dirname "$f")") (pid $JVM_PID)"
}

# Readies the JVM of path $1 for recordings, once per JVM: the stack depth (only before its first recording;
# afterwards the account's count of cut-off stacks tells), then a recording from before the first warm-up to the
# end, of which only the last minute is kept: starting JFR recompiles much of the hot code (measured: ~1,800
# compilations in the next 5 s), which that recording moves into the warm-up, while the recordings of the paths,
# with the same settings, change nothing.
PREPARED_JVMS=" "
prepare_jvm() {
    target_instance "$1"
    [[ $PREPARED_JVMS == *" $JVM_PID "* ]] && return 0
    jcmd "$JVM_PID" JFR.configure stackdepth="$STACK_DEPTH" >/dev/null
    start_recording ticketrush-warm-up maxage=1m
    PREPARED_JVMS+="$JVM_PID "
}

# Sends wrk with path $1's requests to URL for $2, for sale $3 ($4 keeps the userIds apart); the result line on
# standard output as measure's, the CPU in $BENCH_DIR/cpu-$1.txt.
drive() { # path duration event prefix
    local label=$1 event=$3 prefix=$4 DURATION=$2
    if [[ $label == oidc ]]; then
        measure_signed "$label" "$URL" "$event"
    else
        measure "$label" "$URL" "$event" "$prefix"
    fi
}

# Warms path $1 up with sale $2, then records it: wrk's result line to $BENCH_DIR/$1.wrk, JFR's to $1.jfr.
profile_path() {
    local label=$1 event=$2
    target_instance "$label"
    log "$label: warming up $INSTANCE for $WARMUP ..."
    drive "$label" "$WARMUP" "$event" "pw-$label-$STAMP" >/dev/null
    [[ $label == oidc ]] && take_tokens
    rm -f "$BENCH_DIR/$label.jfr"
    start_recording "ticketrush-$label" filename="$BENCH_DIR/$label.jfr"
    log "$label: recording for $DURATION ..."
    drive "$label" "$DURATION" "$event" "p-$label-$STAMP" >"$BENCH_DIR/$label.wrk"
    [[ $label == oidc ]] && take_tokens
    stop_recording "ticketrush-$label"
    # Read back before it is summarised: once, on a loaded machine, the account's jfr print of a recording just
    # stopped printed nothing, and the account ended there without a word.
    wait_until "$JFR_READABLE_SECONDS" jfr_readable "$BENCH_DIR/$label.jfr" \
        || die "JFR.stop on pid $JVM_PID wrote no readable $BENCH_DIR/$label.jfr"
    RECORDED_ON[$label]=$INSTANCE
}
JFR_READABLE_SECONDS=10
jfr_readable() { "$JFR" summary "$1" >/dev/null 2>&1; }
declare -A RECORDED_ON=()

# The execution samples of recording $1: the layers' shares and the top self frames, as Markdown.
sample_tables() {
    "$JFR" print --stack-depth $((STACK_DEPTH + 1)) --events jdk.ExecutionSample "$1" \
        | LAYERS=$LAYERS awk -v top="$TOP_FRAMES" '
        function layer_of(frame,   i, j) {
            if (frame in cache) return cache[frame]
            for (i = 1; i <= layers; i++)
                for (j = 1; j <= prefixes[i]; j++)
                    if (index(frame, prefix[i, j]) == 1) return cache[frame] = i
            return cache[frame] = 0
        }
        function pct(n) { return samples ? 100 * n / samples : 0 }
        BEGIN {
            layers = split(ENVIRON["LAYERS"], line, "\n")
            for (i = 1; i <= layers; i++) {
                eq = index(line[i], "=")
                label[i] = substr(line[i], 1, eq - 1)
                prefixes[i] = split(substr(line[i], eq + 1), p, " ")
                for (j = 1; j <= prefixes[i]; j++) prefix[i, j] = p[j]
            }
        }
        /^jdk\.ExecutionSample/ { samples++ }
        /^  stackTrace = \[/ { in_stack = 1; depth = 0; nearest = 0; split("", seen); next }
        /^  stackTrace = null/ { first[0]++ }
        in_stack && /^  \]/ {
            in_stack = 0
            for (i in seen) inclusive[i]++
            first[nearest]++
            next
        }
        # jfr prints "..." where a stack was cut off (deeper than JFR recorded it).
        in_stack && $1 == "..." { truncated++; next }
        in_stack {
            frame = $1; sub(/\(.*/, "", frame)
            if (depth++ == 0) self[frame]++
            i = layer_of(frame)
            if (i) { seen[i] = 1; if (!nearest) nearest = i }
        }
        END {
            printf "%d execution samples (threads running Java code;", samples
            printf " those blocked, parked or in native code are not sampled)"
            printf ", %d of them cut off at JFR'"'"'s stack depth.\n\n", truncated
            print "| layer | stack contains it (inclusive) | nearest listed layer to the top of the stack |"
            print "|---|---|---|"
            for (i = 1; i <= layers; i++) printf "| %s | %.1f%% | %.1f%% |\n", label[i], pct(inclusive[i]), pct(first[i])
            printf "| none of these (JDK, other libraries) | | %.1f%% |\n\n", pct(first[0])
            print "Inclusive: a sample counts for every layer in its stack (the column does not add up to 100%)."
            print "Nearest: a sample counts once, for the layer of its frame nearest to the top of the stack.\n"
            print "| top self frames (method on top of the stack) | samples |"
            print "|---|---|"
            for (k = 1; k <= top; k++) {
                best = ""
                for (f in self) if (!(f in shown) && (best == "" || self[f] > self[best])) best = f
                if (best == "") break
                shown[best] = 1
                printf "| `%s` | %.1f%% |\n", best, pct(self[best])
            }
        }'
}

# Payara's per-request items (ITEMS) in recording $1: the share of the execution samples whose stack holds each, as
# Markdown.
item_table() {
    "$JFR" print --stack-depth $((STACK_DEPTH + 1)) --events jdk.ExecutionSample "$1" \
        | ITEMS=$ITEMS awk '
        BEGIN {
            items = split(ENVIRON["ITEMS"], line, "\n")
            for (i = 1; i <= items; i++) {
                eq = index(line[i], "=")
                label[i] = substr(line[i], 1, eq - 1)
                frames[i] = split(substr(line[i], eq + 1), f, " ")
                for (j = 1; j <= frames[i]; j++) {
                    # Class.method:A-B -> the method, and its lines A to B.
                    lo[i, j] = 0; hi[i, j] = 0
                    if (match(f[j], /:[0-9]+-[0-9]+$/)) {
                        split(substr(f[j], RSTART + 1), r, "-"); lo[i, j] = r[1]; hi[i, j] = r[2]
                        f[j] = substr(f[j], 1, RSTART - 1)
                    }
                    frame[i, j] = f[j]
                }
            }
        }
        function matches(i, j, method, lineno) {
            if (substr(frame[i, j], length(frame[i, j])) == ".") return index(method, frame[i, j]) == 1
            if (method != frame[i, j]) return 0
            return hi[i, j] == 0 || (lineno >= lo[i, j] && lineno <= hi[i, j])
        }
        /^jdk\.ExecutionSample/ { samples++ }
        /^  stackTrace = \[/ { in_stack = 1; split("", seen); next }
        in_stack && /^  \]/ { in_stack = 0; for (i in seen) count[i]++; next }
        in_stack && $1 != "..." {
            method = $1; sub(/\(.*/, "", method)
            lineno = $NF + 0
            for (i = 1; i <= items; i++)
                if (!(i in seen))
                    for (j = 1; j <= frames[i]; j++)
                        if (matches(i, j, method, lineno)) { seen[i] = 1; break }
        }
        END {
            print "| Payara\047s per-request item | samples whose stack holds it |"
            print "|---|---|"
            for (i = 1; i <= items; i++) {
                name = label[i]
                if (name ~ /^of which /) name = "&nbsp;&nbsp;" name
                printf "| %s | %.1f%% |\n", name, samples ? 100 * count[i] / samples : 0
            }
        }'
}

# The JVM during recording $1: CPU load, collections, JIT compilations, as one Markdown line.
jvm_line() {
    "$JFR" print --events jdk.CPULoad,jdk.GarbageCollection,jdk.Compilation "$1" | awk '
        # A duration as jfr prints it ("34.0 ms", "1.20 s", "850 us") in milliseconds.
        function ms(value, unit) {
            if (unit == "ns") return value / 1000000
            if (unit == "us" || unit == "µs") return value / 1000
            if (unit == "s") return value * 1000
            if (unit == "min") return value * 60000
            return value
        }
        /^jdk\./ { event = $1 }
        event == "jdk.CPULoad" && $1 == "jvmUser" { cpu[++loads] = $3 + 0 }
        event == "jdk.CPULoad" && $1 == "jvmSystem" { cpu[loads] += $3 }
        event == "jdk.CPULoad" && $1 == "machineTotal" { machine[loads] = $3 + 0 }
        event == "jdk.GarbageCollection" && $1 == "sumOfPauses" { collections++; pause += ms($3, $4) }
        event == "jdk.Compilation" && $1 == "duration" { compilations++; compiling += ms($3, $4) }
        event == "jdk.Compilation" && $1 == "compiler" { c = $3; gsub(/"/, "", c); by[c]++ }
        END {
            # The first and last load samples straddle the recording'"'"'s edges, where wrk has not started or has
            # stopped.
            for (i = 2; i < loads; i++) { jvm += cpu[i]; total += machine[i]; n++ }
            printf "JVM CPU %.0f%% of the machine (user + system; all processes together %.0f%%),", n ? jvm / n : 0, n ? total / n : 0
            printf " mean of %d one-second samples.", n
            printf " GC: %d collections, %.0f ms of pauses in all.", collections, pause
            printf " JIT: %d compilations during the recording (", compilations
            sep = ""; for (c in by) { printf "%s%s %d", sep, c, by[c]; sep = ", " }
            printf "%s), %.0f ms of compile time.\n", compilations ? "" : "none", compiling
        }'
}

# The account of every path profiled, as Markdown.
account() {
    local label title rps p50 p99 requests non2xx errors
    printf '### JFR profile of one instance hit directly — %s, %s cores, wrk -t%s -c%s, %s warm-up, %s recorded per path\n\n' \
        "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$THREADS" "$CONNECTIONS" "$WARMUP" "$DURATION"
    for label in $PROFILE_PATHS; do
        case $label in
            sold-out) title='Sold out (0 tickets: the local-stock answer)' ;;
            purchase) title='Purchase (10⁹ tickets: the reserve Lua script on every request)' ;;
            open) title='Purchase, buyer.auth=open (a new userId each)' ;;
            oidc) title='Purchase, buyer.auth=oidc (a new RS256 access token each: one signature check)' ;;
        esac
        printf '#### %s — %s\n\n' "$title" "${RECORDED_ON[$label]}"
        read -r rps p50 p99 requests non2xx errors <"$BENCH_DIR/$label.wrk"
        printf 'wrk: %.0f req/s, p50 %s ms, p99 %s ms (%s requests, %s non-2xx, %s socket errors).\n' \
            "$rps" "$p50" "$p99" "$requests" "$non2xx" "$errors"
        jvm_line "$BENCH_DIR/$label.jfr"
        echo
        sample_tables "$BENCH_DIR/$label.jfr"
        echo
        item_table "$BENCH_DIR/$label.jfr"
        echo
    done
    echo "Recordings: target/profile/<path>.jfr (JFR \"profile\" settings," \
        "Java sampled every $SAMPLE_PERIOD, every JIT compilation, stack depth $STACK_DEPTH); made by jmeter/profile.sh."
}

main() {
    require_packages wrk:wrk curl:curl
    if ! command -v jcmd >/dev/null || [[ ! -x $JFR ]]; then
        die "jcmd and jfr not found next to java; install a JDK 17 (apt-get install -y openjdk-17-jdk-headless)"
    fi
    mkdir -p "$BENCH_DIR"
    local label recording
    [[ " $PROFILE_PATHS " == *" oidc "* ]] && ensure_tokens
    trap profile_cleanup EXIT
    ensure_cluster
    if [[ " $PROFILE_PATHS " == *" open "* || " $PROFILE_PATHS " == *" oidc "* ]]; then
        start_issuer
        start_side_instances
    fi
    write_jfr_settings "$BENCH_DIR/ticketrush.jfc"
    for label in $PROFILE_PATHS; do prepare_jvm "$label"; done

    STAMP=$(date +%s)
    local -A sale=([sold-out]=profile-soldout-$STAMP [purchase]=profile-buy-$STAMP [open]=profile-open-$STAMP
        [oidc]=profile-oidc-$STAMP)
    admin PUT "${sale[sold-out]}" '{"tickets":0,"holdSeconds":60}' >/dev/null
    for label in purchase open oidc; do
        admin PUT "${sale[$label]}" '{"tickets":1000000000,"holdSeconds":86400}' >/dev/null
    done

    for label in $PROFILE_PATHS; do profile_path "$label" "${sale[$label]}"; done
    for recording in "${RECORDINGS[@]}"; do
        JVM_PID=${recording%% *}
        stop_recording "${recording#* }"
    done
    log "Summarising the recordings with $JFR ..."
    account | tee "$BENCH_DIR/account.md" || die "summarising the recordings failed; sourced, this script's account re-makes it from them"
}

# Run as a script; sourced, it only defines its functions (account can then be re-made from the recordings).
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi
