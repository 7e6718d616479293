#!/usr/bin/env bash
# devstack plugin for Karbor.
#
# Its steps are those of tools/cloud (tools/cloud/up and tools/cloud/libexec/),
# the deployment that Karbor's fullstack tests run against, done with
# devstack's own helpers: Karbor installed from $KARBOR_DIR; karbor-api as
# the WSGI module karbor.wsgi.api under uWSGI (several processes, threads
# each); KARBOR_PROTECTION_WORKERS karbor-protection workers, each with a
# [DEFAULT] host of its own from a second small file, and one
# karbor-operationengine; Karbor's own database and RabbitMQ virtual host;
# keystonemiddleware with the karbor service user (roles admin and service
# in the service project), service tokens required and memcached for the
# token cache; [service_user] so that work on a user's behalf outlives the
# user's token; notifications; the four providers (No-Op, OS Infra on Swift
# in the karbor user's account, OS Infra with volume snapshots, OS Infra on
# a file-system bank); the data-protect endpoint on $KARBOR_SERVICE_HOST.
# tools/cloud is tested on every run of the tests and this plugin is not
# (no devstack there): where the two differ, tools/cloud is right.
# doc/source/install/ explains each step. It needs a devstack whose
# write_uwsgi_config takes a WSGI module path (2024.2 and later).

# Whether any Karbor service runs on this node.
function is_karbor_enabled {
    [[ ,${ENABLED_SERVICES} =~ ,"karbor-" ]]
}

# The extras of Karbor's setup.cfg this node needs: the database driver
# and the memcache client of keystonemiddleware's token cache.
function _karbor_extras {
    case "$DATABASE_TYPE" in
        mysql) echo mysql,memcache ;;
        postgresql) echo postgresql,memcache ;;
        *) echo memcache ;;
    esac
}

