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

"""Karbor as tools/cloud/up deploys it, and the ways tests reach it.

karbor-api runs under uWSGI behind Keystone; two karbor-protection workers
and karbor-operationengine share Karbor's MariaDB database and RabbitMQ
vhost (tools/cloud/libexec/karbor.sh). Tests find it as users do, through
the catalog (service type ``data-protect``), with the cloud's openrc files.
"""

import os
import time

from keystoneauth1 import adapter

from karbor.tests.fullstack import cloud
from karbor.tests.functional import fixtures

SNAPSHOT_PROVIDER = '90d5bfea-a259-41e6-80c6-dcfcfcd9d827'
FS_BANK_PROVIDER = '6659007d-6f66-4a0f-9cb4-17d6aded0bb9'
# Its bank, a directory of this machine (tools/cloud/libexec/karbor.sh).
FS_BANK_PATH = os.path.join(cloud.CLOUD_DIR, 'data', 'karbor', 'banks',
                            'openstack-fs-bank')
PROTECTION_WORKERS = ('karbor-protection-1', 'karbor-protection-2')


def log_path(process):
    """The log file of one of Karbor's processes (``karbor-api``'s is
    uWSGI's output, the others' are oslo.log's files)."""
    suffix = '.out' if process == 'karbor-api' else '.log'
    return os.path.join(cloud.CLOUD_DIR, 'log', process + suffix)


def pid(process):
    with open(os.path.join(cloud.CLOUD_DIR, 'run',
                           process + '.pid')) as stream:
        return int(stream.readline())


def protection_logs():
    """What both protection workers have logged so far."""
    text = []
    for process in PROTECTION_WORKERS:
        with open(log_path(process), errors='replace') as stream:
            text.append(stream.read())
    return '\n'.join(text)


class Api(object):
    """Karbor's REST API as a keystoneauth session's user calls it."""

    FAILED = ('error', 'fail', 'error-deleting')

    def __init__(self, session):
        self.session = session
        # 1.2, as Karbor's own client asks: checkpoints show each
        # resource's status and what reads them.
        self.http = adapter.Adapter(session, service_type='data-protect',
                                    interface='public',
                                    default_microversion='1.2')

    def call(self, method, path, body=None, **kwargs):
        response = self.http.request(path, method, json=body, **kwargs)
        return response.json() if response.content else None

    def create_plan(self, name, provider_id, resources):
        return self.call('POST', '/plans', {'plan': {
            'name': name, 'provider_id': provider_id,
            'resources': resources}})['plan']

    def start_checkpoint(self, provider_id, plan_id, **kwargs):
        return self.call('POST', '/providers/%s/checkpoints' % provider_id,
                         {'checkpoint': {'plan_id': plan_id}},
                         **kwargs)['checkpoint']

    def checkpoint(self, provider_id, checkpoint_id):
        return self.call('GET', '/providers/%s/checkpoints/%s' % (
            provider_id, checkpoint_id))['checkpoint']

    def start_restore(self, provider_id, checkpoint_id, **kwargs):
        return self.call('POST', '/restores', {'restore': {
            'provider_id': provider_id, 'checkpoint_id': checkpoint_id}},
            **kwargs)['restore']

    def restore(self, restore_id):
        return self.call('GET', '/restores/' + restore_id)['restore']

    def start_verification(self, provider_id, checkpoint_id):
        return self.call('POST', '/verifications', {'verification': {
            'provider_id': provider_id, 'checkpoint_id': checkpoint_id,
            'parameters': {}}})['verification']

    def verification(self, verification_id):
        return self.call('GET',
                         '/verifications/' + verification_id)['verification']

    def verified(self, provider_id, checkpoint_id, timeout=300):
        """A new verification of the checkpoint, once it has ended (in
        success or not)."""
        started = self.start_verification(provider_id, checkpoint_id)
        assert started['status'] == 'in_progress'
        deadline = time.monotonic() + timeout
        while True:
            shown = self.verification(started['id'])
            if shown['status'] != 'in_progress':
                return shown
            assert time.monotonic() < deadline, shown
            time.sleep(0.5)

    def copy_checkpoints(self, provider_id, plan_id):
        """The copy's answer (at 1.1, it names where the copies go)."""
        return self.call(
            'POST', '/providers/%s/checkpoints/action' % provider_id,
            {'copy': {'plan_id': plan_id}})['copy']

    def delete_checkpoint(self, provider_id, checkpoint_id):
        self.call('DELETE', '/providers/%s/checkpoints/%s' % (
            provider_id, checkpoint_id))

    def wait(self, read, want, timeout=600, interval=0.5):
        """Poll ``read()`` until its status is ``want``; a failed status
        ends the wait at once."""
        deadline = time.monotonic() + timeout
        while True:
            shown = read()
            if shown['status'] == want:
                return shown
            if shown['status'] in self.FAILED or time.monotonic() > deadline:
                raise AssertionError('%s, not %s: %s' % (
                    shown['status'], want, shown))
            time.sleep(interval)


class OpenrcCli(fixtures.Cli):
    """``. <user>-openrc; karbor ...`` exactly as the walkthrough types it."""

    def __init__(self, user):
        self.user = user
        self.project = user
        self.openrc = cloud.openrc_path(user)
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith('OS_') and key != 'KARBOR_URL'}

    def command(self, args):
        return ['bash', '-c', '. "$0" && exec "$@"', self.openrc,
                os.path.join(fixtures.BIN, 'karbor')] + list(args)
