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

"""Fixtures of the protection service's tests (the unit tests' ``conf``
and ``database`` come from karbor/tests/unit/conftest.py).

Plugins are found through entry points, as in production. When Karbor is
not installed (a plain checkout), the entry points of setup.cfg are
published from a temporary dist-info directory; the test plugins of
fakes.py always are.
"""

import configparser
from importlib import metadata
import os
import sys
import uuid

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_context import fixture as context_fixture
import pytest

from karbor.services.protection.clients import session

_SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SOURCE_PROVIDERS = os.path.join(_SOURCE_ROOT, 'etc', 'providers.d')

TEST_ENTRY_POINTS = {
    'karbor.protections': {
        'karbor-test-protection-plugin':
            'karbor.tests.unit.protection.fakes:DataWritingProtectionPlugin',
    },
}


def _publish(directory, name, entry_points):
    dist_info = os.path.join(directory, '%s-0.0.0.dist-info' % name)
    os.makedirs(dist_info)
    with open(os.path.join(dist_info, 'METADATA'), 'w') as stream:
        stream.write('Metadata-Version: 2.1\nName: %s\nVersion: 0.0.0\n'
                     % name)
    with open(os.path.join(dist_info, 'entry_points.txt'), 'w') as stream:
        for group, entries in sorted(entry_points.items()):
            stream.write('[%s]\n' % group)
            for entry_name, target in sorted(entries.items()):
                stream.write('%s = %s\n' % (entry_name, target))
            stream.write('\n')


def _setup_cfg_entry_points():
    parser = configparser.ConfigParser()
    parser.read(os.path.join(_SOURCE_ROOT, 'setup.cfg'))
    entry_points = {}
    for group, value in parser['entry_points'].items():
        if group.startswith('karbor.'):
            entry_points[group] = dict(
                (part.strip() for part in line.split('=', 1))
                for line in value.strip().splitlines())
    return entry_points


@pytest.fixture(scope='session', autouse=True)
def entry_points(tmp_path_factory):
    directory = str(tmp_path_factory.mktemp('entry-points'))
    if not metadata.entry_points(group='karbor.protections'):
        _publish(directory, 'karbor', _setup_cfg_entry_points())
    _publish(directory, 'karbor_protection_tests', TEST_ENTRY_POINTS)
    sys.path.append(directory)
    yield
    sys.path.remove(directory)


@pytest.fixture
def config(conf, tmp_path):
    """Karbor's options (the unit tests' ``conf``), with the providers
    directory and the state (banks) inside the test's directory."""
    providers = tmp_path / 'providers.d'
    providers.mkdir()
    conf.config(state_path=str(tmp_path / 'state'),
                provider_config_dir=str(providers))
    return conf


@pytest.fixture
def karbor_conf(config, tmp_path, monkeypatch):
    """``read(text)``: Karbor's options read from a karbor.conf holding
    ``text``, as a process reads them at start.

    The [service_user] of the process is made anew from them; the options
    keystoneauth1 registers for its auth plugin are removed at the end (some
    are required, and would fail the next test's options without them).
    """
    monkeypatch.setattr(session, '_service_user', None)

    def read(text):
        path = tmp_path / ('karbor-%s.conf' % uuid.uuid4().hex)
        path.write_text(text)
        config.set_config_files([str(path)])

    yield read
    cfg.CONF.reset()
    cfg.CONF.unregister_opts(
        ks_loading.get_auth_plugin_conf_options('password'),
        group=session.SERVICE_USER_GROUP)


@pytest.fixture
def no_request_context():
    """No request context current in the test's thread (one that an
    earlier test made would be), nor after it."""
    fixture = context_fixture.ClearRequestContext()
    fixture.setUp()
    yield
    fixture.cleanUp()
