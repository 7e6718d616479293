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

"""The Nova server protection plugin against a fake Nova and Cinder."""

import os
import threading
import time

import jsonschema
from novaclient import exceptions as nova_exceptions
from oslo_utils import uuidutils
import pytest

from karbor import exception
from karbor.objects import plan as plan_objects
from karbor.services.protection import bank_plugin
from karbor.services.protection import checkpoint as checkpoints
from karbor.services.protection.flows import resource_flow
from karbor.services.protection.flows import restore as restore_flow
from karbor.services.protection import graph
from karbor.services.protection.protectable_plugin import Resource
from karbor.services.protection import protection_plugin
from karbor.services.protection.protection_plugins.server import (
    nova_protection_plugin as server_plugin)
from karbor.services.protection.protection_plugins import waiting
from karbor.services.protection import provider as providers
from karbor.tests.unit.protection import fakes

PROVIDER_ID = 'cf56bd3e-97a7-4078-b6d5-f36246333fd9'
SERVER = 'OS::Nova::Server'
VOLUME = 'OS::Cinder::Volume'
IMAGE = 'OS::Glance::Image'
PUBLIC_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKarborTestKey demo@karbor'


# A fake cloud: Nova's and Cinder's answers, as novaclient and cinderclient
# give them.

class Thing(object):
    """An API object: attributes, including names such as
    'OS-EXT-AZ:availability_zone'."""

    def __init__(self, **attributes):
        for name, value in attributes.items():
            setattr(self, name, value)


