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

"""karbor-protection: runs protect, restore and delete operations."""

import sys

from oslo_config import cfg

from karbor.cmd import boot
from karbor import rpc
from karbor import service
from karbor.services.protection import manager

CONF = cfg.CONF


def main():
    boot.prepare(sys.argv[1:])
    rpc.init(CONF)
    service.serve([service.RPCService('karbor-protection',
                                      CONF.protection_topic,
                                      manager.ProtectionManager())])
