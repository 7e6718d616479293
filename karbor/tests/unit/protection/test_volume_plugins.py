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

"""The Cinder backup and snapshot plugins against a fake Cinder.

The fake keeps volumes, backups and snapshots whose statuses follow a
script, one step per GET; waits run on a fake clock, so every pause the
plugins take is recorded and no test sleeps.
"""

import itertools

from cinderclient import exceptions as cinder_exceptions
from keystoneauth1 import exceptions as ks_exceptions
import jsonschema
from oslo_utils import uuidutils
import pytest

from karbor import context as karbor_context
from karbor import exception
from karbor.objects import plan as plan_objects
from karbor.services.protection import bank_plugin
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection.flows import engine
from karbor.services.protection.flows import resource_flow
from karbor.services.protection import graph
from karbor.services.protection.protectable_plugin import Resource
from karbor.services.protection.protection_plugins.volume import (
    cinder_protection_plugin as backup_plugin)
from karbor.services.protection.protection_plugins.volume import (
    volume_snapshot_plugin as snapshot_plugin)
from karbor.services.protection.protection_plugins.volume import volumes
from karbor.services.protection.protection_plugins import waiting
from karbor.tests.unit.protection import fakes

VOLUME = 'OS::Cinder::Volume'
PROVIDER_ID = 'a1b2c3d4-0000-4000-8000-00000000cafe'
HOOKS = ('on_prepare_begin', 'on_prepare_finish', 'on_main', 'on_complete')
CONTEXT = karbor_context.RequestContext(
    user_id='demo', project_id='project-a', is_admin=False,
    auth_token='token')


# ---------------------------------------------------------------- the fakes

class FakeClock(object):
    """time.monotonic and time.sleep of the waits: sleeping advances it."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


class Thing(object):
    """A Cinder resource as cinderclient returns it."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def _not_found(kind, thing_id):
    return cinder_exceptions.NotFound(404, '%s %s could not be found.'
                                      % (kind, thing_id))


class _Manager(object):
    """Things of one kind. A thing's status follows its script: each get()
    answers the next step, and the last step stays; a step None means the
    thing is gone."""

    kind = 'Thing'

    def __init__(self, cinder):
        self._cinder = cinder
        self.things = {}
        self.scripts = {}
        self.gets = 0

    def add(self, thing_id=None, script=('available',), **fields):
        thing_id = thing_id or uuidutils.generate_uuid()
        self.things[thing_id] = dict(fields, id=thing_id,
                                     status=script[0])
        self.scripts[thing_id] = list(script)
        return thing_id

    def script(self, thing_id, *statuses):
        """The statuses the next gets answer."""
        self.scripts[thing_id] = list(statuses)

    def get(self, thing_id):
        self.gets += 1
        if thing_id not in self.things:
            raise _not_found(self.kind, thing_id)
        script = self.scripts.get(thing_id)
        if script:
            step = script.pop(0) if len(script) > 1 else script[0]
            if step is None:
                del self.things[thing_id]
                raise _not_found(self.kind, thing_id)
            self.things[thing_id]['status'] = step
        return self._answer(self.things[thing_id])

    def _answer(self, fields):
        return Thing(**dict(fields))

    def update(self, thing_id, **fields):
        self._cinder.calls.append((self.kind, 'update', thing_id, fields))
        self.things[thing_id].update(fields)

    def delete(self, thing_id):
        self._cinder.calls.append((self.kind, 'delete', thing_id))
        if thing_id not in self.things:
            raise _not_found(self.kind, thing_id)
        self.things[thing_id]['status'] = 'deleting'
        self.scripts[thing_id] = ['deleting', None]


class _Volumes(_Manager):
    kind = 'Volume'

    def add(self, thing_id=None, script=('available',), **fields):
        fields.setdefault('size', 1)
        fields.setdefault('name', 'vol')
        fields.setdefault('volume_type', 'lvm')
        fields.setdefault('availability_zone', 'nova')
        fields.setdefault('bootable', 'false')
        return super().add(thing_id, script, **fields)

    def create(self, size, snapshot_id=None, name=None, description=None,
               volume_type=None, availability_zone=None, metadata=None):
        self._cinder.calls.append(('Volume', 'create', dict(
            size=size, snapshot_id=snapshot_id, name=name,
            description=description, volume_type=volume_type,
            availability_zone=availability_zone, metadata=metadata)))
        return Thing(id=self.add(
            script=self._cinder.new_volume_script, size=size, name=name,
            description=description, metadata=dict(metadata or {})))

    def list(self, search_opts=None):
        # Cinder filters by metadata when asked; the plugins check again.
        wanted = (search_opts or {}).get('metadata') or {}
        return [self._answer(thing) for thing in self.things.values()
                if all((thing.get('metadata') or {}).get(key) == value
                       for key, value in wanted.items())]

    def set_metadata(self, volume_id, metadata):
        self._cinder.calls.append(('Volume', 'set_metadata', volume_id,
                                   metadata))
        self.things[volume_id].setdefault('metadata', {}).update(metadata)


class _Backups(_Manager):
    kind = 'Backup'

    def add(self, thing_id=None, script=('available',), **fields):
        fields.setdefault('size', 1)
        fields.setdefault('is_incremental', False)
        fields.setdefault('parent_id', None)
        fields.setdefault('fail_reason', None)
        fields.setdefault('metadata', {})
        return super().add(thing_id, script, **fields)

    def _answer(self, fields):
        dependent = any(other['parent_id'] == fields['id']
                        for other in self.things.values())
        return Thing(has_dependent_backups=dependent, **dict(fields))

    def create(self, volume_id, name=None, incremental=False, force=False,
               description=None, metadata=None):
        self._cinder.calls.append(('Backup', 'create', dict(
            volume_id=volume_id, name=name, incremental=incremental,
            force=force, description=description, metadata=metadata)))
        parent = None
        if incremental:
            available = [thing for thing in self.things.values()
                         if thing['volume_id'] == volume_id and
                         thing['status'] == 'available']
            if not available:
                raise cinder_exceptions.BadRequest(
                    400, 'Invalid backup: No backups available to do an '
                         'incremental backup.')
            parent = available[-1]['id']
        return Thing(id=self.add(
            script=self._cinder.new_backup_script, volume_id=volume_id,
            name=name, is_incremental=incremental, parent_id=parent,
            metadata=dict(metadata or {}), description=description,
            fail_reason=self._cinder.fail_reason))

    def list(self, detailed=True, search_opts=None):
        volume_id = (search_opts or {}).get('volume_id')
        return [self._answer(thing) for thing in self.things.values()
                if volume_id in (None, thing['volume_id'])]

    def delete(self, thing_id):
        if thing_id in self.things and self._answer(
                self.things[thing_id]).has_dependent_backups:
            self._cinder.calls.append(('Backup', 'delete', thing_id))
            raise cinder_exceptions.BadRequest(
                400, 'Invalid backup: Incremental backups exist for this '
                     'backup.')
        super().delete(thing_id)