class FakeClock(object):
    """The plugin's clock: every sleep is recorded and passes at once."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class FakeCloud(object):
    def __init__(self):
        self.lock = threading.Lock()
        self.flavors = {}
        self.keypairs = {}
        self.servers = {}
        self.attachments = {}
        self.volumes = {}
        # Statuses a server shows on its next gets, the last one staying.
        self.server_progress = {}
        self.created = []
        self.attach_calls = []
        self.refused_devices = set()
        self.clock = FakeClock()
        self.nova = Thing(servers=_Servers(self), flavors=_Flavors(self),
                          keypairs=_KeyPairs(self),
                          volumes=_ServerVolumes(self))
        self.cinder = Thing(volumes=_Volumes(self))
        self.add_flavor('f-tiny', 'm1.tiny', vcpus=1, ram=512, disk=1)
        self.add_flavor('f-small', 'm1.small', vcpus=1, ram=2048, disk=20)

    def add_flavor(self, flavor_id, name, vcpus, ram, disk):
        self.flavors[flavor_id] = Thing(id=flavor_id, name=name, vcpus=vcpus,
                                        ram=ram, disk=disk)

    def add_volume(self, volume_id, status='available'):
        self.volumes[volume_id] = [status]

    def add_server(self, server_id='srv-1', image='img-1', flavor='f-tiny',
                   volumes=(('vol-1', '/dev/vdb'),), key_name='k1',
                   status='ACTIVE', **extra):
        if key_name and key_name not in self.keypairs:
            self.keypairs[key_name] = Thing(name=key_name,
                                            public_key=PUBLIC_KEY,
                                            type='ssh')
        spec = self.flavors[flavor]
        server = {
            'id': server_id, 'name': 'db-server', 'status': status,
            'image': {'id': image} if image else '',
            'flavor': {'original_name': spec.name, 'vcpus': spec.vcpus,
                       'ram': spec.ram, 'disk': spec.disk, 'ephemeral': 0,
                       'swap': 0, 'extra_specs': {'hw:cpu_policy': 'shared'}},
            'metadata': {'role': 'db', 'tier': 'gold'},
            'key_name': key_name, 'addresses': {}, 'tags': [],
            'description': None,
            'OS-EXT-AZ:availability_zone': 'az-1',
        }
        server.update(extra)
        self.servers[server_id] = server
        self.attachments[server_id] = [
            {'volumeId': volume_id, 'device': device,
             'delete_on_termination': False}
            for volume_id, device in volumes]
        for volume_id, _device in volumes:
            self.volumes.setdefault(volume_id, ['in-use'])
        return server_id

    def next_status(self, progress):
        with self.lock:
            return progress.pop(0) if len(progress) > 1 else progress[0]


def _not_found(what):
    return nova_exceptions.NotFound(404, '%s could not be found.' % what)


class _Servers(object):
    def __init__(self, cloud):
        self._cloud = cloud

    def get(self, server_id):
        server = self._cloud.servers.get(server_id)
        if server is None:
            raise _not_found('Instance %s' % server_id)
        progress = self._cloud.server_progress.get(server_id)
        if progress:
            server['status'] = self._cloud.next_status(progress)
        return Thing(**server)

    def create(self, name, image, flavor, **kwargs):
        server_id = 'restored-%d' % (len(self._cloud.created) + 1)
        self._cloud.created.append(dict(kwargs, name=name, image=image,
                                        flavor=flavor))
        self._cloud.servers[server_id] = {
            'id': server_id, 'name': name, 'status': 'BUILD',
            'tags': list(kwargs.get('tags') or [])}
        self._cloud.attachments[server_id] = []
        self._cloud.server_progress.setdefault(
            server_id, ['BUILD', 'BUILD', 'ACTIVE'])
        return Thing(id=server_id, name=name)

    def list(self, search_opts=None):
        # Nova lists the servers that have all the tags asked for.
        wanted = set(filter(None, (search_opts or {}).get(
            'tags', '').split(',')))
        return [Thing(**server) for server in self._cloud.servers.values()
                if wanted <= set(server.get('tags') or ())]

    def interface_list(self, server_id):
        return [Thing(net_id='net-1', port_id='port-1',
                      mac_addr='fa:16:3e:00:00:01',
                      fixed_ips=[{'ip_address': '10.0.0.5'}])]


class _Flavors(object):
    def __init__(self, cloud):
        self._cloud = cloud

    def get(self, flavor_id):
        if flavor_id not in self._cloud.flavors:
            raise _not_found('Flavor %s' % flavor_id)
        return self._cloud.flavors[flavor_id]

    def list(self, is_public=True):
        assert is_public is None, 'private flavors would be missed'
        return list(self._cloud.flavors.values())


class _KeyPairs(object):
    def __init__(self, cloud):
        self._cloud = cloud
        self.created = []

    def get(self, name):
        if name not in self._cloud.keypairs:
            raise _not_found('Keypair %s' % name)
        return self._cloud.keypairs[name]

    def create(self, name, public_key=None, key_type='ssh'):
        self.created.append((name, public_key, key_type))
        self._cloud.keypairs[name] = Thing(name=name, public_key=public_key,
                                           type=key_type)
        return self._cloud.keypairs[name]


class _ServerVolumes(object):
    def __init__(self, cloud):
        self._cloud = cloud

    def get_server_volumes(self, server_id):
        if server_id not in self._cloud.servers:
            raise _not_found('Instance %s' % server_id)
        return [Thing(**attachment)
                for attachment in self._cloud.attachments[server_id]]

    def create_server_volume(self, server_id, volume_id, device=None,
                             delete_on_termination=False):
        self._cloud.attach_calls.append((server_id, volume_id, device))
        if device in self._cloud.refused_devices:
            raise nova_exceptions.BadRequest(
                400, 'The supplied device path (%s) is invalid.' % device)
        self._cloud.attachments[server_id].append(
            {'volumeId': volume_id, 'device': device or '/dev/sdb',
             'delete_on_termination': delete_on_termination})
        self._cloud.volumes[volume_id] = ['attaching', 'in-use']


class _Volumes(object):
    def __init__(self, cloud):
        self._cloud = cloud

    def get(self, volume_id):
        return Thing(id=volume_id, status=self._cloud.next_status(
            self._cloud.volumes[volume_id]))


class RecordingRestore(object):
    """What a Restore is told about the restored resources."""

    def __init__(self, parameters=None):
        self.id = uuidutils.generate_uuid()
        self.parameters = parameters or {}
        self.restore_target = None
        self.status = 'in_progress'
        self.statuses = {}
        self.reasons = {}

    def update_resource_status(self, resource_type, resource_id, status,
                               reason=None):
        key = '%s#%s' % (resource_type, resource_id)
        self.statuses[key] = status
        if reason is not None:
            self.reasons[key] = str(reason)

    def save(self):
        pass


@pytest.fixture
def cloud(monkeypatch):
    cloud = FakeCloud()
    monkeypatch.setattr(server_plugin, '_compute', lambda context: cloud.nova)
    monkeypatch.setattr(server_plugin, '_block_storage',
                        lambda context: cloud.cinder)
    monkeypatch.setattr(waiting, '_sleep', cloud.clock.sleep)
    monkeypatch.setattr(waiting, '_clock', cloud.clock.monotonic)
    return cloud


@pytest.fixture
def bank(config, tmp_path):
    plugin = fakes.fs_bank_plugin(str(tmp_path))
    plugin.acquire_lease()
    yield bank_plugin.Bank(plugin)
    plugin.release_lease()


def _checkpoint(bank, resources):
    plan = plan_objects.Plan(
        id=uuidutils.generate_uuid(), name='Plan', description=None,
        provider_id=PROVIDER_ID, project_id='demo', status='suspended',
        resources=[dict(resource._asdict()) for resource in resources],
        parameters={})
    return checkpoints.CheckpointCollection(bank, PROVIDER_ID).create(plan)


@pytest.fixture
def checkpoint(bank):
    return _checkpoint(bank, [Resource(SERVER, 'srv-1', 'db-server')])


def make_plugin(tmp_path, **options):
    lines = ['[provider]', 'name = Servers', 'id = %s' % PROVIDER_ID,
             'bank = karbor-fs-bank-plugin', '[nova_protection_plugin]']
    lines.extend('%s = %s' % option for option in options.items())
    return server_plugin.NovaProtectionPlugin(
        fakes.provider_config(str(tmp_path), '\n'.join(lines) + '\n'))


@pytest.fixture
def plugin(tmp_path):
    return make_plugin(tmp_path)


def run_hooks(operation, checkpoint, resource, parameters=None, **kwargs):
    for hook in ('on_prepare_begin', 'on_prepare_finish', 'on_main',
                 'on_complete'):
        waiting.finished(getattr(operation, hook)(
            checkpoint, resource, None, parameters or {}, **kwargs))


def protect(plugin, checkpoint, server_id='srv-1'):
    resource = Resource(SERVER, server_id, 'db-server')
    run_hooks(plugin.get_protect_operation(resource), checkpoint, resource)
    return saved(plugin, checkpoint, server_id)


def saved(plugin, checkpoint, server_id='srv-1'):
    return plugin.get_saved_info(
        checkpoint.get_resource_bank_section('%s#%s' % (SERVER, server_id)),
        Resource(SERVER, server_id, 'db-server'))


def restore(plugin, checkpoint, new_resources, parameters=None,
            server_id='srv-1'):
    resource = Resource(SERVER, server_id, 'db-server')
    recorder = RecordingRestore()
    run_hooks(plugin.get_restore_operation(resource), checkpoint, resource,
              parameters, restore=recorder, new_resources=new_resources)
    return recorder


# Protect

def test_protect_records_what_a_restore_needs(plugin, checkpoint, cloud):
    cloud.add_server()
    record = protect(plugin, checkpoint)
    assert record == {
        'id': 'srv-1', 'name': 'db-server', 'description': None,
        'status': 'available', 'server_status': 'ACTIVE',
        'flavor': {'id': 'f-tiny', 'original_name': 'm1.tiny', 'vcpus': 1,
                   'ram': 512, 'disk': 1, 'ephemeral': 0, 'swap': 0,
                   'extra_specs': {'hw:cpu_policy': 'shared'}},
        'metadata': {'role': 'db', 'tier': 'gold'}, 'tags': [],
        'key_name': 'k1',
        'key_pair': {'name': 'k1', 'public_key': PUBLIC_KEY, 'type': 'ssh'},
        'image': 'img-1',
        'attached_volumes': [{'id': 'vol-1', 'device': '/dev/vdb',
                              'delete_on_termination': False,
                              'boot': False}],
        'availability_zone': 'az-1', 'networks': [], 'security_groups': [],
    }
    jsonschema.validate(record, plugin.get_saved_info_schema(SERVER))


def test_the_record_is_written_before_the_children_are_protected(
        plugin, checkpoint, cloud):
    cloud.add_server()
    resource = Resource(SERVER, 'srv-1', 'db-server')
    operation = plugin.get_protect_operation(resource)
    operation.on_prepare_begin(checkpoint, resource, None, {})
    record = saved(plugin, checkpoint)
    assert record['status'] == 'protecting'
    assert record['attached_volumes'][0]['id'] == 'vol-1'


def test_protect_of_a_server_booted_from_a_volume_marks_its_root(
        plugin, checkpoint, cloud):
    cloud.add_server(image=None, volumes=(('data', '/dev/vdb'),
                                          ('root', '/dev/vda')))
    record = protect(plugin, checkpoint)
    assert record['image'] is None
    assert [(v['id'], v['boot']) for v in record['attached_volumes']] == [
        ('root', True), ('data', False)]


def test_protect_records_the_ports_of_a_server_with_addresses(
        plugin, checkpoint, cloud):
    cloud.add_server(addresses={'private': [{'addr': '10.0.0.5'}]},
                     security_groups=[{'name': 'default'},
                                      {'name': 'default'}])
    record = protect(plugin, checkpoint)
    assert record['networks'] == [{'network_id': 'net-1',
                                   'mac_address': 'fa:16:3e:00:00:01',
                                   'fixed_ips': ['10.0.0.5']}]
    assert record['security_groups'] == ['default']


def test_protect_keeps_a_deleted_flavor_by_name_and_specs(
        plugin, checkpoint, cloud):
    cloud.add_server()
    del cloud.flavors['f-tiny']
    record = protect(plugin, checkpoint)
    assert record['flavor']['id'] is None
    assert record['flavor']['original_name'] == 'm1.tiny'


def test_a_server_deleted_before_protect_fails_with_the_reason(
        plugin, checkpoint, cloud):
    with pytest.raises(server_plugin.ServerPluginError,
                       match='no server srv-1 any more: it was deleted '
                             'before it was protected'):
        protect(plugin, checkpoint)


def test_a_server_deleted_while_its_children_were_protected_fails(
        plugin, checkpoint, cloud):
    cloud.add_server()
    resource = Resource(SERVER, 'srv-1', 'db-server')
    operation = plugin.get_protect_operation(resource)
    operation.on_prepare_begin(checkpoint, resource, None, {})
    operation.on_prepare_finish(checkpoint, resource, None, {})
    operation.on_main(checkpoint, resource, None, {})
    del cloud.servers['srv-1']
    with pytest.raises(server_plugin.ServerPluginError,
                       match='deleted while it was being protected'):
        operation.on_complete(checkpoint, resource, None, {})
    assert saved(plugin, checkpoint)['status'] == 'protecting'


def test_a_server_in_error_is_not_protected(plugin, checkpoint, cloud):
    cloud.add_server(status='ERROR')
    with pytest.raises(server_plugin.ServerPluginError,
                       match='server srv-1 is ERROR'):
        protect(plugin, checkpoint)


def test_nova_errors_name_what_was_being_done(plugin, checkpoint, cloud,
                                              monkeypatch):
    cloud.add_server()

    def broken(server_id):
        raise nova_exceptions.ClientException(500, 'database is down')

    monkeypatch.setattr(cloud.nova.volumes, 'get_server_volumes', broken)
    with pytest.raises(server_plugin.ServerPluginError,
                       match='reading server srv-1: Compute service '
                             r'\(nova\) answered: database is down'):
        protect(plugin, checkpoint)


# Restore

def test_restore_boots_from_the_restored_image_and_attaches_the_restored_volume(
        plugin, checkpoint, cloud):
    cloud.add_server()
    protect(plugin, checkpoint)
    cloud.add_volume('vol-1-restored')
    new_resources = {'%s#vol-1' % VOLUME: 'vol-1-restored',
                     '%s#img-1' % IMAGE: 'img-1-restored'}
    recorder = restore(plugin, checkpoint, new_resources)

    assert cloud.created == [{
        'name': 'db-server', 'image': 'img-1-restored', 'flavor': 'f-tiny',
        'meta': {'role': 'db', 'tier': 'gold'}, 'key_name': 'k1',
        'availability_zone': 'az-1', 'nics': 'none',
        'block_device_mapping_v2': None, 'description': None,
        # Tagged so that a rerun of the restore finds it.
        'tags': ['karbor-restore:%s' % recorder.id, 'karbor-from:srv-1']}]
    assert cloud.attach_calls == [('restored-1', 'vol-1-restored',
                                   '/dev/vdb')]
    assert cloud.volumes['vol-1-restored'] == ['in-use']
    assert recorder.statuses == {'%s#restored-1' % SERVER: 'available'}
    assert recorder.reasons == {}
    assert new_resources['%s#srv-1' % SERVER] == 'restored-1'


def test_restore_uses_the_original_image_when_the_checkpoint_has_none(
        plugin, checkpoint, cloud):
    cloud.add_server(volumes=())
    protect(plugin, checkpoint)
    restore(plugin, checkpoint, {})
    assert cloud.created[0]['image'] == 'img-1'
    assert cloud.attach_calls == []


def test_restore_parameters_choose_name_flavor_and_zone(
        plugin, checkpoint, cloud):
    cloud.add_server(volumes=())
    protect(plugin, checkpoint)
    restore(plugin, checkpoint, {}, parameters={
        'restore_name': 'db-server-copy', 'flavor': 'm1.small',
        'availability_zone': 'az-2'})
    created = cloud.created[0]
    assert (created['name'], created['flavor'],
            created['availability_zone']) == ('db-server-copy', 'f-small',
                                              'az-2')


def test_restore_takes_the_original_karbors_parameter_names(
        plugin, checkpoint, cloud):
    cloud.add_server(volumes=(),
                     addresses={'private': [{'addr': '10.0.0.5'}]})
    protect(plugin, checkpoint)
    parameters = {'restore_name': 'db-server-copy',
                  'restore_flavor_id': 'f-small', 'restore_net_id': 'net-9'}
    jsonschema.validate(parameters, plugin.get_restore_schema(SERVER))

    restore(plugin, checkpoint, {}, parameters=parameters)

    created = cloud.created[0]
    assert (created['name'], created['flavor'], created['nics']) == (
        'db-server-copy', 'f-small', [{'net-id': 'net-9'}])


def test_restore_connects_the_networks_and_security_groups_it_had(
        plugin, checkpoint, cloud):
    cloud.add_server(volumes=(),
                     addresses={'private': [{'addr': '10.0.0.5'}]},
                     security_groups=[{'name': 'web'}])
    protect(plugin, checkpoint)
    restore(plugin, checkpoint, {})
    created = cloud.created[0]
    assert created['nics'] == [{'net-id': 'net-1'}]
    assert created['security_groups'] == ['web']


def test_the_restore_schema_refuses_unknown_parameters(plugin):
    schema = plugin.get_restore_schema(SERVER)
    jsonschema.validate({'restore_name': 'x', 'flavor': 'm1.tiny',
                         'availability_zone': 'nova'}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({'flavour': 'm1.tiny'}, schema)


def test_restore_recreates_a_key_pair_deleted_since_the_checkpoint(
        plugin, checkpoint, cloud):
    cloud.add_server(volumes=())
    protect(plugin, checkpoint)
    del cloud.keypairs['k1']
    restore(plugin, checkpoint, {})
    assert cloud.nova.keypairs.created == [('k1', PUBLIC_KEY, 'ssh')]
    assert cloud.created[0]['key_name'] == 'k1'


def test_restore_without_the_public_key_boots_without_a_key_pair_and_says_so(
        plugin, checkpoint, cloud):
    cloud.add_server(volumes=())
    del cloud.keypairs['k1']
    cloud.servers['srv-1']['key_name'] = 'k1'
    protect(plugin, checkpoint)
    recorder = restore(plugin, checkpoint, {})
    assert cloud.created[0]['key_name'] is None
    assert 'key pair k1 is gone' in recorder.reasons[
        '%s#restored-1' % SERVER]
    assert recorder.statuses['%s#restored-1' % SERVER] == 'available'


def test_restore_of_a_server_booted_from_a_volume_boots_from_its_restored_root(
        plugin, checkpoint, cloud):
    cloud.add_server(image=None, volumes=(('root', '/dev/vda'),
                                          ('data', '/dev/vdb')))
    protect(plugin, checkpoint)
    cloud.add_volume('root-restored', status='in-use')
    cloud.add_volume('data-restored')
    restore(plugin, checkpoint, {'%s#root' % VOLUME: 'root-restored',
                                 '%s#data' % VOLUME: 'data-restored'})
    created = cloud.created[0]
    assert created['image'] is None
    assert created['block_device_mapping_v2'] == [{
        'boot_index': 0, 'uuid': 'root-restored', 'source_type': 'volume',
        'destination_type': 'volume', 'delete_on_termination': False}]
    assert cloud.attach_calls == [('restored-1', 'data-restored',
                                   '/dev/vdb')]


def test_restore_fails_early_when_the_root_volume_was_not_restored(
        plugin, checkpoint, cloud):
    cloud.add_server(image=None, volumes=(('root', '/dev/vda'),))
    protect(plugin, checkpoint)
    with pytest.raises(server_plugin.ServerPluginError,
                       match='root volume root of the server was not '
                             'restored'):
        restore(plugin, checkpoint, {})
    assert cloud.created == []


def test_a_volume_missing_from_the_checkpoint_is_left_out_and_reported(
        plugin, checkpoint, cloud):
    cloud.add_server()
    protect(plugin, checkpoint)
    recorder = restore(plugin, checkpoint, {})
    assert cloud.attach_calls == []
    assert recorder.reasons == {
        '%s#restored-1' % SERVER: 'volume vol-1 was not restored (the '
                                  'checkpoint has no copy of it) and is not '
                                  'attached'}


def test_a_device_name_nova_refuses_is_left_to_nova(
        plugin, checkpoint, cloud):
    cloud.add_server()
    protect(plugin, checkpoint)
    cloud.add_volume('vol-1-restored')
    cloud.refused_devices.add('/dev/vdb')
    restore(plugin, checkpoint, {'%s#vol-1' % VOLUME: 'vol-1-restored'})
    assert cloud.attach_calls == [
        ('restored-1', 'vol-1-restored', '/dev/vdb'),
        ('restored-1', 'vol-1-restored', None)]


def test_a_restored_server_in_error_is_reported_with_nova_s_fault(
        plugin, checkpoint, cloud):
    cloud.add_server(volumes=())
    protect(plugin, checkpoint)
    cloud.server_progress['restored-1'] = ['BUILD', 'ERROR']
    original_create = cloud.nova.servers.create

    def create(name, image, flavor, **kwargs):
        server = original_create(name, image, flavor, **kwargs)
        cloud.servers[server.id]['fault'] = {
            'message': 'No valid host was found.'}
        return server

    cloud.nova.servers.create = create
    recorder = RecordingRestore()
    resource = Resource(SERVER, 'srv-1', 'db-server')
    with pytest.raises(server_plugin.ServerPluginError,
                       match='restored server restored-1 is ERROR: No valid '
                             'host was found'):
        run_hooks(plugin.get_restore_operation(resource), checkpoint,
                  resource, restore=recorder, new_resources={})
    key = '%s#restored-1' % SERVER
    assert recorder.statuses == {key: 'error'}
    assert 'No valid host' in recorder.reasons[key]


def test_waiting_for_active_backs_off_to_two_seconds_then_times_out(
        checkpoint, cloud, tmp_path):
    plugin = make_plugin(tmp_path, server_active_timeout=10)
    cloud.add_server(volumes=())
    protect(plugin, checkpoint)
    cloud.server_progress['restored-1'] = ['BUILD']
    with pytest.raises(waiting.WaitTimeout,
                       match=r'restored server restored-1: still BUILD '
                             r'after 10 seconds \(waited for ACTIVE\)'):
        restore(plugin, checkpoint, {})
    sleeps = cloud.clock.sleeps
    # waiting.py's backoff: from 0.2 s, never more than an eighth of the
    # time waited (nor 2 s).
    assert sleeps[0] == pytest.approx(0.2)
    waited = 0.0
    for pause in sleeps:
        assert 0.2 - 1e-9 <= pause <= max(0.2, min(2.0, waited / 8)) + 1e-9
        waited += pause
    assert sum(sleeps) == pytest.approx(10)


def test_a_missing_flavor_fails_the_restore_before_the_children_run(
        plugin, checkpoint, cloud):
    cloud.add_server(volumes=())
    protect(plugin, checkpoint)
    del cloud.flavors['f-tiny']
    resource = Resource(SERVER, 'srv-1', 'db-server')
    with pytest.raises(server_plugin.ServerPluginError,
                       match=r'the flavor of the server, m1.tiny \(f-tiny\), '
                             'no longer exists: choose one with the restore '
                             'parameter "flavor"'):
        plugin.get_restore_operation(resource).on_prepare_begin(
            checkpoint, resource, None, {})


def test_a_flavor_recreated_under_another_id_is_found_by_name(
        plugin, checkpoint, cloud):
    cloud.add_server(volumes=())
    protect(plugin, checkpoint)
    del cloud.flavors['f-tiny']
    cloud.add_flavor('f-tiny-2', 'm1.tiny', vcpus=1, ram=512, disk=1)
    restore(plugin, checkpoint, {})
    assert cloud.created[0]['flavor'] == 'f-tiny-2'


def test_restore_of_an_unfinished_record_is_refused(plugin, checkpoint,
                                                    cloud):
    cloud.add_server()
    resource = Resource(SERVER, 'srv-1', 'db-server')
    plugin.get_protect_operation(resource).on_prepare_begin(
        checkpoint, resource, None, {})
    with pytest.raises(server_plugin.ServerPluginError,
                       match='its protection did not finish'):
        restore(plugin, checkpoint, {})


def test_restore_without_a_record_says_so(plugin, checkpoint, cloud):
    with pytest.raises(server_plugin.ServerPluginError,
                       match='holds no record of server srv-1'):
        restore(plugin, checkpoint, {})


# Verify

class Verdicts(object):
    """The verify record, as the server's children left it."""

    def __init__(self, **statuses):
        self.resources_status = statuses


