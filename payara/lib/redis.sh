# shellcheck shell=bash
# Redis, when this host runs it in standalone mode: started from its own configuration in RUN_DIR/redis, or a
# Redis already answering on REDIS_PORT is used and left alone.

# Redis is started here only in standalone mode and when this host runs it.
runs_redis() { has_service redis && [[ $REDIS_MODE == standalone ]]; }

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
    local seconds=10
    wait_until "$seconds" redis_answers || die "Redis did not answer on $REDIS_HOST:$REDIS_PORT in $seconds s; see $dir/redis.log"
    log "Redis: started (pid $(<"$dir/redis.pid"), $REDIS_HOST:$REDIS_PORT, AOF fsync $REDIS_APPENDFSYNC)"
}
