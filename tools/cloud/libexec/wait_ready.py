"""Wait until every service of the karbor cloud answers through its Keystone-protected API.

Run by tools/cloud/up with the cloud venv after the processes are launched. Each check is
retried with backoff (0.2 s growing to 3 s) until it passes or the overall deadline
(KARBOR_CLOUD_TIMEOUT, default 300 s) is reached; a process whose pid is gone fails at once.
On failure it prints the last lines of the failing service's logs and exits 1.

It also does the last setup steps that need running services: the public flavors m1.tiny,
m1.small and devstack's cirros256, a small public image named as devstack's CirrOS image,
and mapping the fake compute host into cell1 (nova-manage cell_v2 discover_hosts). Karbor is
ready when its API answers demo through Keystone with the four providers, which takes both
karbor-api and a protection worker, and every Karbor service has a fresh heartbeat.

Env: STATE, LOG, RUN, NOVA_CONF, KS_URL, T0, SERVICES, LAUNCHED, DB_URL, KARBOR_DATABASE and
the *_PORT variables of libexec/common.sh.
"""
import datetime
import os
import subprocess
import sys
import tempfile
import time

import pymysql

import requests
from keystoneauth1 import session
from keystoneauth1.identity import v3

ENV = os.environ
HOST = '127.0.0.1'
T0 = float(ENV['T0'])
DEADLINE = time.time() + float(ENV.get('KARBOR_CLOUD_TIMEOUT', '300'))
# name, RAM (MB), vCPUs, disk (GB), id (None: Nova picks one)
FLAVORS = (('m1.tiny', 512, 1, 1, None), ('m1.small', 2048, 1, 20, None),
           ('cirros256', 256, 1, 1, 'c1'))
# devstack's default image name. There is no CirrOS download here: the image is an empty qcow2
# disk, enough for the fake virt driver and for anything that looks an image up by name.
IMAGE_NAME = 'cirros-0.6.3-x86_64-disk'
KARBOR_PROVIDERS = {'b766f37c-d011-4026-8228-28730d734a3f', 'cf56bd3e-97a7-4078-b6d5-f36246333fd9',
                    '90d5bfea-a259-41e6-80c6-dcfcfcd9d827', '6659007d-6f66-4a0f-9cb4-17d6aded0bb9'}
# host in Karbor's services table: its binary there, and its process here (libexec/karbor.sh)
KARBOR_SERVICES = {'karbor-cloud-protection-1': ('karbor-protection', 'karbor-protection-1'),
                   'karbor-cloud-protection-2': ('karbor-protection', 'karbor-protection-2'),
                   'karbor-cloud': ('karbor-operationengine', 'karbor-operationengine')}


def url(port_var, path=''):
    return 'http://%s:%s%s' % (HOST, ENV[port_var], path)


def log_tail(name, lines=30):
    for path in (os.path.join(ENV['LOG'], name + '.out'), os.path.join(ENV['LOG'], name + '.log')):
        if os.path.exists(path):
            print('----- last %d lines of %s' % (lines, path), file=sys.stderr)
            with open(path, errors='replace') as f:
                sys.stderr.writelines(f.readlines()[-lines:])


def fail(name, why):
    print('[cloud] ERROR: %s is not ready: %s' % (name, why), file=sys.stderr)
    log_tail(name)
    sys.exit(1)


def running(name):
    """The pid file's process is alive and is still the one up started (same start time)."""
    try:
        with open(os.path.join(ENV['RUN'], name + '.pid')) as f:
            pid, started = f.read().split()[:2]
        with open('/proc/%s/stat' % pid) as f:
            # field 22 is the start time; split after the command name, which may hold spaces
            return f.read().rsplit(')', 1)[1].split()[19] == started
    except (OSError, ValueError, IndexError):
        return False


ALL = [line.split(':')[0] for line in ENV['SERVICES'].split()]
LAUNCHED = set(ENV.get('LAUNCHED', '').split())   # started by this `up` (not already running)


class NotUp(Exception):
    """Raised by a check with the services that are still not up."""

    def __init__(self, services):
        super().__init__('not up yet: %s' % ', '.join(services))
        self.services = services


