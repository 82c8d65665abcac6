# shellcheck shell=bash
# Helpers every script shares (payara/cluster.sh, .ci/run, jmeter/*.sh): logging, pid files, waiting, probing
# ports and URLs, installing missing Debian packages, secrets kept in files. Sourced, never run.

# Messages go to standard output; a script whose standard output is its result (the benchmarks) sets
# LOG_FD=2 after sourcing this file.
LOG_FD=1
# Named in error messages: the script that was run.
SCRIPT_NAME=${0##*/}

log() { printf '%s\n' "$*" >&"$LOG_FD"; }
die() { printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }

# On a terminal one line that updates in place; in a log (tests, CI) a line every few seconds.
progress() {
    if [[ -t 1 ]]; then
        printf '\r%s' "$1"
    elif ((SECONDS - ${LAST_PROGRESS:-0} >= 5)); then
        LAST_PROGRESS=$SECONDS
        log "$1"
    fi
}

# The last state of what progress() showed, always on a line of its own: in a log the last progress line
# printed may be seconds older.
progress_done() {
    if [[ -t 1 ]]; then printf '\r%s\n' "$1"; else log "$1"; fi
}

# --- waiting -------------------------------------------------------------------------------------------

# Runs command $2.. every 0.1 s until it succeeds; fails when $1 seconds pass first.
wait_until() {
    local tries=$(($1 * 10))
    shift
    until "$@"; do
        ((tries-- > 0)) || return 1
        sleep 0.1
    done
}

process_gone() { ! kill -0 "$1" 2>/dev/null; }

# Whether something accepts connections on port $1 of address $2 (default 127.0.0.1).
port_busy() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

http_ok() { curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; }

# --- processes, by pid file only -----------------------------------------------------------------------

# How long a process may take to stop after its signal before it is killed.
STOP_SECONDS=20

# The pid in $1 if that process is alive and its command line contains $2 (guards against pid reuse).
live_pid() {
    local file=$1 marker=$2 pid
    [[ -f $file ]] || return 1
    pid=$(head -n 1 "$file")
    [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
    echo "$pid"
}

# Sends TERM (or $4) to the process in pid file $1 (checked against marker $2), waits, then KILL; removes
# the file.
stop_pid() {
    local file=$1 marker=$2 name=$3 signal=${4:-TERM} pid
    if ! pid=$(live_pid "$file" "$marker"); then
        rm -f "$file"
        log "  $name: not running"
        return 0
    fi
    kill "-$signal" "$pid" 2>/dev/null || true
    if ! wait_until "$STOP_SECONDS" process_gone "$pid"; then
        log "  $name: did not stop in $STOP_SECONDS s, killing pid $pid"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$file"
    log "  $name: stopped (pid $pid)"
}

# --- packages ------------------------------------------------------------------------------------------

# Installs Debian packages with apt-get: as root, or through sudo when it asks no password; otherwise dies
# naming the command to run.
install_packages() {
    local sudo=()
    if [[ $EUID -ne 0 ]]; then
        if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
            die "missing $*; install with: sudo apt-get install -y $*"
        fi
        sudo=(sudo -n)
    fi
    command -v apt-get >/dev/null 2>&1 || die "missing $*; install them (on Debian: apt-get install -y $*)"
    log "Installing $* with apt-get ..."
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The packages of binary:package pairs whose binary is missing (neither on the PATH nor in /usr/sbin), one a
# line.
missing_packages() {
    local pair binary
    for pair in "$@"; do
        binary=${pair%%:*}
        command -v "$binary" >/dev/null 2>&1 || [[ -x /usr/sbin/$binary ]] || echo "${pair##*:}"
    done
}

# Installs what is missing of binary:package pairs.
require_packages() {
    local missing=()
    mapfile -t missing < <(missing_packages "$@")
    ((${#missing[@]} == 0)) || install_packages "${missing[@]}"
}

# --- secrets -------------------------------------------------------------------------------------------

# A secret: the value of variable $1 if set, else the one kept in file $2, else a new random one kept there
# (mode 600).
secret() {
    local given=${!1:-} file=$2
    if [[ -n $given ]]; then
        echo "$given"
    elif [[ -s $file ]]; then
        cat "$file"
    else
        local value
        value=$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
        (umask 077 && printf '%s\n' "$value" >"$file")
        echo "$value"
    fi
}
