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

"""Karbor runs on native threads, never on eventlet."""

import subprocess
import sys


def test_services_use_oslo_services_threading_backend_not_eventlet():
    # A fresh interpreter, so nothing imported by other tests interferes.
    probe = (
        'import karbor.service, karbor.rpc, oslo_messaging, sys\n'
        'from oslo_service import backend\n'
        'print(backend.get_backend_type().value)\n'
        'patched = "eventlet.patcher" in sys.modules and __import__('
        '"eventlet.patcher").patcher.is_monkey_patched("thread")\n'
        'print(patched)\n')
    result = subprocess.run([sys.executable, '-c', probe],
                            capture_output=True, text=True, check=True)
    assert result.stdout.split() == ['threading', 'False']
    assert 'Eventlet' not in result.stderr
