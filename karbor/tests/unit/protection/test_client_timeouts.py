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

"""No call to the cloud hangs: the real clients against a service that
accepts connections and never answers (a listening socket of the test).

Every test configures a short timeout and checks that the work failed
soon, with a reason that names the silent service and says it timed out.
"""

import time
import uuid

from keystoneauth1 import fixture as ks_fixture
from oslo_utils import uuidutils
import pytest
import requests_mock

from karbor import context as karbor_context
from karbor import exception
from karbor.objects import plan as plan_objects
from karbor.services.protection.bank_plugins import swift_bank_plugin
from karbor.services.protection.clients import cinder
from karbor.services.protection.clients import glance
from karbor.services.protection.clients import keystone
from karbor.services.protection.clients import nova
from karbor.services.protection.clients import session
from karbor.services.protection.clients import swift
from karbor.services.protection import graph
from karbor.services.protection.protection_plugins.image import (
    image_protection_plugin as image_plugin)
from karbor.services.protection.protection_plugins import waiting as polling
from karbor.services.protection import provider as providers
from karbor.tests import silent_service as silent
from karbor.tests.unit.protection import fakes

TIMEOUT = 0.3
# What a test may take at most: every try of a plugin that asks again (at
# most six), each one TIMEOUT long, and slack for a machine busy with
# other work; far below what the default timeouts (a minute) would take.
SLACK = 15
BOUND = 6 * TIMEOUT + SLACK
PROVIDER_ID = 'b1ac0e00-0000-4000-8000-00000000dead'


@pytest.fixture
def silent_service():
    """The URL of a server that accepts every connection and never
    answers."""
    service = silent.SilentService()
    yield service.url
    service.close()


@pytest.fixture(autouse=True)
def no_waits_between_tries(monkeypatch):
    """The plugins' pauses between tries are not what is measured."""
    monkeypatch.setattr(polling, '_sleep', lambda seconds: None)
    monkeypatch.setattr(image_plugin, '_sleep', lambda seconds: None)


def _context():
    return karbor_context.RequestContext(
        user_id='demo', project_id='project-a', is_admin=False,
        auth_token='user-token')


# (resource type, plugin, [group] option of the endpoint, its path,
# the service's title in the reason)
SERVICES = [
    ('OS::Cinder::Volume', 'karbor-volume-protection-plugin',
     cinder.GROUP, 'cinder_endpoint', '/v3/%(project_id)s',
     'Block storage service (cinder)'),
    ('OS::Glance::Image', 'karbor-image-protection-plugin',
     glance.GROUP, 'glance_endpoint', '',
     'Image service (glance)'),
    ('OS::Nova::Server', 'karbor-server-protection-plugin',
     nova.GROUP, 'nova_endpoint', '/v2.1',
     'Compute service (nova)'),
]


@pytest.mark.parametrize(
    'resource_type,plugin,group,endpoint_option,path,title', SERVICES,
    ids=['cinder', 'glance', 'nova'])
def test_a_silent_service_fails_the_resource_and_the_checkpoint(
        config, database, tmp_path, silent_service, resource_type, plugin, group,
        endpoint_option, path, title):
    config.config(group=group, timeout=TIMEOUT,
                  **{endpoint_option: silent_service + path})
    provider_file = tmp_path / 'silent.conf'
    provider_file.write_text(
        '[provider]\nname = Silent cloud\nid = %s\nplugin = %s\n'
        'bank = karbor-fs-bank-plugin\nenabled = True\n'
        '[file_system_bank_plugin]\nfile_system_bank_path = %s\n'
        % (PROVIDER_ID, plugin, tmp_path / 'bank'))
    provider = providers._load_provider(str(provider_file))
    resource_id = uuidutils.generate_uuid()
    plan = plan_objects.Plan(
        id=uuidutils.generate_uuid(), name='Plan', description=None,
        provider_id=PROVIDER_ID, project_id='project-a', status='suspended',
        parameters={},
        resources=[{'id': resource_id, 'type': resource_type,
                    'name': 'silent'}])

    class Protectables(object):
        def build_graph(self, context, resources, accepts_type):
            return graph.build_graph(resources, lambda resource: [])

    provider.bank.plugin.acquire_lease()
    try:
        checkpoint = provider.checkpoints.create(plan)
        started = time.monotonic()
        fakes.protect(_context(), provider, Protectables(), checkpoint, plan)
        took = time.monotonic() - started
        record = provider.checkpoints.get(checkpoint.id).to_dict()
    finally:
        provider.bank.plugin.release_lease()
    key = '%s#%s' % (resource_type, resource_id)
    assert record['status'] == 'error'
    assert record['resources_status'] == {key: 'error'}
    reason = record['resources_reason'][key]
    assert reason.startswith('%s is not available: ' % title)
    assert 'timed out' in reason
    assert silent_service in reason
    assert took < BOUND


