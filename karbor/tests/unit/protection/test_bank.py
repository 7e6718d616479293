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

import pytest

from karbor import exception
from karbor.services.protection import bank_plugin
from karbor.tests.unit.protection import fakes


@pytest.fixture
def bank(config, tmp_path):
    return bank_plugin.Bank(fakes.fs_bank_plugin(str(tmp_path)))


def test_the_bank_gives_json_back_decoded_and_other_data_as_bytes(bank):
    bank.update_object('/record', {'id': 'c1', 'resources': ['a', 'b']})
    bank.update_object('/raw', b'\x89PNG not json')
    assert bank.get_object('/record') == {'id': 'c1',
                                          'resources': ['a', 'b']}
    assert bank.get_object('/raw') == b'\x89PNG not json'


def test_a_section_scopes_keys_and_listing_to_its_prefix(bank):
    bank.update_object('/checkpoints/c1/index.json', {})
    section = bank.get_sub_section('/checkpoints/c1/OS::Cinder::Volume#v1')
    section.update_object('metadata', {'backup_id': 'b1'})
    section.update_object('data/0', b'zero')
    section.update_object('data/1', b'one')
    assert section.get_object('metadata') == {'backup_id': 'b1'}
    assert section.list_objects() == ['data/0', 'data/1', 'metadata']
    assert section.list_objects(prefix='data/', marker='data/0') == [
        'data/1']
    assert section.get_sub_section('data').list_objects() == ['0', '1']
    section.delete_object('data/0')
    assert bank.list_objects(prefix='/checkpoints/c1/') == [
        '/checkpoints/c1/OS::Cinder::Volume#v1/data/1',
        '/checkpoints/c1/OS::Cinder::Volume#v1/metadata',
        '/checkpoints/c1/index.json']


def test_a_read_only_section_refuses_writes(bank):
    bank.update_object('/checkpoints/c1/v1/metadata', {'a': 1})
    section = bank.get_sub_section('/checkpoints/c1/v1', is_writable=False)
    assert section.get_object('metadata') == {'a': 1}
    with pytest.raises(exception.BankReadonlyViolation):
        section.update_object('metadata', {'a': 2})
    with pytest.raises(exception.BankReadonlyViolation):
        section.delete_object('metadata')
    with pytest.raises(exception.BankReadonlyViolation):
        section.get_sub_section('sub').update_object('x', b'')


class _MinimalPlugin(bank_plugin.BankPlugin):
    """A third-party plugin with only the required calls, in memory."""

    def __init__(self):
        super().__init__()
        self.objects = {}

    def update_object(self, key, value, context=None):
        self.objects[key] = b''.join(bank_plugin.iter_chunks(value))

    def get_object(self, key, context=None):
        return self.objects[key]

    def list_objects(self, prefix=None, limit=None, marker=None,
                     sort_dir=None, end_marker=None, context=None):
        return sorted(self.objects)

    def delete_object(self, key, context=None):
        del self.objects[key]

    def get_owner_id(self, context=None):
        return 'owner'

    def acquire_lease(self):
        pass

    def renew_lease(self):
        pass

    def check_lease_validity(self):
        return True


def test_a_plugin_without_chunked_reads_still_serves_chunks():
    plugin = _MinimalPlugin()
    plugin.update_object('/data', iter([b'abc', b'defg']))
    assert list(plugin.get_object_chunks('/data', 3)) == [
        b'abc', b'def', b'g']
    # A plugin that cannot tell leases apart takes no one for a zombie.
    assert plugin.check_lease_existence('someone else')


def test_values_of_every_accepted_kind_become_byte_chunks(tmp_path):
    source = tmp_path / 'file'
    source.write_bytes(b'x' * 10)
    with open(source, 'rb') as stream:
        assert list(bank_plugin.iter_chunks(stream, 4)) == [
            b'xxxx', b'xxxx', b'xx']
    assert list(bank_plugin.iter_chunks('t\u00e9')) == ['t\u00e9'.encode()]
    assert list(bank_plugin.iter_chunks({'a': 1})) == [b'{"a": 1}']
    with pytest.raises(exception.BankError):
        list(bank_plugin.iter_chunks(42))
