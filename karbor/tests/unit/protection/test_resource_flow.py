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

from keystoneauth1 import exceptions as ks_exceptions
import pytest

from karbor import exception
from karbor.services.protection.flows import engine
from karbor.services.protection.flows import resource_flow
from karbor.services.protection.graph import GraphNode
from karbor.services.protection.protectable_plugin import Resource
from karbor.services.protection import protection_plugin
from karbor.services.protection.protection_plugins import errors
from karbor.services.protection.protection_plugins import waiting
from karbor.tests.unit.protection import fakes

HOOKS = resource_flow.HOOKS


def _shared_volume_graph():
    """project -> server1, server2; both servers -> volume1."""
    volume1 = GraphNode(Resource(fakes.VOLUME, 'volume1', 'Volume1'), ())
    server1 = GraphNode(Resource(fakes.SERVER, 'server1', 'Server1'),
                        (volume1,))
    server2 = GraphNode(Resource(fakes.SERVER, 'server2', 'Server2'),
                        (volume1,))
    project = GraphNode(Resource(fakes.PROJECT, 'project', 'Project'),
                        (server1, server2))
    return [project]


EDGES = [('project', 'server1'), ('project', 'server2'),
         ('server1', 'volume1'), ('server2', 'volume1')]


def _run(resource_graph, operation, progress=None):
    flows = resource_flow.build_flows(
        'test', resource_flow.FlowRun(None, None, {}), resource_graph,
        lambda resource: operation, {},
        progress or resource_flow.ResourceProgress())
    engine.run_flows('test', flows, None)


def _position(events, event, resource_id, hook):
    matches = [index for index, value in enumerate(events)
               if value == (event, resource_id, hook)]
    assert len(matches) == 1, (event, resource_id, hook, events)
    return matches[0]


def _runs_after(events, first, second):
    """``second`` (resource, hook) starts after ``first`` ended."""
    return (_position(events, 'end', *first) <
            _position(events, 'start', *second))


def assert_hook_order(events):
    for resource_id in ('project', 'server1', 'server2', 'volume1'):
        assert _runs_after(events, (resource_id, 'on_prepare_begin'),
                           (resource_id, 'on_prepare_finish'))
        assert _runs_after(events, (resource_id, 'on_prepare_finish'),
                           (resource_id, 'on_main'))
        assert _runs_after(events, (resource_id, 'on_main'),
                           (resource_id, 'on_complete'))
    for parent, child in EDGES:
        assert _runs_after(events, (parent, 'on_prepare_begin'),
                           (child, 'on_prepare_begin'))
        assert _runs_after(events, (child, 'on_prepare_finish'),
                           (parent, 'on_prepare_finish'))
        assert _runs_after(events, (child, 'on_complete'),
                           (parent, 'on_complete'))


# Several runs: the parallel engine interleaves the hooks differently.
@pytest.mark.parametrize('run', range(5))
def test_hooks_follow_the_resource_graph_and_a_shared_volume_runs_once(
        config, run):
    # The children are slow: a parent's hook that does not wait for them
    # would end first.
    operation = fakes.RecordingOperation(slow=('volume1', 'server2'))
    _run(_shared_volume_graph(), operation)
    # _position also asserts that every hook of every resource ran once.
    assert_hook_order(operation.events)
    calls = [event for event in operation.events if event[0] == 'start']
    assert len(calls) == 4 * len(HOOKS)
    assert sorted(hook for _event, resource_id, hook in calls
                  if resource_id == 'volume1') == sorted(HOOKS)


class _Progress(resource_flow.ResourceProgress):
    def __init__(self):
        self.done = []
        self.failed = {}

    def resource_done(self, resource):
        self.done.append(resource.id)

    def resource_failed(self, resource, error):
        self.failed[resource.id] = str(error)


class _FailingVolumeMain(protection_plugin.Operation):
    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        if resource.type == fakes.VOLUME:
            raise RuntimeError('snapshot quota exceeded')


def test_a_failing_hook_reports_its_resource_and_fails_the_flow(config):
    progress = _Progress()
    with pytest.raises(exception.ProtectionPluginError,
                       match='snapshot quota exceeded'):
        _run(_shared_volume_graph(), _FailingVolumeMain(), progress)
    assert progress.failed == {'volume1': 'snapshot quota exceeded'}
    # Parents complete only after their children: none of them did.
    assert progress.done == []


def test_each_resource_gets_its_own_or_its_types_parameters():
    parameters = {fakes.VOLUME: {'backup_mode': 'full'},
                  fakes.VOLUME + '#v2': {'backup_mode': 'incremental'}}
    assert resource_flow.resource_parameters(
        parameters, Resource(fakes.VOLUME, 'v1', 'one')) == {
            'backup_mode': 'full'}
    assert resource_flow.resource_parameters(
        parameters, Resource(fakes.VOLUME, 'v2', 'two')) == {
            'backup_mode': 'incremental'}
    assert resource_flow.resource_parameters(
        parameters, Resource(fakes.SERVER, 's1', 'server')) == {}


