#    Licensed under the Apache License, Version 2.0 (the "License"); you may
#    not use this file except in compliance with the License. You may obtain
#    a copy of the License at
#
#         http://www.apache.org/licenses/LICENSE-2.0
#
#    Unless required by applicable law or agreed to in writing, software
#    distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
#    WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
#    License for the specific language governing permissions and limitations
#    under the License.

"""The ``openstack`` fixture: see shell.py."""

import collections
import importlib.util

import pytest

Result = collections.namedtuple('Result', 'status out err')

if importlib.util.find_spec('osc_lib') is None:
    # Without osc-lib (and cliff) installed there is no plugin to test.
    collect_ignore_glob = ['test_*.py']


@pytest.fixture
def openstack(capsys):
    """Run ``openstack data protection <args>``; the exit status and what
    the user sees on stdout and stderr."""
    from karborclient.tests.unit.osc import shell

    def run(*args):
        try:
            status = shell.OpenStack().run(['data', 'protection'] + list(args))
        except SystemExit as exit:
            status = exit.code
        captured = capsys.readouterr()
        return Result(status, captured.out, captured.err)
    return run
