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

"""Checkpoint copies end to end: a temporary providers.d with a provider
whose copy_provider is a second one, each on a file-system bank of its
own, SQLite for the operations, no cloud."""

import os
import shutil
import threading

import pytest

from karbor import context
from karbor.db import api as db
from karbor import exception
from karbor.objects import restore as restore_objects
from karbor.services.protection import manager as protection_manager
from karbor.tests.unit.protection import conftest
from karbor.tests.unit.protection import fakes
from karbor.tests.unit.protection.test_manager import _wait
from karbor.tests.unit.protection.test_manager import make_plan
from karbor.tests.unit.protection.test_manager import NOOP_ID
from karbor.tests.unit.protection.test_manager import protect
from karbor.tests.unit.protection.test_manager import USER
from karbor.tests.unit.protection.test_manager import volume

SOURCE_ID = '5c4a3c1e-7a77-4d6e-9f1e-3e0cbd5b7a01'
COPIES_ID = '9b2f6d0a-1f3e-4c55-8a47-2d5e8c1f4b02'

PROVIDER_FILE = '''[provider]
name = %(name)s
id = %(id)s
plugin = karbor-test-protection-plugin
bank = karbor-fs-bank-plugin
enabled = True
%(more)s
'''


@pytest.fixture
def manager(config, database):
    directory = config.conf.provider_config_dir
    for name, provider_id, more in (
            ('source', SOURCE_ID, 'copy_provider = %s' % COPIES_ID),
            ('copies', COPIES_ID, '')):
        with open(os.path.join(directory, name + '.conf'), 'w') as stream:
            stream.write(PROVIDER_FILE % {'name': name, 'id': provider_id,
                                          'more': more})
    shutil.copy(os.path.join(conftest.SOURCE_PROVIDERS, 'noop.conf'),
                directory)
    manager = protection_manager.ProtectionManager()
    manager.start()
    yield manager
    manager.stop()


def _bank(config, provider_id):
    return os.path.join(config.conf.state_path, 'banks', provider_id)


def copy(manager, plan, final=('available', 'error')):
    """Copy the plan's checkpoints; the copies once they ended."""
    copies = manager.copy(USER, plan, {})
    for item in copies:
        assert item['copy_provider_id'] == COPIES_ID
        _wait(lambda: manager.show_checkpoint(
            USER, COPIES_ID, item['checkpoint_copy_id'])['status'], *final)
    return [(item['checkpoint_protect_id'],
             manager.show_checkpoint(USER, COPIES_ID,
                                     item['checkpoint_copy_id']))
            for item in copies]


def restore(manager, provider_id, checkpoint):
    record = restore_objects.Restore.create(USER, {
        'project_id': USER.project_id, 'user_id': USER.user_id,
        'provider_id': provider_id, 'checkpoint_id': checkpoint['id'],
        'restore_target': None, 'parameters': {}, 'status': 'in_progress'})
    manager.restore(USER, record, None)
    _wait(lambda: restore_objects.Restore.get_by_id(
        USER, record.id).status, 'success', 'fail')
    return restore_objects.Restore.get_by_id(USER, record.id)


def test_a_copy_restores_through_its_provider_once_the_first_bank_is_gone(
        manager, config):
    resources = [volume('Volume1'), volume('Volume2')]
    plan = make_plan(SOURCE_ID, resources)
    source = protect(manager, plan)

    [(source_id, copied)] = copy(manager, plan)

    assert source_id == source['id']
    assert copied['status'] == 'available'
    assert copied['id'] != source['id']
    assert copied['provider_id'] == COPIES_ID
    assert copied['protection_plan'] == source['protection_plan']
    assert copied['resource_graph'] == source['resource_graph']
    assert copied['extra_info'] == {
        'copy_status': 'finished',
        'copied_from': {'provider_id': SOURCE_ID,
                        'checkpoint_id': source['id']}}
    assert set(copied['resources_status'].values()) == {'available'}
    # The source is as it was.
    assert manager.show_checkpoint(USER, SOURCE_ID, source['id']) == source
    assert [c['id'] for c in manager.list_checkpoints(
        USER, COPIES_ID, filters={'plan_id': plan.id})] == [copied['id']]

    shutil.rmtree(_bank(config, SOURCE_ID))
    restored = restore(manager, COPIES_ID, copied)

    assert restored.status == 'success', restored.resources_reason
    with pytest.raises(exception.CheckpointNotFound):
        manager.show_checkpoint(USER, SOURCE_ID, source['id'])


