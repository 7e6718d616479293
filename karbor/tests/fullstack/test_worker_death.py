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

"""The cloud's karbor-protection that backs a volume up is killed: the
other one takes the protect over, awaits the backup Cinder already makes
instead of starting another, and the checkpoint ends available with the
volume's bytes restorable."""

import configparser
import os
import signal
import subprocess
import time

import pytest
import sqlalchemy as sa

from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import deployment
from karbor.tests.functional import fixtures

INFRA = fixtures.INFRA_PROVIDER
VOLUME = 'OS::Cinder::Volume'
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def _karbor_database():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(cloud.CLOUD_DIR, 'etc', 'karbor',
                             'karbor.conf'))
    return sa.create_engine(parser['database']['connection'])


def _claim(database, checkpoint_id):
    """(owner,) of the checkpoint's operation once claimed, or None."""
    with database.connect() as connection:
        return connection.execute(sa.text(
            'SELECT owner FROM operations WHERE checkpoint_id = :id AND '
            'owner IS NOT NULL'), {'id': checkpoint_id}).first()


def _wait(read, timeout=300):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if value:
            return value
        assert time.monotonic() < deadline, 'waited for too long'
        time.sleep(0.5)


# The takeover waits out the claim (90 s), then the backup and a restore.
@pytest.mark.timeout(900)
def test_a_protect_whose_worker_is_killed_ends_available(demo):
    api = deployment.Api(demo.session)
    database = _karbor_database()
    volume = demo.new_volume('worker-killed')
    original = demo.volume_digest(volume.id)
    plan = api.create_plan('kfs-worker-killed', INFRA, [
        {'id': volume.id, 'type': VOLUME, 'name': volume.name}])
    checkpoint_id = api.start_checkpoint(INFRA, plan['id'])['id']
    try:
        # Killed once Cinder has been asked for the backup.
        owner = _wait(lambda: demo.backups_of(volume.id) and
                      _claim(database, checkpoint_id))[0]
        worker = 'karbor-protection-%s' % owner.rsplit('-', 1)[1]
        os.kill(deployment.pid(worker), signal.SIGKILL)
        checkpoint = api.wait(lambda: api.checkpoint(INFRA, checkpoint_id),
                              'available', timeout=600)
    finally:
        # The operator starts it again; up starts what is not running.
        subprocess.run([os.path.join(TOP, 'tools', 'cloud', 'up')],
                       check=True, capture_output=True)
    assert checkpoint['resources_status'] == {
        '%s#%s' % (VOLUME, volume.id): 'available'}
    # The other worker finished it, on a claim of its own, and awaited the
    # backup the killed one had started.
    assert len(demo.backups_of(volume.id)) == 1
    assert 'Protect of plan %s into checkpoint %s resumed.' % (
        plan['id'], checkpoint_id) in deployment.protection_logs()
    restore = api.start_restore(INFRA, checkpoint_id)
    done = api.wait(lambda: api.restore(restore['id']), 'success')
    ((key, status),) = done['resources_status'].items()
    assert status == 'available'
    assert demo.volume_digest(key.split('#', 1)[1]) == original
    api.delete_checkpoint(INFRA, checkpoint_id)
    api.wait(lambda: api.checkpoint(INFRA, checkpoint_id), 'deleted')
