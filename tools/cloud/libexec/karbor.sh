# Karbor, deployed into the cloud from this checkout as an operator would deploy it. Sourced by
# tools/cloud/up after common.sh and configure.sh.
#
#   venv      $KARBOR_CLOUD_CACHE/karbor-venv-<hash>: karbor[mysql,memcache] and uWSGI, pinned by
#             the cloud's requirements.txt where it pins them; rebuilt when either's requirements
#             change.
#             Karbor itself is installed into it from the checkout (not editable: a later edit of
#             the checkout does not change the running code), again whenever the code changed.
#   config    $ETC/karbor: karbor.conf (complete and commented: the file to copy), api-paste.ini
#             (the installed one), providers.d/, protection-N.conf for each protection worker
#             (its host name), karbor-api-uwsgi.ini.
#   processes karbor-api under uWSGI (KARBOR_API_WORKERS processes, default 2, threads each),
#             karbor-protection-1 and -2, karbor-operationengine; MariaDB database
#             karbor_cloud_karbor, RabbitMQ vhost karbor_cloud_karbor.
# When the code, the venv or Karbor's configuration changed, up restarts Karbor's processes
# (and only them); the rest of the cloud keeps running.

KARBOR_SRC=$(cd "$CLOUD_TOOLS/../.." && pwd)
KARBOR_ETC=$ETC/karbor
KARBOR_DATA=$DATA/karbor
# What a deployment adds to Karbor's requirements: the MariaDB driver and the memcached client of
# keystonemiddleware's token cache (Karbor's extras), and the WSGI server.
KARBOR_EXTRAS="mysql,memcache"
KARBOR_WSGI_SERVER=uWSGI
KARBOR_VENV=$CACHE/karbor-venv-$( { cat "$KARBOR_SRC/requirements.txt" \
    "$KARBOR_SRC/python-karborclient/requirements.txt" "$REQS"
    sed -n '/^\[extras\]/,/^\[files\]/p' "$KARBOR_SRC/setup.cfg"
    echo "$KARBOR_EXTRAS $KARBOR_WSGI_SERVER"; } | sha256sum | cut -c1-12)
KARBOR_API_WORKERS=${KARBOR_API_WORKERS:-2}
KARBOR_PROTECTION_WORKERS="1 2"

# ---------------------------------------------------------------- the venv and the code
ensure_karbor_venv() {
    local marker=$KARBOR_VENV/.karbor-venv-complete log=$KARBOR_VENV.log t
    [ -f "$marker" ] && return 0
    t=$(date +%s)
    say "building Karbor's venv $KARBOR_VENV (log $log)"
    rm -rf "$KARBOR_VENV"
    {
        "$BASE_PYTHON" -m venv "$KARBOR_VENV" &&
        "$KARBOR_VENV/bin/pip" install --upgrade pip setuptools &&
        # The cloud's pins as constraints: Karbor runs on the same library releases as the
        # services it calls, and uWSGI comes from pip's wheel cache once the cloud built it.
        "$KARBOR_VENV/bin/pip" install -c "$REQS" "$KARBOR_SRC/python-karborclient" \
            "$KARBOR_SRC[$KARBOR_EXTRAS]" "$KARBOR_WSGI_SERVER" &&
        "$KARBOR_VENV/bin/pip" check
    } >"$log" 2>&1 || { tail -30 "$log" >&2; die "Karbor's venv build failed (log $log)"; }
    echo "built $(date -u +%FT%TZ) in $(( $(date +%s) - t )) s" >"$marker"
    say "Karbor's venv built in $(( $(date +%s) - t )) s"
}

# Karbor's venvs of earlier requirements: once Karbor runs from this one, nothing uses them.
prune_karbor_venvs() {
    local old
    for old in "$CACHE"/karbor-venv-*; do
        case "$old" in "$KARBOR_VENV"|"$KARBOR_VENV".*) continue ;; esac
        rm -rf "$old"
    done
}

# What is installed from the checkout: the code and the files packaged with it (tests excluded:
# they do not run in the deployment).
karbor_code_digest() {
    (cd "$KARBOR_SRC" && find karbor python-karborclient etc setup.cfg setup.py requirements.txt \
        -type f ! -path '*/tests/*' ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum) |
        sha256sum | cut -c1-16
}

install_karbor() {
    local digest log=$KARBOR_VENV.install.log
    digest=$(karbor_code_digest)
    [ "$(cat "$KARBOR_VENV/.karbor-code" 2>/dev/null)" = "$digest" ] && return 0
    # Karbor first, its client after: a Karbor of before the client had its own distribution
    # packaged karborclient too, and uninstalling it takes those files away.
    { "$KARBOR_VENV/bin/pip" install --no-deps --no-build-isolation --force-reinstall \
          "$KARBOR_SRC" &&
      "$KARBOR_VENV/bin/pip" install --no-deps --no-build-isolation --force-reinstall \
          "$KARBOR_SRC/python-karborclient"; } >"$log" 2>&1 ||
        { tail -30 "$log" >&2; die "installing Karbor failed (log $log)"; }
    echo "$digest" >"$KARBOR_VENV/.karbor-code"
    say "Karbor installed from $KARBOR_SRC at +$(elapsed)s"
}