def verify(plugin, checkpoint, verdicts):
    resource = Resource(SERVER, 'srv-1', 'db-server')
    run_hooks(plugin.get_verify_operation(resource), checkpoint, resource,
              verify=verdicts)


def test_verify_passes_a_complete_record_whose_children_verified(
        plugin, checkpoint, cloud):
    cloud.add_server()
    protect(plugin, checkpoint)

    verify(plugin, checkpoint, Verdicts(**{
        'OS::Cinder::Volume#vol-1': 'available',
        'OS::Glance::Image#img-1': 'available'}))


def test_verify_fails_a_server_whose_volume_failed_naming_it(
        plugin, checkpoint, cloud):
    cloud.add_server()
    protect(plugin, checkpoint)

    with pytest.raises(server_plugin.ServerPluginError) as raised:
        verify(plugin, checkpoint, Verdicts(**{
            'OS::Cinder::Volume#vol-1': 'error',
            'OS::Glance::Image#img-1': 'available'}))

    assert str(raised.value) == (
        'server srv-1 cannot be restored: OS::Cinder::Volume#vol-1 failed '
        'verification')


def test_verify_fails_a_record_that_lost_a_field(plugin, checkpoint,
                                                 cloud):
    cloud.add_server()
    protect(plugin, checkpoint)
    section = checkpoint.get_resource_bank_section('%s#srv-1' % SERVER)
    record = section.get_object('metadata')
    del record['flavor']
    section.update_object('metadata', record)

    with pytest.raises(server_plugin.ServerPluginError,
                       match='the record of server srv-1 lacks flavor'):
        verify(plugin, checkpoint, Verdicts())


