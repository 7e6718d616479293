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

import fcntl
import inspect
import json
import logging
import os
import threading
import time
import uuid

import pytest

from karbor import exception
from karbor.services.protection import bank_plugin
from karbor.services.protection.bank_plugins import file_system_bank_plugin
from karbor.services.protection.bank_plugins import swift_bank_plugin
from karbor.services.protection import provider
from karbor.tests.unit.protection import fakes
from karbor.tests.unit.protection import test_swift_bank
from karbor.tests.unit.protection.test_swift_bank import cluster  # noqa


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

    def __init__(self, config=None):
        super().__init__(config)
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


def test_plugins_written_for_the_original_karbor_still_load():
    # It declared the lease calls in LeasePlugin, apart from BankPlugin;
    # its plugins subclass both, in either order.
    class LeaseFirst(bank_plugin.LeasePlugin, bank_plugin.BankPlugin):
        pass

    class OriginalKarborPlugin(_MinimalPlugin, bank_plugin.LeasePlugin):
        pass

    assert inspect.isabstract(LeaseFirst)
    plugin = OriginalKarborPlugin()
    assert isinstance(plugin, bank_plugin.LeasePlugin)
    bank = bank_plugin.Bank(plugin)
    bank.update_object('/record', {'id': 'c1'})
    assert bank.get_object('/record') == {'id': 'c1'}
    assert bank.check_lease_validity()
    # It keeps no ETags: its records are written whatever they hold.
    assert bank.update_object_if_match('/record', {'id': 'c2'}, 'old') is None
    assert bank.get_object_and_etag('/record') == ({'id': 'c2'}, None)


@pytest.fixture(params=['file system', 'swift'])
def karbor_plugin(request, config, tmp_path):
    """Each of Karbor's bank plugins; Swift's against a fake Swift."""
    if request.param == 'file system':
        return fakes.fs_bank_plugin(str(tmp_path))
    request.getfixturevalue('cluster')
    return test_swift_bank.make_plugin(tmp_path)


def test_a_write_against_an_etag_that_is_no_longer_the_objects_writes_nothing(
        karbor_plugin):
    key = '/checkpoints/c1/index.json'
    first = karbor_plugin.update_object_if_match(key, {'status': 'a'}, None)
    data, etag = karbor_plugin.get_object_and_etag(key)
    assert json.loads(data) == {'status': 'a'} and etag == first

    second = karbor_plugin.update_object_if_match(key, {'status': 'b'}, etag)
    assert second != first
    # A writer that read the first version and stalled until now.
    with pytest.raises(exception.BankObjectChanged) as changed:
        karbor_plugin.update_object_if_match(key, {'status': 'stale'}, first)
    assert exception.BankObjectChanged.code == 409
    assert str(changed.value) == ('Bank object %s was replaced by another '
                                  'writer since it was read.' % key)
    assert json.loads(karbor_plugin.get_object(key)) == {'status': 'b'}
    karbor_plugin.delete_object(key)
    with pytest.raises(exception.BankObjectChanged):
        karbor_plugin.update_object_if_match(key, {'status': 'c'}, second)
    assert karbor_plugin.list_objects() == []