# ---------------------------------------------------------------- configuration
write_karbor_conf() {
    cat >"$KARBOR_ETC/karbor.conf" <<EOF
# Karbor in the karbor cloud (written by tools/cloud/up). Every process reads this file:
#   karbor-api (uWSGI, module karbor.wsgi.api:application, OS_KARBOR_CONFIG_DIR=$KARBOR_ETC)
#   karbor-protection --config-file karbor.conf --config-file protection-N.conf
#   karbor-operationengine --config-file karbor.conf
# An operator's copy changes the host names, the passwords and the paths; the rest is what a
# production deployment needs. Options not named here keep their defaults (see
# etc/karbor.conf.sample and doc/source/install/).

[DEFAULT]
# The services table and the RPC server names use it; each protection worker sets its own.
host = karbor-cloud
state_path = $KARBOR_DATA
# RPC between karbor-api and the workers: a vhost of Karbor's own.
transport_url = $RABBIT_URL/${DB_PREFIX}_karbor
# Keystone tokens, checked by keystonemiddleware ([keystone_authtoken] below).
auth_strategy = keystone
api_paste_config = $KARBOR_ETC/api-paste.ini
provider_config_dir = $KARBOR_ETC/providers.d
debug = false
# SIGTERM stops a worker within this bound, its running operations given most of it; tools/cloud's
# down sends KILL 20 s after TERM (a production default of 60 goes with systemd's
# TimeoutStopSec = 120).
graceful_shutdown_timeout = 15
# An operation whose worker dies (or stops with it unfinished) is taken over by the other
# worker once its claim has gone unrenewed this long, and resumed from its last finished task.
# The defaults, written out: renewals every 15 s, takeover after 90 s, and no project running
# more than 2 operations at once over both workers.
operation_takeover_timeout = 90
operation_heartbeat_interval = 15
max_concurrent_operations_per_project = 2

[database]
connection = $DB_URL/$KARBOR_DATABASE?charset=utf8mb4

$(authtoken_section karbor)
# Validated tokens are cached in memcached, shared by every API worker process.
memcached_servers = $HOST:$MC_PORT

[service_user]
# karbor-protection calls Cinder, Glance, Nova and Keystone with the user's token and, beside
# it, a token of this service user. The services accept the user's token after it expired when
# a valid service token comes with it ([keystone_authtoken] service_token_roles_required), so a
# protect or restore that outlives the user's token still completes.
send_service_user_token = true
$(service_auth_section service_user karbor | tail -n +2)

[trustee]
# karbor-operationengine runs a scheduled operation as the user who created it, through a
# Keystone trust from that user to this one (made when the operation is created, deleted with
# it). No project: the trust's scope is the creator's.
auth_type = password
auth_url = $KS_URL/v3
username = karbor
password = $(pw karbor)
user_domain_name = Default

# The OpenStack services karbor-protection calls, found in the caller's service catalog.
[cinder_client]
region_id = RegionOne
[glance_client]
region_id = RegionOne
[nova_client]
region_id = RegionOne
[keystone_client]
region_id = RegionOne

[oslo_messaging_notifications]
# karbor.plan_create.start and the like, on the same RabbitMQ vhost (topic notifications).
driver = messagingv2

[oslo_middleware]
# karbor-api listens on 127.0.0.1; behind a TLS proxy, set this so that the links Karbor
# returns carry the proxy's scheme and host (X-Forwarded-Proto, X-Forwarded-Host).
enable_proxy_headers_parsing = true
EOF
}

# One provider file: file name, then its sections as already formatted lines.
write_provider() {
    cat >"$KARBOR_ETC/providers.d/$1.conf"
}

# [swift_client] and [swift_bank_plugin] of a Swift-bank provider: the karbor user's account.
swift_bank_sections() {  # container
    cat <<EOF
[swift_client]
swift_auth_url = $KS_URL/v3
swift_auth_version = 3
swift_user = karbor
swift_key = $(pw karbor)
swift_tenant_name = service
swift_user_domain_name = Default
swift_project_domain_name = Default
region_id = RegionOne

[swift_bank_plugin]
bank_swift_object_container = $1
EOF
}

