#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""verification-create, -list and -show: what they send and print."""

from karborclient.tests.unit import fakes

VERIFICATION_ID = '8c1df1c5-29ab-4f77-8b45-bebc3aacf996'
VOLUME_KEY = 'OS::Cinder::Volume#%s' % fakes.VOLUME_ID


def verification(**changes):
    return dict({'id': VERIFICATION_ID, 'project_id': fakes.PROJECT_ID,
                 'provider_id': fakes.PROVIDER_ID,
                 'checkpoint_id': fakes.CHECKPOINT_ID, 'parameters': {},
                 'status': 'in_progress', 'resources_status': {},
                 'resources_reason': {}}, **changes)


def test_verification_create_posts_the_checkpoint_and_parameters(
        karbor, requests_mock):
    create = requests_mock.post(fakes.url('/verifications'),
                                json={'verification': verification()})

    result = karbor('verification-create', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID, '--parameters',
                    'resource_type=OS::Cinder::Volume,depth=full')

    assert result.status == 0, result.err
    assert create.last_request.json() == {'verification': {
        'provider_id': fakes.PROVIDER_ID,
        'checkpoint_id': fakes.CHECKPOINT_ID,
        'parameters': {'OS::Cinder::Volume': {'depth': 'full'}}}}
    assert '| status           | in_progress' in result.out


def test_verification_create_wait_fails_on_a_damaged_resource(
        karbor, requests_mock, clock):
    requests_mock.post(fakes.url('/verifications'),
                       json={'verification': verification()})
    requests_mock.get(fakes.url('/verifications/%s' % VERIFICATION_ID), [
        {'json': {'verification': verification(
            resources_status={VOLUME_KEY: 'in_progress'})}},
        {'json': {'verification': verification(
            status='fail', resources_status={VOLUME_KEY: 'error'},
            resources_reason={VOLUME_KEY: 'backup is gone'})}}])

    result = karbor('verification-create', fakes.PROVIDER_ID,
                    fakes.CHECKPOINT_ID, '--wait')

    assert result.status == 1
    assert 'backup is gone' in result.out
    assert 'verification %s: fail' % VERIFICATION_ID in result.err


def test_verification_list_filters_and_prints_a_row_each(karbor,
                                                         requests_mock):
    listing = requests_mock.get(fakes.url('/verifications'), json={
        'verifications': [verification(status='success')]})

    result = karbor('verification-list', '--checkpoint_id',
                    fakes.CHECKPOINT_ID, '--limit', '5')

    assert result.status == 0, result.err
    assert listing.last_request.qs == {
        'checkpoint_id': [fakes.CHECKPOINT_ID], 'limit': ['5']}
    assert VERIFICATION_ID in result.out and 'success' in result.out


def test_verification_show_prints_each_resources_verdict(
        karbor, requests_mock):
    requests_mock.get(fakes.url('/verifications/%s' % VERIFICATION_ID),
                      json={'verification': verification(
                          status='success',
                          resources_status={VOLUME_KEY: 'available'})})

    result = karbor('verification-show', VERIFICATION_ID)

    assert result.status == 0, result.err
    assert '{"%s": "available"}' % VOLUME_KEY in result.out
