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

"""A scheduled protect of a real volume, run by the cloud's
karbor-operationengine through the Keystone trust its creation made,
after the token that created it was revoked; deleting the operation
deletes the trust."""

import datetime
import time

from keystoneauth1 import adapter
import pytest

from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import deployment
from karbor.tests.functional import fixtures

pytestmark = [cloud.needs_cloud('demo'), pytest.mark.timeout(900)]

INFRA = fixtures.INFRA_PROVIDER


def _trusts(identity, user_id):
    return {trust['id'] for trust in identity.get(
        '/OS-TRUST/trusts', params={'trustor_user_id': user_id}).json()[
            'trusts']}


def test_a_scheduled_protect_runs_through_the_trust_once_the_token_is_gone(
        demo):
    volume = demo.new_volume('scheduled', known_bytes=False)
    creator = cloud.session('demo')
    api = deployment.Api(creator)
    identity = adapter.Adapter(creator, service_type='identity')
    user_id = creator.get_user_id()
    trusts_before = _trusts(identity, user_id)
    plan = api.create_plan(demo.name('scheduled'), INFRA, [
        {'id': volume.id, 'type': 'OS::Cinder::Volume',
         'name': volume.name}])
    # Once a day, at the minute after next (the cloud keeps the default
    # min_interval of an hour).
    fire = (datetime.datetime.utcnow() + datetime.timedelta(minutes=2)
            ).replace(second=0, microsecond=0)
    trigger = api.call('POST', '/triggers', {'trigger_info': {
        'name': demo.name('scheduled'), 'type': 'time',
        'properties': {'format': 'crontab',
                       'pattern': '%d %d * * *' % (fire.minute, fire.hour)}
    }})['trigger_info']
    operation = api.call('POST', '/scheduled_operations', {
        'scheduled_operation': {
            'name': demo.name('scheduled'), 'operation_type': 'protect',
            'trigger_id': trigger['id'], 'operation_definition': {
                'plan_id': plan['id'], 'provider_id': INFRA}}}
    )['scheduled_operation']
    (trust,) = _trusts(identity, user_id) - trusts_before

    # The creator's token is revoked: the run cannot be using it.
    token = creator.get_token()
    identity.delete('/auth/tokens', headers={'X-Subject-Token': token})
    reader = deployment.Api(cloud.session('demo'))

    def run():
        logs = reader.call('GET', '/operation_logs', params={
            'scheduled_operation_id': operation['id']})['operation_logs']
        assert len(logs) <= 1, logs
        return logs[0] if logs else {'status': 'not run yet'}

    deadline = time.monotonic() + 300
    while run()['status'] == 'not run yet':
        assert time.monotonic() < deadline
        time.sleep(2)
    log = reader.wait(run, 'available', timeout=600)
    assert log['extra_info']['created_by'] == 'operation-engine'
    assert log['extra_info']['scheduled_at'] == fire.strftime(
        '%Y-%m-%dT%H:%M:%S')
    checkpoint = reader.checkpoint(INFRA, log['checkpoint_id'])
    assert checkpoint['status'] == 'available'
    assert checkpoint['protection_plan']['id'] == plan['id']
    assert checkpoint['resources_status'] == {
        'OS::Cinder::Volume#%s' % volume.id: 'available'}

    reader.call('DELETE', '/scheduled_operations/' + operation['id'])
    reader_identity = adapter.Adapter(reader.session,
                                      service_type='identity')
    assert trust not in _trusts(reader_identity, user_id)
    reader.call('DELETE', '/triggers/' + trigger['id'])
    reader.delete_checkpoint(INFRA, checkpoint['id'])
    reader.wait(lambda: reader.checkpoint(INFRA, checkpoint['id']),
                'deleted')
