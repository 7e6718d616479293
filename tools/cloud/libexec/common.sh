# Shared settings and helpers of tools/cloud/{up,down,status}. Sourced, never run.
#
# Where things live:
#   $KARBOR_CLOUD_CACHE (default ~/.cache/karbor)      the venv, cloud-venv-<hash of requirements.txt>
#   $KARBOR_CLOUD_DIR   (default ~/.local/share/karbor-cloud)  everything else: etc/ data/ log/ run/,
#                                                     the openrc files
# Nothing is written into the clone, so several clones (and worktrees) share one venv, and a
# `git clean` does not cost a venv rebuild.

CLOUD_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${KARBOR_CLOUD_DIR:-$HOME/.local/share/karbor-cloud}
CACHE=${KARBOR_CLOUD_CACHE:-$HOME/.cache/karbor}
REQS=$CLOUD_TOOLS/requirements.txt
VENV_HASH=$(sha256sum "$REQS" | cut -c1-12)
VENV=$CACHE/cloud-venv-$VENV_HASH   # (KARBOR_CLOUD_VENV in cloud.env only reports it)
BASE_PYTHON=${KARBOR_CLOUD_PYTHON:-python3}   # only used to create the venv

HOST=127.0.0.1
ETC=$STATE/etc; DATA=$STATE/data; LOG=$STATE/log; RUN=$STATE/run
SRV=$DATA/swift-node                          # swift "devices" dir: one device, d1
RUN_USER=$(id -un); RUN_GROUP=$(id -gn)

# Ports. These are the usual OpenStack ports (what a devstack cloud uses); 8799 is Karbor's own.
KS_PORT=5000
PROXY_PORT=8080; OBJ_PORT=6200; CONT_PORT=6201; ACCT_PORT=6202
GLANCE_PORT=9292
PLACEMENT_PORT=8778
NOVA_PORT=8774
NEUTRON_PORT=9696
CINDER_PORT=8776
KARBOR_PORT=8799
MC_PORT=11211
KS_URL=http://$HOST:$KS_PORT

# Accounts: every password is the user's name (a test cloud on the loopback interface only).
SERVICE_USERS="swift glance cinder nova placement neutron karbor"

# The machine's MariaDB and RabbitMQ are shared with other tests (they create karbor_ft_*
# databases): this cloud keeps to its own prefix, karbor_cloud_, for databases, user and vhosts.
DB_PREFIX=karbor_cloud
DB_USER=karbor_cloud; DB_PASS=karbor_cloud
DB_URL="mysql+pymysql://$DB_USER:$DB_PASS@$HOST"
OPENSTACK_DATABASES="${DB_PREFIX}_glance ${DB_PREFIX}_placement ${DB_PREFIX}_nova_api
                     ${DB_PREFIX}_nova_cell0 ${DB_PREFIX}_nova ${DB_PREFIX}_cinder"
KARBOR_DATABASE=${DB_PREFIX}_karbor
DATABASES="$OPENSTACK_DATABASES $KARBOR_DATABASE"
VHOSTS="${DB_PREFIX}_nova ${DB_PREFIX}_cinder ${DB_PREFIX}_karbor"
RABBIT_URL="rabbit://guest:guest@$HOST:5672"

# Every process `up` starts, in start order. The name is its pid file (run/NAME.pid), its
# output file (log/NAME.out) and what `status` prints. Port "-" = no API of its own.
SERVICES="keystone:$KS_PORT swift-account:$ACCT_PORT swift-container:$CONT_PORT
          swift-object:$OBJ_PORT swift-proxy:$PROXY_PORT glance-api:$GLANCE_PORT
          placement-api:$PLACEMENT_PORT fake-neutron:$NEUTRON_PORT nova-api:$NOVA_PORT
          nova-conductor:- nova-scheduler:- nova-compute:- cinder-api:$CINDER_PORT
          cinder-scheduler:- cinder-volume:- cinder-backup:-
          karbor-protection-1:- karbor-protection-2:- karbor-operationengine:-
          karbor-api:$KARBOR_PORT"
