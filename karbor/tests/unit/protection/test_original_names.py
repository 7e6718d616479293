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

"""The names plugins written for the original Karbor import resolve, and
behave as those plugins expect (the functional test original_plugin/ runs
a whole plugin package written to them)."""

from keystoneauth1 import session as ks_session
import pytest

from karbor.common import constants
from karbor import context
from karbor import exception
from karbor import i18n
from karbor import resource
from karbor.services.protection import bank_plugin
from karbor.services.protection import client_factory
from karbor.services.protection.clients import session
from karbor.services.protection import graph
from karbor.services.protection import protectable_plugin
from karbor.services.protection import protection_plugin
from karbor.services.protection.protection_plugins import utils
from karbor.services.protection.protection_plugins import waiting

CATALOG = [
    {'type': 'volumev3', 'name': 'cinderv3', 'endpoints': [
        {'interface': 'public', 'url': 'http://cinder:8776/v3/project-a'}]},
    {'type': 'image', 'name': 'glance', 'endpoints': [
        {'interface': 'public', 'url': 'http://glance:9292'}]},
    {'type': 'compute', 'name': 'nova', 'endpoints': [
        {'interface': 'public', 'url': 'http://nova:8774/v2.1'}]},
    {'type': 'identity', 'name': 'keystone', 'endpoints': [
        {'interface': 'public', 'url': 'http://keystone:5000/v3'}]},
]


def _context():
    return context.RequestContext(user_id='user', project_id='project-a',
                                  auth_token='token-1',
                                  service_catalog=CATALOG)


def test_the_originals_resource_is_the_protectables_resource():
    thing = resource.Resource(type='OS::Test::Thing', id='t1', name='one')
    assert resource.Resource is protectable_plugin.Resource
    assert (thing.type, thing.id, thing.name, thing.extra_info) == (
        'OS::Test::Thing', 't1', 'one', None)
    assert thing.to_dict() == {'type': 'OS::Test::Thing', 'id': 't1',
                               'name': 'one', 'extra_info': None}
    assert graph.resource_key(thing) == 'OS::Test::Thing#t1'
    with pytest.raises(AttributeError):
        thing.id = 't2'


# The values the original Karbor gave these names.
ORIGINAL_CONSTANTS = {
    'OPERATION_PROTECT': 'protect', 'OPERATION_RESTORE': 'restore',
    'OPERATION_DELETE': 'delete', 'OPERATION_VERIFY': 'verify',
    'OPERATION_COPY': 'copy', 'PLUGIN_BANK': 'bank',
    'PROJECT_RESOURCE_TYPE': 'OS::Keystone::Project',
    'SERVER_RESOURCE_TYPE': 'OS::Nova::Server',
    'VOLUME_RESOURCE_TYPE': 'OS::Cinder::Volume',
    'IMAGE_RESOURCE_TYPE': 'OS::Glance::Image',
    'SHARE_RESOURCE_TYPE': 'OS::Manila::Share',
    'NETWORK_RESOURCE_TYPE': 'OS::Neutron::Network',
    'DATABASE_RESOURCE_TYPE': 'OS::Trove::Instance',
    'POD_RESOURCE_TYPE': 'OS::Kubernetes::Pod',
    'PORT_RESOURCE_TYPE': 'OS::Neutron::Port',
    'PLAN_STATUS_SUSPENDED': 'suspended', 'PLAN_STATUS_STARTED': 'started',
    'CHECKPOINT_STATUS_ERROR': 'error',
    'CHECKPOINT_STATUS_PROTECTING': 'protecting',
    'CHECKPOINT_STATUS_AVAILABLE': 'available',
    'CHECKPOINT_STATUS_DELETING': 'deleting',
    'CHECKPOINT_STATUS_DELETED': 'deleted',
    'CHECKPOINT_STATUS_ERROR_DELETING': 'error-deleting',
    'CHECKPOINT_STATUS_COPY_FINISHED': 'finished',
    'RESOURCE_STATUS_ERROR': 'error',
    'RESOURCE_STATUS_PROTECTING': 'protecting',
    'RESOURCE_STATUS_STARTED': 'started',
    'RESOURCE_STATUS_AVAILABLE': 'available',
    'RESOURCE_STATUS_DELETING': 'deleting',
    'RESOURCE_STATUS_DELETED': 'deleted',
    'RESOURCE_STATUS_RESTORING': 'restoring',
    'RESOURCE_STATUS_UNDEFINED': 'undefined',
    'RESTORE_STATUS_SUCCESS': 'success', 'RESTORE_STATUS_FAILURE': 'fail',
    'RESTORE_STATUS_IN_PROGRESS': 'in_progress',
    'VERIFICATION_STATUS_SUCCESS': 'success',
    'VERIFICATION_STATUS_FAILURE': 'fail',
    'VERIFICATION_STATUS_IN_PROGRESS': 'in_progress',
}


