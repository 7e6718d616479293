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

"""The protection service end to end: a temporary providers.d with the
shipped providers and a test one, file-system banks in a temporary
directory, SQLite for restores, no cloud."""

import datetime
import inspect
import json
import os
import shutil
import threading
import time

from oslo_config import cfg
import oslo_messaging as messaging
from oslo_messaging import conffixture as messaging_fixture
from oslo_utils import timeutils
from oslo_utils import uuidutils
import pytest

from karbor import context
from karbor.db import api as db
from karbor import exception
from karbor.objects import plan as plan_objects
from karbor.objects import restore as restore_objects
from karbor.objects import verification as verification_objects
from karbor import rpc
from karbor.services.protection import bank_plugin
from karbor.services.protection.bank_plugins import file_system_bank_plugin
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection.flows import protect as protect_flow
from karbor.services.protection import manager as protection_manager
from karbor.services.protection import rpcapi
from karbor.tests.unit.protection import conftest
from karbor.tests.unit.protection import fakes

CONF = cfg.CONF

NOOP_ID = 'b766f37c-d011-4026-8228-28730d734a3f'
INFRA_ID = 'cf56bd3e-97a7-4078-b6d5-f36246333fd9'
DATA_ID = '0ab1e4a1-5f3d-4b4e-9a6f-7b7f8a1b2c3d'

USER = context.RequestContext(user_id='user', project_id='project-a',
                              project_name='demo', is_admin=False)
OTHER = context.RequestContext(user_id='other', project_id='project-b',
                               is_admin=False)
ADMIN = context.RequestContext(user_id='admin', project_id='admin-project',
                               is_admin=True)


@pytest.fixture
def providers_dir(config):
    directory = config.conf.provider_config_dir
    for name in os.listdir(conftest.SOURCE_PROVIDERS):
        shutil.copy(os.path.join(conftest.SOURCE_PROVIDERS, name), directory)
    with open(os.path.join(directory, 'data.conf'), 'w') as stream:
        stream.write('[provider]\nname = Data Provider\nid = %s\n'
                     'plugin = karbor-test-protection-plugin\n'
                     'bank = karbor-fs-bank-plugin\nenabled = True\n'
                     % DATA_ID)
    return directory


@pytest.fixture
def manager(providers_dir, database):
    manager = protection_manager.ProtectionManager()
    manager.start()
    yield manager
    manager.stop()


def _bank_files(config, provider_id):
    """The objects in a provider's bank, as files (leaving out the
    plugin's own, whose names start with a dot: leases, locks)."""
    root = os.path.join(config.conf.state_path, 'banks', provider_id)
    return sorted(
        os.path.relpath(os.path.join(directory, name), root)
        for directory, _dirs, names in os.walk(root)
        for name in names
        if '/.' not in os.path.join(directory, name)[len(root):])


def make_plan(provider_id, resources, parameters=None, project_id=None):
    return plan_objects.Plan(
        id=uuidutils.generate_uuid(), name='Plan1', description=None,
        provider_id=provider_id,
        project_id=project_id or USER.project_id, status='suspended',
        resources=resources, parameters=parameters or {})


def volume(name='Volume1', volume_id=None):
    return {'id': volume_id or uuidutils.generate_uuid(),
            'type': fakes.VOLUME, 'name': name}


def _wait(read_status, *final, timeout=10):
    deadline = time.time() + timeout
    while True:
        status = read_status()
        if status in final:
            return status
        assert time.time() < deadline, 'still %s' % status
        time.sleep(0.02)


def protect(manager, plan, ctxt=USER, final=('available', 'error')):
    created = manager.protect(ctxt, plan, {'extra_info': None})
    _wait(lambda: manager.show_checkpoint(
        ctxt, plan.provider_id, created['id'])['status'], *final)
    return manager.show_checkpoint(ctxt, plan.provider_id, created['id'])