class _Restores(object):
    def __init__(self, cinder):
        self._cinder = cinder

    def restore(self, backup_id, volume_id=None, name=None):
        self._cinder.calls.append(('Restore', 'restore', dict(
            backup_id=backup_id, volume_id=volume_id, name=name)))
        script = self._cinder.restore_script
        if volume_id is None:
            volume_id = self._cinder.volumes.add(script=script, name=name)
        else:
            self._cinder.volumes.script(volume_id, *script)
        return Thing(backup_id=backup_id, volume_id=volume_id)


class _Snapshots(_Manager):
    kind = 'Snapshot'

    def create(self, volume_id, force=False, name=None, description=None,
               metadata=None):
        self._cinder.calls.append(('Snapshot', 'create', dict(
            volume_id=volume_id, force=force, name=name,
            description=description, metadata=metadata)))
        return Thing(id=self.add(script=self._cinder.new_snapshot_script,
                                 volume_id=volume_id, size=1, name=name,
                                 description=description,
                                 metadata=dict(metadata or {})))

    def list(self, detailed=True, search_opts=None):
        volume_id = (search_opts or {}).get('volume_id')
        return [self._answer(thing) for thing in self.things.values()
                if volume_id in (None, thing['volume_id'])]


class _Messages(object):
    def __init__(self, cinder):
        self._cinder = cinder

    def list(self, search_opts=None):
        said = self._cinder.user_messages.get(search_opts['resource_uuid'],
                                              [])
        return [Thing(user_message=text) for text in said]


class FakeCinder(object):
    def __init__(self):
        self.calls = []
        self.new_volume_script = ('creating', 'available')
        self.new_backup_script = ('creating', 'creating', 'available')
        self.new_snapshot_script = ('creating', 'available')
        self.restore_script = ('restoring-backup', 'restoring-backup',
                               'available')
        self.fail_reason = None
        self.user_messages = {}
        self.volumes = _Volumes(self)
        self.backups = _Backups(self)
        self.restores = _Restores(self)
        self.volume_snapshots = _Snapshots(self)
        self.messages = _Messages(self)

    def made(self, kind, action):
        return [call[2] for call in self.calls
                if call[:2] == (kind, action)]


class FakeRestore(object):
    """The Restore object as hooks see it."""

    def __init__(self, restore_id=None):
        self.id = restore_id or uuidutils.generate_uuid()
        self.reports = []
        self.resources_status = {}
        self.resources_reason = {}

    def update_resource_status(self, resource_type, resource_id, status,
                               reason=None):
        key = '%s#%s' % (resource_type, resource_id)
        self.reports.append((key, status))
        self.resources_status[key] = status
        if reason is not None:
            self.resources_reason[key] = str(reason)


# ---------------------------------------------------------------- fixtures

