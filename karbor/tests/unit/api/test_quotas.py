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

"""Quotas and quota classes through the API's pipeline, and the plans and
checkpoints they hold back: what a project member may read, what only an
administrator may set, and usage that a failed or concurrent request
never leaves wrong."""

import concurrent.futures
import time

from oslo_db import exception as db_exc
import pytest
import sqlalchemy as sa

from karbor.api.v1 import router
from karbor import context
from karbor.db import api as db_api
from karbor import exception
from karbor import quota
from karbor.tests.unit.api import conftest

QUOTAS = '/v1/%s/quotas/%s'
CLASSES = '/v1/%s/quota_classes/%s'
PLANS = '/v1/demo/plans'
CHECKPOINTS = '/v1/demo/providers/%s/checkpoints' % conftest.NOOP
DEFAULTS = {'plans': 50, 'checkpoints': -1}


def _fault(response, status):
    assert response.status_int == status, response.text
    (body,) = response.json.values()
    assert body['code'] == status
    return body['message']


def _set_quota(karbor, project='demo', **limits):
    response = karbor('PUT', QUOTAS % ('admin', project), {'quota': limits},
                      project='admin')
    assert response.status_int == 200, response.text
    return response.json['quota']


def _detail(karbor, project='demo'):
    response = karbor('GET', QUOTAS % ('admin', project) + '/detail',
                      project='admin')
    assert response.status_int == 200, response.text
    return response.json['quota']


def _usage(karbor, resource, project='demo'):
    shown = _detail(karbor, project)[resource]
    return shown['in_use'], shown['reserved']


def _plan_ids(karbor):
    return sorted(plan['id'] for plan in
                  karbor('GET', PLANS).json['plans'])


# Reading and setting quotas

def test_a_member_reads_its_quota_its_usage_and_the_defaults(karbor):
    karbor.create_plan()
    assert karbor('GET', QUOTAS % ('demo', 'demo')).json == {
        'quota': dict(DEFAULTS, id='demo')}
    assert karbor('GET', QUOTAS % ('demo', 'demo') + '/detail').json == {
        'quota': {'id': 'demo',
                  'plans': {'in_use': 1, 'reserved': 0, 'limit': 50},
                  'checkpoints': {'in_use': 0, 'reserved': 0,
                                  'limit': -1}}}
    assert karbor('GET', QUOTAS % ('demo', 'demo') + '/defaults').json == {
        'quota': dict(DEFAULTS, id='demo')}


def test_the_defaults_are_the_options(noauth, conf):
    conf.config(quota_plans=5, quota_checkpoints=20)
    assert noauth('GET', QUOTAS % ('demo', 'demo')).json['quota'] == {
        'id': 'demo', 'plans': 5, 'checkpoints': 20}


@pytest.mark.parametrize('method, path, body', [
    ('GET', QUOTAS % ('demo', 'alt'), None),
    ('GET', QUOTAS % ('demo', 'alt') + '/detail', None),
    ('GET', QUOTAS % ('demo', 'alt') + '/defaults', None),
    ('PUT', QUOTAS % ('demo', 'demo'), {'quota': {'plans': 500}}),
    ('DELETE', QUOTAS % ('demo', 'demo'), None),
    ('GET', CLASSES % ('demo', 'default'), None),
    ('PUT', CLASSES % ('demo', 'default'), {'quota_class': {'plans': 500}}),
])
def test_a_member_reads_only_its_own_quota_and_sets_none(noauth, method,
                                                         path, body):
    message = _fault(noauth(method, path, body), 403)
    assert message.startswith("Policy doesn't allow quota")
    assert noauth('GET', QUOTAS % ('demo', 'demo')).json['quota'] == dict(
        DEFAULTS, id='demo')


def test_an_administrator_sets_a_project_quota_and_deletes_it(karbor):
    assert _set_quota(karbor, plans=3) == {'plans': 3, 'checkpoints': -1}
    assert _set_quota(karbor, checkpoints=10) == {'plans': 3,
                                                  'checkpoints': 10}
    assert karbor('GET', QUOTAS % ('demo', 'demo')).json['quota'] == {
        'id': 'demo', 'plans': 3, 'checkpoints': 10}
    # Other projects, and the defaults, keep theirs.
    assert karbor('GET', QUOTAS % ('alt', 'alt'), project='alt').json[
        'quota'] == dict(DEFAULTS, id='alt')
    assert karbor('GET', QUOTAS % ('demo', 'demo') + '/defaults').json[
        'quota'] == dict(DEFAULTS, id='demo')

    response = karbor('DELETE', QUOTAS % ('admin', 'demo'), project='admin')
    assert (response.status_int, response.body) == (200, b'')
    assert karbor('GET', QUOTAS % ('demo', 'demo')).json['quota'] == dict(
        DEFAULTS, id='demo')


