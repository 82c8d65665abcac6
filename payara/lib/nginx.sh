# shellcheck shell=bash
# nginx in front of the instances: its configuration rendered from nginx/nginx.conf.template for the whole
# INSTANCES list, started or reloaded.

nginx_binary() { command -v nginx 2>/dev/null || echo /usr/sbin/nginx; }

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
    local seconds=10
    wait_until "$seconds" http_ok "$(nginx_url)/health/ready" \
        || die "nginx did not answer on $NGINX_BIND:$NGINX_PORT in $seconds s; see $dir/error.log"
    log "nginx: started (pid $(<"$dir/nginx.pid"), $NGINX_BIND:$NGINX_PORT)"
}