# Karbor's own processes (libexec/karbor.sh); up restarts them alone when Karbor changed.
KARBOR_SERVICES="karbor-api karbor-operationengine karbor-protection-1 karbor-protection-2"
service_names() { local s; for s in $SERVICES; do echo "${s%%:*}"; done; }
service_port() {
    local s
    for s in $SERVICES; do [ "${s%%:*}" = "$1" ] && echo "${s##*:}"; done
    return 0
}

# Cinder's NfsDriver "share". Nothing serves NFS here: the export dir is bind-mounted on the
# mount point os-brick derives for the share (nfs_mount_point_base/md5(share)); os-brick then
# finds the share in /proc/mounts and never runs `mount -t nfs`.
NFS_SHARE="$HOST:$DATA/cinder-export"
NFS_MNT_BASE=$DATA/cinder-mnt
nfs_mount_point() { echo "$NFS_MNT_BASE/$(printf '%s' "$NFS_SHARE" | md5sum | cut -d' ' -f1)"; }

say() { echo "[cloud] $*"; }
die() { echo "[cloud] ERROR: $*" >&2; exit 1; }
T0=${T0:-$(date +%s.%N)}
elapsed() { printf '%.1f' "$(echo "$(date +%s.%N) - $T0" | bc)"; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# ---------------------------------------------------------------- Debian packages
# memcached: swift's token cache; qemu-utils: cinder's NFS driver runs qemu-img on volume files;
# nfs-common: os-brick's NFS connector; bc/curl: these scripts. MariaDB and RabbitMQ come with
# the machine but are listed so a bare Debian 12 gets them too.
APT_PKGS="mariadb-server rabbitmq-server memcached qemu-utils nfs-common curl bc"
ensure_packages() {
    local p missing=""
    for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
    [ -z "$missing" ] && return 0
    say "apt-get install$missing"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null
}

# ---------------------------------------------------------------- the venv
# Built once per requirements.txt content. A venv is not relocatable (scripts carry its absolute
# path), so it is built in place; the marker file is written last, after `pip check`, so a build
# that died half-way is noticed and redone. flock: two `up`s at once build it once.
VENV_MARKER=$VENV/.karbor-cloud-complete
ensure_venv() {
    [ -f "$VENV_MARKER" ] && return 0
    mkdir -p "$CACHE"
    exec 8>"$CACHE/.cloud-venv.lock"
    flock 8
    if [ ! -f "$VENV_MARKER" ]; then
        local t log=$CACHE/cloud-venv-$VENV_HASH.log
        t=$(date +%s)
        say "building the cloud venv $VENV (first time: a few minutes; log $log)"
        rm -rf "$VENV"
        {
            "$BASE_PYTHON" -m venv "$VENV" &&
            "$VENV/bin/pip" install --upgrade pip &&
            # every package is pinned in requirements.txt, transitive ones included
            "$VENV/bin/pip" install -r "$REQS" &&
            "$VENV/bin/pip" check
        } >"$log" 2>&1 || { tail -30 "$log" >&2; die "venv build failed (log $log)"; }
        cp "$REQS" "$VENV/requirements.txt"
        echo "built $(date -u +%FT%TZ) in $(( $(date +%s) - t )) s" > "$VENV_MARKER"
        say "venv built in $(( $(date +%s) - t )) s ($(du -sm "$VENV" | cut -f1) MB)"
    fi
    flock -u 8
}

# ---------------------------------------------------------------- MariaDB, RabbitMQ, memcached
# They belong to the machine: started when down, never stopped by `down`.
ensure_infra() {
    mkdir -p "$RUN" "$LOG"
    if ! mysqladmin -uroot ping >/dev/null 2>&1; then
        say "starting MariaDB"
        mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
        # (8>&- 9>&-: no daemon may keep up's lock files open, see up)
        start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql \
            8>&- 9>&-
        local _
        for _ in $(seq 120); do mysqladmin -uroot ping >/dev/null 2>&1 && break; sleep 0.5; done
        mysqladmin -uroot ping >/dev/null 2>&1 || die "MariaDB did not start"
    fi
    if ! port_open 5672; then
        say "starting RabbitMQ"
        rabbitmq-server -detached 8>&- 9>&-
        local _
        for _ in $(seq 120); do port_open 5672 && rabbitmqctl -q status >/dev/null 2>&1 && break
            sleep 0.5; done
        port_open 5672 || die "RabbitMQ did not start"
    fi
    if ! port_open $MC_PORT; then
        # The Debian package does not start it here (policy-rc.d), so run one in the background.
        say "starting memcached on $HOST:$MC_PORT"
        setsid memcached -l $HOST -p $MC_PORT -U 0 -m 64 -u "$RUN_USER" \
            >>"$LOG/memcached.out" 2>&1 </dev/null 8>&- 9>&- &
        local _
        for _ in $(seq 50); do port_open $MC_PORT && break; sleep 0.1; done
        port_open $MC_PORT || die "memcached did not start"
    fi
}

ensure_nfs_mount() {
    local m; m=$(nfs_mount_point)
    mkdir -p "$DATA/cinder-export" "$m"
    grep -q " $m " /proc/mounts || mount --bind "$DATA/cinder-export" "$m"
}

# ---------------------------------------------------------------- processes
# A pid file holds the pid and the process's start time (field 22 of /proc/PID/stat): a pid
# that the kernel handed to another process since is not taken for ours, so `down` can never
# signal a stranger.
_start_time() {  # the command name (field 2) may hold spaces: count from its closing ")"
    sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $20}'
}
write_pid_file() { printf '%s\n%s\n' "$2" "$(_start_time "$2")" >"$RUN/$1.pid"; }
pid_of() { [ -f "$RUN/$1.pid" ] && head -1 "$RUN/$1.pid"; }
alive() {
    local pid want
    pid=$(pid_of "$1") && [ -n "$pid" ] || return 1
    want=$(sed -n 2p "$RUN/$1.pid")
    [ -n "$want" ] && [ "$(_start_time "$pid")" = "$want" ]
}

