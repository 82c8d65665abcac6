# shellcheck shell=bash
# nginx in front of the instances: its configuration rendered from nginx/nginx.conf.template for the whole
# INSTANCES list, started or reloaded.

nginx_binary() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

# Where cache directories go when the workers cannot reach RUN_DIR (see nginx_cache_dir).
NGINX_CACHE_PARENT=/var/cache/ticketrush

# The directory of nginx's caches (the microcache of GET /queue/{eventId} in queue/, the shared purchase answers in
# buy/), which nginx's workers write: RUN_DIR/nginx/cache.
# As root the workers run as nobody, who may not be able to enter RUN_DIR (a checkout in /root or under
# `mktemp -d`); the cache then lives in NGINX_CACHE_PARENT, one directory per RUN_DIR (named by a hash of its
# path), and RUN_DIR/nginx/cache links to it. nginx makes each cache's directory in it and gives it to its workers.
nginx_cache_dir() {
    local link=$RUN_DIR/nginx/cache
    mkdir -p "$RUN_DIR/nginx"
    [[ $EUID -eq 0 ]] && remove_orphan_nginx_caches
    if [[ $EUID -ne 0 ]] || runuser -u nobody -- test -x "$RUN_DIR/nginx" 2>/dev/null; then
        [[ -L $link ]] && rm -f "$link"
        install -d -m 755 "$link"
        echo "$link"
        return 0
    fi
    local home
    home=$NGINX_CACHE_PARENT/$(realpath -m "$RUN_DIR" | sha256sum | cut -c1-16)
    install -d -m 755 "$NGINX_CACHE_PARENT" "$home"
    [[ -d $link && ! -L $link ]] && rm -rf "$link"
    install -d -m 755 "$home/nginx"
    ln -sfn "$home/nginx" "$link"
    # After the link: remove_orphan_nginx_caches only looks at directories that name their RUN_DIR.
    realpath -m "$RUN_DIR" >"$home/run-dir"
    echo "$home/nginx"
}

# Removes the cache directories in NGINX_CACHE_PARENT whose RUN_DIR no longer links to them (a removed
# checkout, `mvn clean`, a finished test): nothing would read them again.
remove_orphan_nginx_caches() {
    local dir owner
    for dir in "$NGINX_CACHE_PARENT"/*; do
        [[ -s $dir/run-dir ]] || continue
        owner=$(<"$dir/run-dir")
        [[ $(readlink "$owner/nginx/cache" 2>/dev/null) == "$dir/nginx" ]] && continue
        rm -rf "$dir"
    done
}

# Checks the crowd settings and that this shell may give nginx's workers NGINX_FILE_LIMIT open files; dies naming
# what to change otherwise. Run before anything starts.
check_nginx_limits() {
    local name
    for name in NGINX_WORKER_CONNECTIONS NGINX_FILE_LIMIT NGINX_MAX_ACTIVE NGINX_BACKLOG NGINX_UPSTREAM_KEEPALIVE; do
        [[ ${!name} =~ ^[1-9][0-9]*$ ]] || die "$name must be a positive whole number, not '${!name}'"
    done
    ((NGINX_FILE_LIMIT > NGINX_WORKER_CONNECTIONS)) \
        || die "NGINX_FILE_LIMIT ($NGINX_FILE_LIMIT) must be above NGINX_WORKER_CONNECTIONS ($NGINX_WORKER_CONNECTIONS): a worker's logs and cache files need descriptors too"
    ((NGINX_MAX_ACTIVE < NGINX_WORKER_CONNECTIONS)) \
        || die "NGINX_MAX_ACTIVE ($NGINX_MAX_ACTIVE) must be below NGINX_WORKER_CONNECTIONS ($NGINX_WORKER_CONNECTIONS), or the clients get no room"
    local hard
    hard=$(ulimit -Hn)
    if [[ $hard != unlimited ]] && ((hard < NGINX_FILE_LIMIT)) && ! (ulimit -Hn "$NGINX_FILE_LIMIT") 2>/dev/null; then
        die "nginx's workers need NGINX_FILE_LIMIT=$NGINX_FILE_LIMIT open files each, but this shell may open at most $hard (ulimit -Hn).
  Raise that limit (as root: 'ulimit -Hn $NGINX_FILE_LIMIT' in this shell, a 'nofile' line in /etc/security/limits.conf,
  or LimitNOFILE= of the systemd unit that runs this), or run with fewer:
  NGINX_WORKER_CONNECTIONS=$((hard * 3 / 4)) NGINX_FILE_LIMIT=$hard NGINX_MAX_ACTIVE=$((hard / 4))"
    fi
    local queue
    queue=$(cat /proc/sys/net/core/somaxconn 2>/dev/null || echo "$NGINX_BACKLOG")
    if ((queue < NGINX_BACKLOG)); then
        log "Note: the kernel keeps at most net.core.somaxconn=$queue connections waiting per nginx worker, not NGINX_BACKLOG=$NGINX_BACKLOG; for bursts of new connections: sysctl -w net.core.somaxconn=$NGINX_BACKLOG"
    fi
}

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
    conf=${conf//@NGINX_CACHE_DIR@/$(nginx_cache_dir)}
    conf=${conf//@NGINX_PORT@/$NGINX_PORT}
    conf=${conf//@NGINX_BIND@/$NGINX_BIND}
    conf=${conf//@USER_LINE@/$user_line}
    conf=${conf//@LIMIT_REQ_ZONE@/$zone}
    conf=${conf//@LIMIT_REQ@/$limit}
    conf=${conf//@UPSTREAM_SERVERS@/${servers%$'\n'}}
    conf=${conf//@EVENT_ID@/$EVENT_ID}
    conf=${conf//@NGINX_FILE_LIMIT@/$NGINX_FILE_LIMIT}
    conf=${conf//@NGINX_WORKER_CONNECTIONS@/$NGINX_WORKER_CONNECTIONS}
    conf=${conf//@NGINX_MAX_ACTIVE@/$NGINX_MAX_ACTIVE}
    conf=${conf//@NGINX_BACKLOG@/$NGINX_BACKLOG}
    conf=${conf//@NGINX_UPSTREAM_KEEPALIVE@/$NGINX_UPSTREAM_KEEPALIVE}
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
    # The master starts from this shell's limits, its workers raise theirs to NGINX_FILE_LIMIT (worker_rlimit_nofile):
    # a shell started with Debian's soft limit of 1,024 would otherwise cap the master's listening and reloads.
    (
        [[ $(ulimit -Hn) == unlimited ]] || (($(ulimit -Hn) >= NGINX_FILE_LIMIT)) || ulimit -Hn "$NGINX_FILE_LIMIT"
        ulimit -Sn "$NGINX_FILE_LIMIT"
        exec "$(nginx_binary)" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
    )
    local seconds=10
    wait_until "$seconds" http_ok "$(nginx_url)/health/ready" \
        || die "nginx did not answer on $NGINX_BIND:$NGINX_PORT in $seconds s; see $dir/error.log"
    log "nginx: started (pid $(<"$dir/nginx.pid"), $NGINX_BIND:$NGINX_PORT)"
}
