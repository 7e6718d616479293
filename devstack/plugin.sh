#!/usr/bin/env bash
# devstack plugin for Karbor: installs it, writes karbor.conf, registers
# the data-protect service in Keystone and runs its three services.

function install_karbor {
    setup_develop "$KARBOR_DIR"
}

function configure_karbor {
    sudo install -d -o "$STACK_USER" "$KARBOR_CONF_DIR" \
        "$KARBOR_CONF_DIR/providers.d" "$KARBOR_STATE_PATH" \
        "$KARBOR_AUTH_CACHE_DIR"
    cp "$KARBOR_DIR/etc/api-paste.ini" "$KARBOR_CONF_DIR/"
    cp "$KARBOR_DIR"/etc/providers.d/*.conf "$KARBOR_CONF_DIR/providers.d/"

    iniset "$KARBOR_CONF" DEFAULT debug "$ENABLE_DEBUG_LOG_LEVEL"
    iniset "$KARBOR_CONF" DEFAULT auth_strategy keystone
    iniset "$KARBOR_CONF" DEFAULT state_path "$KARBOR_STATE_PATH"
    iniset "$KARBOR_CONF" DEFAULT osapi_karbor_listen "$KARBOR_API_LISTEN_ADDRESS"
    iniset "$KARBOR_CONF" DEFAULT osapi_karbor_listen_port "$KARBOR_API_PORT"
    iniset "$KARBOR_CONF" DEFAULT api_paste_config "$KARBOR_CONF_DIR/api-paste.ini"
    iniset "$KARBOR_CONF" DEFAULT provider_config_dir "$KARBOR_CONF_DIR/providers.d"
    iniset "$KARBOR_CONF" database connection "$(database_connection_url karbor)"
    iniset_rpc_backend karbor "$KARBOR_CONF"
    configure_keystone_authtoken_middleware "$KARBOR_CONF" karbor
}

function create_karbor_accounts {
    create_service_user karbor admin
    get_or_create_service karbor data-protect "Application Data Protection"
    get_or_create_endpoint data-protect "$REGION_NAME" \
        "$KARBOR_SERVICE_PROTOCOL://$KARBOR_API_LISTEN_ADDRESS:$KARBOR_API_PORT/v1/\$(project_id)s"
}

function init_karbor {
    recreate_database karbor
    karbor-manage --config-file "$KARBOR_CONF" db sync
}

function start_karbor {
    run_process karbor-api "$(which karbor-api) --config-file $KARBOR_CONF"
    run_process karbor-protection "$(which karbor-protection) --config-file $KARBOR_CONF"
    run_process karbor-operationengine "$(which karbor-operationengine) --config-file $KARBOR_CONF"
}

function stop_karbor {
    local service
    for service in karbor-api karbor-protection karbor-operationengine; do
        stop_process "$service"
    done
}

if is_service_enabled karbor-api; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        install_karbor
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        configure_karbor
        create_karbor_accounts
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        init_karbor
        start_karbor
    fi
    if [[ "$1" == "unstack" ]]; then
        stop_karbor
    fi
fi