def test_protect_answers_at_once_and_the_checkpoint_becomes_available(
        manager):
    resource = volume('Volume1', '286a43e9-3899-4983-965f-d8b1faef5e58')
    plan = make_plan(NOOP_ID, [resource])
    created = manager.protect(USER, plan, {'extra_info': {'by': 'test'}})
    assert created['status'] == 'protecting'
    assert created['resource_graph'] is None
    assert created['project_id'] == 'project-a'
    assert created['protection_plan'] == {
        'id': plan.id, 'name': 'Plan1', 'provider_id': NOOP_ID,
        'resources': [resource]}

    _wait(lambda: manager.show_checkpoint(USER, NOOP_ID,
                                          created['id'])['status'],
          'available', 'error')
    shown = manager.show_checkpoint(USER, NOOP_ID, created['id'])
    assert shown['status'] == 'available'
    assert shown['resource_graph'] == [
        {'0x0': [fakes.VOLUME, '286a43e9-3899-4983-965f-d8b1faef5e58',
                 'Volume1']}, []]
    assert shown['resources_status'] == {
        fakes.VOLUME + '#286a43e9-3899-4983-965f-d8b1faef5e58': 'available'}
    assert shown['extra_info'] == {'by': 'test'}
    assert shown['created_at'].endswith('Z')
    # What karbor-api asks since 1.3: the same, as JSON text.
    assert json.loads(manager.show_checkpoint(
        USER, NOOP_ID, created['id'], as_text=True)) == shown
    assert json.loads(manager.list_checkpoints(
        USER, NOOP_ID, as_text=True)) == manager.list_checkpoints(
            USER, NOOP_ID) == [shown]
    # And for the clients of 1.0, which do not show them, without the
    # resources' statuses.
    without = json.loads(manager.show_checkpoint(
        USER, NOOP_ID, created['id'], with_statuses=False, as_text=True))
    assert without == {name: value for name, value in shown.items()
                       if name not in ('resources_status',
                                       'resources_reason')}
    assert json.loads(manager.list_checkpoints(
        USER, NOOP_ID, with_statuses=False, as_text=True)) == [without]
    # Since 1.4, each field as JSON text of its own, which karbor-api puts
    # into its answers as it is.
    encoded = manager.show_checkpoint(USER, NOOP_ID, created['id'],
                                      as_encoded_fields=True)
    assert all(isinstance(text, str) for text in encoded.values())
    assert {name: json.loads(text)
            for name, text in encoded.items()} == shown
    assert manager.list_checkpoints(
        USER, NOOP_ID, as_encoded_fields=True) == [encoded]
    assert [{name: json.loads(text) for name, text in fields.items()}
            for fields in manager.list_checkpoints(
                USER, NOOP_ID, with_statuses=False,
                as_encoded_fields=True)] == [without]


def test_a_project_plan_is_protected_without_a_cloud(manager):
    plan = make_plan(NOOP_ID, [{'id': 'project-a',
                                'type': fakes.PROJECT, 'name': 'demo'}])
    shown = protect(manager, plan)
    assert shown['status'] == 'available'
    assert shown['resource_graph'] == [
        {'0x0': [fakes.PROJECT, 'project-a', 'demo']}, []]


def test_a_restore_reports_every_resource_and_succeeds(manager):
    resources = [volume('Volume1'), volume('Volume2')]
    checkpoint = protect(manager, make_plan(NOOP_ID, resources))
    restore = restore_objects.Restore.create(USER, {
        'project_id': USER.project_id, 'user_id': USER.user_id,
        'provider_id': NOOP_ID, 'checkpoint_id': checkpoint['id'],
        'restore_target': None, 'parameters': {}, 'status': 'in_progress'})
    assert manager.restore(USER, restore, None) is None
    _wait(lambda: restore_objects.Restore.get_by_id(
        USER, restore.id).status, 'success', 'fail')
    stored = restore_objects.Restore.get_by_id(USER, restore.id)
    assert stored.status == 'success'
    assert stored.resources_status == {
        '%s#%s' % (fakes.VOLUME, resource['id']): 'available'
        for resource in resources}


