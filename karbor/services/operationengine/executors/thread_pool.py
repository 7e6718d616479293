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

"""The thread_pool executor: runs on a pool of [operationengine]
thread_count threads."""

import futurist
from oslo_config import cfg

from karbor.services.operationengine import executors


class ThreadPoolExecutor(executors.Executor):

    def __init__(self, run_callback):
        super().__init__(run_callback)
        self._pool = futurist.ThreadPoolExecutor(
            max_workers=cfg.CONF[executors.GROUP].thread_count)

    def execute(self, run):
        self._pool.submit(self.run_callback, run)

    def shutdown(self):
        self._pool.shutdown(wait=True)
