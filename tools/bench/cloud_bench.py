#!/usr/bin/env python3
# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Benchmark Karbor on the real cloud of tools/cloud against the cloud itself.

Needs a running cloud (tools/cloud/up); starts Karbor beside it (Keystone,
MariaDB, RabbitMQ, the OS Infra Provider on Swift) and prints, as user demo:

- protecting a 1 GiB volume with Karbor vs Cinder's own backup of it, and
  restoring it with Karbor vs Cinder's own restore (target: at most 1.25x);
- image bytes moving from Glance into the Swift bank vs a direct
  Glance-to-Swift stream of the same image (target: at least 80 %), and
  karbor-protection's peak memory for two image sizes (flat in the size).

Figures only: nothing here passes or fails.

    python tools/bench/cloud_bench.py [--volume-gb 1] [--image-mb 64,256]
"""

import argparse
import os
import sys
import tempfile
import time

import requests
from swiftclient import client as swift_client

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..'))

from karbor.tests.fullstack import cloud  # noqa: E402
from karbor.tests.fullstack import deployment  # noqa: E402
from karbor.tests.fullstack import resources  # noqa: E402
from karbor.tests.functional import fixtures  # noqa: E402

INFRA = fixtures.INFRA_PROVIDER
CHUNK = 4 << 20


def wait_status(read, want, failed=('error', 'fail', 'error_restoring')):
    """Poll tightly (0.05 s): the measurement must not add its own waits."""
    while True:
        status = read()
        if status == want:
            return
        if status in failed:
            raise SystemExit('ended %s while waiting for %s' % (status, want))
        time.sleep(0.05)


class KarborApi(object):
    def __init__(self, tenant):
        self.tenant = tenant
        self.url = 'http://127.0.0.1:%d/v1/%s' % (deployment.KARBOR_PORT,
                                                  tenant.project_id)

    def call(self, method, path, body=None):
        token = self.tenant.session.get_token()
        response = requests.request(method, self.url + path, json=body,
                                    headers={'X-Auth-Token': token})
        response.raise_for_status()
        return response.json() if response.content else None

    def protect(self, resource_type, resource):
        plan = self.call('POST', '/plans', {'plan': {
            'name': 'bench', 'provider_id': INFRA, 'resources': [{
                'id': resource.id, 'type': resource_type,
                'name': resource.name}]}})['plan']
        path = '/providers/%s/checkpoints' % INFRA
        started = time.monotonic()
        checkpoint = self.call('POST', path, {'checkpoint': {
            'plan_id': plan['id']}})['checkpoint']
        wait_status(lambda: self.call('GET', '%s/%s' % (
            path, checkpoint['id']))['checkpoint']['status'], 'available')
        return checkpoint['id'], time.monotonic() - started

    def restore(self, checkpoint_id):
        started = time.monotonic()
        restore = self.call('POST', '/restores', {'restore': {
            'provider_id': INFRA, 'checkpoint_id': checkpoint_id}})['restore']
        wait_status(lambda: self.call('GET', '/restores/' + restore['id'])[
            'restore']['status'], 'success')
        return time.monotonic() - started

    def delete(self, checkpoint_id):
        path = '/providers/%s/checkpoints/%s' % (INFRA, checkpoint_id)
        self.call('DELETE', path)
        wait_status(lambda: self.call('GET', path)['checkpoint']['status'],
                    'deleted', failed=('error-deleting',))


def volume_figures(tenant, karbor, size_gb):
    volume = tenant.new_volume('bench-volume', size_gb=size_gb,
                               known_bytes=False)
    with open(cloud.volume_path(volume.id), 'r+b') as stream:
        for _ in range((size_gb << 30) // CHUNK):
            stream.write(os.urandom(CHUNK))
    cinder = tenant.cinder

    started = time.monotonic()
    backup = cinder.backups.create(volume.id, name=tenant.name('backup'))
    wait_status(lambda: cinder.backups.get(backup.id).status, 'available')
    cinder_backup = time.monotonic() - started
    started = time.monotonic()
    restored = cinder.restores.restore(backup.id, name=tenant.name('rest'))
    wait_status(lambda: cinder.volumes.get(restored.volume_id).status,
                'available')
    cinder_restore = time.monotonic() - started
    cinder.backups.delete(backup.id)

    checkpoint_id, karbor_protect = karbor.protect('OS::Cinder::Volume',
                                                   volume)
    karbor_restore = karbor.restore(checkpoint_id)
    karbor.delete(checkpoint_id)
    print('%d GiB volume       Cinder %7.1f s   Karbor %7.1f s   ratio %.2f'
          % (size_gb, cinder_backup, karbor_protect,
             karbor_protect / cinder_backup))
    print('%d GiB restore      Cinder %7.1f s   Karbor %7.1f s   ratio %.2f'
          % (size_gb, cinder_restore, karbor_restore,
             karbor_restore / cinder_restore))


def peak_rss_mib(pid):
    with open('/proc/%d/status' % pid) as status:
        for line in status:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024.0
    return 0.0


def direct_stream_seconds(tenant, image):
    """Glance to Swift with no Karbor in between, as demo."""
    swift = swift_client.Connection(session=tenant.session)
    container = tenant.name('direct')
    swift.put_container(container)
    started = time.monotonic()
    swift.put_object(container, 'image', contents=iter(
        tenant.glance.images.data(image.id)), chunk_size=CHUNK)
    seconds = time.monotonic() - started
    swift.delete_object(container, 'image')
    swift.delete_container(container)
    return seconds


def image_figures(tenant, karbor, sizes_mb, protection_pid):
    for size_mb in sizes_mb:
        image = tenant.new_image('bench-image-%d' % size_mb,
                                 size=size_mb << 20)
        direct = direct_stream_seconds(tenant, image)
        before = peak_rss_mib(protection_pid)
        checkpoint_id, protect = karbor.protect('OS::Glance::Image', image)
        after = peak_rss_mib(protection_pid)
        karbor.delete(checkpoint_id)
        print('%4d MiB image     direct %6.1f MB/s   Karbor %6.1f MB/s   '
              '%3.0f %%   karbor-protection peak RSS %.0f -> %.0f MiB'
              % (size_mb, size_mb / direct, size_mb / protect,
                 100.0 * direct / protect, before, after))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--volume-gb', type=int, default=1)
    parser.add_argument('--image-mb', default='64,256',
                        help='image sizes, comma separated')
    args = parser.parse_args()
    reason = cloud.missing('demo')
    if reason:
        raise SystemExit(reason)
    karbor_deployment = deployment.Deployment(tempfile.mkdtemp(
        prefix='karbor-cloud-bench-'))
    tenant = resources.Tenant('demo')
    try:
        karbor_deployment.start()
        karbor = KarborApi(tenant)
        volume_figures(tenant, karbor, args.volume_gb)
        image_figures(tenant, karbor,
                      [int(size) for size in args.image_mb.split(',')],
                      karbor_deployment.processes[0].popen.pid)
    finally:
        tenant.clean_up()
        karbor_deployment.stop()


if __name__ == '__main__':
    main()