def test_independent_resources_share_bounded_engines_and_linked_ones_one(
        config):
    # Two engines and a half of them.
    count = resource_flow.TASKS_PER_ENGINE * 5 // 2
    volumes = [GraphNode(Resource(fakes.VOLUME, 'v%03d' % index, 'v'), ())
               for index in range(count)]
    resource_graph = _shared_volume_graph() + volumes
    flows = resource_flow.build_flows(
        'test', resource_flow.FlowRun(None, None, {}), resource_graph,
        lambda resource: None, {}, resource_flow.ResourceProgress())
    # Hooks that do nothing get no task: one (on_complete) per resource.
    names = [[task.name for task in flow] for _part, flow in flows]
    every_task = sum(names, [])
    assert len(every_task) == len(set(every_task)) == 4 + count
    assert len(flows) == 3
    assert max(len(tasks) for tasks in names) <= (
        resource_flow.TASKS_PER_ENGINE)
    linked = {resource_flow.task_name(Resource(resource_type, resource_id,
                                               ''), resource_flow.COMPLETE)
              for resource_type, resource_id in (
                  (fakes.PROJECT, 'project'), (fakes.SERVER, 'server1'),
                  (fakes.SERVER, 'server2'), (fakes.VOLUME, 'volume1'))}
    assert [linked <= set(tasks) for tasks in names].count(True) == 1


# ------------------------------------------------ waits that hold no thread

class _CloudJobs(object):
    """Jobs that a cloud runs for the hooks (backups, say): each is done
    once every job of the test has been started, so hooks that held a
    thread each while they waited would wait for ever with fewer threads
    than jobs."""

    def __init__(self, count):
        self.count = count
        self.started = set()
        self.recorded = []
        self.polls = 0

    def start(self, resource_id):
        self.started.add(resource_id)

    def status(self, resource_id):
        self.polls += 1
        return {'status': 'available' if len(self.started) == self.count
                else 'creating'}


class _WaitingMain(protection_plugin.Operation):
    """on_main starts a cloud job and returns its wait (waiting.Pending);
    what follows records the job; ``broken`` jobs fail on their poll, and
    ``chained`` ones wait twice."""

    def __init__(self, jobs, broken=(), chained=()):
        self._jobs = jobs
        self._broken = broken
        self._chained = chained

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        self._jobs.start(resource.id)

        def fetch():
            if resource.id in self._broken:
                raise errors.PluginError(
                    reason='backup of %s went to error' % resource.id)
            return self._jobs.status(resource.id)

        def record(answer):
            self._jobs.recorded.append(resource.id)
            if resource.id in self._chained:
                return waiting.Pending(wait(), lambda answer: (
                    self._jobs.recorded.append(resource.id + ' again')))

        def wait():
            return waiting.Wait(fetch, lambda answer: answer['status'] ==
                                'available', 'backup of ' + resource.id, 5,
                                waiting.Polling(0.01, 0.01))

        return waiting.Pending(wait(), record)


def _volumes(count):
    return [GraphNode(Resource(fakes.VOLUME, 'v%02d' % index, 'v'), ())
            for index in range(count)]


def test_hooks_waiting_on_the_cloud_hold_no_thread(config):
    # Two threads, twelve jobs in the cloud at once: each wait was handed
    # over to the executor, whose polls found them all done.
    config.config(flow_workers=2)
    jobs = _CloudJobs(12)
    progress = _Progress()
    _run(_volumes(12), _WaitingMain(jobs), progress)
    assert jobs.started == {'v%02d' % index for index in range(12)}
    assert sorted(jobs.recorded) == sorted(jobs.started)
    assert sorted(progress.done) == sorted(jobs.started)


def test_a_failed_wait_fails_its_resource_with_its_reason(config):
    jobs = _CloudJobs(3)
    progress = _Progress()
    with pytest.raises(exception.ProtectionPluginError,
                       match='backup of v01 went to error'):
        _run(_volumes(3), _WaitingMain(jobs, broken=('v01',)), progress)
    assert progress.failed == {'v01': 'backup of v01 went to error'}
    assert sorted(jobs.recorded) == ['v00', 'v02']


def test_what_follows_a_wait_may_wait_again(config):
    jobs = _CloudJobs(2)
    progress = _Progress()
    _run(_volumes(2), _WaitingMain(jobs, chained=('v01',)), progress)
    assert sorted(jobs.recorded) == ['v00', 'v01', 'v01 again']
    assert sorted(progress.done) == ['v00', 'v01']


def test_a_hook_called_directly_waits_in_its_thread():
    jobs = _CloudJobs(1)
    outcome = _WaitingMain(jobs, chained=('v00',)).on_main(
        None, Resource(fakes.VOLUME, 'v00', 'v'), None, {})
    assert jobs.recorded == []
    outcome.run()
    assert jobs.recorded == ['v00', 'v00 again']


def test_the_polls_of_a_translated_hook_are_translated():
    # A poll that cannot reach the service fails as the hook would have.
    def unreachable():
        raise ks_exceptions.ConnectFailure('connection refused')

    class Reaching(protection_plugin.Operation):
        @errors.reaching('Block storage service (cinder)', 'backing up %(id)s')
        def on_main(self, checkpoint, resource, context, parameters,
                    **kwargs):
            return waiting.Pending(
                waiting.Wait(unreachable, bool, 'backup', 5,
                             waiting.Polling(0.01, 0.01)), lambda _: None)

    outcome = Reaching().on_main(None, Resource(fakes.VOLUME, 'v1', 'v'),
                                 None, {})
    with pytest.raises(exception.ServiceUnavailable,
                       match='cinder.*connection refused'):
        outcome.run()


class _WorkerStops(BaseException):
    """Not an error of the wait: the worker goes away (as SIGTERM's
    handling or a test's kill would)."""


def test_what_stops_a_poll_reaches_the_flow_rather_than_hang_it(config):
    class StoppingMain(protection_plugin.Operation):
        def on_main(self, checkpoint, resource, context, parameters,
                    **kwargs):
            def fetch():
                raise _WorkerStops()
            return waiting.Pending(
                waiting.Wait(fetch, bool, 'backup', 5,
                             waiting.Polling(0.01, 0.01)), lambda _: None)

    with pytest.raises(_WorkerStops):
        _run(_volumes(1), StoppingMain())
