# Writes every config file of the cloud into $ETC. Sourced by tools/cloud/up after common.sh;
# `write_configs` is idempotent (same inputs, same files) and touches no service or database.
#
# Auth everywhere is real: every API pipeline has keystonemiddleware's authtoken with the
# service's own user (admin+service roles in project service); services find each other in the
# Keystone catalog and call each other with their service users or the caller's token, as in
# a devstack cloud. Nothing runs noauth.

pw() { echo "$1"; }   # every account's password is its name (see common.sh)

# [keystone_authtoken] for service user $1: tokens of other services are accepted as service
# tokens only from users holding the `service` role.
authtoken_section() {
    cat <<EOF
[keystone_authtoken]
www_authenticate_uri = $KS_URL
auth_url = $KS_URL
auth_type = password
username = $1
password = $(pw "$1")
project_name = service
user_domain_name = Default
project_domain_name = Default
service_token_roles = service
service_token_roles_required = true
EOF
}

# A keystoneauth section [$1] for service user $2 (the endpoint comes from the catalog).
service_auth_section() {
    cat <<EOF
[$1]
auth_type = password
auth_url = $KS_URL/v3
username = $2
password = $(pw "$2")
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
EOF
}

# uwsgi ini for one API: port, WSGI module, extra lines.
uwsgi_ini() {
    local port=$1 module=$2 line
    shift 2
    cat <<EOF
[uwsgi]
http-socket = $HOST:$port
module = $module
virtualenv = $VENV
pythonpath = $STATE/lib
master = true
processes = 1
threads = 4
enable-threads = true
lazy-apps = true
die-on-term = true
exit-on-reload = true
need-app = true
buffer-size = 65535
disable-logging = true
# uwsgi's HTTP/1.1 replies carry no Connection header; a client reusing a pooled connection
# then got ConnectionResetError (the recipe saw it while provisioning). Close every connection.
add-header = Connection: close
EOF
    for line in "$@"; do echo "$line"; done
}

write_keystone_conf() {
    mkdir -p "$ETC/keystone"
    cat >"$ETC/keystone/keystone.conf" <<EOF
[DEFAULT]
log_file = $LOG/keystone.log
[database]
# SQLite is enough for Keystone here and keeps it off the shared MariaDB
connection = sqlite:///$DATA/keystone.db
[token]
provider = fernet
# 4 h: long fullstack runs keep one session
expiration = 14400
[fernet_tokens]
key_repository = $ETC/keystone/fernet-keys
[credential]
key_repository = $ETC/keystone/credential-keys
EOF
    uwsgi_ini $KS_PORT keystone.wsgi.api:application \
        "env = OS_KEYSTONE_CONFIG_DIR=$ETC/keystone" >"$ETC/keystone/uwsgi.ini"
}

