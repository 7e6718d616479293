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

"""The policy's personas on every route, with the new defaults enforced
(``enforce_new_defaults``, ``enforce_scope``): a project's reader lists
and shows and changes nothing; its member also creates, changes, restores,
verifies and deletes; another project's member sees none of it; only an
admin manages services and lists across projects. And an operator's
policy file written for the original Karbor, with its rule names, still
decides."""

import pytest

from karbor.tests.unit.api import conftest

NOOP = conftest.NOOP
PROJECT = conftest.PROJECT_TYPE
CHECKPOINTS = '/v1/demo/providers/%s/checkpoints' % NOOP
NEW_DEFAULTS = ('[oslo_policy]\nenforce_new_defaults = true\n'
                'enforce_scope = true\n')
# noauth tokens: the user names the persona (auth.NOAUTH_ROLES).
READER, MEMBER, OTHER = 'reader:demo', 'demo:demo', 'alt:alt'


def _start(tmp_path, more):
    return conftest.start_karbor(
        tmp_path, 'noauth', 'sqlite:///%s' % (tmp_path / 'karbor.sqlite'),
        more)


@pytest.fixture
def personas(conf, tmp_path):
    instance, stop = _start(tmp_path, NEW_DEFAULTS)
    yield instance
    stop()


def _objects(karbor):
    """One of each kind of object of project demo, made by its member."""
    plan = karbor.create_plan()
    checkpoint = karbor.create_checkpoint(plan)
    karbor.wait_for_operations()
    restore = karbor('POST', '/v1/demo/restores', {'restore': {
        'provider_id': NOOP, 'checkpoint_id': checkpoint['id']}},
        token=MEMBER).json['restore']
    verification = karbor('POST', '/v1/demo/verifications', {
        'verification': {'provider_id': NOOP,
                         'checkpoint_id': checkpoint['id']}},
        token=MEMBER).json['verification']
    trigger = karbor('POST', '/v1/demo/triggers', {'trigger_info': {
        'name': 'nightly', 'type': 'time',
        'properties': {'format': 'crontab', 'pattern': '0 2 * * *'}}},
        token=MEMBER).json['trigger_info']
    karbor.wait_for_operations()
    return {'plan': plan['id'], 'checkpoint': checkpoint['id'],
            'restore': restore['id'], 'verification': verification['id'],
            'trigger': trigger['id']}


def _reads(ids):
    return [
        '/v1/demo/providers', '/v1/demo/providers/%s' % NOOP,
        '/v1/demo/protectables', '/v1/demo/protectables/%s' % PROJECT,
        '/v1/demo/protectables/%s/instances' % PROJECT,
        '/v1/demo/protectables/%s/instances/demo' % PROJECT,
        '/v1/demo/plans', '/v1/demo/plans/%(plan)s' % ids,
        CHECKPOINTS, CHECKPOINTS + '/%(checkpoint)s' % ids,
        '/v1/demo/restores', '/v1/demo/restores/%(restore)s' % ids,
        '/v1/demo/verifications',
        '/v1/demo/verifications/%(verification)s' % ids,
        '/v1/demo/triggers', '/v1/demo/triggers/%(trigger)s' % ids,
        '/v1/demo/scheduled_operations', '/v1/demo/operation_logs',
        '/v1/demo/quotas/demo', '/v1/demo/quotas/demo/detail',
        '/v1/demo/quotas/demo/defaults',
    ]


def _writes(ids):
    plan = {'name': 'more', 'provider_id': NOOP,
            'resources': [{'id': 'demo', 'type': PROJECT, 'name': 'demo'}]}
    return [
        ('POST', '/v1/demo/plans', {'plan': plan}),
        ('PUT', '/v1/demo/plans/%(plan)s' % ids,
         {'plan': {'name': 'renamed'}}),
        ('POST', CHECKPOINTS, {'checkpoint': {'plan_id': ids['plan']}}),
        ('POST', '/v1/demo/restores', {'restore': {
            'provider_id': NOOP, 'checkpoint_id': ids['checkpoint']}}),
        ('POST', '/v1/demo/verifications', {'verification': {
            'provider_id': NOOP, 'checkpoint_id': ids['checkpoint']}}),
        ('PUT', '/v1/demo/triggers/%(trigger)s' % ids,
         {'trigger_info': {'name': 'at-two'}}),
        ('PUT', CHECKPOINTS + '/%(checkpoint)s' % ids,
         {'os-resetState': {'state': 'error'}}),
        ('DELETE', CHECKPOINTS + '/%(checkpoint)s' % ids, None),
        ('DELETE', '/v1/demo/triggers/%(trigger)s' % ids, None),
        ('DELETE', '/v1/demo/plans/%(plan)s' % ids, None),
    ]