@pytest.mark.parametrize('name', sorted(ORIGINAL_CONSTANTS))
def test_constants_keep_the_originals_values(name):
    assert getattr(constants, name) == ORIGINAL_CONSTANTS[name]


def test_the_constants_groups_hold_their_members():
    assert constants.VOLUME_RESOURCE_TYPE in constants.RESOURCE_TYPES
    assert constants.PORT_RESOURCE_TYPE in constants.NETWORK_RESOURCE_TYPES
    assert constants.OPERATION_COPY in constants.OPERATION_TYPES


def test_the_originals_exceptions_read_well_with_its_keywords():
    kinds = {
        exception.CreateResourceFailed: 'creating',
        exception.DeleteResourceFailed: 'deleting',
        exception.RestoreResourceFailed: 'restoring',
        exception.VerifyResourceFailed: 'verifying',
    }
    for kind, doing in kinds.items():
        error = kind(name='Thing Backup', reason='disk full',
                     resource_id='t1', resource_type='OS::Test::Thing')
        assert isinstance(error, exception.ProtectionPluginError)
        assert str(error) == ('OS::Test::Thing t1: %s Thing Backup failed: '
                              'disk full' % doing)

    not_found = exception.ProtectableResourceNotFound(
        id='t1', type='OS::Test::Thing', reason='gone')
    assert not_found.code == 404
    assert str(not_found) == 'OS::Test::Thing t1 could not be found: gone'
    failed_list = exception.ListProtectableResourceFailed(
        type='OS::Test::Thing', reason='refused')
    assert isinstance(failed_list, exception.ProtectableListNotSupported)
    assert str(failed_list) == 'Cannot list OS::Test::Thing instances: refused'
    invalid = exception.ProtectableResourceInvalidStatus(
        id='t1', type='OS::Test::Thing', status='error')
    assert invalid.code == 409 and 'is error' in str(invalid)
    assert str(exception.InvalidParameterValue(err='bad key')) == 'bad key'


@pytest.mark.parametrize('kind', [
    exception.BankCreateObjectFailed, exception.BankUpdateObjectFailed,
    exception.BankGetObjectFailed, exception.BankDeleteObjectFailed,
    exception.BankListObjectsFailed, exception.AcquireLeaseFailed,
    exception.CreateContainerFailed])
def test_the_originals_bank_errors_are_bank_errors(kind):
    error = kind(key='/checkpoints/c1/index.json', reason='disk full')
    assert isinstance(error, exception.BankError)
    assert 'disk full' in str(error) and '%(' not in str(error)


def test_the_translation_function_is_karbors():
    assert i18n._('a message') == 'a message'


# Where each client library keeps its keystoneauth1 adapter.
ADAPTERS = {
    'cinder': lambda client: client.client,
    'glance': lambda client: client.http_client,
    'nova': lambda client: client.client,
    'keystone': lambda client: client._adapter,
}


@pytest.mark.parametrize('service, url', [
    ('cinder', 'http://cinder:8776/v3/project-a'),
    ('glance', 'http://glance:9292'),
    ('nova', 'http://nova:8774/v2.1'),
    ('keystone', 'http://keystone:5000/v3')])
def test_the_client_factory_builds_karbors_clients(config, service, url):
    client = client_factory.ClientFactory.create_client(service, _context())
    adapter = ADAPTERS[service](client)
    assert isinstance(adapter.session, ks_session.Session)
    assert adapter.session.timeout == session.DEFAULT_TIMEOUT
    assert isinstance(adapter.session.auth, session.RequestContextAuth)
    assert adapter.session.get_auth_headers() == {'X-Auth-Token': 'token-1'}
    assert adapter.endpoint_override == url


def test_the_client_factory_passes_options_and_the_original_arguments(
        config):
    cinder = client_factory.ClientFactory.create_client(
        'cinder', _context(), conf=config, api_version='3.0')
    assert cinder.api_version.get_string() == '3.0'
    with pytest.raises(exception.KarborException, match='privileged_user'):
        client_factory.ClientFactory.create_client('cinder', _context(),
                                                   privileged_user=True)