def test_verify_of_an_unfinished_record_fails(plugin, checkpoint, cloud):
    cloud.add_server()
    resource = Resource(SERVER, 'srv-1', 'db-server')
    plugin.get_protect_operation(resource).on_prepare_begin(
        checkpoint, resource, None, {})

    with pytest.raises(server_plugin.ServerPluginError,
                       match='its protection did not finish'):
        verify(plugin, checkpoint, Verdicts())


# Delete

def test_delete_removes_the_server_s_bank_data(plugin, checkpoint, cloud):
    cloud.add_server()
    protect(plugin, checkpoint)
    resource = Resource(SERVER, 'srv-1', 'db-server')
    run_hooks(plugin.get_delete_operation(resource), checkpoint, resource)
    section = checkpoint.get_resource_bank_section('%s#srv-1' % SERVER)
    assert section.list_objects() == []
    assert saved(plugin, checkpoint) is None


# In the restore flow, with the children's plugins

class _RestoreChild(protection_plugin.Operation):
    """A child's restore, as the volume and image plugins do theirs: the
    work in main, the new id in new_resources when it is done."""

    def __init__(self, cloud):
        self._cloud = cloud

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        time.sleep(0.05)

    def on_complete(self, checkpoint, resource, context, parameters,
                    **kwargs):
        new_id = resource.id + '-restored'
        if resource.type == VOLUME:
            self._cloud.add_volume(new_id)
        kwargs['new_resources'][graph.resource_key(resource)] = new_id
        kwargs['restore'].update_resource_status(resource.type, new_id,
                                                 'available')