def verify(manager, checkpoint, ctxt=USER):
    verification = verification_objects.Verification.create(ctxt, {
        'project_id': ctxt.project_id, 'user_id': ctxt.user_id,
        'provider_id': checkpoint['provider_id'],
        'checkpoint_id': checkpoint['id'], 'parameters': {},
        'status': 'in_progress'})
    assert manager.verify(ctxt, verification) is None
    _wait(lambda: verification_objects.Verification.get_by_id(
        ctxt, verification.id).status, 'success', 'fail')
    return verification_objects.Verification.get_by_id(ctxt, verification.id)


def test_a_verification_of_intact_data_succeeds_resource_by_resource(
        manager):
    resources = [volume('Volume1'), volume('Volume2')]
    checkpoint = protect(manager, make_plan(DATA_ID, resources))

    verified = verify(manager, checkpoint)

    assert verified.status == 'success'
    assert verified.resources_status == {
        '%s#%s' % (fakes.VOLUME, resource['id']): 'available'
        for resource in resources}
    assert verified.resources_reason == {}


def test_a_verification_names_the_damaged_resource_and_checks_the_rest(
        manager, config):
    intact, damaged = volume('intact'), volume('damaged')
    checkpoint = protect(manager, make_plan(DATA_ID, [intact, damaged]))
    data_file = os.path.join(
        config.conf.state_path, 'banks', DATA_ID, 'checkpoints',
        checkpoint['id'], '%s#%s' % (fakes.VOLUME, damaged['id']), 'data')
    with open(data_file, 'r+b') as stream:
        stream.write(b'X')

    verified = verify(manager, checkpoint)

    damaged_key = '%s#%s' % (fakes.VOLUME, damaged['id'])
    assert verified.status == 'fail'
    assert verified.resources_status == {
        '%s#%s' % (fakes.VOLUME, intact['id']): 'available',
        damaged_key: 'error'}
    assert verified.resources_reason == {
        damaged_key: 'the data of damaged changed'}
    # The checkpoint itself is left as it was.
    assert manager.show_checkpoint(USER, DATA_ID, checkpoint['id'])[
        'status'] == 'available'


def test_a_checkpoint_being_verified_cannot_be_deleted(manager):
    checkpoint = protect(manager, make_plan(NOOP_ID, [volume()]))
    manager._accept(USER, protection_manager.VERIFY, NOOP_ID,
                    checkpoint['id'], verification_id='v-1')

    with pytest.raises(exception.CheckpointBusy) as raised:
        manager.delete_checkpoint(USER, NOOP_ID, checkpoint['id'])

    assert raised.value.code == 409
    assert 'verification v-1 is reading it' in str(raised.value)


def test_a_deleted_checkpoint_loses_its_data_and_shows_deleted(manager,
                                                               config):
    checkpoint = protect(manager, make_plan(DATA_ID, [volume()]))
    key = checkpoint['protection_plan']['resources'][0]['id']
    data_file = 'checkpoints/%s/%s#%s/data' % (checkpoint['id'],
                                               fakes.VOLUME, key)
    assert data_file in _bank_files(config, DATA_ID)

    # The first delete of a checkpoint says so (its quota is given back).
    assert manager.delete_checkpoint(USER, DATA_ID, checkpoint['id']) is True
    _wait(lambda: manager.show_checkpoint(USER, DATA_ID,
                                          checkpoint['id'])['status'],
          'deleted', 'error-deleting')
    shown = manager.show_checkpoint(USER, DATA_ID, checkpoint['id'])
    assert shown['status'] == 'deleted'
    assert manager.delete_checkpoint(USER, DATA_ID, checkpoint['id']) is False
    # Only the record stays; its unfinished marker goes just after the
    # status is written.
    _wait(lambda: _bank_files(config, DATA_ID),
          ['checkpoints/%s/index.json' % checkpoint['id']], timeout=2)
    assert manager.list_checkpoints(USER, DATA_ID) == []


