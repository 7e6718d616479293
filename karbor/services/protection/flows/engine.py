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

"""Running an operation's flows: TaskFlow's parallel engine on a pool of
threads, their progress kept by TaskFlow's SQL persistence in Karbor's
database.

Each operation has one logbook (the operation's id) and, per claim on it,
one flow detail for each part of the operation (see
resource_flow.build_flows): a worker that takes an operation over starts
flow details of its own holding the tasks that had finished, so the
engines skip them and run the rest, and whatever the worker it replaces
still records lands in that worker's flow details, not in the taker's.
Flows keep nothing in TaskFlow's store: tasks get what they need when the
flows are built, and they are built again the same way to resume.
"""

import functools
import heapq
import itertools
import threading
import time

import futurist
from oslo_config import cfg
from oslo_utils import uuidutils
import sqlalchemy as sa
import taskflow.engines
from taskflow import exceptions as taskflow_exceptions
from taskflow.persistence.backends import impl_sqlalchemy
from taskflow.persistence.backends.sqlalchemy import tables
from taskflow.persistence import models
from taskflow import states

from karbor.db import api as db_api
from karbor import exception
from karbor.services.protection.protection_plugins import waiting

CONF = cfg.CONF


class _ContextExecutor(futurist.ThreadPoolExecutor):
    """Runs every task with the operation's request context as its thread's
    current one, so that what the task logs carries the request's ids."""

    def __init__(self, context, max_workers):
        super().__init__(max_workers=max_workers)
        self._context = context

    def submit(self, fn, *args, **kwargs):
        return super().submit(self._in_context, fn, *args, **kwargs)

    def _in_context(self, fn, *args, **kwargs):
        if self._context is not None:
            self._context.update_store()
        return fn(*args, **kwargs)


class _HookExecutor(_ContextExecutor):
    """Runs the tasks of an operation's engines, in context, holding no
    thread while a hook waits on a cloud resource.

    A task whose hook waits hands its waiting.Pending over
    (waiting.hand_over) and gives its thread back: one timer thread of
    the operation keeps the waits in the order of their next polls and
    has each poll made in the pool; when a wait is over, the task is run
    again to finish (HookTask.execute), and only then is the future that
    its engine waits on done. So a hundred volumes backing up hold no
    thread while Cinder works.
    """

    def __init__(self, context, max_workers):
        super().__init__(context, max_workers)
        self._due = []  # heap of (time of the next poll, order, job)
        self._order = itertools.count()
        self._timer = None
        self._timer_lock = threading.Condition()
        self._stopping = False

    def submit(self, fn, *args, **kwargs):
        future = futurist.Future()
        super().submit(self._run, future, fn, args, kwargs)
        return future

    def _run(self, future, fn, args, kwargs):
        with waiting.taking_over() as handed_over:
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                future.set_exception(exc)
                return
            pending = handed_over()
        if pending is None:
            future.set_result(result)
        else:
            self._poll_later(pending, future, fn, args, kwargs)

    def _poll(self, pending, future, fn, args, kwargs):
        try:
            over = pending.poll()
        except BaseException as exc:
            # Not a failure of the wait (poll keeps those for the task):
            # the engine must still hear of it.
            future.set_exception(exc)
            return
        if over:
            self._run(future, fn, args, kwargs)
        else:
            self._poll_later(pending, future, fn, args, kwargs)

    def _poll_later(self, pending, future, fn, args, kwargs):
        job = functools.partial(self._poll, pending, future, fn, args, kwargs)
        with self._timer_lock:
            heapq.heappush(self._due, (time.monotonic() + pending.pause(),
                                       next(self._order), job))
            if self._timer is None:
                self._timer = threading.Thread(
                    target=self._time, name='karbor-waits', daemon=True)
                self._timer.start()
            self._timer_lock.notify()

    def _time(self):
        with self._timer_lock:
            while not self._stopping:
                if not self._due:
                    self._timer_lock.wait()
                    continue
                wait = self._due[0][0] - time.monotonic()
                if wait > 0:
                    self._timer_lock.wait(wait)
                    continue
                _when, _order, job = heapq.heappop(self._due)
                super().submit(job)

    def shutdown(self, wait=True):
        with self._timer_lock:
            self._stopping = True
            self._timer_lock.notify()
        super().shutdown(wait=wait)