@pytest.fixture
def clock(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(waiting, '_clock', clock.monotonic)
    monkeypatch.setattr(waiting, '_sleep', clock.sleep)
    return clock


@pytest.fixture
def cinder(monkeypatch, clock):
    cinder = FakeCinder()
    contexts = []

    def client(context):
        contexts.append(context)
        return cinder

    monkeypatch.setattr(volumes, 'client', client)
    cinder.contexts = contexts
    return cinder


@pytest.fixture
def bank(config, tmp_path):
    plugin = fakes.fs_bank_plugin(str(tmp_path))
    plugin.acquire_lease()
    yield bank_plugin.Bank(plugin)
    plugin.release_lease()


@pytest.fixture
def new_checkpoint(bank):
    collection = checkpoints.CheckpointCollection(bank, PROVIDER_ID)

    def new(volume_id):
        plan = plan_objects.Plan(
            id=uuidutils.generate_uuid(), name='Plan', description=None,
            provider_id=PROVIDER_ID, project_id='project-a',
            status='suspended', parameters={},
            resources=[{'id': volume_id, 'type': VOLUME, 'name': 'vol'}])
        return collection.create(plan)
    return new


def _plugin(tmp_path, plugin_class, section, **options):
    lines = ['[provider]', 'name = Volumes', 'id = %s' % PROVIDER_ID,
             'bank = karbor-fs-bank-plugin', '[%s]' % section]
    lines.extend('%s = %s' % item for item in options.items())
    return plugin_class(fakes.provider_config(str(tmp_path),
                                              '\n'.join(lines) + '\n'))


@pytest.fixture
def backups(tmp_path):
    return _plugin(tmp_path, backup_plugin.CinderBackupProtectionPlugin,
                   backup_plugin.SECTION)


@pytest.fixture
def snapshots(tmp_path):
    return _plugin(tmp_path, snapshot_plugin.VolumeSnapshotProtectionPlugin,
                   snapshot_plugin.SECTION)


def call_hook(operation, name, checkpoint, volume_id, parameters=None,
              **kwargs):
    """Call one hook to its end, as a flow does: a wait it returns is
    waited for."""
    waiting.finished(getattr(operation, name)(
        checkpoint, Resource(VOLUME, volume_id, 'vol'), CONTEXT,
        parameters or {}, **kwargs))


def run(operation, checkpoint, volume_id, parameters=None, **kwargs):
    for name in HOOKS:
        call_hook(operation, name, checkpoint, volume_id, parameters,
                  **kwargs)


def protect(plugin, checkpoint, volume_id, parameters=None):
    run(plugin.get_protect_operation(Resource(VOLUME, volume_id, 'vol')),
        checkpoint, volume_id, parameters)
    return saved(checkpoint, volume_id)


def restore(plugin, checkpoint, volume_id, parameters=None):
    record, new_resources = FakeRestore(), {}
    run(plugin.get_restore_operation(Resource(VOLUME, volume_id, 'vol')),
        checkpoint, volume_id, parameters, restore=record,
        new_resources=new_resources)
    return record, new_resources


def delete(plugin, checkpoint, volume_id):
    run(plugin.get_delete_operation(Resource(VOLUME, volume_id, 'vol')),
        checkpoint, volume_id)


def verify(plugin, checkpoint, volume_id):
    run(plugin.get_verify_operation(Resource(VOLUME, volume_id, 'vol')),
        checkpoint, volume_id)


def section(checkpoint, volume_id):
    return checkpoint.get_resource_bank_section('%s#%s' % (VOLUME,
                                                           volume_id))


def saved(checkpoint, volume_id):
    return section(checkpoint, volume_id).get_object('metadata')


# ---------------------------------------------------------------- polling

def test_waits_back_off_from_poll_interval_to_poll_max_interval(clock):
    polls = itertools.count(1)
    waiting.wait_for(lambda: next(polls), lambda count: count > 60, 'x', 600,
                     waiting.Polling(0.2, 2.0))
    sleeps = clock.sleeps
    assert len(sleeps) == 60
    assert sleeps[0] == 0.2
    assert sleeps == sorted(sleeps)  # never shorter than the one before
    assert min(sleeps) == 0.2 and max(sleeps) == 2.0
    assert sleeps[-10:] == [2.0] * 10
    waited = 0.0
    for pause in sleeps:
        # Never longer than an eighth of the time waited so far.
        assert pause <= max(0.2, waited / 8) + 1e-6
        waited += pause


@pytest.mark.parametrize('ready_after', [0.1, 0.9, 3.1, 9.2, 16.3, 77.0])
def test_a_wait_ends_at_most_an_eighth_late(clock, ready_after):
    start = clock.now
    waiting.wait_for(lambda: clock.now - start, lambda done: (
        done >= ready_after), 'x', 600, waiting.Polling(0.2, 2.0))
    late = clock.now - start - ready_after
    assert late <= max(0.2, min(2.0, ready_after / 8) + 1e-9)


def test_a_wait_rides_out_a_few_failed_polls_but_not_many(clock):
    answers = iter([cinder_exceptions.ClientException(503, 'busy')] * 3 +
                   ['done'])

    def fetch():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert waiting.wait_for(fetch, lambda a: a == 'done', 'x', 600,
                            waiting.Polling(0.2, 2.0),
                            volumes.is_transient) == 'done'

    def always_down():
        raise cinder_exceptions.ClientException(503, 'busy')

    with pytest.raises(cinder_exceptions.ClientException):
        waiting.wait_for(always_down, bool, 'x', 600,
                         waiting.Polling(0.2, 2.0), volumes.is_transient)
    assert not volumes.is_transient(cinder_exceptions.NotFound(404))


def test_a_wait_gives_up_after_its_timeout_naming_the_status(clock):
    with pytest.raises(waiting.WaitTimeout) as raised:
        waiting.wait_for(lambda: Thing(status='creating'), lambda a: False,
                         'Cinder backup b1', 30, waiting.Polling(0.2, 2.0))
    assert str(raised.value) == (
        'Cinder backup b1: still creating after 30 seconds')
    assert clock.now - 1000.0 == pytest.approx(30)
    with pytest.raises(waiting.WaitTimeout) as raised:
        waiting.status_wait(lambda: {'status': 'saving'}, 'active',
                            lambda status: False, 'image i1', 5,
                            waiting.Polling(0.2, 2.0)).run()
    assert str(raised.value) == (
        'image i1: still saving after 5 seconds (waited for active)')


# ---------------------------------------------------------------- backups

def test_protect_backs_the_volume_up_and_saves_the_backup(
        backups, cinder, clock, new_checkpoint):
    volume_id = cinder.volumes.add(name='data', size=10)
    cinder.new_backup_script = ('creating',) * 30 + ('available',)
    checkpoint = new_checkpoint(volume_id)
    metadata = protect(backups, checkpoint, volume_id,
                       {'backup_name': 'nightly'})
    [created] = cinder.made('Backup', 'create')
    assert created == {'volume_id': volume_id, 'name': 'nightly',
                       'incremental': False, 'force': True,
                       'description': 'Karbor checkpoint %s' % checkpoint.id,
                       'metadata': {'karbor_checkpoint_id': checkpoint.id}}
    [backup_id] = cinder.backups.things
    assert metadata == {
        'backup_id': backup_id, 'name': 'nightly', 'backup_mode': 'full',
        'size': 10, 'status': 'available', 'volume_id': volume_id,
        'volume_name': 'data', 'volume_type': 'lvm',
        'availability_zone': 'nova', 'bootable': 'false'}
    assert backups.get_saved_info(section(checkpoint, volume_id), None) == {
        'backup_id': backup_id, 'name': 'nightly', 'backup_mode': 'full',
        'size': 10}
    # Polled with growing pauses from 0.2 s, not a fixed sleep.
    assert len(clock.sleeps) == 30
    assert clock.sleeps[:8] == [0.2] * 8
    assert clock.sleeps == sorted(clock.sleeps)
    assert max(clock.sleeps) <= 2.0
    assert cinder.contexts and set(map(id, cinder.contexts)) == {
        id(CONTEXT)}


def test_backups_waited_for_hold_no_thread(
        config, backups, cinder, new_checkpoint, monkeypatch):
    # One thread for the flows' tasks: each hook hands its wait over, so
    # all six backups are started before the first is seen available.
    config.config(flow_workers=1)
    volume_ids = [cinder.volumes.add(size=1) for _ in range(6)]
    checkpoint = new_checkpoint(volume_ids[0])
    get = cinder.backups.get

    def recorded_get(backup_id):
        backup = get(backup_id)
        cinder.calls.append(('Backup', 'get', backup.status))
        return backup
    monkeypatch.setattr(cinder.backups, 'get', recorded_get)
    nodes = [graph.GraphNode(Resource(VOLUME, volume_id, 'vol'), ())
             for volume_id in volume_ids]
    engine.run_flows('protect', resource_flow.build_flows(
        'protect', resource_flow.FlowRun(checkpoint, CONTEXT, {}), nodes,
        backups.get_protect_operation, {}, resource_flow.ResourceProgress()),
        CONTEXT)
    steps = [call[1:] for call in cinder.calls if call[0] == 'Backup']
    creates = [index for index, step in enumerate(steps)
               if step[0] == 'create']
    assert len(creates) == 6
    assert creates[-1] < steps.index(('get', 'available'))
    assert [saved(checkpoint, volume_id)['status']
            for volume_id in volume_ids] == ['available'] * 6


def test_polling_options_come_from_the_provider_file(
        tmp_path, cinder, clock, new_checkpoint):
    plugin = _plugin(tmp_path, backup_plugin.CinderBackupProtectionPlugin,
                     backup_plugin.SECTION, poll_interval=1,
                     poll_max_interval=3, backup_timeout=20)
    volume_id = cinder.volumes.add()
    cinder.new_backup_script = ('creating',)
    with pytest.raises(waiting.WaitTimeout):
        protect(plugin, new_checkpoint(volume_id), volume_id)
    assert clock.sleeps[0] == 1
    assert max(clock.sleeps) <= 3
    assert sum(clock.sleeps) == pytest.approx(20)


def test_auto_mode_is_incremental_when_an_available_backup_exists(
        backups, cinder, new_checkpoint):
    volume_id = cinder.volumes.add()
    other_volume = cinder.volumes.add()
    # Backups of another volume, or failed ones, are no base for one.
    cinder.backups.add(volume_id=other_volume)
    cinder.backups.add(volume_id=volume_id, script=('error',))
    first = protect(backups, new_checkpoint(volume_id), volume_id)
    second = protect(backups, new_checkpoint(volume_id), volume_id,
                     {'backup_mode': 'auto'})
    assert first['backup_mode'] == 'full'
    assert second['backup_mode'] == 'incremental'
    assert [call['incremental'] for call in
            cinder.made('Backup', 'create')] == [False, True]
    assert cinder.backups.things[second['backup_id']]['parent_id'] == (
        first['backup_id'])


def test_full_mode_is_full_even_after_a_backup(backups, cinder,
                                               new_checkpoint):
    volume_id = cinder.volumes.add()
    cinder.backups.add(volume_id=volume_id)
    metadata = protect(backups, new_checkpoint(volume_id), volume_id,
                       {'backup_mode': 'full'})
    assert metadata['backup_mode'] == 'full'
    assert [call['incremental'] for call in
            cinder.made('Backup', 'create')] == [False]


def test_auto_mode_falls_back_to_full_when_the_base_vanished(
        backups, cinder, new_checkpoint, monkeypatch):
    volume_id = cinder.volumes.add()
    base = cinder.backups.add(volume_id=volume_id)
    listed = cinder.backups.list
    lists = []

    def list_then_lose_the_base(**kwargs):
        # The first list looks for a backup an earlier run started, the
        # second for a base to build on: that one is gone right after.
        found = listed(**kwargs)
        lists.append(kwargs)
        if len(lists) == 2:
            del cinder.backups.things[base]
        return found

    monkeypatch.setattr(cinder.backups, 'list', list_then_lose_the_base)
    metadata = protect(backups, new_checkpoint(volume_id), volume_id)
    assert metadata['backup_mode'] == 'full'
    assert [call['incremental'] for call in
            cinder.made('Backup', 'create')] == [True, False]


def test_incremental_mode_without_a_base_fails_with_cinders_reason(
        backups, cinder, new_checkpoint):
    volume_id = cinder.volumes.add()
    with pytest.raises(volumes.VolumeProtectionError) as raised:
        protect(backups, new_checkpoint(volume_id), volume_id,
                {'backup_mode': 'incremental'})
    assert str(raised.value) == (
        'backing up volume %s: Block storage service (cinder) answered: '
        'Invalid backup: No backups available to do an incremental backup. '
        '(HTTP 400)' % volume_id)


def test_a_failed_backup_fails_with_cinders_reason_and_is_deleted(
        backups, cinder, new_checkpoint):
    volume_id = cinder.volumes.add()
    cinder.new_backup_script = ('creating', 'error')
    cinder.fail_reason = 'Swift is full'
    checkpoint = new_checkpoint(volume_id)
    with pytest.raises(volumes.VolumeProtectionError) as raised:
        protect(backups, checkpoint, volume_id)
    [backup_id] = cinder.made('Backup', 'delete')
    assert str(raised.value) == (
        'Cinder backup %s of volume %s failed: Swift is full'
        % (backup_id, volume_id))
    # The checkpoint knows the backup, so deleting it cleans up.
    assert saved(checkpoint, volume_id)['status'] == 'creating'


def test_a_volume_deleted_while_backed_up_fails_with_that_reason(
        backups, cinder, new_checkpoint):
    volume_id = cinder.volumes.add()
    cinder.new_backup_script = ('creating', None)
    checkpoint = new_checkpoint(volume_id)
    create = cinder.backups.create

    def create_then_lose_the_volume(*args, **kwargs):
        made = create(*args, **kwargs)
        del cinder.volumes.things[volume_id]
        return made

    cinder.backups.create = create_then_lose_the_volume
    with pytest.raises(volumes.VolumeProtectionError) as raised:
        protect(backups, checkpoint, volume_id)
    assert str(raised.value) == (
        'volume %s was deleted while it was being backed up' % volume_id)


def test_a_missing_volume_fails_the_checkpoint_not_left_protecting(
        config, database, tmp_path, cinder):
    provider = fakes.loaded_provider(str(tmp_path), PROVIDER_ID,
                                     'karbor-volume-protection-plugin')
    provider.bank.plugin.acquire_lease()
    try:
        missing = uuidutils.generate_uuid()
        resources = [{'id': missing, 'type': VOLUME, 'name': 'gone'}]
        plan = plan_objects.Plan(
            id=uuidutils.generate_uuid(), name='Plan', description=None,
            provider_id=PROVIDER_ID, project_id='project-a',
            status='suspended', resources=resources, parameters={})
        checkpoint = provider.checkpoints.create(plan)

        class Protectables(object):
            def build_graph(self, context, resources, accepts_type):
                return graph.build_graph(resources, lambda resource: [])

        fakes.protect(CONTEXT, provider, Protectables(), checkpoint, plan)
        record = provider.checkpoints.get(checkpoint.id).to_dict()
    finally:
        provider.bank.plugin.release_lease()
    key = '%s#%s' % (VOLUME, missing)
    assert record['status'] == 'error'
    assert record['resources_status'] == {key: 'error'}
    assert record['resources_reason'][key] == (
        'volume %s no longer exists in Cinder' % missing)


def test_a_cinder_that_cannot_be_reached_is_named_after_a_few_tries(
        backups, cinder, clock, new_checkpoint, monkeypatch):
    volume_id = cinder.volumes.add()

    def refused(volume_id):
        raise ks_exceptions.ConnectFailure('Connection refused')

    monkeypatch.setattr(cinder.volumes, 'get', refused)
    with pytest.raises(exception.ServiceUnavailable) as raised:
        protect(backups, new_checkpoint(volume_id), volume_id)
    assert str(raised.value) == (
        'Block storage service (cinder) is not available: Connection '
        'refused')
    assert len(clock.sleeps) == waiting.TRANSIENT_FAILURES


def test_an_attached_volume_is_backed_up_unless_force_is_false(
        backups, cinder, new_checkpoint):
    volume_id = cinder.volumes.add(script=('in-use',))
    protect(backups, new_checkpoint(volume_id), volume_id)
    assert [call['force'] for call in
            cinder.made('Backup', 'create')] == [True]
    with pytest.raises(volumes.VolumeProtectionError) as raised:
        protect(backups, new_checkpoint(volume_id), volume_id,
                {'force': False})
    assert str(raised.value) == (
        'volume %s is attached (in-use) and the plan\'s parameters say '
        '"force": false' % volume_id)
    assert len(cinder.made('Backup', 'create')) == 1


def test_a_busy_volume_is_waited_for(backups, cinder, clock,
                                     new_checkpoint):
    volume_id = cinder.volumes.add(script=('backing-up', 'backing-up',
                                           'available'))
    protect(backups, new_checkpoint(volume_id), volume_id)
    assert clock.sleeps[:2] == [0.2, 0.2]
    assert len(cinder.made('Backup', 'create')) == 1


def test_a_volume_in_error_fails_with_cinders_message(
        backups, cinder, new_checkpoint):
    volume_id = cinder.volumes.add(script=('error',))
    cinder.user_messages[volume_id] = ['No valid backend was found.']
    with pytest.raises(volumes.VolumeProtectionError) as raised:
        protect(backups, new_checkpoint(volume_id), volume_id)
    assert str(raised.value) == (
        'volume %s is in status error (Cinder: No valid backend was '
        'found.)' % volume_id)


def test_restore_reports_the_new_volume_and_its_id(backups, cinder,
                                                   new_checkpoint):
    volume_id = cinder.volumes.add(name='data')
    checkpoint = new_checkpoint(volume_id)
    metadata = protect(backups, checkpoint, volume_id)
    record, new_resources = restore(backups, checkpoint, volume_id)
    new_id = new_resources['%s#%s' % (VOLUME, volume_id)]
    assert new_id != volume_id
    # The volume is made first, marked so that a rerun finds it, and the
    # backup restored into it.
    [created] = cinder.made('Volume', 'create')
    assert created['name'] == 'data'
    assert created['metadata'] == {
        'karbor_restore_id': record.id,
        'karbor_restored_from': '%s#%s' % (VOLUME, volume_id)}
    [call] = cinder.made('Restore', 'restore')
    assert call == {'backup_id': metadata['backup_id'], 'volume_id': new_id,
                    'name': None}
    key = '%s#%s' % (VOLUME, new_id)
    assert record.reports == [(key, 'restoring'), (key, 'available')]
    assert record.resources_reason == {}
    assert cinder.volumes.things[new_id]['description'] == (
        'Restored by Karbor from checkpoint %s (volume %s)'
        % (checkpoint.id, volume_id))


def test_restore_into_a_type_and_zone_makes_the_volume_first(
        backups, cinder, new_checkpoint):
    volume_id = cinder.volumes.add(size=5)
    checkpoint = new_checkpoint(volume_id)
    metadata = protect(backups, checkpoint, volume_id)
    cinder.backups.things[metadata['backup_id']]['size'] = 5
    record, new_resources = restore(
        backups, checkpoint, volume_id,
        {'restore_name': 'copy', 'restore_description': 'the copy',
         'volume_type': 'fast', 'availability_zone': 'az2'})
    new_id = new_resources['%s#%s' % (VOLUME, volume_id)]
    assert cinder.made('Volume', 'create') == [{
        'size': 5, 'snapshot_id': None, 'name': 'copy',
        'description': 'the copy', 'volume_type': 'fast',
        'availability_zone': 'az2', 'metadata': {
            'karbor_restore_id': record.id,
            'karbor_restored_from': '%s#%s' % (VOLUME, volume_id)}}]
    assert cinder.made('Restore', 'restore') == [{
        'backup_id': metadata['backup_id'], 'volume_id': new_id,
        'name': None}]
    assert record.resources_status == {'%s#%s' % (VOLUME, new_id):
                                       'available'}


def test_a_failed_restore_reports_the_new_volume_in_error(
        backups, cinder, new_checkpoint):
    volume_id = cinder.volumes.add()
    checkpoint = new_checkpoint(volume_id)
    backup_id = protect(backups, checkpoint, volume_id)['backup_id']
    cinder.restore_script = ('restoring-backup', 'error_restoring')
    record, new_resources = FakeRestore(), {}
    with pytest.raises(volumes.VolumeProtectionError) as raised:
        run(backups.get_restore_operation(None), checkpoint, volume_id,
            restore=record, new_resources=new_resources)
    [new_id] = [thing for thing in cinder.volumes.things
                if thing != volume_id]
    reason = ('restore of Cinder backup %s: volume %s went to status '
              'error_restoring' % (backup_id, new_id))
    assert str(raised.value) == reason
    key = '%s#%s' % (VOLUME, new_id)
    assert record.reports == [(key, 'restoring'), (key, 'error')]
    assert record.resources_reason == {key: reason}
    assert new_resources == {}


def test_restore_of_a_checkpoint_without_the_backup_says_so(
        backups, cinder, new_checkpoint):
    volume_id = cinder.volumes.add()
    checkpoint = new_checkpoint(volume_id)
    metadata = protect(backups, checkpoint, volume_id)
    del cinder.backups.things[metadata['backup_id']]
    with pytest.raises(volumes.VolumeProtectionError) as raised:
        restore(backups, checkpoint, volume_id)
    assert str(raised.value) == (
        'Cinder backup %s of this checkpoint no longer exists'
        % metadata['backup_id'])
    empty = new_checkpoint(volume_id)
    with pytest.raises(volumes.VolumeProtectionError) as raised:
        restore(backups, empty, volume_id)
    assert 'the checkpoint holds nothing of volume' in str(raised.value)


def copy(plugin, checkpoint, checkpoint_copy, volume_id):
    run(plugin.get_copy_operation(Resource(VOLUME, volume_id, 'vol')),
        checkpoint, volume_id, checkpoint_copy=checkpoint_copy)


@pytest.mark.parametrize('plugin_name, key, kind', [
    ('backups', 'backup_id', 'Backup'),
    ('snapshots', 'snapshot_id', 'Snapshot')])
def test_a_copy_restores_from_the_same_cinder_backup_and_leaves_it_when_deleted(
        request, cinder, new_checkpoint, plugin_name, key, kind):
    plugin = request.getfixturevalue(plugin_name)
    volume_id = cinder.volumes.add(name='data')
    source = new_checkpoint(volume_id)
    metadata = protect(plugin, source, volume_id)
    checkpoint_copy = new_checkpoint(volume_id)

    copy(plugin, source, checkpoint_copy, volume_id)

    copied = saved(checkpoint_copy, volume_id)
    assert copied == dict(metadata, copied_from={
        'provider_id': PROVIDER_ID, 'checkpoint_id': source.id})
    record, new_resources = restore(plugin, checkpoint_copy, volume_id)
    assert '%s#%s' % (VOLUME, volume_id) in new_resources
    delete(plugin, checkpoint_copy, volume_id)
    assert cinder.made(kind, 'delete') == []
    assert section(checkpoint_copy, volume_id).list_objects() == []
    delete(plugin, source, volume_id)
    assert cinder.made(kind, 'delete') == [metadata[key]]


def test_delete_removes_the_backup_and_the_bank_data(
        backups, cinder, clock, new_checkpoint):
    volume_id = cinder.volumes.add()
    checkpoint = new_checkpoint(volume_id)
    metadata = protect(backups, checkpoint, volume_id)
    delete(backups, checkpoint, volume_id)
    assert cinder.made('Backup', 'delete') == [metadata['backup_id']]
    assert cinder.backups.things == {}  # waited until it was gone
    assert section(checkpoint, volume_id).list_objects() == []
    # A checkpoint whose protection made nothing deletes nothing.
    delete(backups, new_checkpoint(volume_id), volume_id)
    assert len(cinder.made('Backup', 'delete')) == 1


def test_a_backup_that_others_build_on_goes_with_the_last_of_them(
        backups, cinder, new_checkpoint):
    volume_id = cinder.volumes.add()
    first, second = new_checkpoint(volume_id), new_checkpoint(volume_id)
    full = protect(backups, first, volume_id)['backup_id']
    incremental = protect(backups, second, volume_id)['backup_id']

    # Retention deletes the oldest first: its backup stays, marked.
    delete(backups, first, volume_id)
    assert set(cinder.backups.things) == {full, incremental}
    assert cinder.backups.things[full]['metadata'] == {
        'karbor_checkpoint_id': first.id,
        'karbor_deleted_checkpoint': first.id}
    assert section(first, volume_id).list_objects() == []

    delete(backups, second, volume_id)
    assert cinder.made('Backup', 'delete') == [incremental, full]
    assert cinder.backups.things == {}


def test_delete_waits_for_a_backup_still_being_made(
        backups, cinder, clock, new_checkpoint, tmp_path):
    volume_id = cinder.volumes.add()
    cinder.new_backup_script = ('creating',)
    checkpoint = new_checkpoint(volume_id)
    impatient = _plugin(tmp_path, backup_plugin.CinderBackupProtectionPlugin,
                        backup_plugin.SECTION, backup_timeout=5)
    with pytest.raises(waiting.WaitTimeout):
        protect(impatient, checkpoint, volume_id)
    backup_id = saved(checkpoint, volume_id)['backup_id']
    cinder.backups.script(backup_id, 'creating', 'creating', 'available')
    delete(backups, checkpoint, volume_id)
    assert cinder.made('Backup', 'delete') == [backup_id]
    assert cinder.backups.things == {}


# ---------------------------------------------------------------- snapshots

def test_verify_passes_an_available_backup_of_the_recorded_size(
        backups, cinder, new_checkpoint):
    volume_id = cinder.volumes.add(size=10)
    checkpoint = new_checkpoint(volume_id)
    metadata = protect(backups, checkpoint, volume_id)
    cinder.backups.things[metadata['backup_id']]['size'] = 10

    verify(backups, checkpoint, volume_id)


@pytest.mark.parametrize('damage, reason', [
    (lambda backups, backup_id: backups.things.pop(backup_id),
     'Cinder backup %(backup)s of volume %(volume)s no longer exists'),
    (lambda backups, backup_id: backups.script(backup_id, 'error'),
     'Cinder backup %(backup)s of volume %(volume)s cannot be restored: it '
     'is error'),
    (lambda backups, backup_id: backups.things[backup_id].update(size=3),
     'Cinder backup %(backup)s of volume %(volume)s cannot be restored: its '
     'size is 3 GiB, not 10'),
])
def test_verify_fails_a_backup_that_cannot_be_restored_saying_why(
        backups, cinder, new_checkpoint, damage, reason):
    volume_id = cinder.volumes.add(size=10)
    checkpoint = new_checkpoint(volume_id)
    backup_id = protect(backups, checkpoint, volume_id)['backup_id']
    cinder.backups.things[backup_id]['size'] = 10
    damage(cinder.backups, backup_id)

    with pytest.raises(volumes.VolumeProtectionError) as raised:
        verify(backups, checkpoint, volume_id)

    assert str(raised.value) == reason % {'backup': backup_id,
                                          'volume': volume_id}


def test_verify_of_an_unfinished_protection_fails(backups, cinder,
                                                  new_checkpoint):
    volume_id = cinder.volumes.add()
    checkpoint = new_checkpoint(volume_id)
    section(checkpoint, volume_id).update_object(
        'metadata', {'backup_id': 'b-1', 'status': 'creating'})

    with pytest.raises(volumes.VolumeProtectionError) as raised:
        verify(backups, checkpoint, volume_id)

    assert str(raised.value) == (
        'the protection of volume %s did not finish' % volume_id)


def test_snapshot_verify_checks_the_snapshot_is_there_and_available(
        snapshots, cinder, new_checkpoint):
    volume_id = cinder.volumes.add(size=3)
    checkpoint = new_checkpoint(volume_id)
    snapshot_id = protect(snapshots, checkpoint, volume_id)['snapshot_id']
    cinder.volume_snapshots.things[snapshot_id]['size'] = 3
    verify(snapshots, checkpoint, volume_id)
    cinder.volume_snapshots.things.pop(snapshot_id)

    with pytest.raises(volumes.VolumeProtectionError) as raised:
        verify(snapshots, checkpoint, volume_id)

    assert str(raised.value) == (
        'Cinder snapshot %s of volume %s no longer exists' % (snapshot_id,
                                                              volume_id))


def test_snapshot_protect_forces_an_attached_volume_and_saves_the_id(
        snapshots, cinder, clock, new_checkpoint):
    volume_id = cinder.volumes.add(script=('in-use',), size=3)
    checkpoint = new_checkpoint(volume_id)
    operation = snapshots.get_protect_operation(None)
    resource = Resource(VOLUME, volume_id, 'vol')
    # Taken in prepare-finish, while a server's plugin keeps it quiet.
    operation.on_prepare_begin(checkpoint, resource, CONTEXT, {})
    assert not cinder.made('Snapshot', 'create')
    operation.on_prepare_finish(checkpoint, resource, CONTEXT,
                                {'snapshot_name': 'quiet'})
    [created] = cinder.made('Snapshot', 'create')
    assert created['force'] is True and created['name'] == 'quiet'
    [snapshot_id] = cinder.volume_snapshots.things
    assert snapshots.get_saved_info(section(checkpoint, volume_id),
                                    None) == {
        'snapshot_id': snapshot_id, 'name': 'quiet',
        'volume_id': volume_id, 'size': 3}
    assert clock.sleeps == [0.2]


def test_a_failed_snapshot_fails_with_cinders_message(
        snapshots, cinder, new_checkpoint):
    volume_id = cinder.volumes.add()
    cinder.new_snapshot_script = ('creating', 'error')
    cinder.user_messages = {}
    checkpoint = new_checkpoint(volume_id)
    with pytest.raises(volumes.VolumeProtectionError) as raised:
        protect(snapshots, checkpoint, volume_id)
    [snapshot_id] = cinder.volume_snapshots.things
    assert str(raised.value) == (
        'Cinder snapshot %s of volume %s failed (status error): no reason '
        'given' % (snapshot_id, volume_id))


def test_snapshot_restore_makes_a_volume_of_it_and_reports_it(
        snapshots, cinder, new_checkpoint):
    volume_id = cinder.volumes.add(name='data')
    checkpoint = new_checkpoint(volume_id)
    metadata = protect(snapshots, checkpoint, volume_id)
    record, new_resources = restore(snapshots, checkpoint, volume_id,
                                    {'availability_zone': 'az2'})
    new_id = new_resources['%s#%s' % (VOLUME, volume_id)]
    [created] = cinder.made('Volume', 'create')
    assert created['snapshot_id'] == metadata['snapshot_id']
    assert created['name'] == 'data'
    assert created['availability_zone'] == 'az2'
    key = '%s#%s' % (VOLUME, new_id)
    assert record.reports == [(key, 'restoring'), (key, 'available')]


def test_snapshot_delete_removes_the_snapshot(snapshots, cinder,
                                              new_checkpoint):
    volume_id = cinder.volumes.add()
    checkpoint = new_checkpoint(volume_id)
    metadata = protect(snapshots, checkpoint, volume_id)
    delete(snapshots, checkpoint, volume_id)
    assert cinder.made('Snapshot', 'delete') == [metadata['snapshot_id']]
    assert cinder.volume_snapshots.things == {}
    assert section(checkpoint, volume_id).list_objects() == []


def test_the_provider_shows_the_plugins_schemas():
    schemas = backup_plugin.CinderBackupProtectionPlugin
    assert schemas.get_options_schema(VOLUME)['properties']['backup_mode'][
        'enum'] == ['full', 'incremental', 'auto']
    assert set(schemas.get_restore_schema(VOLUME)['properties']) == {
        'restore_name', 'restore_description', 'volume_type',
        'availability_zone'}
    assert schemas.get_saved_info_schema(VOLUME)['required'] == [
        'name', 'backup_id']
    # A misspelt restore parameter is refused, not ignored.
    restore = jsonschema.Draft7Validator(schemas.get_restore_schema(VOLUME))
    assert restore.is_valid({'restore_name': 'back'})
    assert not restore.is_valid({'restore_nmae': 'back'})
    assert snapshot_plugin.VolumeSnapshotProtectionPlugin\
        .get_supported_resources_types() == [VOLUME]


# ---------------------------------------------------------------- reruns
#
# A worker that dies leaves the hook that was running to another worker,
# which runs it again on a new Operation: these tests throw the first
# Operation away, as the dead worker's memory is gone.

class WorkerDied(BaseException):
    """The worker running the hook went away (not an error the hook
    handles)."""


def die_at(monkeypatch, manager, name, call=1):
    """The ``call``-th call of ``manager.name`` kills the worker."""
    method = getattr(manager, name)
    calls = []

    def dying(*args, **kwargs):
        calls.append(args)
        if len(calls) == call:
            raise WorkerDied()
        return method(*args, **kwargs)

    monkeypatch.setattr(manager, name, dying)
    return lambda: monkeypatch.setattr(manager, name, method)


def die_after(monkeypatch, manager, name):
    """``manager.name`` does its work, then the worker dies before it
    hears the answer."""
    method = getattr(manager, name)

    def dying(*args, **kwargs):
        method(*args, **kwargs)
        raise WorkerDied()

    monkeypatch.setattr(manager, name, dying)
    return lambda: monkeypatch.setattr(manager, name, method)


def hook(operation_of, checkpoint, volume_id, name, parameters=None,
         **kwargs):
    call_hook(operation_of(Resource(VOLUME, volume_id, 'vol')), name,
              checkpoint, volume_id, parameters, **kwargs)


def test_backup_protect_run_again_waits_for_the_backup_it_recorded(
        backups, cinder, new_checkpoint, monkeypatch):
    volume_id = cinder.volumes.add(size=4)
    cinder.new_backup_script = ('creating',) * 5 + ('available',)
    checkpoint = new_checkpoint(volume_id)
    revive = die_at(monkeypatch, cinder.backups, 'get', call=3)
    with pytest.raises(WorkerDied):
        hook(backups.get_protect_operation, checkpoint, volume_id, 'on_main')
    [backup_id] = cinder.backups.things
    assert saved(checkpoint, volume_id)['backup_id'] == backup_id
    revive()

    hook(backups.get_protect_operation, checkpoint, volume_id, 'on_main')
    assert len(cinder.made('Backup', 'create')) == 1
    metadata = saved(checkpoint, volume_id)
    assert (metadata['backup_id'], metadata['status'],
            metadata['size']) == (backup_id, 'available', 4)
    # Once it is done, running it again changes nothing.
    hook(backups.get_protect_operation, checkpoint, volume_id, 'on_main')
    assert len(cinder.made('Backup', 'create')) == 1


def test_backup_protect_run_again_finds_an_unrecorded_backup_in_cinder(
        backups, cinder, new_checkpoint, monkeypatch):
    volume_id = cinder.volumes.add(name='data', size=2)
    checkpoint = new_checkpoint(volume_id)
    other = new_checkpoint(volume_id)
    # A backup of the volume for another checkpoint is not this one's.
    protect(backups, other, volume_id)
    revive = die_after(monkeypatch, cinder.backups, 'create')
    with pytest.raises(WorkerDied):
        hook(backups.get_protect_operation, checkpoint, volume_id, 'on_main',
             {'backup_mode': 'full'})
    assert section(checkpoint, volume_id).list_objects() == []
    revive()

    hook(backups.get_protect_operation, checkpoint, volume_id, 'on_main',
         {'backup_mode': 'full'})
    creates = cinder.made('Backup', 'create')
    assert len(creates) == 2  # one per checkpoint
    [mine] = [backup_id for backup_id, thing in cinder.backups.things.items()
              if thing['metadata'].get('karbor_checkpoint_id') ==
              checkpoint.id]
    metadata = saved(checkpoint, volume_id)
    assert metadata['backup_id'] == mine
    assert metadata['status'] == 'available'
    assert metadata['volume_name'] == 'data'
    assert metadata['name'] == 'karbor-%s' % checkpoint.id


def test_backup_restore_run_again_waits_for_the_volume_it_made(
        backups, cinder, new_checkpoint, monkeypatch):
    volume_id = cinder.volumes.add(name='data')
    checkpoint = new_checkpoint(volume_id)
    backup_id = protect(backups, checkpoint, volume_id)['backup_id']
    first = FakeRestore()
    # Dies while waiting for Cinder to restore the backup.
    cinder.restore_script = ('restoring-backup',) * 4 + ('available',)
    gets = cinder.volumes.gets
    calls = []
    original = cinder.volumes.get

    def get(thing_id):
        if cinder.made('Restore', 'restore'):
            calls.append(thing_id)
            if len(calls) == 2:
                raise WorkerDied()
        return original(thing_id)

    monkeypatch.setattr(cinder.volumes, 'get', get)
    with pytest.raises(WorkerDied):
        hook(backups.get_restore_operation, checkpoint, volume_id, 'on_main',
             restore=first, new_resources={})
    monkeypatch.setattr(cinder.volumes, 'get', original)
    assert cinder.volumes.gets > gets

    # The same restore, on another worker: new_resources has not this
    # volume's entry.
    again, new_resources = FakeRestore(first.id), {}
    hook(backups.get_restore_operation, checkpoint, volume_id, 'on_main',
         restore=again, new_resources=new_resources)
    [created] = cinder.made('Volume', 'create')
    assert len(cinder.made('Restore', 'restore')) == 1
    new_id = new_resources['%s#%s' % (VOLUME, volume_id)]
    assert cinder.volumes.things[new_id]['status'] == 'available'
    assert cinder.volumes.things[new_id]['metadata'][
        'karbor_restored_backup'] == backup_id
    assert again.resources_status == {'%s#%s' % (VOLUME, new_id):
                                      'available'}
    # Another restore of the same checkpoint makes its own volume.
    restore(backups, checkpoint, volume_id)
    assert len(cinder.made('Volume', 'create')) == 2


def test_backup_restore_run_again_restores_into_a_volume_not_restored_yet(
        backups, cinder, new_checkpoint, monkeypatch):
    volume_id = cinder.volumes.add()
    checkpoint = new_checkpoint(volume_id)
    backup_id = protect(backups, checkpoint, volume_id)['backup_id']
    first = FakeRestore()
    revive = die_at(monkeypatch, cinder.restores, 'restore')
    with pytest.raises(WorkerDied):
        hook(backups.get_restore_operation, checkpoint, volume_id, 'on_main',
             restore=first, new_resources={})
    revive()
    again, new_resources = FakeRestore(first.id), {}
    hook(backups.get_restore_operation, checkpoint, volume_id, 'on_main',
         restore=again, new_resources=new_resources)
    new_id = new_resources['%s#%s' % (VOLUME, volume_id)]
    assert len(cinder.made('Volume', 'create')) == 1
    assert cinder.made('Restore', 'restore') == [
        {'backup_id': backup_id, 'volume_id': new_id, 'name': None}]


def test_backup_delete_run_again_finds_the_backup_gone_and_succeeds(
        backups, cinder, new_checkpoint, monkeypatch):
    volume_id = cinder.volumes.add()
    checkpoint = new_checkpoint(volume_id)
    backup_id = protect(backups, checkpoint, volume_id)['backup_id']
    # Dies while waiting for Cinder to delete it.
    calls = []
    original = cinder.backups.get

    def get(thing_id):
        if cinder.made('Backup', 'delete'):
            calls.append(thing_id)
            if len(calls) == 1:
                raise WorkerDied()
        return original(thing_id)

    monkeypatch.setattr(cinder.backups, 'get', get)
    with pytest.raises(WorkerDied):
        hook(backups.get_delete_operation, checkpoint, volume_id, 'on_main')
    monkeypatch.setattr(cinder.backups, 'get', original)
    hook(backups.get_delete_operation, checkpoint, volume_id, 'on_main')
    assert cinder.made('Backup', 'delete') == [backup_id]
    assert cinder.backups.things == {}
    assert section(checkpoint, volume_id).list_objects() == []
    # And once more, with everything gone.
    hook(backups.get_delete_operation, checkpoint, volume_id, 'on_main')


def test_snapshot_protect_run_again_waits_for_the_snapshot_it_started(
        snapshots, cinder, new_checkpoint, monkeypatch):
    volume_id = cinder.volumes.add()
    cinder.new_snapshot_script = ('creating',) * 3 + ('available',)
    checkpoint = new_checkpoint(volume_id)
    revive = die_at(monkeypatch, cinder.volume_snapshots, 'get', call=2)
    with pytest.raises(WorkerDied):
        hook(snapshots.get_protect_operation, checkpoint, volume_id,
             'on_prepare_finish')
    revive()
    hook(snapshots.get_protect_operation, checkpoint, volume_id,
         'on_prepare_finish')
    [snapshot_id] = cinder.volume_snapshots.things
    assert len(cinder.made('Snapshot', 'create')) == 1
    assert saved(checkpoint, volume_id)['snapshot_id'] == snapshot_id
    assert saved(checkpoint, volume_id)['status'] == 'available'


def test_snapshot_protect_run_again_finds_an_unrecorded_snapshot(
        snapshots, cinder, new_checkpoint, monkeypatch):
    volume_id = cinder.volumes.add()
    checkpoint = new_checkpoint(volume_id)
    revive = die_after(monkeypatch, cinder.volume_snapshots, 'create')
    with pytest.raises(WorkerDied):
        hook(snapshots.get_protect_operation, checkpoint, volume_id,
             'on_prepare_finish')
    revive()
    hook(snapshots.get_protect_operation, checkpoint, volume_id,
         'on_prepare_finish')
    [snapshot_id] = cinder.volume_snapshots.things
    assert len(cinder.made('Snapshot', 'create')) == 1
    assert saved(checkpoint, volume_id)['snapshot_id'] == snapshot_id


def test_snapshot_restore_run_again_waits_for_the_volume_it_made(
        snapshots, cinder, new_checkpoint, monkeypatch):
    volume_id = cinder.volumes.add()
    checkpoint = new_checkpoint(volume_id)
    protect(snapshots, checkpoint, volume_id)
    cinder.new_volume_script = ('creating',) * 3 + ('available',)
    first = FakeRestore()
    die_after(monkeypatch, cinder.volumes, 'create')
    with pytest.raises(WorkerDied):
        hook(snapshots.get_restore_operation, checkpoint, volume_id,
             'on_main', restore=first, new_resources={})
    again, new_resources = FakeRestore(first.id), {}
    hook(snapshots.get_restore_operation, checkpoint, volume_id, 'on_main',
         restore=again, new_resources=new_resources)
    assert len(cinder.made('Volume', 'create')) == 1
    new_id = new_resources['%s#%s' % (VOLUME, volume_id)]
    assert again.resources_status == {'%s#%s' % (VOLUME, new_id):
                                      'available'}


def test_snapshot_delete_of_a_snapshot_already_gone_succeeds(
        snapshots, cinder, new_checkpoint):
    volume_id = cinder.volumes.add()
    checkpoint = new_checkpoint(volume_id)
    protect(snapshots, checkpoint, volume_id)
    cinder.volume_snapshots.things.clear()
    delete(snapshots, checkpoint, volume_id)
    assert cinder.made('Snapshot', 'delete') == []
    assert section(checkpoint, volume_id).list_objects() == []
    delete(snapshots, checkpoint, volume_id)