class _Provider(object):
    def __init__(self, server, child):
        self._server = server
        self._child = child

    def get_protection_plugin(self, resource_type):
        return self._server if resource_type == SERVER else self._child


class _ChildPlugin(object):
    def __init__(self, cloud):
        self._cloud = cloud

    def get_restore_operation(self, resource):
        return _RestoreChild(self._cloud)


def test_in_the_restore_flow_the_server_finds_its_restored_children(
        plugin, bank, cloud):
    cloud.add_server()
    server = Resource(SERVER, 'srv-1', 'db-server')
    resource_graph = [graph.GraphNode(server, (
        graph.GraphNode(Resource(VOLUME, 'vol-1', 'data'), ()),
        graph.GraphNode(Resource(IMAGE, 'img-1', 'cirros'), ())))]
    checkpoint = _checkpoint(bank, [server])
    checkpoint.start_protecting(resource_graph)
    protect(plugin, checkpoint)
    checkpoint.finish_protecting()

    recorder = RecordingRestore()
    restore_flow.restore_resources(
        resource_flow.FlowRun(checkpoint, None, {
            'restore': recorder, 'new_resources': {}}),
        _Provider(plugin, _ChildPlugin(cloud)), recorder)

    assert recorder.status == 'success'
    assert cloud.created[0]['image'] == 'img-1-restored'
    assert cloud.attach_calls == [('restored-1', 'vol-1-restored',
                                   '/dev/vdb')]
    assert recorder.statuses['%s#restored-1' % SERVER] == 'available'