write_swift_confs() {
    mkdir -p "$ETC/swift" "$SRV/d1" "$DATA/swift-recon"
    cat >"$ETC/swift/swift.conf" <<EOF
[swift-hash]
swift_hash_path_prefix = karbor-cloud-prefix
swift_hash_path_suffix = karbor-cloud-suffix
[storage-policy:0]
name = Policy-0
default = yes
[swift-constraints]
EOF
    # Each server conf names swift_dir (else /etc/swift/swift.conf is read) and user (swift's
    # default user `swift` does not exist here).
    local s name port
    for s in account:$ACCT_PORT container:$CONT_PORT object:$OBJ_PORT; do
        name=${s%%:*}; port=${s##*:}
        cat >"$ETC/swift/$name-server.conf" <<EOF
[DEFAULT]
bind_ip = $HOST
bind_port = $port
workers = 1
user = $RUN_USER
swift_dir = $ETC/swift
devices = $SRV
mount_check = false
log_name = swift-$name
[pipeline:main]
pipeline = healthcheck recon $name-server
[app:$name-server]
use = egg:swift#$name
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:recon]
use = egg:swift#recon
recon_cache_path = $DATA/swift-recon
EOF
    done
    # The proxy: authtoken + keystoneauth; a project's members own its account (AUTH_<id>).
    cat >"$ETC/swift/proxy-server.conf" <<EOF
[DEFAULT]
bind_ip = $HOST
bind_port = $PROXY_PORT
workers = 1
user = $RUN_USER
swift_dir = $ETC/swift
log_name = swift-proxy

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats container_sync bulk tempurl ratelimit authtoken keystoneauth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
allow_account_management = false

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = $KS_URL
auth_url = $KS_URL
auth_type = password
username = swift
password = $(pw swift)
project_name = service
user_domain_id = default
project_domain_id = default
delay_auth_decision = True
cache = swift.cache
include_service_catalog = False
service_token_roles_required = True

[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member
reseller_admin_role = ResellerAdmin

[filter:cache]
use = egg:swift#memcache
memcache_servers = $HOST:$MC_PORT

[filter:versioned_writes]
use = egg:swift#versioned_writes
allow_versioned_writes = true
allow_object_versioning = true

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:container_sync]
use = egg:swift#container_sync
[filter:bulk]
use = egg:swift#bulk
[filter:tempurl]
use = egg:swift#tempurl
[filter:ratelimit]
use = egg:swift#ratelimit
[filter:copy]
use = egg:swift#copy
[filter:container-quotas]
use = egg:swift#container_quotas
[filter:account-quotas]
use = egg:swift#account_quotas
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
[filter:symlink]
use = egg:swift#symlink
EOF
}

write_glance_conf() {
    mkdir -p "$ETC/glance" "$DATA"/glance/{images,staging,tasks,lock}
    cp "$VENV/etc/glance/glance-api-paste.ini" "$ETC/glance/"
    cat >"$ETC/glance/glance-api.conf" <<EOF
[DEFAULT]
debug = false
log_file = $LOG/glance-api.log
enabled_backends = fs:file
enabled_import_methods = []
public_endpoint = http://$HOST:$GLANCE_PORT
[database]
connection = $DB_URL/${DB_PREFIX}_glance?charset=utf8
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $DATA/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $DATA/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $DATA/glance/tasks
[paste_deploy]
flavor = keystone
config_file = $ETC/glance/glance-api-paste.ini
[oslo_concurrency]
lock_path = $DATA/glance/lock
$(authtoken_section glance)
EOF
    # Image uploads arrive chunked: uwsgi must accept chunked input, and more of it than its
    # default limit, or uploads fail.
    uwsgi_ini $GLANCE_PORT glance.wsgi.api:application \
        "env = OS_GLANCE_CONFIG_DIR=$ETC/glance" \
        "http-auto-chunked = true" "http-chunked-input = true" "http-raw-body = true" \
        "chunked-input-limit = 134217728" "socket-timeout = 120" >"$ETC/glance/uwsgi.ini"
}

write_placement_conf() {
    mkdir -p "$ETC/placement"
    cat >"$ETC/placement/placement.conf" <<EOF
[DEFAULT]
debug = false
log_file = $LOG/placement-api.log
[api]
auth_strategy = keystone
[placement_database]
connection = $DB_URL/${DB_PREFIX}_placement?charset=utf8
$(authtoken_section placement)
EOF
    uwsgi_ini $PLACEMENT_PORT placement.wsgi.api:application \
        "env = OS_PLACEMENT_CONFIG_DIR=$ETC/placement" >"$ETC/placement/uwsgi.ini"
}

