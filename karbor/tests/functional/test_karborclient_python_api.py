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

"""A script written for python-karborclient 2.1.0's Python API runs
unchanged against karbor-all with our karborclient, and sees what it sees
with 2.1.0's own."""

import json
import os
import subprocess
import sys

from karbor.tests.functional import fixtures
from karbor.tests.functional import karborclient_2_1_0_script
import karborclient

EXPECTED = {
    'provider_listed': True,
    'plan_status': 'suspended',
    'plan_listed': True,
    'checkpoint_status': 'available',
    'checkpoint_plan': True,
    'checkpoint_listed': True,
    'restore_status': 'success',
    'restore_listed': True,
    'verification_listed': True,
    'trigger_window': 1800,
    'operation_listed': True,
    'logged': True,
    'deleting': 'deleted',
}


def _run_script(python, karbor_all, env=None):
    result = subprocess.run(
        [python, karborclient_2_1_0_script.__file__, karbor_all,
         fixtures.NOOP_PROVIDER],
        capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert 'OS::Keystone::Project' in seen.pop('protectables')
    return seen


def test_a_2_1_0_script_runs_unchanged_with_our_karborclient(karbor_all):
    ours = os.path.dirname(os.path.dirname(karborclient.__file__))
    env = dict(os.environ, PYTHONPATH=ours)
    assert _run_script(sys.executable, karbor_all, env) == EXPECTED


def test_the_script_is_2_1_0s_api_which_sees_the_same(karbor_all):
    old_python = os.path.join(
        os.path.dirname(fixtures.karborclient_2_1_0()), 'python')
    env = {key: value for key, value in os.environ.items()
           if key != 'PYTHONPATH'}
    assert _run_script(old_python, karbor_all, env) == EXPECTED