def test_a_silent_keystone_is_reported_unavailable(config, silent_service):
    config.config(group=keystone.GROUP, timeout=TIMEOUT,
                  keystone_endpoint=silent_service + '/v3')
    started = time.monotonic()
    with pytest.raises(exception.ServiceUnavailable) as raised:
        with session.service_errors(keystone.SERVICE_TITLE,
                                    keystone.ClientError):
            keystone.create(_context()).projects.get('project-b')
    assert time.monotonic() - started < BOUND
    assert str(raised.value).startswith(
        'Identity service (keystone) is not available: ')
    assert 'timed out' in str(raised.value)


def test_a_silent_keystone_of_the_service_user_fails_the_call(
        config, karbor_conf, silent_service):
    karbor_conf(fakes.SERVICE_USER_CONF.replace(
        'http://127.0.0.1:5000', silent_service) + 'timeout = 1\n')
    config.config(group=cinder.GROUP, timeout=TIMEOUT,
                  cinder_endpoint=silent_service + '/v3/%(project_id)s')
    started = time.monotonic()
    with pytest.raises(exception.ServiceUnavailable) as raised:
        cinder.create(_context()).volumes.get('volume-a')
    # The service user's own timeout ([service_user] timeout = 1), for
    # the discovery of the identity API, then for the token.
    assert time.monotonic() - started < 2 * 1 + SLACK
    assert str(raised.value).startswith(
        'Identity service (keystone) is not available: Karbor\'s service '
        'user ([service_user]) cannot get a token: ')
    assert 'timed out' in str(raised.value)


SWIFT_PROVIDER = '''[provider]
name = Silent Swift
id = %(id)s
bank = karbor-swift-bank-plugin

[swift_client]
swift_auth_url = %(auth_url)s
swift_user = karbor
swift_key = secret
swift_tenant_name = service
swift_endpoint = %(swift)s/v1/AUTH_karbor
timeout = %(timeout)s

[swift_bank_plugin]
bank_swift_object_container = bank
'''


@pytest.fixture
def swift_retries(monkeypatch):
    """One retry of each request (and swiftclient's first back-off, half a
    second), not five: each try waits its whole timeout."""
    monkeypatch.setattr(swift, 'RETRIES', 1)


def _swift_bank(tmp_path, auth_url, swift_url):
    return swift_bank_plugin.SwiftBankPlugin(fakes.provider_config(
        str(tmp_path), SWIFT_PROVIDER % {
            'id': uuid.uuid4(), 'auth_url': auth_url, 'swift': swift_url,
            'timeout': TIMEOUT}))


@pytest.fixture
def bank_keystone():
    """A Keystone for the bank's account (requests to other hosts go out
    for real)."""
    with requests_mock.Mocker(real_http=True) as mocker:
        token = ks_fixture.V3Token()
        token.set_project_scope()
        mocker.post('http://keystone.test/v3/auth/tokens', json=token,
                    headers={'X-Subject-Token': 'bank-token'},
                    status_code=201)
        yield 'http://keystone.test/v3'


def test_a_silent_swift_fails_bank_calls_naming_swift(
        config, tmp_path, silent_service, bank_keystone, swift_retries):
    started = time.monotonic()
    # Not ready at start: one try, no retries.
    bank = _swift_bank(tmp_path, bank_keystone, silent_service)
    assert time.monotonic() - started < TIMEOUT + SLACK
    started = time.monotonic()
    with pytest.raises(exception.BankError) as raised:
        bank.update_object('/checkpoints/a/index.json', {'id': 'a'})
    assert time.monotonic() - started < 2 * TIMEOUT + 0.5 + SLACK
    assert 'cannot reach Swift' in str(raised.value)
    assert 'timed out' in str(raised.value)


def test_a_silent_keystone_fails_bank_calls_naming_keystone(
        config, tmp_path, silent_service):
    bank = _swift_bank(tmp_path, silent_service + '/v3',
                       'http://swift.test:8080')
    started = time.monotonic()
    with pytest.raises(exception.BankError) as raised:
        bank.get_object('/checkpoints/a/index.json')
    assert time.monotonic() - started < TIMEOUT + SLACK
    assert ('cannot authenticate at %s/v3' % silent_service in
            str(raised.value))
    assert 'timed out' in str(raised.value)
