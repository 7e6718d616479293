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

"""What the protection plugins share: the error translation, the waiter,
the keys; and the No-Op and project plugins run twice."""

from cinderclient import exceptions as cinder_exceptions
from glanceclient import exc as glance_exceptions
from keystoneauth1 import exceptions as ks_exceptions
from novaclient import exceptions as nova_exceptions
from oslo_utils import uuidutils
import pytest
import requests

from karbor import exception
from karbor.objects import plan as plan_objects
from karbor.services.protection import bank_plugin
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection import graph
from karbor.services.protection.protectable_plugin import Resource
from karbor.services.protection import protection_plugins as plugins
from karbor.services.protection.protection_plugins import errors
from karbor.services.protection.protection_plugins import noop_protection_plugin as noop
from karbor.services.protection.protection_plugins import project_protection_plugin as project
from karbor.services.protection.protection_plugins import waiting
from karbor.tests.unit.protection import fakes

SERVICE = 'Image service (glance)'


def _translated(error, **kwargs):
    with pytest.raises(exception.KarborException) as raised:
        with errors.answers(SERVICE, 'reading image i1', **kwargs):
            raise error
    return raised.value


@pytest.mark.parametrize('error,reason', [
    (glance_exceptions.HTTPInternalServerError('database gone'),
     'database gone (HTTP 500)'),
    (cinder_exceptions.BadRequest(400, 'Invalid backup'),
     'Invalid backup (HTTP 400)'),
    (nova_exceptions.Conflict(409, 'Instance busy'),
     'Instance busy (HTTP 409)'),
])
def test_an_answer_names_the_service_the_work_and_the_status_code(
        error, reason):
    translated = _translated(error)
    assert isinstance(translated, errors.PluginError)
    assert str(translated) == ('reading image i1: Image service (glance) '
                               'answered: %s' % reason)


def test_a_service_out_of_reach_or_silent_is_unavailable():
    translated = _translated(ks_exceptions.ConnectTimeout(
        'Request to http://glance:9292/v2/images timed out'))
    assert isinstance(translated, exception.ServiceUnavailable)
    assert str(translated) == (
        'Image service (glance) is not available: Request to '
        'http://glance:9292/v2/images timed out')
    assert isinstance(_translated(glance_exceptions.CommunicationError(
        'refused')), exception.ServiceUnavailable)


def test_a_404_says_what_is_gone_when_asked_and_streams_say_they_broke():
    assert str(_translated(glance_exceptions.HTTPNotFound('no image'),
                           not_found='image i1 no longer exists')) == (
        'image i1 no longer exists')
    assert str(_translated(requests.ConnectionError('reset by peer'))) == (
        'reading image i1: the connection to Image service (glance) '
        'failed: reset by peer')


def test_karbor_errors_pass_through_and_others_are_not_touched():
    inner = errors.PluginError(reason='the innermost says what')
    assert _translated(inner) is inner
    with pytest.raises(KeyError):
        with errors.answers(SERVICE, 'x'):
            raise KeyError('a bug')


def test_only_failures_on_the_way_are_transient():
    assert errors.is_transient(ks_exceptions.ConnectFailure('refused'))
    assert errors.is_transient(glance_exceptions.HTTPServiceUnavailable())
    assert errors.is_transient(cinder_exceptions.ClientException(502, 'x'))
    assert not errors.is_transient(
        glance_exceptions.HTTPInternalServerError())
    assert not errors.is_transient(nova_exceptions.NotFound(404))


def test_a_wait_whose_last_poll_failed_at_its_timeout_raises_that_failure(
        monkeypatch):
    now = [0.0]
    monkeypatch.setattr(waiting, '_clock', lambda: now[0])
    monkeypatch.setattr(waiting, '_sleep',
                        lambda seconds: now.__setitem__(0, now[0] + seconds))

    def down():
        raise ks_exceptions.ConnectFailure('refused')

    with pytest.raises(ks_exceptions.ConnectFailure):
        waiting.wait_for(down, bool, 'x', 0.5, waiting.Polling(0.2, 2.0),
                         errors.is_transient)
    assert now[0] == pytest.approx(0.5)


def test_the_key_of_a_resource_is_the_graphs():
    resource = Resource('OS::Nova::Server', 's1', 'web')
    assert plugins.resource_key('OS::Nova::Server', 's1') == (
        graph.resource_key(resource)) == 'OS::Nova::Server#s1'


def test_a_key_splits_into_the_type_and_the_id_it_was_made_of():
    # An id may hold the separator; a type alone names every resource of
    # the type in a plan's parameters.
    key = plugins.resource_key('OS::Glance::Image', 'a#b')
    assert graph.split_key(key) == ('OS::Glance::Image', 'a#b')
    assert graph.split_key('OS::Glance::Image') == ('OS::Glance::Image', '')


# No-Op and project plugins: hooks run again give the same result.

class _Restore(object):
    def __init__(self):
        self.id = uuidutils.generate_uuid()
        self.statuses = {}

    def update_resource_status(self, resource_type, resource_id, status,
                               reason=None):
        self.statuses[plugins.resource_key(resource_type,
                                           resource_id)] = status


@pytest.fixture
def checkpoint(config, tmp_path):
    bank_plugin_ = fakes.fs_bank_plugin(str(tmp_path))
    bank_plugin_.acquire_lease()
    provider_id = uuidutils.generate_uuid()
    plan = plan_objects.Plan(
        id=uuidutils.generate_uuid(), name='Plan', description=None,
        provider_id=provider_id, project_id='p1', status='suspended',
        parameters={}, resources=[{'id': 'p1', 'type': project.RESOURCE_TYPE,
                                   'name': 'demo'}])
    yield checkpoints.CheckpointCollection(
        bank_plugin.Bank(bank_plugin_), provider_id).create(plan)
    bank_plugin_.release_lease()


def _run_twice(get_operation, checkpoint, resource, **kwargs):
    for _run in range(2):
        operation = get_operation(resource)
        for hook in ('on_prepare_begin', 'on_prepare_finish', 'on_main',
                     'on_complete'):
            getattr(operation, hook)(checkpoint, resource, None, {},
                                     **kwargs)


def test_the_project_plugin_run_twice_records_and_restores_once(checkpoint):
    plugin = project.ProjectProtectionPlugin()
    resource = Resource(project.RESOURCE_TYPE, 'p1', 'demo')
    _run_twice(plugin.get_protect_operation, checkpoint, resource)
    section = plugins.resource_section(checkpoint, resource)
    assert section.list_objects() == ['metadata']
    assert plugin.get_saved_info(section, resource) == {'id': 'p1',
                                                        'name': 'demo'}
    restore = _Restore()
    _run_twice(plugin.get_restore_operation, checkpoint, resource,
               restore=restore, new_resources={})
    assert restore.statuses == {'OS::Keystone::Project#p1': 'available'}
    _run_twice(plugin.get_delete_operation, checkpoint, resource)


def test_the_noop_plugin_run_twice_reports_the_resource_once(checkpoint):
    plugin = noop.NoopProtectionPlugin()
    resource = Resource('OS::Cinder::Volume', 'v1', 'data')
    _run_twice(plugin.get_protect_operation, checkpoint, resource)
    restore = _Restore()
    _run_twice(plugin.get_restore_operation, checkpoint, resource,
               restore=restore, new_resources={})
    assert restore.statuses == {'OS::Cinder::Volume#v1': 'available'}
    _run_twice(plugin.get_delete_operation, checkpoint, resource)