# Stop every service that has a live pid file: Karbor first, and only then the services it
# calls (a protection worker gives its bank leases back to Swift as it stops), those newest
# layer first. Each service was started under setsid, so its pid leads a process group holding
# its workers and helpers (privsep daemons); anything of that group still there after the
# leader exits is stopped too.
STOP_ORDER="cinder-backup cinder-volume cinder-scheduler cinder-api nova-compute nova-scheduler
            nova-conductor nova-api fake-neutron placement-api glance-api swift-proxy swift-object
            swift-container swift-account keystone"
_group_members() { ps -eo pid=,pgid= | awk -v g="$1" '$2 == g {print $1}'; }
stop_services() {  # [names...]: default Karbor's, then every other service in STOP_ORDER
    if [ $# = 0 ]; then
        stop_services $KARBOR_SERVICES
        stop_services $STOP_ORDER
        return
    fi
    local name pid i members stopping=()
    for name in "$@"; do   # signal all first: they shut down in parallel
        if alive "$name"; then
            pid=$(pid_of "$name")
            kill -TERM "$pid" 2>/dev/null
            stopping+=("$name:$pid")
        fi
        rm -f "$RUN/$name.pid"
    done
    for i in "${stopping[@]}"; do
        name=${i%%:*}; pid=${i##*:}
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            say "$name (pid $pid) still there 20 s after TERM: KILL"
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null
        fi
        members=$(_group_members "$pid")
        if [ -n "$members" ]; then
            kill -TERM $members 2>/dev/null; sleep 1
            members=$(_group_members "$pid")
            [ -z "$members" ] || kill -KILL $members 2>/dev/null
        fi
        say "stopped $name (pid $pid)"
    done
}