def test_a_plugin_registers_the_client_of_another_service(
        config, monkeypatch):
    factory = client_factory.ClientFactory
    with pytest.raises(exception.ServiceUnavailable, match='register_client'):
        factory.create_client('manila', _context())
    monkeypatch.setitem(factory._creators, 'manila', None)
    made = []
    factory.register_client(
        'manila', lambda ctxt, **kwargs: made.append((ctxt, kwargs)) or 'c')
    ctxt = _context()
    assert factory.create_client('manila', ctxt, version='2') == 'c'
    assert made == [(ctxt, {'version': '2'})]


class _OriginalOperation(protection_plugin.Operation):
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        kwargs['new_resources'][resource.id] = 'new-' + resource.id


class _OriginalProtectionPlugin(protection_plugin.ProtectionPlugin):
    """The whole interface of the original's plugin guide."""

    def get_protect_operation(self, resource):
        return _OriginalOperation()

    get_restore_operation = get_verify_operation = get_copy_operation = (
        get_delete_operation) = get_protect_operation

    @classmethod
    def get_supported_resources_types(cls):
        return ['OS::Test::Thing']

    @classmethod
    def get_options_schema(cls, resource_type):
        return {}

    get_saved_info_schema = get_restore_schema = get_verify_schema = (
        get_options_schema)

    @classmethod
    def get_saved_info(cls, metadata_store, resource):
        return None


def test_an_original_protection_plugin_is_built_with_its_config():
    plugin = _OriginalProtectionPlugin('provider config')
    assert plugin._config == 'provider config'
    operation = plugin.get_restore_operation(None)
    thing = resource.Resource('OS::Test::Thing', 't1', 'one')
    new_resources = {}
    for hook in ('on_prepare_begin', 'on_prepare_finish', 'on_main',
                 'on_complete'):
        getattr(operation, hook)(None, thing, None, {},
                                 new_resources=new_resources)
    assert new_resources == {'t1': 'new-t1'}


class _OriginalProtectable(protectable_plugin.ProtectablePlugin):
    """Written as the original's contract allowed: plain methods, and its
    own constructor calling the base's with its arguments."""

    def __init__(self, context=None, conf=None):
        super().__init__(context, conf)

    def get_resource_type(self):
        return 'OS::Test::Thing'

    def get_parent_resource_types(self):
        return []

    def list_resources(self, context, parameters=None):
        return []

    def show_resource(self, context, resource_id, parameters=None):
        raise exception.ProtectableResourceNotFound(
            id=resource_id, type=self.get_resource_type(), reason='none')

    def get_dependent_resources(self, context, parent_resource):
        return []


def test_an_original_protectable_plugin_builds_and_gives_instances(config):
    plugin = _OriginalProtectable()
    ctxt = _context()
    for_context = plugin.instance(ctxt, 'conf')
    assert type(for_context) is _OriginalProtectable
    assert (for_context._context, for_context._conf) == (ctxt, 'conf')
    with pytest.raises(exception.NotFound, match='OS::Test::Thing t9'):
        plugin.show_resource(ctxt, 't9')


class _OriginalBankPlugin(bank_plugin.BankPlugin, bank_plugin.LeasePlugin):
    """The original's bank contract: no end marker, and a missing object
    is a failed read or delete."""

    def __init__(self, config=None):
        super().__init__(config)
        self.objects = {}

    def update_object(self, key, value, context=None):
        self.objects[key] = value

    def get_object(self, key, context=None):
        try:
            return self.objects[key]
        except KeyError:
            raise exception.BankGetObjectFailed(key=key, reason='no file')

    def list_objects(self, prefix=None, limit=None, marker=None,
                     sort_dir=None, context=None):
        keys = sorted((key for key in self.objects
                       if key.startswith(prefix or '')),
                      reverse=sort_dir == 'desc')
        if marker is not None:
            keys = [key for key in keys
                    if (key < marker if sort_dir == 'desc' else key > marker)]
        return keys[:limit]

    def delete_object(self, key, context=None):
        if self.objects.pop(key, None) is None:
            raise exception.BankDeleteObjectFailed(key=key, reason='no file')

    def get_owner_id(self, context=None):
        return 'owner'

    def acquire_lease(self):
        pass

    def renew_lease(self):
        pass

    def check_lease_validity(self):
        return True