def test_of_writers_racing_from_one_etag_exactly_one_writes(karbor_plugin):
    plugin = karbor_plugin
    key = '/checkpoints/c1/index.json'
    etag = plugin.update_object_if_match(key, {'writer': None}, None)
    start = threading.Barrier(8)
    outcomes = []

    def write(number):
        start.wait()
        try:
            plugin.update_object_if_match(key, {'writer': number}, etag)
            outcomes.append(number)
        except exception.BankObjectChanged:
            outcomes.append(None)

    threads = [threading.Thread(target=write, args=(number,))
               for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [number for number in outcomes if number is not None]
    assert len(outcomes) == 8 and len(winners) == 1
    assert json.loads(plugin.get_object(key)) == {'writer': winners[0]}


def test_a_write_waits_for_the_objects_lock_no_longer_than_its_patience(
        tmp_path, config, monkeypatch):
    monkeypatch.setattr(file_system_bank_plugin, 'LOCK_PATIENCE', 0.2)
    plugin = fakes.fs_bank_plugin(str(tmp_path))
    key = '/checkpoints/c1/index.json'
    etag = plugin.update_object_if_match(key, {'status': 'a'}, None)
    # Another host's writer that holds the lock and hangs.
    lock = os.open(str(tmp_path / 'bank' / 'checkpoints' / 'c1' /
                       '.index.json.lock'), os.O_RDWR)
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        with pytest.raises(exception.BankError) as refused:
            plugin.update_object_if_match(key, {'status': 'b'}, etag)
    finally:
        os.close(lock)
    assert 'another writer has held the lock of bank object %s' % key in (
        str(refused.value))
    assert json.loads(plugin.get_object(key)) == {'status': 'a'}
    # Nothing of the refused write is left behind.
    assert os.listdir(str(tmp_path / 'bank' / '.tmp')) == []
    plugin.update_object_if_match(key, {'status': 'b'}, etag)


def test_karbors_banks_keep_their_lease_in_the_base():
    for plugin_class in (file_system_bank_plugin.FileSystemBankPlugin,
                         swift_bank_plugin.SwiftBankPlugin):
        assert issubclass(plugin_class, bank_plugin.LeasedBankPlugin)
        assert issubclass(plugin_class, bank_plugin.LeasePlugin)
        for name in ('acquire_lease', 'renew_lease', 'check_lease_validity',
                     'release_lease', 'get_owner_id'):
            assert getattr(plugin_class, name) is getattr(
                bank_plugin.LeasedBankPlugin, name), (plugin_class, name)


class _LeaseObject(bank_plugin.LeasedBankPlugin, _MinimalPlugin):
    """A bank whose lease object is a dict entry; ``down`` makes the bank
    refuse it."""

    def __init__(self, config):
        super().__init__(config, 'test_bank')
        self.down = False
        self.calls = []

    def _lease_call(self, name):
        self.calls.append(name)
        if self.down:
            raise exception.BankError(reason='the bank is down')

    def _take_lease(self):
        self._lease_call('take')
        self.objects['lease'] = self._owner_id

    def _extend_lease(self):
        self._lease_call('extend')

    def _give_up_lease(self):
        self._lease_call('give up')
        self.objects.pop('lease', None)


def _lease_object(tmp_path, **windows):
    lines = ['[provider]', 'name = Test', 'id = %s' % uuid.uuid4(),
             'bank = test', '[test_bank]']
    lines.extend('%s = %s' % item for item in windows.items())
    return _LeaseObject(fakes.provider_config(str(tmp_path),
                                              '\n'.join(lines) + '\n'))


class _Clock(object):
    def __init__(self, monkeypatch):
        self.now = 1000.0
        monkeypatch.setattr(bank_plugin, '_clock', lambda: self.now)


def test_the_lease_keeper_counts_the_expiry_from_before_the_write(
        tmp_path, monkeypatch):
    clock = _Clock(monkeypatch)
    plugin = _lease_object(tmp_path)
    slow_take = plugin._take_lease

    def take_for_ten_seconds():
        slow_take()
        clock.now += 10

    plugin._take_lease = take_for_ten_seconds
    plugin.acquire_lease()
    try:
        assert plugin.objects['lease'] == plugin.get_owner_id()
        # Asked for at 1000 for 300 s: 1300, though the write ended at 1010.
        clock.now = 1200
        assert plugin.check_lease_validity()      # 100 s left
        clock.now = 1200.5
        assert not plugin.check_lease_validity()
    finally:
        plugin.release_lease()


def test_a_renewal_the_bank_refuses_keeps_the_old_expiry(tmp_path,
                                                         monkeypatch,
                                                         caplog):
    clock = _Clock(monkeypatch)
    plugin = _lease_object(tmp_path)
    plugin.acquire_lease()
    try:
        clock.now += 150
        plugin.down = True
        with caplog.at_level(logging.WARNING):
            plugin.renew_lease()   # logged, not raised
        assert 'Could not renew the bank lease of %s' % (
            plugin.get_owner_id()) in caplog.text
        # Still the expiry of the lease taken at 1000.
        clock.now = 1200
        assert plugin.check_lease_validity()
        clock.now = 1201
        assert not plugin.check_lease_validity()
        plugin.down = False
        plugin.renew_lease()
        assert plugin.check_lease_validity()
        assert plugin.calls == ['take', 'extend', 'extend']
    finally:
        plugin.release_lease()


def test_the_lease_keeper_renews_until_released_then_gives_the_lease_up(
        tmp_path):
    plugin = _lease_object(tmp_path, lease_expire_window=3,
                           lease_renew_window=1, lease_validity_window=1)
    two_renewals = threading.Event()
    extend = plugin._extend_lease

    def counted():
        extend()
        if plugin.calls.count('extend') >= 2:
            two_renewals.set()

    plugin._extend_lease = counted
    plugin.acquire_lease()
    try:
        assert two_renewals.wait(30), 'the lease was not renewed'
    finally:
        plugin.release_lease()
    calls = list(plugin.calls)
    assert calls[0] == 'take' and calls[-1] == 'give up'
    assert set(calls[1:-1]) == {'extend'}
    assert 'lease' not in plugin.objects
    assert not plugin.check_lease_validity()
    time.sleep(1.5)   # longer than the renew window
    assert plugin.calls == calls


def test_a_lease_the_bank_refuses_at_first_is_taken_by_the_renewals(
        tmp_path):
    plugin = _lease_object(tmp_path, lease_expire_window=3,
                           lease_renew_window=1, lease_validity_window=1)
    plugin.down = True
    with pytest.raises(exception.BankError):
        plugin.acquire_lease()
    try:
        assert not plugin.check_lease_validity()
        plugin.down = False
        deadline = time.monotonic() + 30
        while not plugin.check_lease_validity():
            assert time.monotonic() < deadline, 'the lease was not taken'
            time.sleep(0.05)
    finally:
        plugin.release_lease()


def test_a_provider_file_with_unsafe_lease_windows_is_left_out(
        config, tmp_path, caplog):
    path = tmp_path / 'unsafe.conf'
    path.write_text('[provider]\nname = Unsafe\nid = %s\n'
                    'bank = karbor-fs-bank-plugin\nenabled = True\n'
                    '[file_system_bank_plugin]\n'
                    'lease_expire_window = 120\n'
                    'lease_renew_window = 100\n'
                    'lease_validity_window = 100\n' % uuid.uuid4())
    with caplog.at_level(logging.ERROR):
        assert provider._load_provider(str(path)) is None
    assert 'unsafe.conf' in caplog.text
    assert ('[file_system_bank_plugin] lease_expire_window (120) must be at '
            'least twice lease_renew_window plus lease_validity_window '
            '(2 x 100 + 100 = 300)') in caplog.text
