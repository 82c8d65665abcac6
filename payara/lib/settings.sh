# shellcheck shell=bash
# Every setting of payara/cluster.sh, declared once: name, default, one line of help. usage() and the table
# in docs/configuration.md are printed from these declarations:
#
#   payara/cluster.sh settings               the list usage() shows
#   payara/cluster.sh settings --markdown    docs/configuration.md's table, on standard output
#   payara/cluster.sh settings --write-docs  rewrites that table in place, between its settings:begin and
#                                            settings:end markers (ClusterSettingsTest fails until it is run)
#
# The instances' own settings (MicroProfile Config: REDIS_SENTINELS, REDIS_WAIT_REPLICAS, ...) are not
# declared here; they reach the instances through the environment cluster.sh was started with.

SETTINGS=()
declare -A SETTING_DEFAULT=() SETTING_HELP=() RECORDED=()
SETTINGS_BEGIN='<!-- settings:begin -->'
SETTINGS_END='<!-- settings:end -->'

# setting NAME DEFAULT HELP: records the setting and assigns NAME=${NAME:-DEFAULT}, or the value of the running
# cluster's record (read_record) when it has one. A default in parentheses describes a value worked out later
# (from other settings, or generated): NAME stays empty until then.
setting() {
    local name=$1 default=$2 help=$3
    [[ -z ${SETTING_HELP[$name]+set} ]] || die "setting $name is declared twice"
    SETTINGS+=("$name")
    SETTING_DEFAULT[$name]=$default
    SETTING_HELP[$name]=$help
    [[ $default == \(*\) ]] && default=""
    [[ -n ${!name:-} ]] || printf -v "$name" '%s' "${RECORDED[$name]-$default}"
}

# What `up` writes into RUN_DIR/cluster.record: the settings that say where each part of the cluster runs. A
# command that looks at a running cluster (status, down) reads them back, so it finds the cluster without being
# given the same variables again, as down finds the processes by their pid files; a variable set in the
# environment still wins.
RECORDED_SETTINGS=(INSTANCES HOST_ADDRESS SERVICES NGINX_PORT NGINX_BIND REDIS_MODE REDIS_PORT REDIS_BIND REDIS_HOST
    PG_PORT PG_LISTEN DB_HOST PG_DIR EVENT_ID)