# Loading

def test_the_plugin_loads_by_its_entry_point_with_its_provider_options(
        config, tmp_path):
    path = os.path.join(str(tmp_path), 'servers.conf')
    with open(path, 'w') as stream:
        stream.write('[provider]\nname = Servers\nid = %s\n'
                     'plugin = karbor-server-protection-plugin\n'
                     'bank = karbor-fs-bank-plugin\nenabled = True\n'
                     '[file_system_bank_plugin]\n'
                     'file_system_bank_path = %s\n'
                     '[nova_protection_plugin]\n'
                     'server_active_timeout = 42\n'
                     % (PROVIDER_ID, os.path.join(str(tmp_path), 'bank')))
    provider = providers._load_provider(path)
    plugin = provider.get_protection_plugin(SERVER)
    assert isinstance(plugin, server_plugin.NovaProtectionPlugin)
    operation = plugin.get_restore_operation(Resource(SERVER, 's', 's'))
    assert operation._options.server_active_timeout == 42
    assert operation._options.volume_attach_timeout == 300
    schemas = provider.to_dict()['extended_info_schema']
    assert 'restore_name' in schemas['restore_schema'][SERVER]['properties']


def test_the_plugin_works_without_a_provider_config():
    plugin = server_plugin.NovaProtectionPlugin()
    assert plugin.get_supported_resources_types() == [SERVER]
    operation = plugin.get_restore_operation(Resource(SERVER, 's', 's'))
    assert operation._options.server_active_timeout == 600


