# Memory of the running cloud. Sourced after common.sh; `memory_report [--per-service]`.
#
# up starts each service under setsid, so a service is the whole process group of the pid in
# its pid file: uwsgi master + worker, swift parent + worker, cinder-volume + its privsep
# daemons. RSS counts shared pages (libraries, the venv's code) once per process, so it
# overstates; PSS splits shared pages among the processes that share them and adds up right.
# MariaDB, RabbitMQ and memcached belong to the machine and are shown apart.

_pss_kib() { awk '/^Pss:/{print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
_rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

_MEM_RSS=0; _MEM_PSS=0; _MEM_N=0
_mem_add() {  # label per_service pids...
    local label=$1 show=$2 r=0 p=0 n=0 pid
    shift 2
    for pid in "$@"; do
        r=$(( r + $(_rss_kib "$pid") )); p=$(( p + $(_pss_kib "$pid") )); n=$(( n + 1 ))
    done
    [ "$show" = 1 ] && printf '  %-22s %2d procs  RSS %5d MiB  PSS %5d MiB\n' \
        "$label" $n $(( r / 1024 )) $(( p / 1024 ))
    _MEM_RSS=$(( _MEM_RSS + r )); _MEM_PSS=$(( _MEM_PSS + p )); _MEM_N=$(( _MEM_N + n ))
}

memory_report() {
    local show=0 name pid pids karbor_rss=0 karbor_pss=0 karbor_n=0
    [ "${1:-}" = --per-service ] && show=1
    _MEM_RSS=0; _MEM_PSS=0; _MEM_N=0
    for name in $(service_names); do
        alive "$name" || continue
        pid=$(pid_of "$name")
        pids=$(ps -eo pid=,pgid= | awk -v g="$pid" '$2 == g {print $1}')
        case " $KARBOR_SERVICES " in
            *" $name "*)
                for pid in $pids; do
                    karbor_rss=$(( karbor_rss + $(_rss_kib "$pid") ))
                    karbor_pss=$(( karbor_pss + $(_pss_kib "$pid") ))
                    karbor_n=$(( karbor_n + 1 ))
                done ;;
        esac
        _mem_add "$name" $show $pids
    done
    printf 'memory: OpenStack services %d processes, PSS %d MiB (RSS %d MiB); Karbor'"'"'s %d of them PSS %d MiB (RSS %d MiB)\n' \
        $_MEM_N $(( _MEM_PSS / 1024 )) $(( _MEM_RSS / 1024 )) \
        $karbor_n $(( karbor_pss / 1024 )) $(( karbor_rss / 1024 ))
    _MEM_RSS=0; _MEM_PSS=0; _MEM_N=0
    pid=$(pgrep -x mariadbd | head -1)
    [ -n "$pid" ] && _mem_add mariadb $show $pid
    pid=$(pgrep -x beam.smp | head -1)   # RabbitMQ's Erlang VM and its port programs
    [ -n "$pid" ] && _mem_add rabbitmq $show $pid $(pgrep -P "$pid")
    pid=$(ss -ltnpH "sport = :$MC_PORT" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
    [ -n "$pid" ] && _mem_add memcached $show $pid
    printf 'memory: MariaDB+RabbitMQ+memcached (the machine'"'"'s, shared) PSS %d MiB (RSS %d MiB)\n' \
        $(( _MEM_PSS / 1024 )) $(( _MEM_RSS / 1024 ))
}