def test_a_reader_lists_and_shows_everything_of_its_project(personas):
    ids = _objects(personas)

    for path in _reads(ids):
        response = personas('GET', path, token=READER)
        assert response.status_int == 200, (path, response.text)


def test_a_reader_changes_nothing(personas):
    ids = _objects(personas)
    before = {path: personas('GET', path, token=MEMBER).json
              for path in _reads(ids)}

    for method, path, body in _writes(ids):
        response = personas(method, path, body, token=READER)
        assert response.status_int == 403, (method, path, response.text)
        assert 'forbidden' in response.json, response.text

    after = {path: personas('GET', path, token=MEMBER).json
             for path in _reads(ids)}
    assert after == before


def test_a_member_creates_changes_and_deletes(personas):
    ids = _objects(personas)

    for method, path, body in _writes(ids):
        response = personas(method, path, body, token=MEMBER)
        assert response.status_int == 200, (method, path, response.text)
        personas.wait_for_operations()


def test_another_projects_member_sees_and_changes_nothing(personas):
    ids = _objects(personas)

    for path in _reads(ids):
        alt_path = path.replace('/v1/demo/', '/v1/alt/')
        response = personas('GET', alt_path, token=OTHER)
        if response.status_int == 200:
            body = response.json
            (listed,) = [value for key, value in body.items()
                         if not key.endswith('_links')]
            assert all(ids.get(kind) not in str(listed)
                       for kind in ids), (alt_path, body)
        else:
            # Not found, or (another project's quota) not allowed.
            assert response.status_int in (403, 404), (alt_path,
                                                       response.text)
    for method, path, body in _writes(ids):
        if not any(ids[kind] in path + str(body) for kind in ids):
            continue  # a plan of its own project, which it may create
        response = personas(method, path.replace('/v1/demo/', '/v1/alt/'),
                            body, token=OTHER)
        assert response.status_int in (403, 404), (method, path,
                                                   response.text)


@pytest.mark.parametrize('method, path, body', [
    ('GET', '/v1/%s/os-services', None),
    ('GET', '/v1/%s/plans?all_tenants=1', None),
    ('GET', '/v1/%s/restores?all_tenants=1', None),
    ('GET', '/v1/%s/operation_logs?all_tenants=1', None),
    ('PUT', '/v1/%s/quotas/demo', {'quota': {'plans': 60}}),
    ('DELETE', '/v1/%s/quotas/demo', None),
    ('GET', '/v1/%s/quota_classes/default', None),
    ('PUT', '/v1/%s/quota_classes/default', {'quota_class': {'plans': 70}}),
])
def test_only_an_admin_manages_services_and_spans_projects(
        personas, method, path, body):
    url, _sep, query = path.partition('?')
    for token in (READER, MEMBER):
        response = personas(method, url % 'demo', body, token=token,
                            query=query)
        assert response.status_int == 403, (token, path, response.text)

    response = personas(method, url % 'admin', body, token='admin:admin',
                        query=query)
    assert response.status_int == 200, (path, response.text)


def test_an_original_policy_file_still_decides(conf, tmp_path):
    policy_file = tmp_path / 'policy.yaml'
    # The original Karbor's rule names.
    policy_file.write_text('"provider:checkpoint_create": "!"\n'
                           '"operation_log:list": "role:auditor"\n')
    karbor, stop = _start(tmp_path, '[oslo_policy]\npolicy_file = %s\n'
                          % policy_file)
    try:
        plan = karbor.create_plan()
        refused = karbor('POST', CHECKPOINTS, {'checkpoint': {
            'plan_id': plan['id']}}, token=MEMBER)
        logs = karbor('GET', '/v1/demo/operation_logs', token=MEMBER)
        plans = karbor('GET', '/v1/demo/plans', token=MEMBER)
    finally:
        stop()

    assert refused.status_int == 403, refused.text
    assert 'checkpoint:create' in refused.json['forbidden']['message']
    assert logs.status_int == 403, logs.text
    assert plans.status_int == 200