def test_a_plugin_that_fails_leaves_the_checkpoint_in_error_with_why(
        manager):
    good, bad = volume('good-volume'), volume('fail-volume')
    shown = protect(manager, make_plan(DATA_ID, [good, bad]))
    assert shown['status'] == 'error'
    bad_key = '%s#%s' % (fakes.VOLUME, bad['id'])
    assert shown['resources_status'][bad_key] == 'error'
    assert shown['resources_reason'][bad_key] == (
        'disk full while copying fail-volume')
    assert 'protecting' not in shown['resources_status'].values()


@pytest.mark.parametrize('provider_id, resource_type', [
    (NOOP_ID, 'OS::Foo::Bar'),
    (INFRA_ID, 'OS::Neutron::Network'),
])
def test_a_plan_with_an_unprotectable_type_is_refused_before_any_write(
        manager, config, provider_id, resource_type):
    plan = make_plan(provider_id, [{'id': 'x1', 'type': resource_type,
                                    'name': 'x'}])
    with pytest.raises(exception.PlanUsesUnknownResourceType) as raised:
        manager.protect(USER, plan, {'extra_info': None})
    assert raised.value.code == 400
    assert _bank_files(config, provider_id) == []


def test_plan_parameters_that_break_the_schema_are_refused(manager,
                                                           config):
    plan = make_plan(DATA_ID, [volume()],
                     parameters={fakes.VOLUME: {'backup_mode': 'never'}})
    with pytest.raises(exception.InvalidPlan) as raised:
        manager.protect(USER, plan, {'extra_info': None})
    assert raised.value.code == 400
    assert fakes.VOLUME in str(raised.value)
    assert _bank_files(config, DATA_ID) == []


def test_an_unknown_provider_is_not_found(manager):
    unknown = uuidutils.generate_uuid()
    with pytest.raises(exception.ProviderNotFound):
        manager.protect(USER, make_plan(unknown, [volume()]), {})
    with pytest.raises(exception.ProviderNotFound):
        manager.list_checkpoints(USER, unknown)
    with pytest.raises(exception.ProviderNotFound):
        manager.show_provider(USER, unknown)


def test_another_projects_checkpoint_is_hidden_but_not_from_admin(manager):
    checkpoint = protect(manager, make_plan(NOOP_ID, [volume()]))
    for call in (manager.show_checkpoint, manager.delete_checkpoint):
        with pytest.raises(exception.CheckpointNotFound) as raised:
            call(OTHER, NOOP_ID, checkpoint['id'])
        assert raised.value.code == 404
    with pytest.raises(exception.CheckpointNotFound):
        manager.reset_state(OTHER, NOOP_ID, checkpoint['id'], 'error')
    assert manager.list_checkpoints(OTHER, NOOP_ID) == []
    # A non-admin asking for another project still sees only its own.
    assert manager.list_checkpoints(
        OTHER, NOOP_ID, filters={'project_id': 'project-a'},
        all_projects=True) == []
    assert manager.show_checkpoint(ADMIN, NOOP_ID,
                                   checkpoint['id'])['id'] == checkpoint['id']
    assert manager.list_checkpoints(ADMIN, NOOP_ID) == []
    assert [c['id'] for c in manager.list_checkpoints(
        ADMIN, NOOP_ID, all_projects=True)] == [checkpoint['id']]
    assert [c['id'] for c in manager.list_checkpoints(
        ADMIN, NOOP_ID, filters={'project_id': 'project-a'})] == [
        checkpoint['id']]