write_nova_conf() {
    mkdir -p "$ETC/nova" "$DATA"/nova/{instances,lock}
    cp "$VENV/etc/nova/api-paste.ini" "$ETC/nova/"
    cat >"$ETC/nova/nova.conf" <<EOF
[DEFAULT]
debug = false
host = karbor-cloud
my_ip = $HOST
state_path = $DATA/nova
instances_path = $DATA/nova/instances
transport_url = $RABBIT_URL/${DB_PREFIX}_nova
# lib/karbor_cloud_fake_virt.py: no hypervisor here
compute_driver = karbor_cloud_fake_virt.SnapshotUploadingFakeDriver
heal_instance_info_cache_interval = -1
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = $ETC/nova/api-paste.ini
[api_database]
connection = $DB_URL/${DB_PREFIX}_nova_api?charset=utf8
[database]
connection = $DB_URL/${DB_PREFIX}_nova?charset=utf8
[conductor]
workers = 1
[scheduler]
workers = 1
# maps the compute host into cell1 by itself too (up also runs discover_hosts once)
discover_hosts_in_cells_interval = 10
[vnc]
enabled = false
[oslo_concurrency]
lock_path = $DATA/nova/lock
[oslo_messaging_notifications]
driver = noop
$(authtoken_section nova)
[service_user]
send_service_user_token = true
$(service_auth_section service_user nova | tail -n +2)
$(service_auth_section placement placement)
valid_interfaces = public
$(service_auth_section neutron neutron)
valid_interfaces = public
[glance]
# found in the catalog, called with the caller's token
region_name = RegionOne
valid_interfaces = public
$(service_auth_section cinder nova)
os_region_name = RegionOne
catalog_info = volumev3::publicURL
EOF
    uwsgi_ini $NOVA_PORT nova.wsgi.osapi_compute:application \
        "env = OS_NOVA_CONFIG_DIR=$ETC/nova" >"$ETC/nova/uwsgi-api.ini"
}

write_cinder_conf() {
    mkdir -p "$ETC/cinder" "$DATA"/cinder/lock "$DATA/cinder-export" "$DATA/cinder-conversion" \
        "$NFS_MNT_BASE"
    # resource_filters.json: without it cinder-api logs an ERROR on every list call
    cp "$VENV/etc/cinder/api-paste.ini" "$VENV/etc/cinder/resource_filters.json" "$ETC/cinder/"
    echo "$NFS_SHARE" >"$ETC/cinder/nfs_shares"
    cat >"$ETC/cinder/cinder.conf" <<EOF
[DEFAULT]
debug = false
host = karbor-cloud
my_ip = $HOST
state_path = $DATA/cinder
transport_url = $RABBIT_URL/${DB_PREFIX}_cinder
auth_strategy = keystone
api_paste_config = $ETC/cinder/api-paste.ini
resource_query_filters_file = $ETC/cinder/resource_filters.json
enabled_backends = nfs1
image_conversion_dir = $DATA/cinder-conversion
# Glance: no glance_api_servers, so cinder takes it from the caller's catalog
glance_catalog_info = image:glance:publicURL
# Backups into Swift as in devstack: with the caller's token (per_user), to the caller's
# object-store endpoint from the catalog (no backup_swift_url), container volumebackups.
# lib/karbor_cloud_swift_backup.py = upstream driver + the restore-size fix.
backup_driver = karbor_cloud_swift_backup.SwiftBackupDriver
backup_swift_auth = per_user
swift_catalog_info = object-store:swift:publicURL
backup_swift_container = volumebackups
# ... and with cinder's service token beside the caller's, so that a backup or restore that
# outlives the caller's token (Karbor's long checkpoints) still reaches Swift.
backup_swift_service_auth = true
# Tests make and delete many volumes, snapshots and backups: what an interrupted run left
# behind must not use up Cinder's default quotas (10 of each) and fail the next run.
quota_volumes = -1
quota_snapshots = -1
quota_backups = -1
quota_gigabytes = -1
quota_backup_gigabytes = -1
[database]
connection = $DB_URL/${DB_PREFIX}_cinder?charset=utf8
[nfs1]
# lib/karbor_cloud_nfs.py = upstream NfsDriver + raw clones for backups of snapshotted volumes
volume_driver = karbor_cloud_nfs.NfsDriver
volume_backend_name = nfs1
nfs_shares_config = $ETC/cinder/nfs_shares
nfs_mount_point_base = $NFS_MNT_BASE
nfs_snapshot_support = true
nfs_sparsed_volumes = true
nas_secure_file_operations = false
nas_secure_file_permissions = false
# No sudo on this machine and we run as root: privsep daemons start directly.
[privsep_osbrick]
helper_command = $VENV/bin/privsep-helper --config-file $ETC/cinder/cinder.conf
[cinder_sys_admin]
helper_command = $VENV/bin/privsep-helper --config-file $ETC/cinder/cinder.conf
[coordination]
backend_url = file://$DATA/cinder
[oslo_concurrency]
lock_path = $DATA/cinder/lock
[oslo_messaging_notifications]
driver = noop
$(authtoken_section cinder)
[service_user]
send_service_user_token = true
$(service_auth_section service_user cinder | tail -n +2)
$(service_auth_section nova cinder)
interface = public
# cinder-volume reads image locations through this section; without it: 403 on
# get_image_locations ("a dedicated [glance] section is required")
$(service_auth_section glance cinder)
EOF
    uwsgi_ini $CINDER_PORT cinder.wsgi.api:application \
        "pyargv = --config-file $ETC/cinder/cinder.conf --log-file $LOG/cinder-api.log" \
        >"$ETC/cinder/uwsgi-api.ini"
}

