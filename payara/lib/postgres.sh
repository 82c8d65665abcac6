# shellcheck shell=bash
# PostgreSQL for the durable orders: this cluster's own server and data directory, as the user postgres when
# run as root.

# The directory of PostgreSQL's server binaries (initdb, pg_ctl), or nothing.
pg_bin() {
    local initdb dir
    initdb=$(command -v initdb 2>/dev/null) && dir=$(dirname "$(readlink -f "$initdb")")
    for dir in ${dir:-} $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [[ -x $dir/initdb && -x $dir/pg_ctl ]] && { echo "$dir"; return 0; }
    done
    return 1
}

# PostgreSQL refuses to run as root: as root its commands run as the system user postgres.
as_postgres() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# As root, PostgreSQL runs as postgres, which must be able to enter every directory above its data (a clone
# under `mktemp -d`, mode 700, is not). Dies naming the first one it cannot enter.
postgres_can_reach() {
    local path="" part parts
    IFS=/ read -r -a parts <<<"$(realpath -m "$1")"
    for part in "${parts[@]}"; do
        [[ -n $part ]] || continue
        path+="/$part"
        [[ -d $path ]] || return 0
        runuser -u postgres -- test -x "$path" \
            || die "PostgreSQL runs as the user postgres, which cannot enter $path (mode $(stat -c %a "$path")); set RUN_DIR to a directory under one others may enter, or: chmod o+x $path"
    done
}

start_postgres() {
    local bin pid
    if [[ -z $PG_PORT ]]; then
        if [[ -s $PG_DIR/port ]]; then
            PG_PORT=$(<"$PG_DIR/port")
        else
            PG_PORT=5432
            while port_busy "$PG_PORT" "$(reach_address "$PG_LISTEN")"; do PG_PORT=$((PG_PORT + 1)); done
        fi
    fi
    if pid=$(live_pid "$PG_DIR/data/postmaster.pid" "$PG_DIR/data"); then
        log "PostgreSQL: already running (pid $pid, port $PG_PORT)"
        return 0
    fi
    port_busy "$PG_PORT" "$(reach_address "$PG_LISTEN")" && die "port $PG_PORT is taken by another process; set PG_PORT"
    bin=$(pg_bin) || die "PostgreSQL's server binaries (initdb, pg_ctl) are missing; install with: sudo apt-get install -y postgresql"
    if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        die "as root PostgreSQL must run as the user postgres, which does not exist (apt-get install -y postgresql creates it)"
    fi
    mkdir -p "$PG_DIR"
    [[ $EUID -eq 0 ]] && chown postgres "$PG_DIR"
    if [[ ! -f $PG_DIR/data/PG_VERSION ]]; then
        # The password reaches initdb through a private file, never the command line.
        (umask 077 && printf '%s\n' "$DB_PASSWORD" >"$PG_DIR/pwfile")
        [[ $EUID -eq 0 ]] && chown postgres "$PG_DIR/pwfile"
        as_postgres "$bin/initdb" -D "$PG_DIR/data" -U "$DB_USER" --pwfile="$PG_DIR/pwfile" \
            --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >"$PG_DIR/initdb.log" 2>&1 \
            || { rm -f "$PG_DIR/pwfile"; tail -n 20 "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
        rm -f "$PG_DIR/pwfile"
    fi
    echo "$PG_PORT" >"$PG_DIR/port"
    # initdb lets password logins in from loopback only; listening beyond it is for instances on other hosts.
    if ! loopback_only "$PG_LISTEN" && ! grep -q '^# ticketrush: other hosts' "$PG_DIR/data/pg_hba.conf"; then
        printf '%s\n' '# ticketrush: other hosts' 'host all all 0.0.0.0/0 scram-sha-256' 'host all all ::/0 scram-sha-256' \
            >>"$PG_DIR/data/pg_hba.conf"
    fi
    as_postgres "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses='${PG_LISTEN// /}'" start >/dev/null \
        || { tail -n 20 "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
    # Over the local socket, where initdb made the owner trusted.
    if [[ -z $(psql -h "$PG_DIR" -p "$PG_PORT" -U "$DB_USER" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'") ]]; then
        psql -h "$PG_DIR" -p "$PG_PORT" -U "$DB_USER" -d postgres -qc "CREATE DATABASE $DB_NAME" >/dev/null
    fi
    log "PostgreSQL: started (pid $(head -n 1 "$PG_DIR/data/postmaster.pid"), $DB_HOST:$PG_PORT, database $DB_NAME)"
}
