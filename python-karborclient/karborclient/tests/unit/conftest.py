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

import collections
import os

import pytest

from karborclient import shell
from karborclient import waiting
from karborclient.tests.unit import fakes

Result = collections.namedtuple('Result', 'status out err')


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """Keep the caller's OS_* and KARBOR* settings out of the tests."""
    for name in list(os.environ):
        if name.startswith(('OS_', 'KARBOR')):
            monkeypatch.delenv(name)


@pytest.fixture
def karbor(capsys):
    """Run ``karbor <args>``, by default in direct mode.

    Returns the exit status and what the user sees on stdout and stderr.
    """
    def run(*args, direct=True):
        argv = (fakes.DIRECT_MODE if direct else []) + list(args)
        status = shell.main(argv)
        captured = capsys.readouterr()
        return Result(status, captured.out, captured.err)
    return run


class FakeClock(object):
    """Stands in for the time module in karborclient.waiting."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    """--wait runs instantly: sleeping only moves the fake clock forward."""
    fake = FakeClock()
    monkeypatch.setattr(waiting, 'time', fake)
    return fake