class _AtomWriter(object):
    """Writes the atom details of every claim of this process in group
    commits: the writers that come while a transaction is open wait, and
    the next transaction writes them all, with one statement a kind.

    TaskFlow's own write reads each atom's row back and builds its
    statements anew (most of a large plan's time). Each writer still
    returns only once its own row is committed, so a task that has
    ended stays ended for the worker that resumes the operation.
    """

    def __init__(self, engine):
        self._engine = engine
        atoms = tables.fetch(sa.MetaData()).atomdetails
        self._insert = atoms.insert()
        self._update = atoms.update().where(
            atoms.c.uuid == sa.bindparam('atom_uuid'))
        self._lock = threading.Condition()
        self._queued = []
        self._writing = False

    def write(self, atom_detail, parent=None):
        """Write ``atom_detail`` over its row, or as a new row of the flow
        detail ``parent``."""
        row = atom_detail.to_dict()
        if parent is not None:
            row.update(parent_uuid=parent,
                       atom_type=models.atom_detail_type(atom_detail))
        else:
            row = _update_row(row)
        entry = _QueuedWrite(row, new=parent is not None)
        with self._lock:
            self._queued.append(entry)
            while not entry.done:
                if self._writing:
                    self._lock.wait()
                else:
                    self._commit_queued()
        if entry.error is not None:
            # TaskFlow's storage tries a StorageFailure again.
            raise taskflow_exceptions.StorageFailure(
                'Failed writing atom detail %s: %s' % (atom_detail.uuid,
                                                       entry.error),
                cause=entry.error)

    def _commit_queued(self):
        """Commit what is queued, as the one writer (holding the lock on
        entry and on return, not while it writes)."""
        batch, self._queued = self._queued, []
        self._writing = True
        for entry in batch:
            # Until the commit returns, as for a writer that stops on the
            # way.
            entry.error = RuntimeError('the transaction did not end')
        self._lock.release()
        try:
            try:
                self._commit(batch)
                errors = [None] * len(batch)
            except Exception:
                # One bad row (its flow detail deleted under a replaced
                # worker, say) fails only its own writer.
                errors = [self._commit_alone(entry) for entry in batch]
            for entry, error in zip(batch, errors):
                entry.error = error
        finally:
            self._lock.acquire()
            self._writing = False
            for entry in batch:
                entry.done = True
            self._lock.notify_all()

    def _commit(self, entries):
        with self._engine.begin() as connection:
            for statement, new in ((self._insert, True),
                                   (self._update, False)):
                rows = [entry.row for entry in entries if entry.new is new]
                if rows:
                    connection.execute(statement, rows)

    def _commit_alone(self, entry):
        """Commit ``entry`` in a transaction of its own; the error, if it
        failed."""
        try:
            self._commit([entry])
            return None
        except Exception as exc:
            if not entry.new:
                return exc
            error = exc
        # A new row may be there already: its commit went through, but
        # the answer was lost and TaskFlow tried again.
        try:
            with self._engine.begin() as connection:
                row = _update_row(entry.row)
                if connection.execute(self._update, row).rowcount == 1:
                    return None
        except Exception:
            pass
        return error


def _update_row(row):
    """The parameters that write the atom row ``row`` (an atom detail's
    dict, or a new row of one) over the row already there: its uuid
    selects the row, and what makes a row new is left alone."""
    update = {name: value for name, value in row.items()
              if name not in ('uuid', 'parent_uuid', 'atom_type')}
    update['atom_uuid'] = row['uuid']
    return update


class _QueuedWrite(object):
    __slots__ = ('row', 'new', 'done', 'error')

    def __init__(self, row, new):
        self.row, self.new = row, new
        self.done, self.error = False, None


class _Backend(impl_sqlalchemy.SQLAlchemyBackend):
    """TaskFlow's SQL backend on Karbor's engine, with one connection and
    one writer of atom details (_AtomWriter).

    TaskFlow asks its backend for a connection for every write, and the SQL
    backend builds its table objects anew for each: milliseconds per task
    state. Its connections keep no state of their own (each call runs in a
    transaction of its own), so one serves every thread.
    """

    def __init__(self, engine):
        super().__init__({'connection': CONF.database.connection},
                         engine=engine)
        self._connection = super().get_connection()
        self.atoms = _AtomWriter(engine)

    def get_connection(self):
        return self._connection


# The atom states a resume reads (Progress.start keeps the tasks that
# ended well, with their results) or an operator looks for.
_RECORDED_STATES = frozenset([states.SUCCESS, states.FAILURE,
                              states.REVERTED, states.REVERT_FAILURE])


class _ClaimConnection(object):
    """One claim's connection to TaskFlow's SQL backend: it writes what a
    resume needs and keeps the rest in memory.

    TaskFlow writes an atom's detail at each change of its state and of
    its progress (four writes a task), and every atom of a flow at each
    change of the flow's state. A claim's flow details are its own (no
    other worker writes them) and were saved with its logbook
    (Progress.start), and a resume needs only the tasks that ended, with
    their results: so an atom's row is written when it ends, and nothing
    else.
    """

    def __init__(self, connection, atoms):
        self._connection = connection
        self._atoms = atoms
        self._written = {}  # atom uuid: its state in the database
        self._flow_of = {}  # atom uuid: its flow detail's uuid

    def __getattr__(self, name):
        return getattr(self._connection, name)

    def close(self):
        pass

    def saved(self, flow_detail):
        """``flow_detail`` is in the database as it is."""
        for atom in flow_detail:
            self._written[atom.uuid] = atom.state

    def update_atom_details(self, atom_detail):
        uuid, state = atom_detail.uuid, atom_detail.state
        if state in _RECORDED_STATES and self._written.get(uuid) != state:
            if uuid in self._written:
                self._atoms.write(atom_detail)
            else:
                self._atoms.write(atom_detail, parent=self._flow_of[uuid])
            self._written[uuid] = state
        return atom_detail

    def update_flow_details(self, flow_detail):
        for atom in flow_detail:
            self._flow_of.setdefault(atom.uuid, flow_detail.uuid)
        return flow_detail


