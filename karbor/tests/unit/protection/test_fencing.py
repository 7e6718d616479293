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

"""Claims in time: a dead worker's operations are taken over within a
bounded time, and a worker that may have been replaced writes nothing
more, as its claim lapses, as it sees it, before the database lets
another worker take the operation over, and every write of the operation
checks it first."""

import threading

from oslo_config import cfg
from oslo_utils import uuidutils
import pytest

from karbor import context
from karbor import exception
from karbor.objects import plan as plan_objects
from karbor.services.protection.flows import protect as protect_flow
from karbor.services.protection import graph
from karbor.services.protection import operations
from karbor.tests.unit.protection import fakes

CONF = cfg.CONF
PROVIDER_ID = 'b766f37c-d011-4026-8228-28730d734a3f'
VOLUME = 'OS::Cinder::Volume'
USER = context.RequestContext(user_id='user', project_id='project-a',
                              is_admin=False)


class Clock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(operations, '_clock', clock)
    return clock


def test_by_default_a_dead_workers_operations_are_taken_over_within_two_minutes(
        config):
    # The claim lapses after the takeover timeout; a worker polls for
    # claimable operations every operation_poll_interval.
    assert (CONF.operation_takeover_timeout +
            CONF.operation_poll_interval) <= 120
    operations.check_timing()


def test_a_takeover_timeout_that_one_late_heartbeat_would_break_is_refused(
        config):
    config.config(operation_takeover_timeout=44,
                  operation_heartbeat_interval=15)
    with pytest.raises(cfg.Error) as refused:
        operations.check_timing()
    assert str(refused.value) == (
        '[DEFAULT] operation_takeover_timeout (44) must be at least three '
        'times operation_heartbeat_interval (15): a worker whose heartbeat '
        'came late once would otherwise lose its operations while it runs '
        'them')
    config.config(operation_takeover_timeout=45)
    operations.check_timing()


def test_a_claim_lapses_an_interval_before_the_takeover_timeout(config,
                                                                clock):
    config.config(operation_takeover_timeout=90,
                  operation_heartbeat_interval=15)
    claim = operations.Claim('operation', 1)
    clock.now += 90 - 15
    claim.check()
    # A renewal asked now keeps it for a whole timeout from now.
    claim.renewed(clock.now)
    clock.now += 90 - 15
    claim.check()
    # Less than an interval left: a write now could land after another
    # worker took the operation over.
    clock.now += 1
    with pytest.raises(exception.ClaimLost) as lost:
        claim.check()
    assert 'its claim was not renewed in time' in str(lost.value)
    assert claim.lost
    # Lost for good: a late renewal does not give it back.
    claim.renewed(clock.now)
    with pytest.raises(exception.ClaimLost):
        claim.check()


def test_a_protect_whose_worker_stalled_past_its_claim_writes_nothing_more(
        config, database, clock, tmp_path):
    config.config(operation_takeover_timeout=90,
                  operation_heartbeat_interval=15)
    provider = fakes.loaded_provider(str(tmp_path), PROVIDER_ID,
                                     'karbor-noop-protection-plugin')
    provider.bank.plugin.acquire_lease()
    try:
        resources = [{'id': 'volume-%d' % number, 'type': VOLUME,
                      'name': None} for number in range(6)]
        plan = plan_objects.Plan(
            id=uuidutils.generate_uuid(), name='Plan', description=None,
            provider_id=PROVIDER_ID, project_id=USER.project_id,
            status='suspended', resources=resources, parameters={})
        checkpoint = provider.checkpoints.create(plan)
        claim = operations.Claim('operation', 1)
        statuses = []
        record_status = checkpoint.update_resource_status
        one_at_a_time = threading.Lock()

        def stall_after_two(resource_type, resource_id, status,
                            reason=None):
            with one_at_a_time:
                if len(statuses) == 2:
                    # Its heartbeats stopped (a paused VM, a hung call)
                    # until another worker may have taken it over.
                    clock.now += 90
                record_status(resource_type, resource_id, status, reason)
                statuses.append(graph.key_of(resource_type, resource_id))

        checkpoint.update_resource_status = stall_after_two

        class Protectables(object):
            def build_graph(self, context, resources, accepts_type):
                return graph.build_graph(resources, lambda resource: [])

        protect_flow.run(USER, provider, Protectables(), checkpoint,
                         plan.parameters, fakes.progress(), claim)
        record = provider.checkpoints.get(checkpoint.id).to_dict()
    finally:
        provider.bank.plugin.release_lease()
    assert claim.lost
    # The two resources it recorded before it stalled, and nothing after:
    # no other resource, and neither "available" nor "error", which are
    # the worker's to write that holds the protect now.
    assert len(statuses) == 2
    assert record['status'] == 'protecting'
    assert record['resources_status'] == {
        graph.key_of(VOLUME, resource['id']):
            'available' if graph.key_of(VOLUME, resource['id']) in statuses
            else 'protecting'
        for resource in resources}


