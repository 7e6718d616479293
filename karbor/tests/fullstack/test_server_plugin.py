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

"""The server protection plugin against the real Nova of tools/cloud.

As user demo, the plugin's protect, restore and delete hooks run directly
(a request context with demo's token and catalog; checkpoints in a
file-system bank of the test's own). The server is booted from a small
image, with metadata, a key pair and an attached volume, on the cloud's
fake virt driver (no guest runs, but servers go ACTIVE and volumes attach).
The volume plugin is not under test here: its restore is played by a new
volume this test makes, handed to the server's restore in
``new_resources`` as the volume plugin would.
"""

import io
import time
import uuid

from cinderclient import client as cinder_client
from cinderclient import exceptions as cinder_exceptions
from glanceclient import client as glance_client
from glanceclient import exc as glance_exceptions
from novaclient import client as nova_client
from novaclient import exceptions as nova_exceptions
import jsonschema
import pytest

from karbor import objects
from karbor.objects import plan as plan_objects
from karbor.services.protection.protectable_plugin import Resource
from karbor.services.protection.protection_plugins.server import (
    nova_protection_plugin as server_plugin)
from karbor.services.protection import provider as providers
from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import hooks

pytestmark = cloud.needs_cloud('demo')

SERVER = 'OS::Nova::Server'
VOLUME = 'OS::Cinder::Volume'
TIMEOUT = 300

PROVIDER = '''[provider]
name = Fullstack server plugin
id = %(id)s
plugin = karbor-server-protection-plugin
bank = karbor-fs-bank-plugin
enabled = True

[file_system_bank_plugin]
file_system_bank_path = %(bank)s

[nova_protection_plugin]
server_active_timeout = %(timeout)d
volume_attach_timeout = %(timeout)d
'''


def _status(thing):
    return thing['status'] if isinstance(thing, dict) else thing.status


