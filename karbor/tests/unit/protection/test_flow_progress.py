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

"""What an operation's flows keep in the database, and what a later claim
on the operation finds of it there."""

import threading
import time

from oslo_utils import uuidutils
import sqlalchemy as sa
from taskflow import exceptions as taskflow_exceptions
from taskflow.persistence import models
from taskflow import states

from karbor.services.protection.flows import engine
from karbor.services.protection.flows import resource_flow
from karbor.services.protection.graph import GraphNode
from karbor.services.protection.protectable_plugin import Resource
from karbor.services.protection import protection_plugin
from karbor.tests.unit.protection import fakes


class _Volumes(protection_plugin.Operation):
    """Counts each volume's main hook; the main of ``stuck`` waits until
    ``unstick`` is set."""

    def __init__(self, stuck=None):
        self.mains = []
        self.stuck = stuck
        self.unstick = threading.Event()
        self._lock = threading.Lock()

    def on_main(self, checkpoint, resource, context, parameters, **kwargs):
        with self._lock:
            self.mains.append(resource.id)
        if resource.id == self.stuck:
            self.unstick.wait(30)


def _volumes(count):
    return [GraphNode(Resource(fakes.VOLUME, 'volume%03d' % number, 'v'), ())
            for number in range(count)]


def _run(operation_id, generation, resource_graph, operation):
    progress = engine.Progress(operation_id, generation)
    flows = resource_flow.build_flows(
        'protect', resource_flow.FlowRun(None, None, {}), resource_graph,
        lambda resource: operation, {}, resource_flow.ResourceProgress())
    progress.start(flows)
    engine.run_flows('protect', flows, None, progress)


def _stored(operation_id):
    """{task name: (state, results)} of every claim on the operation."""
    try:
        book = engine._persistence().get_connection().get_logbook(
            operation_id)
    except taskflow_exceptions.NotFound:
        return {}
    return {atom.name: (atom.state, atom.results)
            for flow_detail in book for atom in flow_detail}


def test_a_later_claim_runs_only_what_earlier_claims_did_not_finish(database):
    operation_id = uuidutils.generate_uuid()
    # Two tasks a volume (main, complete): two engines' worth.
    volumes = _volumes(resource_flow.TASKS_PER_ENGINE)
    stalled = _Volumes(stuck='volume007')
    first = threading.Thread(target=_run,
                             args=(operation_id, 1, volumes, stalled))
    first.start()
    try:
        # Until every task but the stuck volume's two has ended and is
        # stored: then the first claim is as good as dead.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ended = [state for state, _results
                     in _stored(operation_id).values()]
            if ended.count(states.SUCCESS) == 2 * len(volumes) - 2:
                break
            time.sleep(0.05)
        assert len(stalled.mains) == len(volumes)

        taking_over = _Volumes()
        _run(operation_id, 2, volumes, taking_over)
        assert taking_over.mains == ['volume007']
    finally:
        stalled.unstick.set()
        first.join(30)
    # A third claim finds everything done, whatever the first one wrote
    # once it went on.
    third = _Volumes()
    _run(operation_id, 3, volumes, third)
    assert third.mains == []


def _flow_detail(operation_id):
    """A claim's flow detail with no atoms yet, saved as Progress.start
    saves it."""
    connection = engine._persistence().get_connection()
    book = models.LogBook('operation', uuid=operation_id)
    flow_detail = models.FlowDetail('claim 1, part 0',
                                    uuidutils.generate_uuid())
    book.add(flow_detail)
    connection.save_logbook(book)
    return flow_detail


def _atom(name):
    atom = models.TaskDetail(name, uuidutils.generate_uuid())
    atom.state = states.SUCCESS
    atom.results = {'name': name}
    return atom


def _meeting_writes(writer, writes):
    """Run ``writes`` ([(atom detail, parent)]) each in its thread, all
    but the first while the first one's transaction is open, so that they
    meet; the number of commits and {atom name: what its write raised}."""
    commits = []
    release = threading.Event()
    raised = {}

    def on_commit(connection):
        commits.append(time.monotonic())
        if len(commits) == 1:
            release.wait(10)

    def write(atom, parent):
        try:
            writer.write(atom, parent=parent)
        except Exception as exc:
            raised[atom.name] = exc

    sa.event.listen(writer._engine, 'commit', on_commit)
    try:
        threads = [threading.Thread(target=write, args=one)
                   for one in writes]
        threads[0].start()
        deadline = time.monotonic() + 10
        while not commits and time.monotonic() < deadline:
            time.sleep(0.01)
        for thread in threads[1:]:
            thread.start()
        while (len(writer._queued) < len(writes) - 1 and
               time.monotonic() < deadline):
            time.sleep(0.01)
        release.set()
        for thread in threads:
            thread.join(10)
    finally:
        sa.event.remove(writer._engine, 'commit', on_commit)
    return len(commits), raised


def test_writers_that_meet_share_a_commit_and_each_row_is_stored(database):
    operation_id = uuidutils.generate_uuid()
    flow_detail = _flow_detail(operation_id)
    writer = engine._persistence().atoms
    commits, raised = _meeting_writes(writer, [
        (_atom('task %d' % number), flow_detail.uuid)
        for number in range(6)])
    assert (commits, raised) == (2, {})
    assert _stored(operation_id) == {
        'task %d' % number: (states.SUCCESS, {'name': 'task %d' % number})
        for number in range(6)}


def test_a_row_that_cannot_be_written_fails_only_its_writer(database):
    operation_id = uuidutils.generate_uuid()
    flow_detail = _flow_detail(operation_id)
    writer = engine._persistence().atoms
    # The flow detail of a replaced worker, deleted with its logbook by
    # the worker that took the operation over and finished it.
    gone = uuidutils.generate_uuid()
    commits, raised = _meeting_writes(writer, [
        (_atom('first'), flow_detail.uuid),
        (_atom('orphan'), gone),
        (_atom('healthy'), flow_detail.uuid)])
    assert set(raised) == {'orphan'}
    assert isinstance(raised['orphan'], taskflow_exceptions.StorageFailure)
    assert _stored(operation_id) == {
        'first': (states.SUCCESS, {'name': 'first'}),
        'healthy': (states.SUCCESS, {'name': 'healthy'})}


def test_a_new_row_written_again_is_written_over(database):
    operation_id = uuidutils.generate_uuid()
    flow_detail = _flow_detail(operation_id)
    writer = engine._persistence().atoms
    atom = _atom('task')
    writer.write(atom, parent=flow_detail.uuid)
    # As TaskFlow tries a write again whose commit went through but whose
    # answer was lost.
    atom.state = states.FAILURE
    writer.write(atom, parent=flow_detail.uuid)
    assert _stored(operation_id) == {'task': (states.FAILURE,
                                              {'name': 'task'})}

    atom.state = states.REVERTED
    writer.write(atom)
    assert _stored(operation_id) == {'task': (states.REVERTED,
                                              {'name': 'task'})}
