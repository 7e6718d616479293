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

"""karbor-operationengine's RPC endpoint.

The operation engine owns triggers and scheduled operations. This release
runs the service (RPC topic, heartbeats in the services table) so that
deployments and karbor-all have their final shape; it does not schedule
operations yet, and its RPC API has no methods until it does.
"""

import oslo_messaging as messaging


class OperationEngineManager(object):

    target = messaging.Target(version='1.0')

    def start(self):
        pass

    def stop(self, timeout=None):
        pass