class _ClaimBackend(object):
    """What a TaskFlow engine asks of its persistence backend: a
    connection."""

    def __init__(self, connection, atoms):
        self.connection = _ClaimConnection(connection, atoms)

    def get_connection(self):
        return self.connection


_backend = None
_backend_lock = threading.Lock()


def _persistence():
    """The backend of the database in use (tests change it)."""
    global _backend
    engine = db_api.get_engine()
    with _backend_lock:
        if _backend is None or _backend.karbor_engine is not engine:
            _backend = _Backend(db_api.get_pooled_engine())
            _backend.karbor_engine = engine
        return _backend


class Progress(object):
    """The TaskFlow record of one claim on one operation: a flow detail
    per part of the operation (resource_flow.build_flows)."""

    def __init__(self, operation_id, generation):
        self.operation_id = operation_id
        self.generation = generation
        self._backend = self._book = None
        self._flow_details = {}

    def start(self, flows):
        """Make this claim's flow detail of each part of ``flows`` (as
        resource_flow.build_flows gives them), holding the tasks that
        earlier claims finished in that part; return {task name: result}
        of those."""
        parts = [part for part, _flow in flows]
        backend = _persistence()
        connection = backend.get_connection()
        try:
            book = connection.get_logbook(self.operation_id)
        except taskflow_exceptions.NotFound:
            book = models.LogBook('operation %s' % self.operation_id,
                                  uuid=self.operation_id)
        latest = {}
        for detail in book:
            generation = detail.meta.get('generation', 0)
            part = detail.meta.get('part')
            if generation < self.generation and (
                    part not in latest or
                    generation > latest[part].meta['generation']):
                latest[part] = detail
        finished = {}
        for part in parts:
            flow_detail = models.FlowDetail(
                'claim %d, %s' % (self.generation, part),
                uuidutils.generate_uuid())
            flow_detail.meta = {'generation': self.generation, 'part': part}
            for atom in latest.get(part, ()):
                if atom.state == states.SUCCESS:
                    flow_detail.add(models.TaskDetail(
                        atom.name, uuidutils.generate_uuid()).update(atom))
                    finished[atom.name] = atom.results
            book.add(flow_detail)
            self._flow_details[part] = flow_detail
        connection.save_logbook(book)
        self._backend = _ClaimBackend(connection, backend.atoms)
        self._book = book
        for flow_detail in self._flow_details.values():
            self._backend.connection.saved(flow_detail)
        return finished

    def engine_options(self, part):
        return {'backend': self._backend, 'book': self._book,
                'flow_detail': self._flow_details[part]}

    @staticmethod
    def forget(operation_id):
        try:
            _persistence().get_connection().destroy_logbook(operation_id)
        except taskflow_exceptions.NotFound:
            pass


def run_flows(name, flows, context, progress=None):
    """Run ``flows`` ([(part name, flow)], see resource_flow.build_flows)
    to their ends, continuing where ``progress`` (a started Progress) says
    earlier claims stopped; without one, progress is kept in memory only.

    Their tasks share [DEFAULT] flow_workers threads, which hold
    ``context`` as oslo.context's current context; as many parts run at
    once. One failed task's exception is raised as it is; when several
    failed, one FlowError lists them all.
    """
    tasks = _HookExecutor(context, CONF.flow_workers)
    drivers = _ContextExecutor(context, CONF.flow_workers)

    def run(part_flow):
        part, flow = part_flow
        options = progress.engine_options(part) if progress else {}
        engine = taskflow.engines.load(flow, engine='parallel',
                                       executor=tasks, **options)
        try:
            engine.run()
        except taskflow_exceptions.WrappedFailure as failures:
            return [failure.exception_str for failure in failures]
        except Exception as exc:
            return [exc]
        return []

    try:
        failures = [failure for part_failures in drivers.map(run, flows)
                    for failure in part_failures]
    finally:
        # Every task has ended when the engines return; waiting for the
        # idle workers to notice the shutdown would only add their polling
        # delay to every operation.
        tasks.shutdown(wait=False)
        drivers.shutdown(wait=False)
    if len(failures) == 1 and isinstance(failures[0], Exception):
        raise failures[0]
    if failures:
        raise exception.FlowError(
            flow=name, error='; '.join(str(failure) for failure in failures))
