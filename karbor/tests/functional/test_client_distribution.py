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

"""python-karborclient/ is a distribution of its own: installed alone it
brings none of the server's libraries, and installed over the original
python-karborclient 2.1.0 it takes its place (the same distribution
name, a higher version, the same ``karbor`` command)."""

import os
import subprocess
import sys

from karborclient.v1 import client as v1_client
import pytest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
CLIENT = os.path.join(TOP, 'python-karborclient')
# What Karbor's server needs and its client must not pull in.
SERVER_ONLY = ('oslo.db', 'oslo.messaging', 'SQLAlchemy', 'taskflow',
               'keystonemiddleware', 'karbor')
# The virtualenvs see only what is installed in them: not this checkout
# (python -m puts the current directory on the path, pip would list its
# egg-info) nor a PYTHONPATH of the test run.
ISOLATED = {'cwd': '/', 'env': {name: value for name, value in
                                os.environ.items() if name != 'PYTHONPATH'}}


def _venv(tmp_path_factory, *installs):
    """A new virtualenv, into which each of ``installs`` is pip-installed
    in turn."""
    venv = str(tmp_path_factory.mktemp('client') / 'venv')
    subprocess.run([sys.executable, '-m', 'venv', venv], check=True)
    for install in installs:
        subprocess.run([os.path.join(venv, 'bin', 'python'), '-m', 'pip',
                        '-q', 'install', install], check=True, timeout=600,
                       **ISOLATED)
    return venv


@pytest.fixture(scope='module')
def client_venv(tmp_path_factory):
    """python-karborclient 2.1.0, then ours over it."""
    return _venv(tmp_path_factory, 'python-karborclient==2.1.0', CLIENT)


def _installed(venv):
    listed = subprocess.run(
        [os.path.join(venv, 'bin', 'python'), '-m', 'pip', 'list',
         '--format', 'freeze'], check=True, capture_output=True, text=True,
        **ISOLATED)
    return dict(line.split('==', 1) for line in listed.stdout.splitlines()
                if '==' in line)


def test_ours_replaces_the_original_under_its_name(client_venv):
    installed = _installed(client_venv)

    assert installed['python-karborclient'].startswith('3.')
    shown = subprocess.run(
        [os.path.join(client_venv, 'bin', 'python'), '-c',
         'import karborclient.v1.client as c; print(c.__file__); '
         'print(c.API_VERSION)'],
        check=True, capture_output=True, text=True, **ISOLATED)
    path, version = shown.stdout.split()
    assert path.startswith(client_venv)
    assert version == v1_client.API_VERSION
    help_text = subprocess.run(
        [os.path.join(client_venv, 'bin', 'karbor'), 'help'],
        check=True, capture_output=True, text=True, **ISOLATED).stdout
    assert 'verification-create' in help_text


def test_the_client_brings_none_of_the_servers_libraries(tmp_path_factory):
    alone = _venv(tmp_path_factory, CLIENT)
    installed = {name.lower() for name in _installed(alone)}

    assert not installed & {name.lower() for name in SERVER_ONLY}
