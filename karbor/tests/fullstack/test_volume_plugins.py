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

"""The volume protection plugins against the real Cinder of tools/cloud.

As user demo, the plugins' protect, restore and delete hooks run directly
(a request context with demo's token and catalog; checkpoints in a
file-system bank of the test's own) on 1 GiB volumes that hold known bytes,
written into the files the cloud's NFS driver keeps them in. A restored
volume's bytes are compared with what was protected.

How long protect and restore take against Cinder's own backup and restore
is measured by tools/bench/cloud_bench.py, not here.
"""

import hashlib
import os
import random
import time
import uuid

from cinderclient import client as cinder_client
from cinderclient import exceptions as cinder_exceptions
import pytest

from karbor import exception
from karbor import objects
from karbor.objects import plan as plan_objects
from karbor.services.protection.protectable_plugin import Resource
from karbor.services.protection import provider as providers
from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import hooks

# Real backups and restores of 1 GiB take minutes on a busy machine.
pytestmark = [cloud.needs_cloud('demo'), pytest.mark.timeout(1200)]

VOLUME = 'OS::Cinder::Volume'
GIB = 1 << 30
MIB = 1 << 20
# Known bytes: three 16 MiB stretches (start, middle, end); the rest of a
# volume reads as zeros.
STRETCHES = (0, GIB // 2 - 3 * MIB, GIB - 16 * MIB)
STRETCH = 16 * MIB
POLL = 0.2
TIMEOUT = 600

PROVIDER = '''[provider]
name = Fullstack volume plugins
id = %(id)s
plugin = karbor-volume-protection-plugin
plugin = karbor-volume-snapshot-plugin
bank = karbor-fs-bank-plugin
enabled = True

[file_system_bank_plugin]
file_system_bank_path = %(bank)s

[cinder_backup_protection_plugin]
poll_interval = 0.2
poll_max_interval = 2
backup_timeout = %(timeout)d
restore_timeout = %(timeout)d

[volume_snapshot_protection_plugin]
poll_interval = 0.2
poll_max_interval = 2
snapshot_timeout = %(timeout)d
restore_timeout = %(timeout)d
'''


def wait(get, thing_id, want, timeout=TIMEOUT, pause=POLL):
    """Poll every ``pause`` until ``get(thing_id).status == want``."""
    deadline = time.monotonic() + timeout
    while True:
        thing = get(thing_id)
        if thing.status == want:
            return thing
        assert not thing.status.startswith('error'), (
            '%s is %s' % (thing_id, thing.status))
        assert time.monotonic() < deadline, (
            '%s still %s after %d s' % (thing_id, thing.status, timeout))
        time.sleep(pause)


def wait_gone(get, thing_id, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            get(thing_id)
        except cinder_exceptions.NotFound:
            return
        time.sleep(0.2)
    raise AssertionError('%s not deleted after %d s' % (thing_id, timeout))


def file_digest(volume_id):
    digest = hashlib.sha256()
    with open(cloud.volume_path(volume_id), 'rb') as stream:
        size = 0
        for chunk in iter(lambda: stream.read(8 * MIB), b''):
            digest.update(chunk)
            size += len(chunk)
    assert size == GIB, 'volume %s holds %d bytes' % (volume_id, size)
    return digest.hexdigest()


def write_known_bytes(volume_id, seed):
    """Write the stretches of ``seed``'s bytes; the volume's digest."""
    generator = random.Random(seed)
    with open(cloud.volume_path(volume_id), 'r+b') as stream:
        for offset in STRETCHES:
            stream.seek(offset)
            stream.write(generator.randbytes(STRETCH))
        stream.flush()
        os.fsync(stream.fileno())
    return file_digest(volume_id)


class Cloud(object):
    """demo's Cinder, and everything the tests make in it, deleted at the
    end."""

    def __init__(self):
        self.session = cloud.session('demo')
        self.context = cloud.request_context(self.session)
        self.cinder = cinder_client.Client('3.43', session=self.session)
        self.tag = 'karbor-fullstack-volume-%s' % uuid.uuid4().hex[:8]
        self.volumes = []
        self.backups = []
        self.snapshots = []

    def new_volume(self, seed):
        """A new 1 GiB volume holding ``seed``'s bytes, and its digest."""
        volume = self.cinder.volumes.create(
            1, name='%s-%s' % (self.tag, seed))
        self.volumes.append(volume.id)
        wait(self.cinder.volumes.get, volume.id, 'available')
        return volume.id, write_known_bytes(volume.id, seed)

    def clean_up(self):
        problems = []
        for snapshot_id in self.snapshots:
            self._attempt(problems, self.cinder.volume_snapshots,
                          snapshot_id)
        # Incremental backups before the backups they depend on.
        for backup_id in reversed(self.backups):
            self._attempt(problems, self.cinder.backups, backup_id)
        for volume_id in reversed(self.volumes):
            self._attempt(problems, self.cinder.volumes, volume_id)
        assert not problems, problems

    @staticmethod
    def _attempt(problems, manager, thing_id):
        try:
            try:
                thing = manager.get(thing_id)
            except cinder_exceptions.NotFound:
                return
            if thing.status not in ('deleting',):
                wait(manager.get, thing_id, 'available', timeout=120,
                     pause=0.5)
                manager.delete(thing_id)
            wait_gone(manager.get, thing_id, timeout=300)
        except Exception as exc:
            problems.append('%s: %r' % (thing_id, exc))


@pytest.fixture(scope='module')
def demo():
    objects.register_all()
    demo = Cloud()
    yield demo
    demo.clean_up()


@pytest.fixture(scope='module')
def provider(tmp_path_factory):
    directory = tmp_path_factory.mktemp('volume-plugins')
    path = directory / 'provider.conf'
    path.write_text(PROVIDER % {'id': uuid.uuid4(),
                                'bank': directory / 'bank',
                                'timeout': TIMEOUT})
    loaded = providers._load_provider(str(path))
    assert loaded is not None, 'the provider file did not load'
    loaded.bank.plugin.acquire_lease()
    yield loaded
    loaded.bank.plugin.release_lease()


class Checkpoints(object):
    def __init__(self, provider, demo):
        self.provider = provider
        self.demo = demo

    def new(self, volume_id):
        plan = plan_objects.Plan(
            id=str(uuid.uuid4()), name='volume %s' % volume_id,
            description=None, provider_id=self.provider.id,
            project_id=self.demo.context.project_id, status='suspended',
            resources=[{'id': volume_id, 'type': VOLUME, 'name': ''}],
            parameters={})
        return self.provider.checkpoints.create(plan)


@pytest.fixture(scope='module')
def checkpoints(provider, demo):
    return Checkpoints(provider, demo)


def _resource(volume_id):
    return Resource(VOLUME, volume_id, '')


def _section(checkpoint, volume_id):
    return checkpoint.get_resource_bank_section('%s#%s' % (VOLUME,
                                                           volume_id))


def protect(plugin, checkpoint, demo, volume_id, parameters=None):
    """Protect the volume into the checkpoint; its saved info."""
    try:
        hooks.run_hooks(
            plugin.get_protect_operation(_resource(volume_id)), checkpoint,
            _resource(volume_id), demo.context, parameters)
    finally:
        # Whatever happened, what the checkpoint made is cleaned up.
        try:
            made = _section(checkpoint, volume_id).get_object('metadata')
        except exception.BankObjectNotFound:
            made = {}
        if 'backup_id' in made:
            demo.backups.append(made['backup_id'])
        if 'snapshot_id' in made:
            demo.snapshots.append(made['snapshot_id'])
    saved = plugin.get_saved_info(_section(checkpoint, volume_id),
                                  _resource(volume_id))
    return saved


def restore(plugin, checkpoint, demo, volume_id, parameters=None):
    """Restore the volume; the new volume's id and the restore record."""
    record = hooks.RestoreRecord()
    new_resources = {}
    try:
        hooks.run_hooks(
            plugin.get_restore_operation(_resource(volume_id)), checkpoint,
            _resource(volume_id), demo.context, parameters,
            restore=record, new_resources=new_resources)
    finally:
        demo.volumes.extend(key.split('#', 1)[1]
                            for key in record.resources_status)
    new_id = new_resources['%s#%s' % (VOLUME, volume_id)]
    assert record.resources_status == {'%s#%s' % (VOLUME, new_id):
                                       'available'}
    return new_id, record


def delete(plugin, checkpoint, demo, volume_id):
    checkpoint.start_deleting()
    hooks.run_hooks(plugin.get_delete_operation(_resource(volume_id)),
                    checkpoint, _resource(volume_id), demo.context)
    # The plugin removed its own data from the bank.
    assert _section(checkpoint, volume_id).list_objects() == []
    checkpoint.finish_deleting()


def test_backups_are_incremental_restore_bytes_and_go_with_checkpoints(
        demo, provider, checkpoints):
    plugin = provider.get_protection_plugin(VOLUME)
    volume_id, first_digest = demo.new_volume('backup-1')

    first = checkpoints.new(volume_id)
    saved = protect(plugin, first, demo, volume_id)
    first.finish_protecting()
    assert saved['backup_mode'] == 'full'
    assert saved['size'] == 1

    second_digest = write_known_bytes(volume_id, 'backup-2')
    assert second_digest != first_digest
    second = checkpoints.new(volume_id)
    saved_again = protect(plugin, second, demo, volume_id)
    second.finish_protecting()
    assert saved_again['backup_mode'] == 'incremental'
    backup = demo.cinder.backups.get(saved_again['backup_id'])
    assert backup.is_incremental and backup.status == 'available'

    # The incremental checkpoint gives back the bytes it was taken of...
    new_id, _ = restore(plugin, second, demo, volume_id,
                        {'restore_name': demo.tag + '-restored-2'})
    restored = demo.cinder.volumes.get(new_id)
    assert restored.name == demo.tag + '-restored-2'
    assert restored.size == 1
    assert first.id not in restored.description
    assert second.id in restored.description
    assert file_digest(new_id) == second_digest

    # ... and the full one its own, into a volume made first (a zone asks
    # for that path).
    zone = demo.cinder.volumes.get(volume_id).availability_zone
    new_id, _ = restore(plugin, first, demo, volume_id,
                        {'availability_zone': zone,
                         'restore_description': 'from the full one'})
    restored = demo.cinder.volumes.get(new_id)
    assert restored.description == 'from the full one'
    assert file_digest(new_id) == first_digest

    # Deleting the older checkpoint first, as retention does: its backup
    # has an incremental one on it, so it stays, marked, until that goes.
    delete(plugin, first, demo, volume_id)
    kept = demo.cinder.backups.get(saved['backup_id'])
    assert kept.metadata['karbor_deleted_checkpoint'] == first.id

    delete(plugin, second, demo, volume_id)
    for backup_id in (saved_again['backup_id'], saved['backup_id']):
        with pytest.raises(cinder_exceptions.NotFound):
            demo.cinder.backups.get(backup_id)


def test_snapshots_protect_restore_the_bytes_and_go_with_the_checkpoint(
        demo, tmp_path):
    path = tmp_path / 'snapshots.conf'
    path.write_text(PROVIDER.replace(
        'plugin = karbor-volume-protection-plugin\n', '') % {
            'id': uuid.uuid4(), 'bank': tmp_path / 'bank',
            'timeout': TIMEOUT})
    snapshots = providers._load_provider(str(path))
    snapshots.bank.plugin.acquire_lease()
    try:
        plugin = snapshots.get_protection_plugin(VOLUME)
        volume_id, digest = demo.new_volume('snapshot')
        checkpoint = Checkpoints(snapshots, demo).new(volume_id)
        saved = protect(plugin, checkpoint, demo, volume_id,
                        {'snapshot_name': demo.tag + '-snap'})
        checkpoint.finish_protecting()
        snapshot = demo.cinder.volume_snapshots.get(saved['snapshot_id'])
        assert snapshot.status == 'available'
        assert snapshot.name == demo.tag + '-snap'

        new_id, _ = restore(plugin, checkpoint, demo, volume_id)
        assert file_digest(new_id) == digest

        delete(plugin, checkpoint, demo, volume_id)
        with pytest.raises(cinder_exceptions.NotFound):
            demo.cinder.volume_snapshots.get(saved['snapshot_id'])
    finally:
        snapshots.bank.plugin.release_lease()


def test_a_volume_cinder_does_not_have_fails_with_that_reason(
        demo, provider, checkpoints):
    plugin = provider.get_protection_plugin(VOLUME)
    missing = str(uuid.uuid4())
    checkpoint = checkpoints.new(missing)
    with pytest.raises(Exception) as raised:
        protect(plugin, checkpoint, demo, missing)
    assert str(raised.value) == (
        'volume %s no longer exists in Cinder' % missing)