# The openrc files exist only while the cloud is up: up writes them once every API answers,
# down removes them. Fullstack tests skip when they are missing (karbor/tests/fullstack/cloud.py)
# instead of failing against a stopped cloud.
write_openrc() {  # user project
    cat >"$STATE/$1-openrc" <<EOF
# $1 in project $2 of the karbor cloud (written by tools/cloud/up). Source it.
export OS_AUTH_URL=$KS_URL/v3
export OS_USERNAME=$1
export OS_PASSWORD=$(pw "$1")
export OS_PROJECT_NAME=$2
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_IDENTITY_API_VERSION=3
export OS_REGION_NAME=RegionOne
export OS_INTERFACE=public
EOF
}

# clouds.yaml as devstack writes it: scripts that say --os-cloud devstack (demo in project demo)
# or devstack-admin run unchanged (OS_CLIENT_CONFIG_FILE=$STATE/clouds.yaml, or copy it to
# ~/.config/openstack/). devstack-alt is the second project, for isolation tests.
write_clouds_yaml() {
    local cloud user project
    {
        echo "# The karbor cloud's users (written by tools/cloud/up), named as devstack names them."
        echo "clouds:"
        for cloud in devstack:demo:demo devstack-admin:admin:admin devstack-alt:alt:alt; do
            IFS=: read -r cloud user project <<<"$cloud"
            cat <<EOF
  $cloud:
    auth:
      auth_url: $KS_URL/v3
      username: $user
      password: $(pw "$user")
      project_name: $project
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
    identity_api_version: 3
EOF
        done
    } >"$STATE/clouds.yaml"
}

write_configs() {
    mkdir -p "$ETC" "$DATA" "$LOG" "$RUN" "$STATE/lib"
    # The stand-ins run from a copy in the state dir: a checkout in the clone does not change
    # the code of a running cloud under its feet.
    cp "$CLOUD_TOOLS"/lib/karbor_cloud_*.py "$STATE/lib/"
    write_keystone_conf
    write_swift_confs
    write_glance_conf
    write_placement_conf
    write_nova_conf
    write_cinder_conf
}

# A digest of everything the running processes read at start: configs, stand-ins, the venv.
# `up` restarts a running cloud whose digest differs. Karbor's own configuration has a digest
# of its own (karbor.sh): a change there restarts Karbor alone.
config_digest() {
    { echo "$VENV"; find "$ETC" "$STATE/lib" -type f ! -path '*-keys/*' ! -name '*.ring.gz' \
          ! -name '*.builder' ! -path "$ETC/karbor/*" -print0 | sort -z | xargs -0 sha256sum; } |
        sha256sum | cut -c1-16
}