def test_get_saved_info_of_a_resource_never_protected_is_none(
        plugin, checkpoint):
    assert saved(plugin, checkpoint, 'nothing') is None
    with pytest.raises(exception.BankObjectNotFound):
        checkpoint.get_resource_bank_section(
            '%s#nothing' % SERVER).get_object('metadata')


# Reruns: a worker dies in a hook; another runs the hook again on a new
# Operation.

class WorkerDied(BaseException):
    """The worker running the hook went away (not an error the hook
    handles)."""


def _restore_hook(plugin, checkpoint, recorder, new_resources):
    resource = Resource(SERVER, 'srv-1', 'db-server')
    waiting.finished(plugin.get_restore_operation(resource).on_complete(
        checkpoint, resource, None, {}, restore=recorder,
        new_resources=new_resources))


def test_restore_run_again_waits_for_the_server_it_booted(
        plugin, checkpoint, cloud, monkeypatch):
    cloud.add_server()
    protect(plugin, checkpoint)
    cloud.add_volume('vol-1-restored')
    children = {'%s#vol-1' % VOLUME: 'vol-1-restored'}
    cloud.server_progress['restored-1'] = ['BUILD'] * 4 + ['ACTIVE']
    get = cloud.nova.servers.get
    gets = []

    def dies_while_it_builds(server_id):
        gets.append(server_id)
        if len(gets) == 2:
            raise WorkerDied()
        return get(server_id)

    monkeypatch.setattr(cloud.nova.servers, 'get', dies_while_it_builds)
    first = RecordingRestore()
    with pytest.raises(WorkerDied):
        _restore_hook(plugin, checkpoint, first, dict(children))
    monkeypatch.setattr(cloud.nova.servers, 'get', get)

    again, new_resources = RecordingRestore(), dict(children)
    again.id = first.id
    _restore_hook(plugin, checkpoint, again, new_resources)
    assert len(cloud.created) == 1
    assert cloud.attach_calls == [('restored-1', 'vol-1-restored',
                                   '/dev/vdb')]
    assert new_resources['%s#srv-1' % SERVER] == 'restored-1'
    assert again.statuses == {'%s#restored-1' % SERVER: 'available'}
    # Another restore boots its own server.
    restore(plugin, checkpoint, {})
    assert len(cloud.created) == 2


