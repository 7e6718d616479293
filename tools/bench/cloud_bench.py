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

Needs a running cloud (tools/cloud/up) with the Karbor it deploys (Keystone,
MariaDB, RabbitMQ, two protection workers, the OS Infra Provider on Swift)
and prints, as user demo:

- protecting a 1 GiB volume with Karbor vs Cinder's own backup of it, and
  restoring it with Karbor vs Cinder's own restore (target: at most 1.25x);
- image bytes moving from Glance into the Swift bank vs a direct
  Glance-to-Swift stream of the same image (target: at least 80 %), and
  the protection workers' peak memory across image sizes (flat in the
  size).

Each figure is taken ``--rounds`` times, Karbor and the direct way
alternately; the ratios are of the medians. Figures only: nothing here
passes or fails.

    python tools/bench/cloud_bench.py [--volume-gb 1] [--image-mb 64,256,1024]
                                      [--rounds 3]
"""

import argparse
import os
import re
import statistics
import sys
import time

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


class KarborApi(deployment.Api):
    """The API calls of one measurement: a plan and a checkpoint of one
    resource, its restore, its deletion, each until it has ended."""

    def protect(self, resource_type, resource):
        plan = self.create_plan('kfs-bench', INFRA, [{
            'id': resource.id, 'type': resource_type,
            'name': resource.name}])
        started = time.monotonic()
        checkpoint = self.start_checkpoint(INFRA, plan['id'])
        wait_status(lambda: self.checkpoint(INFRA, checkpoint['id'])[
            'status'], 'available')
        return checkpoint['id'], time.monotonic() - started

    def restore_seconds(self, checkpoint_id):
        started = time.monotonic()
        restore = self.start_restore(INFRA, checkpoint_id)
        wait_status(lambda: self.restore(restore['id'])['status'],
                    'success')
        return time.monotonic() - started

    def delete(self, checkpoint_id):
        self.delete_checkpoint(INFRA, checkpoint_id)
        wait_status(lambda: self.checkpoint(INFRA, checkpoint_id)['status'],
                    'deleted', failed=('error-deleting',))


def median(samples):
    return statistics.median(samples)


def volume_figures(tenant, karbor, size_gb, rounds):
    """Cinder alone and Karbor, alternately, ``rounds`` times each."""
    volume = tenant.new_volume('bench-volume', size_gb=size_gb,
                               known_bytes=False)
    with open(cloud.volume_path(volume.id), 'r+b') as stream:
        for _ in range((size_gb << 30) // CHUNK):
            stream.write(os.urandom(CHUNK))
    cinder = tenant.cinder
    times = {'cinder backup': [], 'karbor protect': [],
             'cinder restore': [], 'karbor restore': []}

    def by_cinder():
        started = time.monotonic()
        backup = cinder.backups.create(volume.id, name=tenant.name('backup'))
        wait_status(lambda: cinder.backups.get(backup.id).status,
                    'available')
        times['cinder backup'].append(time.monotonic() - started)
        started = time.monotonic()
        restored = cinder.restores.restore(backup.id,
                                           name=tenant.name('restored'))
        wait_status(lambda: cinder.volumes.get(restored.volume_id).status,
                    'available')
        times['cinder restore'].append(time.monotonic() - started)
        cinder.backups.delete(backup.id)
        cinder.volumes.delete(restored.volume_id)

    def by_karbor():
        checkpoint_id, seconds = karbor.protect('OS::Cinder::Volume', volume)
        times['karbor protect'].append(seconds)
        times['karbor restore'].append(karbor.restore_seconds(checkpoint_id))
        karbor.delete(checkpoint_id)

    # Alternately, so that both see the same load of a shared machine.
    for number in range(rounds):
        for run in ((by_cinder, by_karbor) if number % 2 == 0
                    else (by_karbor, by_cinder)):
            run()
    for what, cinder_key, karbor_key in (
            ('protect', 'cinder backup', 'karbor protect'),
            ('restore', 'cinder restore', 'karbor restore')):
        print('%d GiB %-8s Cinder %s s   Karbor %s s   median ratio %.2f '
              '(target at most 1.25)' % (
                  size_gb, what, _seconds(times[cinder_key]),
                  _seconds(times[karbor_key]),
                  median(times[karbor_key]) / median(times[cinder_key])))


def _seconds(samples):
    return ' '.join('%5.1f' % sample for sample in samples)


def peak_rss_mib():
    """The larger peak RSS of the two protection workers."""
    peaks = [0.0]
    for process in deployment.PROTECTION_WORKERS:
        with open('/proc/%d/status' % deployment.pid(process)) as status:
            peaks += [int(line.split()[1]) / 1024.0 for line in status
                      if line.startswith('VmHWM:')]
    return max(peaks)


def direct_stream_seconds(tenant, image):
    """Glance to Swift with no Karbor in between, as demo."""
    swift = swift_client.Connection(session=tenant.session)
    container = tenant.name('direct')
    swift.put_container(container)
    started = time.monotonic()
    swift.put_object(container, 'image', contents=iter(
        tenant.glance.images.data(image.id)))
    seconds = time.monotonic() - started
    swift.delete_object(container, 'image')
    swift.delete_container(container)
    return seconds


def plugin_copy_rate(image_id):
    """The rate a protection worker logged for the last copy of the image:
    the bytes alone, without the checkpoint around them."""
    rates = re.findall(r'Image %s: \d+ bytes copied into the bank in '
                       r'[\d.]+ s \(([\d.]+) MB/s\)' % image_id,
                       deployment.protection_logs())
    return float(rates[-1])


def image_figures(tenant, karbor, sizes_mb, rounds):
    """A whole checkpoint of the image (so a fixed cost weighs on small
    images) and the plugin's copy alone, against the direct stream,
    alternately."""
    for size_mb in sizes_mb:
        image = tenant.new_image('bench-image-%d' % size_mb,
                                 size=size_mb << 20)
        whole, copy = [], []
        before = peak_rss_mib()
        for _ in range(rounds):
            direct = direct_stream_seconds(tenant, image)
            checkpoint_id, protect = karbor.protect('OS::Glance::Image',
                                                    image)
            karbor.delete(checkpoint_id)
            whole.append(direct / protect)
            copy.append(plugin_copy_rate(image.id) /
                        (image.size / direct / 1e6))
        after = peak_rss_mib()
        print('%5d MiB image   of the direct stream: checkpoint %s, '
              'copy %s; medians %3.0f %% and %3.0f %% (target at least '
              '80 %%)   protection workers peak RSS %.0f -> %.0f MiB' % (
                  size_mb, _percent(whole), _percent(copy),
                  100 * median(whole), 100 * median(copy), before, after))


def _percent(ratios):
    return ' '.join('%3.0f %%' % (100 * ratio) for ratio in ratios)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--volume-gb', type=int, default=1)
    parser.add_argument('--image-mb', default='64,256,1024',
                        help='image sizes, comma separated')
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    reason = cloud.missing('demo')
    if reason:
        raise SystemExit(reason)
    tenant = resources.Tenant('demo')
    try:
        karbor = KarborApi(tenant.session)
        volume_figures(tenant, karbor, args.volume_gb, args.rounds)
        image_figures(tenant, karbor,
                      [int(size) for size in args.image_mb.split(',')],
                      args.rounds)
    finally:
        tenant.clean_up()


if __name__ == '__main__':
    main()