def wait(get, thing_id, want, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    pause = 0.2
    while True:
        thing = get(thing_id)
        status = _status(thing)
        if status == want:
            return thing
        assert not status.lower().startswith(('error', 'killed')), (
            '%s is %s' % (thing_id, status))
        assert time.monotonic() < deadline, (
            '%s still %s after %d s' % (thing_id, status, timeout))
        time.sleep(pause)
        pause = min(pause * 2, 2)


def wait_gone(get, thing_id, not_found, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            get(thing_id)
        except not_found:
            return
        time.sleep(0.3)
    raise AssertionError('%s not deleted after %d s' % (thing_id, timeout))


class Demo(object):
    """demo's Nova, Cinder and Glance, and everything the tests make in
    them, deleted at the end."""

    def __init__(self):
        self.session = cloud.session('demo')
        self.context = cloud.request_context(self.session)
        self.nova = nova_client.Client(server_plugin.NOVA_MICROVERSION,
                                       session=self.session)
        self.cinder = cinder_client.Client('3', session=self.session)
        self.glance = glance_client.Client('2', session=self.session)
        self.tag = 'karbor-fullstack-server-%s' % uuid.uuid4().hex[:8]
        self.servers = []
        self.volumes = []
        self.images = []
        self.key_pairs = []

    def new_image(self):
        image = self.glance.images.create(
            name=self.tag + '-image', disk_format='raw',
            container_format='bare', visibility='private')
        self.images.append(image.id)
        self.glance.images.upload(image.id, io.BytesIO(b'\0' * 65536),
                                  image_size=65536)
        return wait(self.glance.images.get, image.id, 'active').id

    def new_volume(self, name):
        volume = self.cinder.volumes.create(1, name='%s-%s' % (self.tag,
                                                               name))
        self.volumes.append(volume.id)
        return wait(self.cinder.volumes.get, volume.id, 'available').id

    def new_key_pair(self):
        key_pair = self.nova.keypairs.create(self.tag + '-key')
        self.key_pairs.append(key_pair.name)
        return key_pair

    def new_server(self, image_id, key_name=None, metadata=None):
        server = self.nova.servers.create(
            self.tag + '-server', image_id,
            self.nova.flavors.find(name='m1.tiny').id, nics='none',
            key_name=key_name, meta=metadata)
        self.servers.append(server.id)
        return wait(self.nova.servers.get, server.id, 'ACTIVE')

    def attach(self, server_id, volume_id):
        self.nova.volumes.create_server_volume(server_id, volume_id)
        wait(self.cinder.volumes.get, volume_id, 'in-use')

    def delete_server(self, server_id):
        self.nova.servers.delete(server_id)
        wait_gone(self.nova.servers.get, server_id, nova_exceptions.NotFound)

    def clean_up(self):
        problems = []

        def attempt(what, action):
            try:
                action()
            except Exception as exc:
                problems.append('%s: %r' % (what, exc))

        for server_id in self.servers:
            attempt(server_id, lambda: self._delete_server(server_id))
        for volume_id in self.volumes:
            attempt(volume_id, lambda: self._delete_volume(volume_id))
        for image_id in self.images:
            attempt(image_id, lambda: self._delete_image(image_id))
        for name in self.key_pairs:
            attempt(name, lambda: self._delete_key_pair(name))
        assert not problems, problems

    def _delete_server(self, server_id):
        try:
            self.delete_server(server_id)
        except nova_exceptions.NotFound:
            pass

    def _delete_volume(self, volume_id):
        try:
            volume = self.cinder.volumes.get(volume_id)
        except cinder_exceptions.NotFound:
            return
        if volume.status != 'deleting':
            wait(self.cinder.volumes.get, volume_id, 'available', timeout=120)
            self.cinder.volumes.delete(volume_id)
        wait_gone(self.cinder.volumes.get, volume_id,
                  cinder_exceptions.NotFound)

    def _delete_image(self, image_id):
        try:
            self.glance.images.delete(image_id)
        except glance_exceptions.HTTPNotFound:
            pass

    def _delete_key_pair(self, name):
        try:
            self.nova.keypairs.delete(name)
        except nova_exceptions.NotFound:
            pass


@pytest.fixture(scope='module')
def demo():
    objects.register_all()
    demo = Demo()
    yield demo
    demo.clean_up()


@pytest.fixture(scope='module')
def provider(tmp_path_factory):
    directory = tmp_path_factory.mktemp('server-plugin')
    path = directory / 'provider.conf'
    path.write_text(PROVIDER % {'id': uuid.uuid4(),
                                'bank': directory / 'bank',
                                'timeout': TIMEOUT})
    loaded = providers._load_provider(str(path))
    assert loaded is not None, 'the provider file did not load'
    loaded.bank.plugin.acquire_lease()
    yield loaded
    loaded.bank.plugin.release_lease()


@pytest.fixture(scope='module')
def plugin(provider):
    return provider.get_protection_plugin(SERVER)


def new_checkpoint(provider, demo, server_id):
    plan = plan_objects.Plan(
        id=str(uuid.uuid4()), name='server %s' % server_id,
        description=None, provider_id=provider.id,
        project_id=demo.context.project_id, status='suspended',
        resources=[{'id': server_id, 'type': SERVER, 'name': ''}],
        parameters={})
    return provider.checkpoints.create(plan)


def _section(checkpoint, server_id):
    return checkpoint.get_resource_bank_section('%s#%s' % (SERVER,
                                                           server_id))


def test_a_server_is_restored_with_its_flavor_metadata_key_and_volume(
        demo, provider, plugin):
    image_id = demo.new_image()
    volume_id = demo.new_volume('data')
    key_pair = demo.new_key_pair()
    metadata = {'role': 'database', 'owner': demo.tag}
    server = demo.new_server(image_id, key_name=key_pair.name,
                             metadata=metadata)
    demo.attach(server.id, volume_id)
    device = demo.nova.volumes.get_server_volumes(server.id)[0].device

    resource = Resource(SERVER, server.id, server.name)
    checkpoint = new_checkpoint(provider, demo, server.id)
    hooks.run_hooks(plugin.get_protect_operation(resource), checkpoint,
                    resource, demo.context)
    saved = plugin.get_saved_info(_section(checkpoint, server.id), resource)
    tiny = demo.nova.flavors.find(name='m1.tiny')
    assert saved['status'] == 'available'
    assert (saved['flavor']['id'], saved['flavor']['original_name']) == (
        tiny.id, 'm1.tiny')
    assert saved['metadata'] == metadata
    assert saved['key_name'] == key_pair.name
    assert saved['key_pair']['public_key'] == key_pair.public_key
    assert saved['image'] == image_id
    assert saved['attached_volumes'] == [{
        'id': volume_id, 'device': device, 'delete_on_termination': False,
        'boot': False}]
    assert saved['availability_zone'] == getattr(
        server, 'OS-EXT-AZ:availability_zone')
    assert saved['networks'] == []
    jsonschema.validate(saved, plugin.get_saved_info_schema(SERVER))
    checkpoint.finish_protecting()

    # What the volume plugin's restore would have made, and the key pair
    # lost since the checkpoint.
    restored_volume_id = demo.new_volume('restored')
    demo.nova.keypairs.delete(key_pair.name)
    record = hooks.RestoreRecord()
    new_resources = {'%s#%s' % (VOLUME, volume_id): restored_volume_id}
    try:
        hooks.run_hooks(plugin.get_restore_operation(resource), checkpoint,
                        resource, demo.context,
                        {'restore_name': demo.tag + '-restored'},
                        restore=record, new_resources=new_resources)
    finally:
        restored_id = new_resources.get('%s#%s' % (SERVER, server.id))
        if restored_id:
            demo.servers.append(restored_id)
    assert restored_id and restored_id != server.id
    assert record.resources_status == {
        '%s#%s' % (SERVER, restored_id): 'available'}
    assert record.resources_reason == {}

    restored = demo.nova.servers.get(restored_id)
    assert restored.status == 'ACTIVE'
    assert restored.name == demo.tag + '-restored'
    assert restored.flavor['original_name'] == 'm1.tiny'
    assert restored.metadata == metadata
    assert restored.key_name == key_pair.name
    assert restored.image['id'] == image_id
    assert getattr(restored, 'OS-EXT-AZ:availability_zone') == getattr(
        server, 'OS-EXT-AZ:availability_zone')
    assert restored.addresses == {}
    assert [attachment.volumeId for attachment in
            demo.nova.volumes.get_server_volumes(restored_id)] == [
        restored_volume_id]
    volume = demo.cinder.volumes.get(restored_volume_id)
    assert volume.status == 'in-use'
    assert [a['server_id'] for a in volume.attachments] == [restored_id]
    # The key pair is back, with the same public key.
    assert demo.nova.keypairs.get(key_pair.name).public_key == (
        key_pair.public_key)
    # The protected server is untouched.
    assert [attachment.volumeId for attachment in
            demo.nova.volumes.get_server_volumes(server.id)] == [volume_id]

    checkpoint.start_deleting()
    hooks.run_hooks(plugin.get_delete_operation(resource), checkpoint,
                    resource, demo.context)
    assert _section(checkpoint, server.id).list_objects() == []
    assert plugin.get_saved_info(_section(checkpoint, server.id),
                                 resource) is None
    checkpoint.finish_deleting()


def test_a_server_deleted_while_it_is_protected_fails_with_the_reason(
        demo, provider, plugin):
    server = demo.new_server(demo.new_image())
    resource = Resource(SERVER, server.id, server.name)
    checkpoint = new_checkpoint(provider, demo, server.id)
    operation = plugin.get_protect_operation(resource)
    operation.on_prepare_begin(checkpoint, resource, demo.context, {})
    assert plugin.get_saved_info(_section(checkpoint, server.id),
                                 resource)['status'] == 'protecting'

    demo.delete_server(server.id)
    with pytest.raises(server_plugin.ServerPluginError,
                       match='Nova has no server %s any more: it was deleted '
                             'while it was being protected' % server.id):
        operation.on_complete(checkpoint, resource, demo.context, {})
    checkpoint.fail('the server was deleted')
