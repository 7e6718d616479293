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

"""Long work on the real cloud: it outlives the user's token, and it can be
followed by its request id through Karbor and the services it calls.

A protect and a restore are started with a token that expires while they
run. karbor-protection sends Karbor's service token beside the user's
([service_user] send_service_user_token), and the cloud's services accept an
expired user token that comes with a valid service token, as a devstack
cloud does; so both still complete. The short-lived token comes from an
application credential that expires soon: Keystone never issues a token
that outlives its credential.
"""

import datetime
import re
import time

from keystoneauth1 import adapter
from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import pytest
import requests

from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import deployment
from karbor.tests.functional import fixtures

pytestmark = [cloud.needs_cloud('demo'), pytest.mark.timeout(1800)]

INFRA = fixtures.INFRA_PROVIDER
VOLUME = 'OS::Cinder::Volume'
# Seconds left to the user's token when the work it asks for starts.
TOKEN_LEFT = 3


class ShortLivedToken(object):
    """A token of ``tenant``'s user that Keystone lets live ``seconds``."""

    def __init__(self, tenant, seconds):
        self._identity = adapter.Adapter(tenant.session,
                                         service_type='identity')
        self._path = '/users/%s/application_credentials' % (
            tenant.session.get_user_id())
        expires = (datetime.datetime.now(datetime.timezone.utc) +
                   datetime.timedelta(seconds=seconds))
        credential = self._identity.post(self._path, json={
            'application_credential': {
                'name': tenant.name('short-lived'),
                'expires_at': expires.strftime('%Y-%m-%dT%H:%M:%S')}},
        ).json()['application_credential']
        self._id = credential['id']
        auth = v3.ApplicationCredential(
            auth_url=cloud.openrc('demo')['OS_AUTH_URL'],
            application_credential_id=credential['id'],
            application_credential_secret=credential['secret'])
        access = auth.get_access(ks_session.Session())
        self.token = access.auth_token
        self.expires = access.expires

    def request_options(self):
        """keystoneauth request arguments that send this token instead of
        the session's own."""
        return {'authenticated': False,
                'headers': {'X-Auth-Token': self.token}}

    def seconds_left(self):
        return (self.expires -
                datetime.datetime.now(datetime.timezone.utc)).total_seconds()

    def wait_until_left(self, seconds):
        """Wait until the token has ``seconds`` left to live, so that how
        long issuing it took does not decide whether work outlives it."""
        time.sleep(max(0.0, self.seconds_left() - seconds))
        assert self.seconds_left() > seconds - 1, (
            'issuing the token took longer than its life allows')

    def delete(self):
        # Only once the work is done: Keystone revokes the credential's
        # tokens with it.
        self._identity.delete('%s/%s' % (self._path, self._id))


def _refused_alone(token, tenant):
    """Whether Cinder refuses ``token`` when no service token comes with
    it: the expiry was real."""
    url = tenant.session.get_endpoint(service_type='block-storage',
                                      interface='public')
    return requests.get(url + '/volumes', headers={'X-Auth-Token': token},
                        timeout=30).status_code == 401


def test_a_protect_and_a_restore_outlive_the_users_token(demo):
    api = deployment.Api(demo.session)
    volume = demo.new_volume('outlives')
    original = demo.volume_digest(volume.id)
    plan = api.create_plan('kfs-outlives', INFRA, [
        {'id': volume.id, 'type': VOLUME, 'name': volume.name}])

    # The backup of a 1 GiB volume takes Cinder 9 to 25 s on this
    # machine, its restore 5 to 10 s; each starts when its token has
    # TOKEN_LEFT seconds to live, enough to be accepted.
    token = ShortLivedToken(demo, 10)
    token.wait_until_left(TOKEN_LEFT)
    started = api.start_checkpoint(INFRA, plan['id'],
                                   **token.request_options())
    checkpoint = api.wait(lambda: api.checkpoint(INFRA, started['id']),
                          'available')
    assert token.seconds_left() < 0, 'the protect ended before the token'
    assert _refused_alone(token.token, demo)
    token.delete()

    token = ShortLivedToken(demo, 10)
    token.wait_until_left(TOKEN_LEFT)
    started = api.start_restore(INFRA, checkpoint['id'],
                                **token.request_options())
    done = api.wait(lambda: api.restore(started['id']), 'success')
    assert token.seconds_left() < 0, 'the restore ended before the token'
    token.delete()
    ((key, status),) = done['resources_status'].items()
    assert status == 'available'
    assert demo.volume_digest(key.split('#', 1)[1]) == original
    api.delete_checkpoint(INFRA, checkpoint['id'])


def _logged(service, request_id):
    """Whether ``service``'s log has a line of request ``request_id``
    (oslo.log writes the global request id on each line of a request)."""
    name = '%s.out' % service if service == 'nova-api' else '%s.log' % service
    with open('%s/log/%s' % (cloud.CLOUD_DIR, name), errors='replace') as log:
        return request_id in log.read()


def test_the_request_id_follows_the_work_into_the_cloud(demo):
    """The ids karbor-api gave the checkpoint-create and restore-create
    requests are on the protection worker's log lines of that work, and
    the services Karbor called for it received them as the global request
    id: Cinder and Nova for the protect, Glance, Cinder and Nova for the
    restore (Glance logs uploads, not reads)."""
    api = deployment.Api(demo.session)
    image = demo.new_image('traced')
    volume = demo.new_volume('traced', known_bytes=False)
    server = demo.new_server('traced', image.id, volume.id, {})
    plan = api.create_plan('kfs-traced', INFRA, [
        {'id': server.id, 'type': 'OS::Nova::Server', 'name': server.name}])
    response = api.http.post('/providers/%s/checkpoints' % INFRA, json={
        'checkpoint': {'plan_id': plan['id']}})
    protect_id = response.headers['X-OpenStack-Request-Id']
    assert re.match(r'^req-[0-9a-f-]{36}$', protect_id)
    checkpoint_id = response.json()['checkpoint']['id']
    api.wait(lambda: api.checkpoint(INFRA, checkpoint_id), 'available')

    response = api.http.post('/restores', json={'restore': {
        'provider_id': INFRA, 'checkpoint_id': checkpoint_id}})
    restore_id = response.headers['X-OpenStack-Request-Id']
    restore = api.wait(lambda: api.restore(response.json()['restore']['id']),
                       'success')

    logged = deployment.protection_logs().splitlines()
    assert any(checkpoint_id in line for line in logged if protect_id in line)
    assert any(restore['id'] in line for line in logged if restore_id in line)
    for service in ('cinder-api', 'nova-api'):
        assert _logged(service, protect_id), service
    for service in ('glance-api', 'cinder-api', 'nova-api'):
        assert _logged(service, restore_id), service
    api.delete_checkpoint(INFRA, checkpoint_id)
    api.wait(lambda: api.checkpoint(INFRA, checkpoint_id), 'deleted')
