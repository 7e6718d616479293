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

"""Executors: where karbor-operationengine runs the runs it takes.

An executor is a plugin in the karbor.operationengine.engine.executor
entry-point namespace (the original's), named by [operationengine]
executor; thread_pool ships with Karbor. It is a subclass of
Executor:

- Executor(run_callback): run_callback(run) does one run (submits
  it, then does what its operation type does after); it raises nothing.
- execute(run) has run_callback(run) called soon, without waiting
  for it: the engine's poll goes on.
- shutdown(timeout) waits at most timeout seconds (None: until
  they end) for the runs it has, and takes no more.
"""

import abc

from oslo_config import cfg
from stevedore import driver

from karbor.i18n import _

NAMESPACE = 'karbor.operationengine.engine.executor'
GROUP = 'operationengine'

executor_opts = [
    cfg.StrOpt('executor', default='thread_pool',
               help=_('The executor of due runs: the name of a plugin in '
                      'the %s entry-point namespace.') % NAMESPACE),
    cfg.IntOpt('thread_count', default=20, min=1,
               help=_('Runs the thread_pool executor runs at once; a run '
                      'holds its thread while a retention_protect waits '
                      'for its checkpoint.')),
]
cfg.CONF.register_opts(executor_opts, group=GROUP)


class Executor(metaclass=abc.ABCMeta):

    def __init__(self, run_callback):
        self.run_callback = run_callback

    @abc.abstractmethod
    def execute(self, run):
        """Have run_callback(run) called, without waiting for it."""

    @abc.abstractmethod
    def shutdown(self, timeout=None):
        """Wait for the runs at most timeout seconds; take no more."""


def load(run_callback):
    """The executor [operationengine] executor names."""
    return driver.DriverManager(
        NAMESPACE, cfg.CONF[GROUP].executor, invoke_on_load=True,
        invoke_args=(run_callback,)).driver