def test_an_original_bank_plugin_serves_karbors_bank():
    plugin = _OriginalBankPlugin()
    bank = bank_plugin.Bank(plugin)
    for name in 'abcde':
        bank.update_object('/indices/%s' % name, {'id': name})
    assert bank.list_objects(prefix='/indices/', marker='/indices/a',
                             end_marker='/indices/d') == [
        '/indices/b', '/indices/c']
    assert bank.list_objects(prefix='/indices/', sort_dir='desc',
                             marker='/indices/e', end_marker='/indices/a',
                             limit=2) == ['/indices/d', '/indices/c']
    assert bank.get_object('/indices/a') == {'id': 'a'}
    with pytest.raises(exception.BankObjectNotFound):
        bank.get_object('/indices/z')
    with pytest.raises(exception.BankObjectNotFound):
        bank.delete_object('/indices/z')
    # A failure on an object that is there stays what the plugin said.
    plugin.get_object = lambda key, context=None: (_ for _ in ()).throw(
        exception.BankGetObjectFailed(key=key, reason='disk error'))
    with pytest.raises(exception.BankGetObjectFailed, match='disk error'):
        bank.get_object('/indices/a')


def test_sections_take_the_context_the_originals_plugins_pass():
    bank = bank_plugin.Bank(_OriginalBankPlugin())
    section = bank.get_sub_section('/checkpoints/c1/t1')
    section.update_object('metadata', {'size': 3}, context='ctxt')
    assert section.get_object('metadata', context='ctxt') == {'size': 3}
    assert section.list_objects(prefix=None, limit=None, marker=None,
                                sort_dir=None, context='ctxt') == [
        'metadata']
    section.delete_object('metadata', context='ctxt')
    assert section.list_objects() == []


@pytest.fixture
def no_sleep(monkeypatch):
    slept = []
    monkeypatch.setattr(waiting, '_sleep', slept.append)
    return slept


def test_status_poll_waits_through_ignored_statuses(no_sleep):
    statuses = iter(['creating', 'creating', 'available'])
    assert utils.status_poll(lambda: next(statuses), interval=3,
                             success_statuses={'available'},
                             failure_statuses={'error'},
                             ignore_statuses={'creating'})
    assert no_sleep == [3, 3]


def test_status_poll_ends_false_on_failure_or_an_unexpected_status(
        no_sleep):
    def poll(sequence, **kwargs):
        statuses = iter(sequence)
        return utils.status_poll(lambda: next(statuses), interval=1,
                                 success_statuses={'available'},
                                 failure_statuses={'error'},
                                 ignore_statuses={'creating'}, **kwargs)

    assert poll(['creating', 'error']) is False
    assert poll(['creating', 'deleting', 'available']) is False
    assert poll(['creating', 'deleting', 'available'],
                ignore_unexpected=True) is True


def test_status_poll_gives_up_after_a_day_unless_told(monkeypatch):
    clock = [0.0]
    monkeypatch.setattr(waiting, '_clock', lambda: clock[0])
    monkeypatch.setattr(waiting, '_sleep',
                        lambda seconds: clock.__setitem__(0, clock[0] +
                                                          seconds))

    with pytest.raises(waiting.WaitTimeout):
        utils.status_poll(lambda: 'creating', interval=600,
                          success_statuses={'available'},
                          ignore_statuses={'creating'})

    assert 86400 <= clock[0] <= 86400 + 600


class _Restore(object):
    def __init__(self, failure=None):
        self.reported = []
        self._failure = failure

    def update_resource_status(self, resource_type, resource_id, status,
                               reason=None):
        if self._failure is not None:
            raise self._failure
        self.reported.append((resource_type, resource_id, status, reason))


def test_restore_results_go_to_the_restore_and_failures_are_logged():
    restore = _Restore()
    utils.update_resource_restore_result(restore, 'OS::Test::Thing', 'n1',
                                         constants.RESOURCE_STATUS_AVAILABLE)
    assert restore.reported == [('OS::Test::Thing', 'n1', 'available', '')]
    utils.update_resource_restore_result(
        _Restore(exception.KarborException('database gone')),
        'OS::Test::Thing', 'n1', 'available')
    with pytest.raises(exception.ClaimLost):
        utils.update_resource_restore_result(
            _Restore(exception.ClaimLost(operation_id='o1', reason='taken')),
            'OS::Test::Thing', 'n1', 'available')
    with pytest.raises(exception.KarborException):
        utils.update_resource_verify_result(
            _Restore(exception.KarborException('database gone')),
            'OS::Test::Thing', 'n1', 'available')


def test_a_missing_bank_object_is_what_the_originals_plugins_catch():
    missing = exception.BankObjectNotFound(key='/checkpoints/c1/t1/metadata')
    assert missing.code == 404
    assert isinstance(missing, exception.BankGetObjectFailed)
    assert isinstance(missing, exception.BankDeleteObjectFailed)
    assert str(missing) == ('Bank object /checkpoints/c1/t1/metadata could '
                            'not be found.')