def test_restore_run_again_does_not_attach_a_volume_twice(
        plugin, checkpoint, cloud, monkeypatch):
    cloud.add_server()
    protect(plugin, checkpoint)
    cloud.add_volume('vol-1-restored')
    children = {'%s#vol-1' % VOLUME: 'vol-1-restored'}
    attach = cloud.nova.volumes.create_server_volume

    def attaches_then_dies(*args, **kwargs):
        attach(*args, **kwargs)
        raise WorkerDied()

    monkeypatch.setattr(cloud.nova.volumes, 'create_server_volume',
                        attaches_then_dies)
    first = RecordingRestore()
    with pytest.raises(WorkerDied):
        _restore_hook(plugin, checkpoint, first, dict(children))
    monkeypatch.setattr(cloud.nova.volumes, 'create_server_volume', attach)

    again = RecordingRestore()
    again.id = first.id
    _restore_hook(plugin, checkpoint, again, dict(children))
    assert len(cloud.created) == 1
    assert len(cloud.attach_calls) == 1
    assert cloud.volumes['vol-1-restored'] == ['in-use']
    assert again.statuses == {'%s#restored-1' % SERVER: 'available'}


def test_protect_and_delete_run_again_give_the_same_result(
        plugin, checkpoint, cloud):
    cloud.add_server()
    resource = Resource(SERVER, 'srv-1', 'db-server')
    for _run in range(2):
        plugin.get_protect_operation(resource).on_prepare_begin(
            checkpoint, resource, None, {})
    for _run in range(2):
        plugin.get_protect_operation(resource).on_complete(
            checkpoint, resource, None, {})
    assert saved(plugin, checkpoint)['status'] == 'available'
    for _run in range(2):
        plugin.get_delete_operation(resource).on_main(
            checkpoint, resource, None, {})
    assert saved(plugin, checkpoint) is None
