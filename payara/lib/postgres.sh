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

# PostgreSQL refuses to run as root: as root its commands run as the system user postgres, from / since it may
# not be able to enter the working directory.
as_postgres() {
    if [[ $EUID -eq 0 ]]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# The home of the user postgres, under which the cluster's data lives when we are root.
postgres_home() {
    local home
    home=$(getent passwd postgres 2>/dev/null | cut -d: -f6)
    echo "${home:-/var/lib/postgresql}"
}

# PG_DIR's default. Not root: RUN_DIR/postgres. As root PostgreSQL runs as the user postgres, which may not be
# able to enter RUN_DIR (a checkout in /root or under `mktemp -d`): the data then lives in that user's home, one
# directory per RUN_DIR (named by a hash of its path), and RUN_DIR/postgres links to it. A RUN_DIR/postgres
# holding data of its own (made before this default) stays where it is.
default_pg_dir() {
    if [[ $EUID -ne 0 ]]; then
        echo "$RUN_DIR/postgres"
    elif [[ -f $RUN_DIR/postgres/data/PG_VERSION && ! -L $RUN_DIR/postgres ]]; then
        echo "$(realpath -m "$RUN_DIR")/postgres"
    else
        echo "$(postgres_home)/ticketrush/$(realpath -m "$RUN_DIR" | sha256sum | cut -c1-16)"
    fi
}

# Makes RUN_DIR/postgres lead to a PG_DIR kept elsewhere: the log is found beside the others', and the link
# tells remove_orphan_pg_dirs that the directory is in use.
link_pg_dir() {
    local link=$RUN_DIR/postgres
    [[ $(realpath -m "$link") == "$(realpath -m "$PG_DIR")" ]] && return 0
    if [[ -d $link && ! -L $link ]]; then
        [[ -e $link/data ]] && return 0
        rm -rf "$link"
    fi
    mkdir -p "$RUN_DIR"
    ln -sfn "$PG_DIR" "$link"
}

# Removes the data directories in $1 (where default_pg_dir keeps them) whose RUN_DIR no longer links to them
# and whose server is not running: that RUN_DIR, and the password the data was made with, are gone (a removed
# checkout, `mvn clean`, a finished test), so the data would only fill the disk.
remove_orphan_pg_dirs() {
    local parent=$1 dir owner
    for dir in "$parent"/*; do
        [[ -s $dir/run-dir ]] || continue
        owner=$(<"$dir/run-dir")
        [[ $(readlink "$owner/postgres" 2>/dev/null) == "$dir" ]] && continue
        live_pid "$dir/data/postmaster.pid" "$dir/data" >/dev/null && continue
        rm -rf "$dir"
        log "PostgreSQL: removed $dir, the data of $owner, which is gone"
    done
}

# As root: PG_DIR and its parent belong to postgres, which creates its data, socket and log there.
prepare_pg_dir() {
    local default_parent
    if [[ $EUID -eq 0 ]]; then
        default_parent=$(postgres_home)/ticketrush
        if [[ $(dirname "$PG_DIR") == "$default_parent" ]]; then
            install -d -o postgres -g postgres -m 700 "$default_parent"
            remove_orphan_pg_dirs "$default_parent"
        fi
        link_pg_dir
        mkdir -p "$PG_DIR"
        chown postgres:postgres "$PG_DIR"
        chmod 700 "$PG_DIR"
        [[ $PG_DIR == "$RUN_DIR/postgres" ]] || realpath -m "$RUN_DIR" >"$PG_DIR/run-dir"
    else
        mkdir -p "$PG_DIR"
    fi
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
        log "PostgreSQL: already running (pid $pid, port $PG_PORT, data in $PG_DIR)"
        return 0
    fi
    port_busy "$PG_PORT" "$(reach_address "$PG_LISTEN")" && die "port $PG_PORT is taken by another process; set PG_PORT"
    bin=$(pg_bin) || die "PostgreSQL's server binaries (initdb, pg_ctl) are missing; install with: sudo apt-get install -y postgresql"
    if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        die "as root PostgreSQL must run as the user postgres, which does not exist (apt-get install -y postgresql creates it)"
    fi
    prepare_pg_dir
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
    log "PostgreSQL: started (pid $(head -n 1 "$PG_DIR/data/postmaster.pid"), $DB_HOST:$PG_PORT, database $DB_NAME, data in $PG_DIR)"
}
