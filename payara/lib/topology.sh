# shellcheck shell=bash
# The deployment: which instances there are (INSTANCES), what runs on this host (SERVICES), the addresses
# to reach each server, and the checks of these settings before anything starts.

has_service() { [[ " ${SERVICES//,/ } " == *" $1 "* ]]; }

# Reads INSTANCES (or the default from BASE_PORT and WEIGHTS) into HOSTS, PORTS and LOADS, indexed from 1
# like the instances' names; dies naming the first entry that is not host:port:weight.
parse_instances() {
    local list=${INSTANCES//,/ } entry n=0 i seen=" "
    if [[ -z ${list// /} ]]; then
        list=""
        for ((i = 0; i < ${#WEIGHTS[@]}; i++)); do list+="127.0.0.1:$((BASE_PORT + i)):${WEIGHTS[i]} "; done
    fi
    HOSTS=(""); PORTS=(""); LOADS=("")
    for entry in $list; do
        n=$((n + 1))
        [[ $entry =~ ^([A-Za-z0-9][A-Za-z0-9._-]*):([0-9]{1,5}):([0-9]{1,4})$ ]] \
            || die "INSTANCES entry $n '$entry' is not host:port:weight (like 10.0.0.5:3001:2)"
        local host=${BASH_REMATCH[1]} port=$((10#${BASH_REMATCH[2]})) weight=$((10#${BASH_REMATCH[3]}))
        ((port >= 1 && port <= 65535)) || die "INSTANCES entry $n '$entry': port $port is not 1-65535"
        ((weight >= 1)) || die "INSTANCES entry $n '$entry': the weight must be at least 1"
        [[ $seen == *" $host:$port "* ]] && die "INSTANCES entry $n '$entry': $host:$port is listed twice"
        seen+="$host:$port "
        HOSTS+=("$host"); PORTS+=("$port"); LOADS+=("$weight")
    done
    ((n > 0)) || die "INSTANCES lists no instance"
}

instance_count() { echo $((${#HOSTS[@]} - 1)); }
instance_port() { echo "${PORTS[$1]}"; }
instance_host() { echo "${HOSTS[$1]}"; }
instance_dir() { echo "$RUN_DIR/instance-$1"; }
total_weight() { local sum=0 i; for ((i = 1; i < ${#LOADS[@]}; i++)); do sum=$((sum + LOADS[i])); done; echo "$sum"; }

# Whether host $1 is this host (see HOST_ADDRESS).
is_local_host() {
    local host=$1 address
    if [[ -n $HOST_ADDRESS ]]; then
        [[ $host == "$HOST_ADDRESS" ]]
        return
    fi
    case $host in 127.* | localhost | "$(hostname)" | "$(hostname -f 2>/dev/null || hostname)") return 0 ;; esac
    for address in $(hostname -I 2>/dev/null); do [[ $host == "$address" ]] && return 0; done
    return 1
}

# Instance $1 runs on this host (and instances are among this host's services).
is_local_instance() { has_service instances && is_local_host "${HOSTS[$1]}"; }

# The address to reach a server listening on $1 (a listen address or list) from this host.
reach_address() {
    local first=${1%%[ ,]*}
    case $first in '' | 0.0.0.0 | '*' | '::') echo 127.0.0.1 ;; *) echo "$first" ;; esac
}

# Whether every address in the list $1 is a loopback one.
loopback_only() {
    local address
    for address in ${1//,/ }; do
        case $address in 127.* | localhost | ::1) ;; *) return 1 ;; esac
    done
}

# Checks the settings that do not depend on anything running, before anything starts.
check_settings() {
    local service
    for service in ${SERVICES//,/ }; do
        case $service in redis | postgres | instances | nginx) ;;
            *) die "SERVICES: unknown service '$service' (redis, postgres, instances, nginx)" ;;
        esac
    done
    case $REDIS_MODE in standalone | sentinel | cluster) ;;
        *) die "REDIS_MODE must be standalone, sentinel or cluster, not '$REDIS_MODE'" ;;
    esac
    case $BUYER_AUTH in
        open) ;;
        oidc) [[ -n $OIDC_ISSUER ]] || die "BUYER_AUTH=oidc needs OIDC_ISSUER: the provider's issuer URL (see docs/operations.md, 'Buyers who sign in')" ;;
        *) die "BUYER_AUTH must be open or oidc, not '$BUYER_AUTH'" ;;
    esac
    parse_instances
    if has_service redis && [[ $REDIS_MODE == standalone ]] && ! loopback_only "$REDIS_BIND" && [[ -z $REDIS_PASSWORD ]]; then
        die "Redis would listen on '$REDIS_BIND' without a password; set REDIS_PASSWORD (the instances are given it)"
    fi
    REDIS_HOST=${REDIS_HOST:-$(reach_address "$REDIS_BIND")}
    DB_HOST=${DB_HOST:-$(reach_address "$PG_LISTEN")}
}
