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

"""Karbor deployed beside the project's one-machine cloud (tools/cloud).

karbor-api (Keystone tokens through keystonemiddleware, port 8799 as the
catalog says), karbor-protection and karbor-operationengine run as separate
processes on the machine's MariaDB and RabbitMQ; the OS Infra Provider keeps
its checkpoints in Swift. Users drive it with the cloud's openrc files and
the ``karbor`` CLI, as the walkthrough does.
"""

import os
import socket
import subprocess
import uuid

import pymysql

from karbor.tests.fullstack import cloud
from karbor.tests.functional import fixtures

KEYSTONE = 'http://127.0.0.1:5000/v3'
KARBOR_PORT = 8799
MYSQL = {'host': '127.0.0.1', 'user': 'root', 'password': ''}
RABBIT = 'rabbit://guest:guest@127.0.0.1:5672/'
SNAPSHOT_PROVIDER = '90d5bfea-a259-41e6-80c6-dcfcfcd9d827'


def _swift_bank(container):
    return {
        'swift_client': {
            'swift_auth_url': KEYSTONE,
            'swift_user': 'karbor',
            'swift_key': 'karbor',
            'swift_tenant_name': 'service',
        },
        'swift_bank_plugin': {'bank_swift_object_container': container},
    }


def provider_files(directory, run):
    """The providers of a cloud deployment: OS Infra and volume snapshots
    on Swift, No-Op on the file system."""
    os.makedirs(directory)
    infra = {'provider': {
        'name': 'OS Infra Provider',
        'description': "This provider uses OpenStack's own services "
                       "(swift, cinder) as storage",
        'id': fixtures.INFRA_PROVIDER,
        'plugin': ['karbor-project-protection-plugin',
                   'karbor-volume-protection-plugin',
                   'karbor-image-protection-plugin',
                   'karbor-server-protection-plugin'],
        'bank': 'karbor-swift-bank-plugin',
        'enabled': 'True'}}
    infra.update(_swift_bank('karbor-fullstack-%s' % run))
    snapshots = {'provider': {
        'name': 'OS Infra Provider with volume snapshot plugin',
        'description': 'This provider uses Cinder snapshots',
        'id': SNAPSHOT_PROVIDER,
        'plugin': ['karbor-volume-snapshot-plugin'],
        'bank': 'karbor-swift-bank-plugin',
        'enabled': 'True'}}
    snapshots.update(_swift_bank('karbor-fullstack-snap-%s' % run))
    noop = {'provider': {
        'name': 'No-Op Provider',
        'description': 'This provider does nothing for each protect and '
                       'restore operation. Used for testing',
        'id': fixtures.NOOP_PROVIDER,
        'plugin': 'karbor-noop-protection-plugin',
        'bank': 'karbor-fs-bank-plugin',
        'enabled': 'True'}}
    for name, sections in (('openstack-infra', infra),
                           ('volume-snapshot', snapshots), ('noop', noop)):
        fixtures.write_config(os.path.join(directory, name + '.conf'),
                              sections)


class Deployment(object):
    """The three Karbor services, started and stopped together."""

    def __init__(self, state):
        self.state = str(state)
        self.run = uuid.uuid4().hex[:8]
        self.database = 'karbor_fs_%s' % self.run
        self.processes = []
        self.url = 'http://127.0.0.1:%d' % KARBOR_PORT

    def start(self):
        # The catalog names this port: another Karbor on it would answer
        # in this deployment's place.
        with socket.socket() as probe:
            if probe.connect_ex(('127.0.0.1', KARBOR_PORT)) == 0:
                raise AssertionError(
                    'port %d, where the catalog sends data-protect requests, '
                    'is taken by another process' % KARBOR_PORT)
        admin = pymysql.connect(**MYSQL)
        with admin.cursor() as cursor:
            cursor.execute('CREATE DATABASE %s CHARACTER SET utf8mb4'
                           % self.database)
        admin.close()
        providers = os.path.join(self.state, 'providers.d')
        provider_files(providers, self.run)
        conf = fixtures.write_config(
            os.path.join(self.state, 'karbor.conf'), {
                'DEFAULT': {
                    'auth_strategy': 'keystone',
                    'transport_url': RABBIT,
                    'state_path': self.state,
                    'provider_config_dir': providers,
                    'osapi_karbor_listen': '127.0.0.1',
                    'osapi_karbor_listen_port': KARBOR_PORT,
                    'protection_topic': 'karbor-protection-%s' % self.run,
                    'operationengine_topic':
                        'karbor-operationengine-%s' % self.run,
                },
                'database': {
                    'connection': 'mysql+pymysql://root@127.0.0.1/%s'
                                  '?charset=utf8mb4' % self.database},
                'keystone_authtoken': {
                    'www_authenticate_uri': KEYSTONE,
                    'auth_url': KEYSTONE,
                    'auth_type': 'password',
                    'username': 'karbor',
                    'password': 'karbor',
                    'project_name': 'service',
                    'user_domain_name': 'Default',
                    'project_domain_name': 'Default',
                },
            })
        args = ['--config-file', conf]
        subprocess.run([os.path.join(fixtures.BIN, 'karbor-manage')] + args +
                       ['db', 'sync'], check=True, capture_output=True)
        for name in ('karbor-protection', 'karbor-operationengine',
                     'karbor-api'):
            self.processes.append(fixtures.Process(name, args, self.state))
        fixtures.wait_for_api(self.url + '/', self.processes[-1])

    def stop(self):
        for process in reversed(self.processes):
            process.stop()
        admin = pymysql.connect(**MYSQL)
        with admin.cursor() as cursor:
            cursor.execute('DROP DATABASE IF EXISTS %s' % self.database)
        admin.close()


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