def wait(label, services, check):
    """Retry check() until it returns a true value; services = whose logs tell why not."""
    pause, last = 0.2, None
    while True:
        for name in ALL:
            if not running(name):
                fail(name, 'its process is gone')
        try:
            result = check()
            if result:
                print('[cloud] ready: %-36s +%.1fs' % (label, time.time() - T0), flush=True)
                return result
        except (requests.RequestException, OSError, ValueError, KeyError, IndexError) as e:
            last = e
        except Exception as e:  # keystoneauth errors while a service is still starting
            last = e
        if time.time() + pause > DEADLINE:
            culprit = last.services[0] if isinstance(last, NotUp) else services[0]
            fail(culprit, 'timed out waiting for %s (last error: %s)' % (label, last))
        time.sleep(pause)
        pause = min(pause * 1.5, 3.0)


def ok(resp):
    return 200 <= resp.status_code < 300


def password_session(name):
    return session.Session(auth=v3.Password(
        auth_url=ENV['KS_URL'] + '/v3', username=name, password=name, project_name=name,
        user_domain_id='default', project_domain_id='default'))


def main():
    wait('keystone /v3', ['keystone'], lambda: ok(requests.get(ENV['KS_URL'] + '/v3', timeout=5)))
    admin, demo = password_session('admin'), password_session('demo')
    wait('keystone: admin token', ['keystone'], admin.get_token)
    for name, port in (('account', 'ACCT_PORT'), ('container', 'CONT_PORT'),
                       ('object', 'OBJ_PORT'), ('proxy', 'PROXY_PORT')):
        wait('swift-%s healthcheck' % name, ['swift-' + name],
             lambda p=port: ok(requests.get(url(p, '/healthcheck'), timeout=5)))
    wait('swift: demo HEAD own account', ['swift-proxy'], lambda: ok(demo.head(
        demo.get_endpoint(service_type='object-store', interface='public'), raise_exc=False)))
    wait('glance: GET /v2/images', ['glance-api'], lambda: ok(admin.get(
        url('GLANCE_PORT', '/v2/images'), raise_exc=False)))
    wait('placement: GET /resource_providers', ['placement-api'], lambda: ok(admin.get(
        url('PLACEMENT_PORT', '/resource_providers'), raise_exc=False)))
    wait('fake neutron: GET /v2.0/networks', ['fake-neutron'], lambda: ok(admin.get(
        url('NEUTRON_PORT', '/v2.0/networks'), raise_exc=False)))

    wait('nova: GET /flavors', ['nova-api'], lambda: ok(admin.get(
        url('NOVA_PORT', '/v2.1/flavors'), raise_exc=False)))

    def flavors():
        have = {f['name'] for f in admin.get(url('NOVA_PORT', '/v2.1/flavors')).json()['flavors']}
        for name, ram, vcpus, disk, flavor_id in FLAVORS:
            if name not in have:
                flavor = {'name': name, 'ram': ram, 'vcpus': vcpus, 'disk': disk}
                if flavor_id:
                    flavor['id'] = flavor_id
                admin.post(url('NOVA_PORT', '/v2.1/flavors'), json={'flavor': flavor})
        return True
    wait('nova: flavors %s' % ', '.join(f[0] for f in FLAVORS), ['nova-api'], flavors)
    wait('glance: image %s' % IMAGE_NAME, ['glance-api'], lambda: ensure_image(admin))

    def services_up(port, path, binaries):
        """Each binary reports 'up', and one launched by this `up` has reported since.

        'up' only means a heartbeat in the last 60 s: right after a down/up the previous
        processes' heartbeats still count. A new process writes its first one when it has
        finished starting, so for those its heartbeat must be newer than this `up`.
        """
        r = admin.get(url(port, path), raise_exc=False)
        if not ok(r):
            return False
        seen = {s['binary']: s for s in r.json()['services'] if s['status'] == 'enabled'}
        since = datetime.datetime.fromtimestamp(T0, datetime.timezone.utc).replace(tzinfo=None)

        def fresh(binary):
            svc = seen.get(binary)
            if svc is None or svc['state'] != 'up':
                return False
            if binary not in LAUNCHED:
                return True
            beat = svc.get('updated_at')
            return bool(beat) and datetime.datetime.fromisoformat(beat.rstrip('Z')) >= since
        down = [b for b in binaries if not fresh(b)]
        if down:
            raise NotUp(down)
        return True
    nova_bins = ['nova-conductor', 'nova-scheduler', 'nova-compute']
    wait('nova: conductor+scheduler+compute up', nova_bins,
         lambda: services_up('NOVA_PORT', '/v2.1/os-services', nova_bins))

    def compute_inventory():
        r = admin.get(url('PLACEMENT_PORT', '/resource_providers'), raise_exc=False)
        providers = r.json()['resource_providers'] if ok(r) else []
        if not providers:
            return False
        inv = admin.get(url('PLACEMENT_PORT', '/resource_providers/%s/inventories'
                            % providers[0]['uuid'])).json()['inventories']
        return 'VCPU' in inv
    wait('placement: compute node inventory', ['nova-compute'], compute_inventory)

    def hypervisors():
        return admin.get(url('NOVA_PORT', '/v2.1/os-hypervisors')).json()['hypervisors']
    if not hypervisors():
        # a new compute host: nova-scheduler maps it into cell1 within 10 s by itself
        # ([scheduler] discover_hosts_in_cells_interval); discover_hosts makes it immediate
        subprocess.run([os.path.join(os.path.dirname(sys.executable), 'nova-manage'),
                        '--config-file', ENV['NOVA_CONF'], 'cell_v2', 'discover_hosts'],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait('nova: hypervisor mapped', ['nova-compute'], hypervisors)

    project = admin.get_project_id()
    wait('cinder: GET /types', ['cinder-api'], lambda: ok(admin.get(
        url('CINDER_PORT', '/v3/%s/types' % project), raise_exc=False)))
    cinder_bins = ['cinder-scheduler', 'cinder-volume', 'cinder-backup']
    wait('cinder: scheduler+volume+backup up', cinder_bins,
         lambda: services_up('CINDER_PORT', '/v3/%s/os-services' % project, cinder_bins))

    def pool_has_space():
        pools = admin.get(url('CINDER_PORT', '/v3/%s/scheduler-stats/get_pools?detail=true'
                              % project)).json()['pools']
        return pools and pools[0]['capabilities'].get('free_capacity_gb', 0)
    wait('cinder: NFS pool reported', ['cinder-volume'], pool_has_space)

    wait('karbor: GET / (versions)', ['karbor-api'],
         lambda: ok(requests.get(url('KARBOR_PORT', '/'), timeout=5)))

    def karbor_providers():
        endpoint = demo.get_endpoint(service_type='data-protect', interface='public')
        r = demo.get(endpoint + '/providers', raise_exc=False, timeout=10)
        if not ok(r):
            raise NotUp(['karbor-api'])
        missing = KARBOR_PROVIDERS - {p['id'] for p in r.json()['providers']}
        if missing:
            raise ValueError('providers missing: %s' % ', '.join(sorted(missing)))
        return True
    wait('karbor: demo lists the providers', ['karbor-api', 'karbor-protection-1'],
         karbor_providers)
    wait('karbor: protection x2, operationengine up',
         [process for _binary, process in KARBOR_SERVICES.values()], karbor_services_up)
    print('[cloud] every API answers, +%.1fs' % (time.time() - T0), flush=True)


def ensure_image(admin):
    glance = url('GLANCE_PORT', '/v2/images')
    found = admin.get(glance, params={'name': IMAGE_NAME}).json()['images']
    if found and found[0]['status'] == 'active':
        return True
    for image in found:  # an upload that was cut short
        admin.delete('%s/%s' % (glance, image['id']))
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, 'disk.qcow2')
        subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', disk, '112M'], check=True)
        image = admin.post(glance, json={
            'name': IMAGE_NAME, 'disk_format': 'qcow2', 'container_format': 'bare',
            'visibility': 'public', 'min_disk': 1,
            'karbor_cloud_note': 'an empty qcow2 disk standing in for CirrOS'}).json()
        with open(disk, 'rb') as f:
            admin.put('%s/%s/file' % (glance, image['id']), data=f,
                      headers={'Content-Type': 'application/octet-stream'})
    return False  # the next try sees it active


def karbor_services_up():
    """Every Karbor service beat within the last 60 s, and one launched by this `up` since."""
    db = pymysql.connect(host=HOST, user=ENV['DB_USER'], password=ENV['DB_PASS'],
                         database=ENV['KARBOR_DATABASE'])
    try:
        with db.cursor() as cursor:
            cursor.execute('SELECT host, `binary`, updated_at, created_at, UTC_TIMESTAMP() '
                           'FROM services')
            rows = cursor.fetchall()
    finally:
        db.close()
    since = datetime.datetime.fromtimestamp(T0, datetime.timezone.utc).replace(tzinfo=None)
    down = []
    for host, (binary, process) in KARBOR_SERVICES.items():
        beats = [(now - (updated or created), updated or created)
                 for h, b, updated, created, now in rows if (h, b) == (host, binary)]
        if not beats or beats[0][0].total_seconds() >= 60 or (
                process in LAUNCHED and beats[0][1] < since):
            down.append(process)
    if down:
        raise NotUp(down)
    return True


if __name__ == '__main__':
    main()