# Reads record file $1 (NAME=value lines) into RECORDED, when there is one; names not in RECORDED_SETTINGS are
# ignored, and the file is never run as code.
read_record() {
    local line name
    [[ -f $1 ]] || return 0
    while IFS= read -r line; do
        name=${line%%=*}
        if [[ " ${RECORDED_SETTINGS[*]} " == *" $name "* ]]; then RECORDED[$name]=${line#*=}; fi
    done <"$1"
}

# Writes the record of the settings now in force into file $1; INSTANCES as the list parse_instances made.
write_record() {
    local name i list=""
    for ((i = 1; i < ${#HOSTS[@]}; i++)); do list+="${list:+ }${HOSTS[i]}:${PORTS[i]}:${LOADS[i]}"; done
    for name in "${RECORDED_SETTINGS[@]}"; do
        if [[ $name == INSTANCES ]]; then printf '%s=%s\n' "$name" "$list"; else printf '%s=%s\n' "$name" "${!name:-}"; fi
    done >"$1"
}

setting RUN_DIR '(target/cluster in the checkout)' 'pid files, logs, Redis data, nginx config, admin token, database password'
RUN_DIR=${RUN_DIR:-$ROOT/target/cluster}
RECORD_FILE=$RUN_DIR/cluster.record
if [[ ${READ_RECORD:-false} == true ]]; then read_record "$RECORD_FILE"; fi

# The deployment.
setting INSTANCES '(WEIGHTS on 127.0.0.1 from BASE_PORT)' 'every instance on every host: "host:port:weight" separated by spaces or commas'
setting BASE_PORT 3001 'without INSTANCES: the first instance listens on BASE_PORT, the next on BASE_PORT+1, ...'
# nginx's weighted round-robin: instance i gets WEIGHTS[i] of every sum(WEIGHTS) requests.
setting WEIGHTS '1 2 3 4' 'without INSTANCES: how many instances there are and their nginx weights'
read -r -a WEIGHTS <<<"$WEIGHTS"
setting HOST_ADDRESS '(automatic)' "the host part of this host's INSTANCES entries (automatic: loopback, hostname, hostname -I)"
setting SERVICES 'redis postgres instances nginx' 'what runs on this host'

# nginx.
setting NGINX_PORT 8080 "nginx's port"
setting NGINX_BIND 127.0.0.1 "nginx's listen address (0.0.0.0: every interface)"
setting RATE_LIMIT 0 "nginx's per-client-address limit in requests/s (0: off); beyond it nginx answers 429"
setting RATE_BURST 100 'requests a client may send above RATE_LIMIT before the limit bites'
# Sized for a crowd: 20,000 clients at once on two workers, each client one connection. Every request waiting for
# an instance holds a second one, and NGINX_MAX_ACTIVE caps those, so each worker keeps room for its clients.
setting NGINX_WORKER_CONNECTIONS 16384 "connections per nginx worker (nginx runs one worker per core): its clients, and its requests waiting for an instance"
setting NGINX_FILE_LIMIT '(NGINX_WORKER_CONNECTIONS + 1024)' "each nginx worker's open-file limit; 'up' raises the shell's soft limit to it, or says what to change"
[[ $NGINX_WORKER_CONNECTIONS =~ ^[0-9]+$ ]] && NGINX_FILE_LIMIT=${NGINX_FILE_LIMIT:-$((NGINX_WORKER_CONNECTIONS + 1024))}
setting NGINX_MAX_ACTIVE 4096 'requests nginx works on at once, all clients together; one more is answered a JSON 503 with Retry-After'
# The kernel caps a listen queue at net.core.somaxconn (4096 on Debian 12), and 'up' says so when it is set lower
# than this: a worker each, two workers keep 8,192 connections waiting, enough for 10,000 clients arriving at once.
setting NGINX_BACKLOG 4096 "connections waiting for nginx to accept them, per worker (at most net.core.somaxconn)"
setting NGINX_UPSTREAM_KEEPALIVE 256 'idle connections each nginx worker keeps open to the instances'

# Redis.
setting REDIS_MODE standalone 'standalone; sentinel or cluster: Redis runs elsewhere (REDIS_SENTINELS, REDIS_NODES), none is started here'
setting REDIS_PORT 6379 "Redis's port; a Redis already answering there is used, not started"
# Anything beyond loopback is for instances on other hosts, and then needs a password.
setting REDIS_BIND 127.0.0.1 'addresses Redis listens on (space-separated); beyond loopback needs REDIS_PASSWORD'
setting REDIS_PASSWORD '' "Redis's password (requirepass); the instances are given it"
setting REDIS_HOST "(REDIS_BIND's first)" 'where the instances reach Redis'
# "always": every reservation is on disk before it is answered (docs/benchmarks.md has the cost).
setting REDIS_APPENDFSYNC always "Redis's AOF fsync policy: always or everysec"

# PostgreSQL.
setting PG_PORT '(5432 or the next free port)' "the cluster's PostgreSQL port; the one chosen is kept for later ups"
setting PG_LISTEN 127.0.0.1 "PostgreSQL's listen_addresses (comma-separated); beyond loopback it takes password logins"
setting DB_HOST "(PG_LISTEN's first)" 'where the instances reach PostgreSQL'
setting DB_PASSWORD '(generated into RUN_DIR/db-password)' "the database user's password; a host without postgres needs that host's"
# As root PostgreSQL runs as postgres, which cannot enter a checkout under /root or `mktemp -d`.
setting PG_DIR '(RUN_DIR/postgres; as root ~postgres/ticketrush/HASH-OF-RUN_DIR)' "PostgreSQL's data, socket and log; as root RUN_DIR/postgres links there"

# The instances.
# Four JVMs share 2 cores and must stay under ~2.5 GiB together: a modest heap, the serial collector; the
# default C2 thresholds, whose compiled code the throughput needs (docs/benchmarks.md).
setting INSTANCE_JAVA_OPTS '-Xms256m -Xmx384m -XX:+UseSerialGC -Xss512k' 'JVM options of each instance'
# Four JVMs share two cores: Payara's default of 200 threads each only adds context switches; a request
# spends most of its time waiting for Redis, so a few dozen keep the cores busy.
setting HTTP_THREADS 4 'HTTP worker threads per instance'
setting IO_STRATEGY '' "Grizzly's I/O strategy class (empty: Payara's default, a worker thread per request)"
# Hazelcast (Payara's clustering) is not needed: instances share state through Redis only.
setting HAZELCAST off "on: leave Payara's Hazelcast clustering on"
setting START_TIMEOUT 180 'seconds to wait for the instances to answer'
setting ADMIN_TOKEN '(generated into RUN_DIR/admin-token)' "the admin API's token; a host without nginx needs that host's"
setting QUEUE_SECRET '(generated into RUN_DIR/queue-secret)' "the key signing waiting-room places and admissions, 16 characters or more; every host needs the same"

# Who buys. open is for trying it out: the buyer is whatever userId a request sends, so anyone can buy as anyone.
setting BUYER_AUTH open "open: the buyer is the userId a request sends (nobody is authenticated); oidc: a bearer access token from OIDC_ISSUER"
setting OIDC_ISSUER '' "with BUYER_AUTH=oidc (required): the OpenID provider's issuer URL; {issuer}/.well-known/openid-configuration names its keys"
setting OIDC_AUDIENCE '' "with BUYER_AUTH=oidc: the aud every access token must carry (empty: not checked)"
setting OIDC_BUYER_CLAIM sub 'with BUYER_AUTH=oidc: the access-token claim that names the buyer'
setting OIDC_CLIENT_ID ticketrush "with BUYER_AUTH=oidc: the buyer's page's client at the provider (public, authorization code with PKCE)"
setting OIDC_SCOPE 'openid profile' 'with BUYER_AUTH=oidc: the scopes the buyer'"'"'s page asks for (Entra ID: add the API'"'"'s scope)'

# The sale 'up' opens, only when it does not exist yet.
setting EVENT_ID default "the event 'up' opens"
setting TICKETS 10000 "tickets of the sale 'up' opens"
setting HOLD_SECONDS 300 'how long a reservation is held unpaid'

# The default of setting $1 as people read it: the value, "empty", or what a computed default is.
default_text() {
    local default=${SETTING_DEFAULT[$1]}
    case $default in
        '') echo empty ;;
        \(*\)) echo "${default:1:-1}" ;;
        *) echo "$default" ;;
    esac
}

# The settings as usage() lists them: name, then help and default wrapped to lines of width columns.
print_settings() {
    local name width=100 indent=22 line first
    for name in "${SETTINGS[@]}"; do
        first=true
        while IFS= read -r line; do
            line=${line%"${line##*[! ]}"}
            if $first; then printf '  %-19s %s\n' "$name" "$line"; first=false; else printf '%*s%s\n' "$indent" '' "$line"; fi
        done < <(printf '%s [%s]\n' "${SETTING_HELP[$name]}" "$(default_text "$name")" | fold -s -w $((width - indent)))
    done
}

# The settings as docs/configuration.md's table: a value in code type, a description in words.
print_settings_markdown() {
    local name default
    echo '| variable | default | meaning |'
    echo '|---|---|---|'
    for name in "${SETTINGS[@]}"; do
        default=$(default_text "$name")
        [[ ${SETTING_DEFAULT[$name]} == '' || ${SETTING_DEFAULT[$name]} == \(*\) ]] || default="\`$default\`"
        printf '| %s | %s | %s |\n' "\`$name\`" "${default//|/\\|}" "${SETTING_HELP[$name]//|/\\|}"
    done
}

# Rewrites the table between the markers in file $1 (docs/configuration.md), leaving the rest as it is.
write_settings_markdown() {
    local file=$1 table
    if ! grep -qxF "$SETTINGS_BEGIN" "$file" || ! grep -qxF "$SETTINGS_END" "$file"; then
        die "$file lacks the lines $SETTINGS_BEGIN and $SETTINGS_END around the settings table"
    fi
    # The table through the environment: awk -v would read its backslashes as escapes.
    table=$(print_settings_markdown)
    TABLE=$table awk -v begin="$SETTINGS_BEGIN" -v end="$SETTINGS_END" '
        $0 == begin { print; print ENVIRON["TABLE"]; skipping = 1; next }
        $0 == end { skipping = 0 }
        !skipping { print }' "$file" >"$file.new"
    mv "$file.new" "$file"
    log "Rewrote the settings table in $file"
}