def test_the_default_class_sets_the_limits_of_projects_without_their_own(
        noauth):
    response = noauth('PUT', CLASSES % ('admin', 'default'), {
        'quota_class': {'plans': 7}}, project='admin')
    assert response.status_int == 200, response.text
    assert response.json == {'quota_class': {'plans': 7, 'checkpoints': -1}}
    assert noauth('GET', CLASSES % ('admin', 'default'),
                  project='admin').json == {
        'quota_class': {'id': 'default', 'plans': 7, 'checkpoints': -1}}
    _set_quota(noauth, 'alt', plans=2)
    assert noauth('GET', QUOTAS % ('demo', 'demo')).json['quota'][
        'plans'] == 7
    assert noauth('GET', QUOTAS % ('demo', 'demo') + '/defaults').json[
        'quota']['plans'] == 7
    assert noauth('GET', QUOTAS % ('alt', 'alt'), project='alt').json[
        'quota']['plans'] == 2
    # Another class is a set of limits of its own.
    assert noauth('GET', CLASSES % ('admin', 'gold'), project='admin').json[
        'quota_class'] == {'id': 'gold', 'plans': 50, 'checkpoints': -1}


@pytest.mark.parametrize('limits, names', [
    ({'volumes': 3}, "'volumes'"),
    ({'plans': -2}, '-2 is less than the minimum of -1'),
    ({'plans': 'ten'}, "'ten' is not of type 'integer'"),
    ({'plans': True}, "True is not of type 'integer'"),
    ({'plans': 2.5}, "2.5 is not of type 'integer'"),
    ({'plans': 2 ** 31}, 'is greater than the maximum'),
    ({}, 'quota'),
])
def test_a_limit_that_is_not_one_is_refused_naming_it(noauth, limits,
                                                      names):
    message = _fault(noauth('PUT', QUOTAS % ('admin', 'demo'),
                            {'quota': limits}, project='admin'), 400)
    assert names in message
    message = _fault(noauth('PUT', CLASSES % ('admin', 'default'),
                            {'quota_class': limits}, project='admin'), 400)
    assert names in message
    assert noauth('GET', QUOTAS % ('demo', 'demo')).json['quota'] == dict(
        DEFAULTS, id='demo')


def test_a_project_id_longer_than_the_database_keeps_is_refused(noauth):
    message = _fault(noauth('GET', QUOTAS % ('admin', 'p' * 256),
                            project='admin'), 400)
    assert message == 'Invalid project id provided.'


def test_a_limit_below_the_usage_is_refused_and_no_limit_is_not(noauth):
    noauth.create_plan()
    noauth.create_plan()
    message = _fault(noauth('PUT', QUOTAS % ('admin', 'demo'), {
        'quota': {'plans': 1}}, project='admin'), 400)
    assert message == ('The plans quota of project demo cannot be 1: 2 are '
                       'in use and 0 reserved.')
    assert _set_quota(noauth, plans=2)['plans'] == 2
    assert _set_quota(noauth, plans=-1)['plans'] == -1


def test_plans_made_before_quotas_count(noauth):
    noauth.create_plan()
    noauth.create_plan()
    # As a database upgraded to quotas has them: plans, and no usage.
    with db_api.get_engine().begin() as connection:
        connection.execute(sa.text('DELETE FROM quota_usages'))
    message = _fault(noauth('PUT', QUOTAS % ('admin', 'demo'), {
        'quota': {'plans': 1}}, project='admin'), 400)
    assert '2 are in use' in message
    assert _usage(noauth, 'plans') == (2, 0)


# Plans against the quota

def test_a_plan_over_quota_is_413_naming_the_limit_and_writes_nothing(
        noauth):
    _set_quota(noauth, plans=2)
    kept = sorted(noauth.create_plan()['id'] for _ in range(2))
    response = noauth('POST', PLANS, {'plan': {
        'name': 'third', 'provider_id': conftest.NOOP,
        'resources': [{'id': 'demo', 'type': conftest.PROJECT_TYPE}]}})
    assert _fault(response, 413) == (
        'Quota exceeded for plans: 1 more asked for, with 2 in use and 0 '
        'reserved of a limit of 2.')
    assert response.json == {'overLimit': {'code': 413,
                                           'message': response.json[
                                               'overLimit']['message']}}
    assert _plan_ids(noauth) == kept
    assert _usage(noauth, 'plans') == (2, 0)


