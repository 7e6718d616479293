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

"""Running a flow: TaskFlow's parallel engine on a pool of threads, its
progress kept by TaskFlow's SQL persistence in Karbor's database.

Each operation has one logbook (the operation's id) and, per claim on it,
one flow detail (see operations.py): a worker that takes an operation over
starts a flow detail of its own holding the tasks that had finished, so the
engine skips them and runs the rest, and whatever the worker it replaces
still records lands in that worker's flow detail, not in the taker's.
Flows keep nothing in TaskFlow's store: tasks get what they need when the
flow is built, and a flow is built again the same way to resume.
"""

import contextlib

import futurist
from oslo_config import cfg
from oslo_utils import uuidutils
import taskflow.engines
from taskflow import exceptions as taskflow_exceptions
from taskflow.persistence.backends import impl_sqlalchemy
from taskflow.persistence import models
from taskflow import states

from karbor.db import api as db_api
from karbor import exception

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


class Progress(object):
    """The TaskFlow record of one claim on one operation."""

    def __init__(self, operation_id, generation):
        self.operation_id = operation_id
        self.generation = generation
        self.backend = self.book = self.flow_detail = None

    @staticmethod
    def _backend():
        return impl_sqlalchemy.SQLAlchemyBackend(
            {'connection': CONF.database.connection},
            engine=db_api.get_engine())

    def start(self):
        """Make this claim's flow detail, holding the tasks that earlier
        claims finished; return {task name: result} of those."""
        backend = self._backend()
        with contextlib.closing(backend.get_connection()) as connection:
            try:
                book = connection.get_logbook(self.operation_id)
            except taskflow_exceptions.NotFound:
                book = models.LogBook('operation %s' % self.operation_id,
                                      uuid=self.operation_id)
            flow_detail = models.FlowDetail(
                'claim %d' % self.generation, uuidutils.generate_uuid())
            flow_detail.meta = {'generation': self.generation}
            earlier = [detail for detail in book
                       if detail.meta.get('generation', 0) < self.generation]
            if earlier:
                latest = max(earlier,
                             key=lambda detail: detail.meta['generation'])
                for atom in latest:
                    if atom.state == states.SUCCESS:
                        flow_detail.add(models.TaskDetail(
                            atom.name, uuidutils.generate_uuid()).update(atom))
            book.add(flow_detail)
            connection.save_logbook(book)
        self.backend, self.book, self.flow_detail = (backend, book,
                                                     flow_detail)
        return {atom.name: atom.results for atom in flow_detail}

    @classmethod
    def forget(cls, operation_id):
        backend = cls._backend()
        with contextlib.closing(backend.get_connection()) as connection:
            try:
                connection.destroy_logbook(operation_id)
            except taskflow_exceptions.NotFound:
                pass


def run_flow(flow, context, progress=None):
    """Run ``flow`` to its end, its tasks on [DEFAULT] flow_workers threads,
    continuing where ``progress`` (a started Progress) says earlier claims
    stopped; without one, its progress is kept in memory only.

    The tasks' threads hold ``context`` as oslo.context's current context.
    A task's exception is raised as it is; when several tasks failed, one
    FlowError lists them all.
    """
    executor = _ContextExecutor(context, CONF.flow_workers)
    persistence = {}
    if progress is not None:
        persistence = {'backend': progress.backend, 'book': progress.book,
                       'flow_detail': progress.flow_detail}
    engine = taskflow.engines.load(flow, engine='parallel',
                                   executor=executor, **persistence)
    try:
        engine.run()
    except taskflow_exceptions.WrappedFailure as failures:
        raise exception.FlowError(
            flow=flow.name,
            error='; '.join(failure.exception_str for failure in failures))
    finally:
        # Every task has ended when run() returns; waiting for the idle
        # workers to notice the shutdown would only add their polling
        # delay to every operation.
        executor.shutdown(wait=False)
