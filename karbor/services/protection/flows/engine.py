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

"""Running a flow: TaskFlow's parallel engine on a pool of threads."""

import futurist
from oslo_config import cfg
import taskflow.engines
from taskflow import exceptions as taskflow_exceptions

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


def run_flow(flow, store):
    """Run ``flow`` to its end, its tasks on [DEFAULT] flow_workers threads.

    The tasks' threads hold ``store['context']`` as oslo.context's current
    context. A task's exception is raised as it is; when several tasks
    failed, one FlowError lists them all.
    """
    executor = _ContextExecutor(store['context'], CONF.flow_workers)
    engine = taskflow.engines.load(flow, store=store, engine='parallel',
                                   executor=executor)
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