def test_a_plan_that_fails_to_be_written_holds_no_place(noauth):
    _set_quota(noauth, plans=1)
    # Refused by the database layer before its transaction.
    response = noauth('POST', PLANS, {'plan': {
        'name': 'big', 'provider_id': conftest.NOOP,
        'resources': [{'id': 'demo', 'type': conftest.PROJECT_TYPE,
                       'extra_info': {'notes': 'x' * 70000}}]}})
    assert 'the database keeps at most' in _fault(response, 400)
    assert _plan_ids(noauth) == []
    assert _usage(noauth, 'plans') == (0, 0)
    noauth.create_plan()


def test_a_plan_the_database_refuses_in_its_transaction_counts_nothing(
        stored):
    plan = stored.create_plan()
    admin = context.get_admin_context()
    # Refused at the write itself, after it was counted.
    with pytest.raises(db_exc.DBDuplicateEntry):
        db_api.plan_create(admin, {
            'id': plan['id'], 'name': 'again', 'provider_id': conftest.NOOP,
            'project_id': 'demo', 'status': 'suspended', 'parameters': {},
            'resources': [{'id': 'demo', 'type': conftest.PROJECT_TYPE}]},
            charge=quota.QUOTAS.charge(admin, 'demo', plans=1))
    assert _plan_ids(stored) == [plan['id']]
    assert _usage(stored, 'plans') == (1, 0)


def test_a_deleted_plan_frees_its_place(noauth):
    _set_quota(noauth, plans=1)
    plan = noauth.create_plan()
    _fault(noauth('POST', PLANS, {'plan': {
        'name': 'second', 'provider_id': conftest.NOOP,
        'resources': [{'id': 'demo', 'type': conftest.PROJECT_TYPE}]}}), 413)
    assert noauth('DELETE', PLANS + '/' + plan['id']).status_int == 200
    assert _usage(noauth, 'plans') == (0, 0)
    noauth.create_plan()
    assert _usage(noauth, 'plans') == (1, 0)


def test_a_plan_an_administrator_deletes_frees_its_projects_place(noauth):
    plan = noauth.create_plan()
    response = noauth('DELETE', '/v1/admin/plans/' + plan['id'],
                      project='admin')
    assert response.status_int == 200
    assert _usage(noauth, 'plans') == (0, 0)


def test_a_reservation_left_by_a_stopped_api_lapses(noauth, conf):
    _set_quota(noauth, plans=1)
    conf.config(reservation_expire=1)
    # As a karbor-api that died between reserving and writing leaves it.
    quota.QUOTAS.reserve(context.get_admin_context(), 'demo', plans=1)
    assert _usage(noauth, 'plans') == (0, 1)
    _fault(noauth('POST', PLANS, {'plan': {
        'name': 'waits', 'provider_id': conftest.NOOP,
        'resources': [{'id': 'demo', 'type': conftest.PROJECT_TYPE}]}}), 413)
    time.sleep(1.5)
    noauth.create_plan()
    assert _usage(noauth, 'plans') == (1, 0)


@pytest.mark.parametrize('option, value', [('until_refresh', 1),
                                           ('max_age', 1)])
def test_plan_usage_is_counted_again_as_the_options_say(noauth, conf,
                                                        option, value):
    noauth.create_plan()
    _set_quota(noauth, plans=2)
    # Usage that went wrong: the project has one plan, not two.
    quota.QUOTAS.release(context.get_admin_context(), 'demo', plans=-1)
    assert _usage(noauth, 'plans') == (2, 0)
    conf.config(**{option: value})
    time.sleep(1.1)
    noauth.create_plan()
    assert _usage(noauth, 'plans') == (2, 0)


def _create_plans_at_once(karbor, writers):
    """The responses to ``writers`` plan creates sent at the same time."""
    def create(writer):
        return karbor('POST', PLANS, {'plan': {
            'name': 'writer-%d' % writer, 'provider_id': conftest.NOOP,
            'resources': [{'id': 'demo', 'type': conftest.PROJECT_TYPE}]}})

    with concurrent.futures.ThreadPoolExecutor(writers) as pool:
        return list(pool.map(create, range(writers)))


def test_concurrent_plans_at_the_last_free_place_one_is_made(stored):
    _set_quota(stored, plans=3)
    kept = [stored.create_plan()['id'] for _ in range(2)]
    writers = 6
    responses = _create_plans_at_once(stored, writers)
    statuses = sorted(response.status_int for response in responses)
    assert statuses == [200] + [413] * (writers - 1), [
        response.text for response in responses]
    made = [response.json['plan']['id'] for response in responses
            if response.status_int == 200]
    assert _plan_ids(stored) == sorted(kept + made)
    assert _usage(stored, 'plans') == (3, 0)