def test_checkpoints_list_newest_first_by_plan_and_by_page(manager):
    plan = make_plan(NOOP_ID, [volume()])
    first = protect(manager, plan)
    second = protect(manager, plan)
    other_plan = protect(manager, make_plan(NOOP_ID, [volume()]))
    ids = [c['id'] for c in manager.list_checkpoints(USER, NOOP_ID)]
    assert ids == [other_plan['id'], second['id'], first['id']]
    assert [c['id'] for c in manager.list_checkpoints(
        USER, NOOP_ID, filters={'plan_id': plan.id}, sort_dir='asc')] == [
        first['id'], second['id']]
    assert [c['id'] for c in manager.list_checkpoints(
        USER, NOOP_ID, marker=ids[0], limit=1)] == [second['id']]
    today = first['created_at'][:10]
    assert len(manager.list_checkpoints(
        USER, NOOP_ID, filters={'start_date': today, 'end_date': today})) == 3
    assert manager.list_checkpoints(
        USER, NOOP_ID, filters={'end_date': '2000-01-01'}) == []
    with pytest.raises(exception.CheckpointNotFound):
        manager.list_checkpoints(USER, NOOP_ID,
                                 marker=uuidutils.generate_uuid())


@pytest.mark.parametrize('arguments', [
    {'filters': {'start_date': '25/11/2026'}},
    {'filters': {'status': 'available'}},
    {'filters': {'plan_id': '../../etc'}},
    {'sort_dir': 'sideways'},
    {'limit': -1},
    {'limit': 'ten'},
])
def test_bad_listing_requests_are_invalid(manager, arguments):
    with pytest.raises(exception.Invalid) as raised:
        manager.list_checkpoints(USER, NOOP_ID, **arguments)
    assert raised.value.code == 400


def _stuck_checkpoint(manager, provider_id=NOOP_ID):
    """A checkpoint left "protecting", as while its flow runs."""
    provider = manager._providers.show_provider(provider_id)
    return provider.checkpoints.create(make_plan(provider_id, [volume()]))


def test_a_delete_taken_up_again_after_one_failed_says_it_is_not_the_first(
        manager, database):
    checkpoint = _stuck_checkpoint(manager)
    checkpoint.start_deleting()
    checkpoint.fail('the bank refused')
    assert checkpoint.status == 'error-deleting'
    assert manager.delete_checkpoint(USER, NOOP_ID, checkpoint.id) is False
    _wait(lambda: manager.show_checkpoint(USER, NOOP_ID,
                                          checkpoint.id)['status'],
          'deleted', 'error-deleting')


def test_a_checkpoint_being_protected_can_be_neither_deleted_nor_restored(
        manager, database):
    checkpoint = _stuck_checkpoint(manager)
    with pytest.raises(exception.CheckpointNotBeDeleted) as raised:
        manager.delete_checkpoint(USER, NOOP_ID, checkpoint.id)
    assert raised.value.code == 409
    restore = restore_objects.Restore.create(USER, {
        'project_id': USER.project_id, 'provider_id': NOOP_ID,
        'checkpoint_id': checkpoint.id, 'parameters': {},
        'status': 'in_progress'})
    with pytest.raises(exception.CheckpointNotAvailable) as raised:
        manager.restore(USER, restore, None)
    assert raised.value.code == 409


def test_reset_state_sets_available_or_error_only(manager):
    checkpoint = _stuck_checkpoint(manager)
    checkpoint.fail('stopped')
    with pytest.raises(exception.Invalid):
        manager.reset_state(ADMIN, NOOP_ID, checkpoint.id, 'deleted')
    manager.reset_state(ADMIN, NOOP_ID, checkpoint.id, 'available')
    assert manager.show_checkpoint(USER, NOOP_ID,
                                   checkpoint.id)['status'] == 'available'
    manager.reset_state(ADMIN, NOOP_ID, checkpoint.id, 'error')
    assert manager.show_checkpoint(USER, NOOP_ID,
                                   checkpoint.id)['status'] == 'error'