@pytest.fixture
def provider(config, tmp_path):
    provider = fakes.loaded_provider(str(tmp_path), PROVIDER_ID,
                                     'karbor-noop-protection-plugin')
    provider.bank.plugin.acquire_lease()
    yield provider
    provider.bank.plugin.release_lease()


def _protecting_checkpoint(provider):
    plan = plan_objects.Plan(
        id=uuidutils.generate_uuid(), name='Plan', description=None,
        provider_id=PROVIDER_ID, project_id=USER.project_id,
        status='suspended',
        resources=[{'id': 'volume-1', 'type': VOLUME, 'name': None}],
        parameters={})
    return provider.checkpoints.create(plan).id


def _holds_claim():
    pass


def _replaced_after_one_check():
    """The guard of a worker whose next write passed its check, then
    stalled while another worker took the operation over."""
    checks = []

    def check():
        checks.append(None)
        if len(checks) > 1:
            raise exception.ClaimLost(operation_id='operation',
                                      reason='another worker took it over')
    return check


def test_a_record_write_stalled_past_a_takeover_does_not_land(provider):
    checkpoint_id = _protecting_checkpoint(provider)
    stalled = provider.checkpoints.get(checkpoint_id)
    stalled.guard = _replaced_after_one_check()
    taker = provider.checkpoints.get(checkpoint_id)
    taker.guard = _holds_claim
    taker.finish_protecting()

    with pytest.raises(exception.ClaimLost):
        stalled.fail('the hypervisor paused it')
    record = provider.checkpoints.get(checkpoint_id).to_dict()
    assert record['status'] == 'available'
    assert record['resources_reason'] == {}


def test_the_claims_holder_replaces_a_stale_record_that_landed_first(
        provider):
    checkpoint_id = _protecting_checkpoint(provider)
    taker = provider.checkpoints.get(checkpoint_id)
    taker.guard = _holds_claim
    # Its check passed before the takeover; its write lands just after.
    stalled = provider.checkpoints.get(checkpoint_id)
    stalled.fail('the hypervisor paused it')
    assert provider.checkpoints.get(checkpoint_id).status == 'error'

    taker.finish_protecting()
    assert provider.checkpoints.get(checkpoint_id).status == 'available'
    # And it goes on from the record it wrote.
    taker.reset_state('error')
    assert provider.checkpoints.get(checkpoint_id).status == 'error'


def test_a_write_outside_an_operation_to_a_record_changed_since_is_refused(
        provider):
    checkpoint_id = _protecting_checkpoint(provider)
    provider.checkpoints.get(checkpoint_id).fail('stopped')
    first = provider.checkpoints.get(checkpoint_id)
    second = provider.checkpoints.get(checkpoint_id)
    second.reset_state('available')

    with pytest.raises(exception.BankObjectChanged):
        first.reset_state('error')
    checkpoint = provider.checkpoints.get(checkpoint_id)
    assert checkpoint.status == 'available'