# host:port for uWSGI; an IPv6 address in brackets.
function _karbor_api_bind {
    local address=$KARBOR_API_LISTEN_ADDRESS
    if [[ "$address" == *:* && "$address" != \[* ]]; then
        address="[$address]"
    fi
    echo "$address:$KARBOR_API_PORT"
}

function install_karbor {
    # The client first: Karbor's requirements name it, and PyPI has only
    # the original's.
    setup_develop "$KARBOR_DIR/python-karborclient"
    setup_develop "$KARBOR_DIR" "$(_karbor_extras)"
    if ! command -v uwsgi >/dev/null; then
        pip_install uwsgi
    fi
}

# The [swift_client] of a provider file: the karbor user's own account.
function _karbor_swift_bank_sections {
    local container=$1
    cat <<EOF

[swift_client]
swift_auth_url = $KEYSTONE_SERVICE_URI/v3
swift_user = karbor
swift_key = $SERVICE_PASSWORD
swift_tenant_name = $SERVICE_PROJECT_NAME
swift_user_domain_name = $SERVICE_DOMAIN_NAME
swift_project_domain_name = $SERVICE_DOMAIN_NAME

[swift_bank_plugin]
bank_swift_object_container = $container
EOF
}

# The four providers of the original Karbor's devstack plugin, by their ids.
function _karbor_write_providers {
    rm -f "$KARBOR_PROVIDERS_DIR"/*.conf
    cat >"$KARBOR_PROVIDERS_DIR/noop.conf" <<EOF
[provider]
name = No-Op Provider
description = This provider does nothing for each protect and restore operation. Used for testing
id = b766f37c-d011-4026-8228-28730d734a3f
plugin = karbor-noop-protection-plugin
bank = karbor-fs-bank-plugin
enabled = True

[file_system_bank_plugin]
file_system_bank_path = $KARBOR_STATE_PATH/banks/noop
EOF
    {
        cat <<EOF
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
EOF
        _karbor_swift_bank_sections "$KARBOR_SWIFT_CONTAINER"
    } >"$KARBOR_PROVIDERS_DIR/openstack-infra.conf"
    {
        cat <<EOF
[provider]
name = OS Infra Provider with volume snapshot plugin
description = This provider uses OpenStack's own services (swift, cinder) as storage
id = 90d5bfea-a259-41e6-80c6-dcfcfcd9d827
plugin = karbor-volume-snapshot-plugin
bank = karbor-swift-bank-plugin
enabled = True
EOF
        _karbor_swift_bank_sections "$KARBOR_SWIFT_SNAPSHOT_CONTAINER"
    } >"$KARBOR_PROVIDERS_DIR/openstack-infra-volume-snapshot.conf"
    cat >"$KARBOR_PROVIDERS_DIR/openstack-fs-bank.conf" <<EOF
[provider]
name = OS Infra Provider with local file system bank
description = This provider uses local file system as the bank of karbor
id = 6659007d-6f66-4a0f-9cb4-17d6aded0bb9
plugin = karbor-project-protection-plugin
plugin = karbor-volume-protection-plugin
plugin = karbor-image-protection-plugin
plugin = karbor-server-protection-plugin
bank = karbor-fs-bank-plugin
enabled = True

[file_system_bank_plugin]
file_system_bank_path = $KARBOR_STATE_PATH/banks/openstack-fs-bank
EOF
    # The Swift account's password is in them.
    chmod 0600 "$KARBOR_PROVIDERS_DIR"/*.conf
}

# One small file per protection worker: its name in the services table
# and of its RPC server.
function _karbor_write_worker_hosts {
    local i
    rm -f "$KARBOR_CONF_DIR"/protection-*.conf
    for i in $(seq "$KARBOR_PROTECTION_WORKERS"); do
        cat >"$KARBOR_CONF_DIR/protection-$i.conf" <<EOF
[DEFAULT]
host = $(hostname)-protection-$i
EOF
    done
}

function _karbor_write_uwsgi_config {
    write_uwsgi_config "$KARBOR_UWSGI_CONF" "$KARBOR_UWSGI" "" \
        "$(_karbor_api_bind)" "karbor-api"
    # Each worker process parses HTTP itself, as in tools/cloud, rather
    # than behind uWSGI's separate HTTP router.
    inidelete "$KARBOR_UWSGI_CONF" uwsgi http
    iniset "$KARBOR_UWSGI_CONF" uwsgi http-socket "$(_karbor_api_bind)"
    # API requests mostly wait (database, RPC replies): threads in each.
    iniset "$KARBOR_UWSGI_CONF" uwsgi threads "$KARBOR_API_THREADS"
    iniset "$KARBOR_UWSGI_CONF" uwsgi env "OS_KARBOR_CONFIG_DIR=$KARBOR_CONF_DIR"
}

function configure_karbor {
    sudo install -d -o "$STACK_USER" "$KARBOR_CONF_DIR" \
        "$KARBOR_PROVIDERS_DIR" "$KARBOR_STATE_PATH"
    cp "$KARBOR_DIR/etc/api-paste.ini" "$KARBOR_CONF_DIR/"

    rm -f "$KARBOR_CONF"
    iniset "$KARBOR_CONF" DEFAULT debug "$ENABLE_DEBUG_LOG_LEVEL"
    iniset "$KARBOR_CONF" DEFAULT auth_strategy keystone
    iniset "$KARBOR_CONF" DEFAULT state_path "$KARBOR_STATE_PATH"
    iniset "$KARBOR_CONF" DEFAULT api_paste_config "$KARBOR_CONF_DIR/api-paste.ini"
    iniset "$KARBOR_CONF" DEFAULT provider_config_dir "$KARBOR_PROVIDERS_DIR"
    # utf8mb4, as tools/cloud: names may hold any character, 4-byte ones too.
    iniset "$KARBOR_CONF" database connection \
        "$(database_connection_url karbor | sed 's/charset=utf8$/charset=utf8mb4/')"
    iniset_rpc_backend karbor "$KARBOR_CONF" DEFAULT "$KARBOR_RABBIT_VHOST"
    iniset "$KARBOR_CONF" oslo_messaging_notifications driver messagingv2

    configure_keystone_authtoken_middleware "$KARBOR_CONF" karbor
    # The token cache, shared by the API's worker processes.
    iniset "$KARBOR_CONF" keystone_authtoken memcached_servers \
        "${MEMCACHE_SERVERS:-$SERVICE_HOST:11211}"
    iniset "$KARBOR_CONF" keystone_authtoken service_token_roles service
    iniset "$KARBOR_CONF" keystone_authtoken service_token_roles_required true

    # Karbor's own token, sent with the user's on every call to the cloud.
    iniset "$KARBOR_CONF" service_user send_service_user_token true
    iniset "$KARBOR_CONF" service_user auth_type password
    iniset "$KARBOR_CONF" service_user auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$KARBOR_CONF" service_user username karbor
    iniset "$KARBOR_CONF" service_user password "$SERVICE_PASSWORD"
    iniset "$KARBOR_CONF" service_user user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$KARBOR_CONF" service_user project_name "$SERVICE_PROJECT_NAME"
    iniset "$KARBOR_CONF" service_user project_domain_name "$SERVICE_DOMAIN_NAME"
    setup_logging "$KARBOR_CONF"

    _karbor_write_providers
    _karbor_write_worker_hosts
    _karbor_write_uwsgi_config
}

function create_karbor_accounts {
    # admin: owning its Swift account (Swift's operator_roles), the Swift
    # bank's; service: other services accept its service token only then.
    create_service_user karbor admin
    get_or_add_user_project_role service karbor "$SERVICE_PROJECT_NAME" \
        "$SERVICE_DOMAIN_NAME" "$SERVICE_DOMAIN_NAME"
    get_or_create_service karbor data-protect "Application Data Protection"
    local url="$KARBOR_SERVICE_PROTOCOL://$KARBOR_SERVICE_HOST:$KARBOR_API_PORT/v1/\$(project_id)s"
    get_or_create_endpoint data-protect "$REGION_NAME" "$url" "$url" "$url"
}

function init_karbor {
    recreate_database karbor
    if [[ -n "$KARBOR_RABBIT_VHOST" ]] && is_service_enabled rabbit; then
        rpc_backend_add_vhost "$KARBOR_RABBIT_VHOST"
    fi
    "$KARBOR_BIN_DIR/karbor-manage" --config-file "$KARBOR_CONF" db sync
}

function start_karbor {
    local i
    run_process karbor-api \
        "$(which uwsgi) --procname-prefix karbor --ini $KARBOR_UWSGI_CONF"
    for i in $(seq "$KARBOR_PROTECTION_WORKERS"); do
        run_process "karbor-protection-$i" \
            "$KARBOR_BIN_DIR/karbor-protection --config-file $KARBOR_CONF --config-file $KARBOR_CONF_DIR/protection-$i.conf"
    done
    run_process karbor-operationengine \
        "$KARBOR_BIN_DIR/karbor-operationengine --config-file $KARBOR_CONF"
    if is_service_enabled karbor-api; then
        echo "Waiting for karbor-api to start..."
        if ! wait_for_service "$SERVICE_TIMEOUT" \
                "$KARBOR_SERVICE_PROTOCOL://$KARBOR_SERVICE_HOST:$KARBOR_API_PORT/"; then
            die $LINENO "karbor-api did not start"
        fi
    fi
}

function stop_karbor {
    local i
    stop_process karbor-api
    for i in $(seq "$KARBOR_PROTECTION_WORKERS"); do
        stop_process "karbor-protection-$i"
    done
    stop_process karbor-operationengine
}

function _karbor_drop_database {
    case "$DATABASE_TYPE" in
        mysql)
            mysql -u"$DATABASE_USER" -p"$DATABASE_PASSWORD" -h"$DATABASE_HOST" \
                -e "DROP DATABASE IF EXISTS karbor;" ;;
        postgresql)
            dropdb -h "$DATABASE_HOST" -U "$DATABASE_USER" --if-exists karbor ;;
    esac
}

# What this plugin made; Keystone's user and endpoint and the Swift
# containers go with Keystone's and Swift's own data.
function cleanup_karbor {
    remove_uwsgi_config "$KARBOR_UWSGI_CONF" "karbor-api"
    _karbor_drop_database || true
    if [[ -n "$KARBOR_RABBIT_VHOST" ]] && is_service_enabled rabbit; then
        sudo rabbitmqctl delete_vhost "$KARBOR_RABBIT_VHOST" || true
    fi
    sudo rm -rf "$KARBOR_CONF_DIR" "$KARBOR_STATE_PATH"
}

if is_karbor_enabled; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Karbor"
        install_karbor
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring Karbor"
        configure_karbor
        if is_service_enabled karbor-api; then
            create_karbor_accounts
        fi
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting Karbor"
        if is_service_enabled karbor-api; then
            init_karbor
        fi
        start_karbor
    fi
    if [[ "$1" == "unstack" ]]; then
        stop_karbor
    fi
    if [[ "$1" == "clean" ]]; then
        cleanup_karbor
    fi
fi