def test_concurrent_first_plans_of_a_project_are_each_counted(stored):
    # No plan and no quota yet: no usage row, which the creates make.
    writers = 6
    responses = _create_plans_at_once(stored, writers)
    assert [response.status_int for response in responses] == (
        [200] * writers), [response.text for response in responses]
    assert len(_plan_ids(stored)) == writers
    assert _usage(stored, 'plans') == (writers, 0)


def test_a_plan_sent_while_its_limit_is_lowered_keeps_to_the_new_limit(
        stored, monkeypatch):
    _set_quota(stored, plans=5)
    kept = stored.create_plan()['id']
    sent = []
    set_limits = db_api._set_limits

    def send_a_plan_meanwhile(session, model, owner, limits):
        # The update holds the usage's lock and has checked the new limit
        # against it: the plan create waits for it to commit.
        set_limits(session, model, owner, limits)
        sent.append(pool.submit(stored, 'POST', PLANS, {'plan': {
            'name': 'meanwhile', 'provider_id': conftest.NOOP,
            'resources': [{'id': 'demo', 'type': conftest.PROJECT_TYPE}]}}))
        time.sleep(0.5)

    monkeypatch.setattr(db_api, '_set_limits', send_a_plan_meanwhile)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert _set_quota(stored, plans=1)['plans'] == 1
        response = sent[0].result()
    assert _fault(response, 413) == (
        'Quota exceeded for plans: 1 more asked for, with 1 in use and 0 '
        'reserved of a limit of 1.')
    assert _plan_ids(stored) == [kept]
    assert _usage(stored, 'plans') == (1, 0)


# The quota driver

class DriverWithoutCharge(quota.DbQuotaDriver):
    """A driver of one's own, written before plans were counted where
    they are written."""

    charge = None


def test_karbor_api_does_not_start_on_a_driver_that_lacks_a_method(
        conf, monkeypatch):
    conf.config(quota_driver=__name__ + '.DriverWithoutCharge')
    monkeypatch.setattr(quota, 'QUOTAS', quota.QuotaEngine())
    with pytest.raises(exception.QuotaDriverIncomplete) as refused:
        router.APIRouter(protection_api=object())
    assert str(refused.value) == (
        'The quota driver %s.DriverWithoutCharge ([DEFAULT] quota_driver) '
        'has no charge: see karbor.quota.DbQuotaDriver for what each '
        'does.' % __name__)


# Checkpoints against the quota

def _checkpoint(karbor, plan):
    return karbor('POST', CHECKPOINTS, {'checkpoint': {'plan_id': plan['id']}})


def test_checkpoints_over_quota_are_413_and_a_delete_frees_a_place(noauth):
    _set_quota(noauth, checkpoints=1)
    plan = noauth.create_plan()
    first = noauth.create_checkpoint(plan)
    assert _fault(_checkpoint(noauth, plan), 413) == (
        'Quota exceeded for checkpoints: 1 more asked for, with 1 in use '
        'and 0 reserved of a limit of 1.')
    assert _usage(noauth, 'checkpoints') == (1, 0)
    noauth.wait_for_operations()
    url = CHECKPOINTS + '/' + first['id']
    assert noauth('DELETE', url).status_int == 200
    assert _usage(noauth, 'checkpoints') == (0, 0)
    noauth.wait_for_operations()
    # Deleting it again gives nothing back twice.
    assert noauth('DELETE', url).status_int == 200
    assert _usage(noauth, 'checkpoints') == (0, 0)
    noauth.create_checkpoint(plan)
    assert _usage(noauth, 'checkpoints') == (1, 0)


def test_a_checkpoint_an_administrator_makes_counts_in_the_plans_project(
        noauth):
    plan = noauth.create_plan()
    response = noauth('POST', '/v1/admin/providers/%s/checkpoints'
                      % conftest.NOOP, {'checkpoint': {'plan_id': plan['id']}},
                      project='admin')
    assert response.status_int == 200, response.text
    assert _usage(noauth, 'checkpoints') == (1, 0)
    assert _usage(noauth, 'checkpoints', project='admin') == (0, 0)


def test_a_checkpoint_protection_refuses_gives_its_reservation_back(
        noauth, monkeypatch):
    _set_quota(noauth, checkpoints=1)
    plan = noauth.create_plan()

    def refuse(plan):
        raise exception.InvalidPlan(reason='refused')

    provider = noauth.manager._provider(conftest.NOOP)
    monkeypatch.setattr(provider, 'check_plan', refuse)
    assert _fault(_checkpoint(noauth, plan), 400) == 'Invalid plan: refused'
    assert _usage(noauth, 'checkpoints') == (0, 0)
    monkeypatch.undo()
    noauth.create_checkpoint(plan)
    assert _usage(noauth, 'checkpoints') == (1, 0)