def test_only_checkpoints_not_copied_yet_are_copied(manager):
    plan = make_plan(SOURCE_ID, [volume()])
    first = protect(manager, plan)
    [(copied_first, _copy)] = copy(manager, plan)
    second = protect(manager, plan)

    [(copied_second, _copy)] = copy(manager, plan)

    assert (copied_first, copied_second) == (first['id'], second['id'])
    with pytest.raises(exception.InvalidInput) as raised:
        manager.copy(USER, plan, {})
    assert raised.value.code == 400
    assert 'no available checkpoint' in str(raised.value)


def test_a_plugin_whose_copy_fails_ends_the_copy_in_error_with_why(
        manager):
    good, bad = volume('good-volume'), volume('nocopy-volume')
    plan = make_plan(SOURCE_ID, [good, bad])
    source = protect(manager, plan)

    [(_source_id, copied)] = copy(manager, plan)

    bad_key = '%s#%s' % (fakes.VOLUME, bad['id'])
    assert copied['status'] == 'error'
    assert copied['resources_status'][bad_key] == 'error'
    assert copied['resources_reason'][bad_key] == (
        'the copy bank refuses nocopy-volume')
    assert 'copying' not in copied['resources_status'].values()
    assert manager.show_checkpoint(USER, SOURCE_ID, source['id'])[
        'status'] == 'available'
    # A copy that failed is made again.
    [(again, _copy)] = copy(manager, plan)
    assert again == source['id']


def test_a_checkpoint_being_copied_cannot_be_deleted(manager):
    plan = make_plan(SOURCE_ID, [volume()])
    source = protect(manager, plan)
    manager._accept(USER, protection_manager.COPY, SOURCE_ID, source['id'],
                    arguments={'copy_provider_id': COPIES_ID},
                    copy_id='c0b5e0a4-0000-4000-8000-000000000001')

    with pytest.raises(exception.CheckpointBusy) as raised:
        manager.delete_checkpoint(USER, SOURCE_ID, source['id'])

    assert raised.value.code == 409
    assert ('being copied into checkpoint '
            'c0b5e0a4-0000-4000-8000-000000000001') in str(raised.value)


def test_a_copy_running_refuses_the_delete_of_its_source_and_of_itself(
        manager, monkeypatch):
    plan = make_plan(SOURCE_ID, [volume()])
    source = protect(manager, plan)
    # The worker that claims the copy waits before it runs it.
    release = threading.Event()
    run = manager._runner._run

    def held(row, claim):
        if row.operation_type == protection_manager.COPY:
            release.wait(10)
        return run(row, claim)
    monkeypatch.setattr(manager._runner, '_run', held)
    [item] = manager.copy(USER, plan, {})
    copy_id = item['checkpoint_copy_id']

    assert manager.show_checkpoint(USER, COPIES_ID, copy_id)[
        'status'] == 'wait_copying'
    with pytest.raises(exception.CheckpointBusy) as raised:
        manager.delete_checkpoint(USER, SOURCE_ID, source['id'])
    assert 'being copied into checkpoint %s' % copy_id in str(raised.value)
    with pytest.raises(exception.CheckpointNotBeDeleted):
        manager.delete_checkpoint(USER, COPIES_ID, copy_id)
    # Readers of the source go on meanwhile.
    assert restore(manager, SOURCE_ID, source).status == 'success'

    release.set()
    _wait(lambda: manager.show_checkpoint(USER, COPIES_ID, copy_id)[
        'status'], 'available', 'error')
    assert manager.show_checkpoint(USER, COPIES_ID, copy_id)[
        'status'] == 'available'
    # Once its operation is gone, the source may be deleted.
    _wait(lambda: len(db.operation_get_all(context.get_admin_context())),
          0)
    manager.delete_checkpoint(USER, SOURCE_ID, source['id'])


def test_a_provider_without_copy_provider_refuses_naming_the_option(
        manager):
    plan = make_plan(NOOP_ID, [volume()])
    protect(manager, plan)

    with pytest.raises(exception.InvalidInput) as raised:
        manager.copy(USER, plan, {})

    assert raised.value.code == 400
    assert 'copy_provider' in str(raised.value)