write_karbor_providers() {
    rm -rf "$KARBOR_ETC/providers.d"
    mkdir -p "$KARBOR_ETC/providers.d"
    # The four providers of the original Karbor's devstack plugin, with their ids. Both
    # protection workers run on this machine, so they share the file-system banks (and their
    # leases).
    write_provider noop <<EOF
[provider]
name = No-Op Provider
description = This provider does nothing for each protect and restore operation. Used for testing
id = b766f37c-d011-4026-8228-28730d734a3f
plugin = karbor-noop-protection-plugin
bank = karbor-fs-bank-plugin
enabled = True

[file_system_bank_plugin]
file_system_bank_path = $KARBOR_DATA/banks/noop
EOF
    write_provider openstack-infra <<EOF
[provider]
name = OS Infra Provider
description = This provider uses OpenStack's own services (swift, cinder) as storage
id = cf56bd3e-97a7-4078-b6d5-f36246333fd9
plugin = karbor-project-protection-plugin
plugin = karbor-volume-protection-plugin
plugin = karbor-image-protection-plugin
plugin = karbor-server-protection-plugin
bank = karbor-swift-bank-plugin
enabled = True

$(swift_bank_sections karbor)
EOF
    write_provider openstack-infra-volume-snapshot <<EOF
[provider]
name = OS Infra Provider with volume snapshot plugin
description = This provider uses OpenStack's own services (swift, cinder) as storage
id = 90d5bfea-a259-41e6-80c6-dcfcfcd9d827
plugin = karbor-volume-snapshot-plugin
bank = karbor-swift-bank-plugin
enabled = True

$(swift_bank_sections karbor-volume-snapshot)
EOF
    write_provider openstack-fs-bank <<EOF
[provider]
name = OS Infra Provider with local file system bank
description = This provider uses local file system as the bank of karbor
id = 6659007d-6f66-4a0f-9cb4-17d6aded0bb9
# Its checkpoints are copied into the OS Infra Provider's Swift bank.
copy_provider = cf56bd3e-97a7-4078-b6d5-f36246333fd9
plugin = karbor-project-protection-plugin
plugin = karbor-volume-protection-plugin
plugin = karbor-image-protection-plugin
plugin = karbor-server-protection-plugin
bank = karbor-fs-bank-plugin
enabled = True

[file_system_bank_plugin]
file_system_bank_path = $KARBOR_DATA/banks/openstack-fs-bank
EOF
}

write_karbor_configs() {
    local n
    mkdir -p "$KARBOR_ETC" "$KARBOR_DATA"
    write_karbor_conf
    write_karbor_providers
    # The pipeline as installed with Karbor (etc/karbor/api-paste.ini of the package).
    cp "$KARBOR_VENV/etc/karbor/api-paste.ini" "$KARBOR_ETC/api-paste.ini"
    for n in $KARBOR_PROTECTION_WORKERS; do
        cat >"$KARBOR_ETC/protection-$n.conf" <<EOF
# Protection worker $n: its name in the services table and its RPC server name. Every worker
# takes operations from the same topic, karbor-protection.
[DEFAULT]
host = karbor-cloud-protection-$n
EOF
    done
    # As devstack serves OpenStack APIs (lib/apache write_uwsgi_config), with an HTTP socket of
    # its own since no Apache runs here.
    cat >"$KARBOR_ETC/karbor-api-uwsgi.ini" <<EOF
[uwsgi]
http-socket = $HOST:$KARBOR_PORT
module = karbor.wsgi.api:application
virtualenv = $KARBOR_VENV
env = OS_KARBOR_CONFIG_DIR=$KARBOR_ETC
master = true
processes = $KARBOR_API_WORKERS
threads = 4
enable-threads = true
# Each worker loads the application after the fork: RPC connections are not shared.
lazy-apps = true
thunder-lock = true
die-on-term = true
hook-master-start = unix_signal:15 gracefully_kill_them_all
worker-reload-mercy = 30
need-app = true
buffer-size = 65535
disable-logging = true
add-header = Connection: close
EOF
}

# Karbor's configuration, code and venv: up restarts Karbor's processes when this changes.
karbor_digest() {
    { echo "$KARBOR_VENV"; cat "$KARBOR_VENV/.karbor-code"
      find "$KARBOR_ETC" -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-16
}

# ---------------------------------------------------------------- processes
karbor_db_sync() {
    "$KARBOR_VENV/bin/karbor-manage" --config-file "$KARBOR_ETC/karbor.conf" db sync
}

launch_karbor() {
    local n bin=$KARBOR_VENV/bin
    # env -u PYTHONPATH: the cloud's stand-ins (lib/) are not Karbor's.
    launch karbor-api env -u PYTHONPATH "$bin/uwsgi" --ini "$KARBOR_ETC/karbor-api-uwsgi.ini"
    for n in $KARBOR_PROTECTION_WORKERS; do
        launch "karbor-protection-$n" env -u PYTHONPATH "$bin/karbor-protection" \
            --config-file "$KARBOR_ETC/karbor.conf" \
            --config-file "$KARBOR_ETC/protection-$n.conf" \
            --log-file "$LOG/karbor-protection-$n.log"
    done
    launch karbor-operationengine env -u PYTHONPATH "$bin/karbor-operationengine" \
        --config-file "$KARBOR_ETC/karbor.conf" --log-file "$LOG/karbor-operationengine.log"
}