def test_a_checkpoint_being_protected_cannot_be_reset(manager):
    checkpoint = _stuck_checkpoint(manager)
    with pytest.raises(exception.CheckpointBusy) as raised:
        manager.reset_state(ADMIN, NOOP_ID, checkpoint.id, 'available')
    assert raised.value.code == 409
    assert 'it is protecting' in str(raised.value)
    assert manager.show_checkpoint(USER, NOOP_ID,
                                   checkpoint.id)['status'] == 'protecting'


def test_providers_are_listed_by_name_and_shown_with_their_schemas(manager):
    names = [p['name'] for p in manager.list_providers(USER)]
    assert names == ['Data Provider', 'No-Op Provider', 'OS Infra Provider']
    assert [p['id'] for p in manager.list_providers(
        USER, marker=DATA_ID, limit=1)] == [NOOP_ID]
    assert [p['name'] for p in manager.list_providers(
        USER, sort_dir='desc', filters={'name': 'No-Op Provider'})] == [
        'No-Op Provider']
    noop = manager.show_provider(USER, NOOP_ID)
    assert noop['description'] == (
        'This provider does nothing for each protect and restore '
        'operation. Used for testing')
    assert sorted(noop['extended_info_schema']['options_schema']) == [
        fakes.VOLUME, 'OS::Glance::Image', fakes.PROJECT, fakes.SERVER]
    with pytest.raises(exception.ProviderNotFound):
        manager.list_providers(USER, marker=uuidutils.generate_uuid())


def test_protectables_answer_without_a_cloud(manager):
    assert manager.list_protectable_types(USER) == [
        fakes.VOLUME, 'OS::Glance::Image', fakes.PROJECT, fakes.SERVER]
    assert manager.show_protectable_type(USER, fakes.SERVER) == {
        'name': fakes.SERVER,
        'dependent_types': [fakes.VOLUME, 'OS::Glance::Image']}
    own = {'id': 'project-a', 'type': fakes.PROJECT, 'name': 'demo',
           'dependent_resources': []}
    assert manager.show_protectable_instance(USER, fakes.PROJECT,
                                             'project-a') == own
    assert manager.list_protectable_instances(USER, fakes.PROJECT) == [own]
    assert manager.list_protectable_instances(
        USER, fakes.PROJECT, filters={'name': 'nope'}) == []
    with pytest.raises(exception.ServiceUnavailable):
        manager.list_protectable_instances(USER, fakes.VOLUME)
    with pytest.raises(exception.ProtectableTypeNotFound):
        manager.show_protectable_type(USER, 'OS::Heat::Stack')


def test_start_fails_what_a_stopped_worker_left_protecting(providers_dir,
                                                           database,
                                                           tmp_path):
    # A worker that died: its lease was never renewed and is gone.
    stopped = bank_plugin.Bank(file_system_bank_plugin.FileSystemBankPlugin(
        fakes.provider_config(
            str(tmp_path), '[provider]\nname = x\nid = %s\nbank = b\n'
            % NOOP_ID)))
    stopped.plugin.acquire_lease()
    zombie = checkpoints.CheckpointCollection(stopped, NOOP_ID).create(
        make_plan(NOOP_ID, [volume()]))
    stopped.plugin.release_lease()

    manager = protection_manager.ProtectionManager()
    manager.start()
    try:
        shown = manager.show_checkpoint(USER, NOOP_ID, zombie.id)
    finally:
        manager.stop()
    assert shown['status'] == 'error'
    assert list(shown['resources_reason'].values()) == [
        'not finished: the karbor-protection that ran it stopped']


def _in_progress(create, minutes_ago):
    """The id of a new restore or verification (``create``), running for
    ``minutes_ago`` minutes."""
    return create(ADMIN, {
        'project_id': USER.project_id, 'provider_id': NOOP_ID,
        'checkpoint_id': uuidutils.generate_uuid(), 'parameters': {},
        'status': 'in_progress',
        'created_at': timeutils.utcnow() - datetime.timedelta(
            minutes=minutes_ago)}).id


def test_the_sweep_fails_restores_and_verifications_nothing_runs(manager):
    # Left by a worker that died before it recorded their operations.
    orphaned_restore = _in_progress(db.restore_create, 10)
    orphaned_verification = _in_progress(db.verification_create, 10)
    # Its worker is recording its operation now.
    new_restore = _in_progress(db.restore_create, 0)
    # An operation runs it: a worker will finish it or take it over.
    running_restore = _in_progress(db.restore_create, 10)
    db.operation_create(ADMIN, {
        'operation_type': 'restore', 'project_id': USER.project_id,
        'provider_id': NOOP_ID, 'checkpoint_id': uuidutils.generate_uuid(),
        'restore_id': running_restore, 'request_context': {},
        'arguments': {}}, 'another worker')

    manager._sweep()

    assert db.restore_get(ADMIN, orphaned_restore).status == 'fail'
    assert db.verification_get(ADMIN, orphaned_verification).status == (
        'fail')
    assert db.restore_get(ADMIN, new_restore).status == 'in_progress'
    assert db.restore_get(ADMIN, running_restore).status == 'in_progress'


def test_every_rpc_call_has_its_endpoint_with_the_same_arguments():
    def public(cls):
        return {name: inspect.signature(member)
                for name, member in inspect.getmembers(cls,
                                                       inspect.isfunction)
                if not name.startswith('_')}

    calls = public(rpcapi.ProtectionAPI)
    endpoints = public(protection_manager.ProtectionManager)
    for name, signature in calls.items():
        assert name in endpoints, name
        arguments = list(endpoints[name].parameters.values())
        assert [argument.name for argument in arguments[
            :len(signature.parameters)]] == list(signature.parameters), name
        # What a newer call adds has a default, for the older calls.
        assert all(argument.default is not inspect.Parameter.empty
                   for argument in arguments[len(signature.parameters):]
                   ), name


@pytest.fixture
def rpc_server(config, manager):
    messaging_config = messaging_fixture.ConfFixture(CONF, 'inproc:/')
    messaging_config.setUp()
    rpc.init(CONF)
    server = rpc.get_server(
        messaging.Target(topic=CONF.protection_topic, server=CONF.host),
        [manager])
    server.start()
    yield rpcapi.ProtectionAPI()
    server.stop()
    server.wait()
    rpc.cleanup()
    messaging_config.cleanUp()


def test_answers_and_errors_cross_rpc_as_karbor_types(rpc_server):
    provider = rpc_server.show_provider(USER, NOOP_ID)
    assert provider['name'] == 'No-Op Provider'
    with pytest.raises(exception.ProviderNotFound):
        rpc_server.show_provider(USER, uuidutils.generate_uuid())
    plan = make_plan(NOOP_ID, [{'id': 'x', 'type': 'OS::Foo::Bar',
                                'name': 'x'}])
    with pytest.raises(exception.PlanUsesUnknownResourceType):
        rpc_server.protect(USER, plan, {'extra_info': None})
    created = rpc_server.protect(USER, make_plan(NOOP_ID, [volume()]),
                                 {'extra_info': None})
    assert created['status'] == 'protecting'


@pytest.mark.parametrize('timeout, finishes', [(10, True), (0, False)])
def test_stop_waits_a_bounded_time_for_running_operations(
        providers_dir, database, config, monkeypatch, timeout, finishes):
    started, finished = threading.Event(), threading.Event()

    def slow_protect(*args):
        started.set()
        time.sleep(0.3)
        finished.set()

    monkeypatch.setattr(protect_flow, 'run', slow_protect)
    manager = protection_manager.ProtectionManager()
    manager.start()
    manager.protect(USER, make_plan(NOOP_ID, [volume()]), {})
    assert started.wait(10)
    manager.stop(timeout=timeout)
    assert finished.is_set() == finishes
