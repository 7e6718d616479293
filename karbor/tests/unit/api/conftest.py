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

"""``karbor``: the API of etc/api-paste.ini in front of a real
karbor-protection, as karbor-all runs them: the No-Op provider of
etc/providers.d on a file-system bank, in-process messaging (inproc://),
the test's own database. Under ``auth_strategy = keystone`` the tokens
are keystonemiddleware's test fixture's, so no Keystone is called.

Requests are built as a WSGI server hands them over: the path and the
query string as the client sent them (native strings holding the bytes
as latin-1), so that bytes which are not UTF-8 reach the application.
"""

import json
import os
import shutil
import time

from keystonemiddleware import fixture as authtoken_fixture
from oslo_config import cfg
import oslo_messaging as messaging
from oslo_messaging import conffixture as messaging_fixture
import pytest
from stevedore import extension
import webob

from karbor.api import app
from karbor import context
from karbor.db import api as db_api
from karbor.db import migration
from karbor import rpc
from karbor.services.protection import manager as protection_manager
from karbor.tests.unit import conftest as unit_conftest

CONF = cfg.CONF

SOURCE_ETC = os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.dirname(os.path.abspath(__file__)))))), 'etc')
NOOP = 'b766f37c-d011-4026-8228-28730d734a3f'
PROJECT_TYPE = 'OS::Keystone::Project'
# The projects the tests' users belong to; "admin" is an administrator.
PROJECTS = ('demo', 'alt', 'admin')


class Karbor(object):
    """Call the API in process as ``user`` of ``project``."""

    def __init__(self, application, auth_strategy, manager, tokens):
        self.app = application
        self.auth_strategy = auth_strategy
        self.manager = manager
        self._tokens = tokens

    def token(self, project):
        """The token of the user named as ``project`` (noauth: of any)."""
        if self.auth_strategy == 'noauth':
            return '%s:%s' % (project, project)
        return self._tokens[project]

    def __call__(self, method, path, body=None, project='demo', query='',
                 headers=None, token=None):
        """``path`` and ``query`` go into the environ as they are;
        ``body`` is bytes or JSON; ``headers`` name: value, as sent."""
        req = webob.Request.blank('/', method=method)
        req.environ['PATH_INFO'] = path
        req.environ['QUERY_STRING'] = query
        if project is not None:
            req.environ['HTTP_X_AUTH_TOKEN'] = token or self.token(project)
        if body is not None:
            req.body = body if isinstance(body, bytes) else \
                json.dumps(body).encode()
            req.environ['CONTENT_TYPE'] = 'application/json'
        for name, value in (headers or {}).items():
            key = name.upper().replace('-', '_')
            if key not in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
                key = 'HTTP_' + key
            req.environ[key] = value
        return req.get_response(self.app)

    def create_plan(self, project='demo', **plan):
        values = {'name': 'Plan1', 'provider_id': NOOP,
                  'resources': [{'id': project, 'type': PROJECT_TYPE,
                                 'name': project}]}
        values.update(plan)
        response = self('POST', '/v1/%s/plans' % project, {'plan': values},
                        project=project)
        assert response.status_int == 200, response.text
        return response.json['plan']

    def create_checkpoint(self, plan, project='demo'):
        response = self('POST', '/v1/%s/providers/%s/checkpoints' % (
            project, NOOP), {'checkpoint': {'plan_id': plan['id']}},
            project=project)
        assert response.status_int == 200, response.text
        return response.json['checkpoint']

    def wait_for_operations(self, timeout=30):
        """Until the No-Op protects, restores and deletes have ended."""
        deadline = time.monotonic() + timeout
        while self._operations() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not self._operations()

    @staticmethod
    def _operations():
        return db_api.operation_get_all(context.get_admin_context())


def _tokens(auth_strategy):
    """The token of each project's user, and the Keystone fixture (None
    without Keystone)."""
    if auth_strategy == 'noauth':
        return {project: '%s:%s' % (project, project)
                for project in PROJECTS}, None
    keystone = authtoken_fixture.AuthTokenFixture()
    keystone.setUp()
    tokens = {}
    for project in PROJECTS:
        # With Keystone's implied roles, as its tokens carry them.
        roles = (['admin', 'member', 'reader'] if project == 'admin'
                 else ['member', 'reader'])
        tokens[project] = 'token-of-%s' % project
        keystone.add_token_data(
            token_id=tokens[project], user_id=project, user_name=project,
            project_id=project, project_name=project, role_list=roles)
    return tokens, keystone


def start_karbor(tmp_path, auth_strategy, connection, more='',
                 provider_files=None):
    """The pipeline, karbor-protection and its RPC server; returns the
    Karbor and what stops them. ``provider_files`` ({name: text}) go into
    providers.d beside the No-Op provider."""
    providers = tmp_path / 'providers.d'
    providers.mkdir()
    shutil.copy(os.path.join(SOURCE_ETC, 'providers.d', 'noop.conf'),
                str(providers))
    for name, text in (provider_files or {}).items():
        (providers / name).write_text(text)
    path = tmp_path / 'karbor.conf'
    path.write_text(
        '[DEFAULT]\n'
        'auth_strategy = %s\n'
        'api_paste_config = %s\n'
        'state_path = %s\n'
        'provider_config_dir = %s\n'
        '[database]\n'
        'connection = %s\n'
        '[oslo_middleware]\n'
        'enable_proxy_headers_parsing = true\n'
        '[keystone_authtoken]\n'
        # Never reached: the fixture answers for Keystone.
        'www_authenticate_uri = http://127.0.0.1:9/identity\n'
        % (auth_strategy, os.path.join(SOURCE_ETC, 'api-paste.ini'),
           tmp_path / 'state', providers, connection) + more)
    CONF(['--config-file', str(path)], project='karbor',
         default_config_files=[])
    # stevedore keeps the entry points it finds, per namespace, for the
    # rest of the process: what karbor-protection loads here is forgotten
    # at the end, so that later tests that publish plugins of their own
    # find them.
    entry_points = dict(extension.ExtensionManager.ENTRY_POINT_CACHE)
    db_api.dispose_engine()
    migration.db_sync()
    messaging_config = messaging_fixture.ConfFixture(CONF, 'inproc:/')
    messaging_config.setUp()
    rpc.init(CONF)
    manager = protection_manager.ProtectionManager()
    manager.start()
    server = rpc.get_server(
        messaging.Target(topic=CONF.protection_topic, server=CONF.host),
        [manager])
    server.start()
    tokens, keystone = _tokens(auth_strategy)
    karbor = Karbor(app.load_paste_app(), auth_strategy, manager, tokens)

    def stop():
        karbor.wait_for_operations()
        server.stop()
        server.wait()
        manager.stop()
        rpc.cleanup()
        messaging_config.cleanUp()
        if keystone is not None:
            keystone.cleanUp()
        db_api.dispose_engine()
        extension.ExtensionManager.ENTRY_POINT_CACHE.clear()
        extension.ExtensionManager.ENTRY_POINT_CACHE.update(entry_points)
    return karbor, stop


@pytest.fixture(params=['noauth', 'keystone'])
def karbor(request, conf, tmp_path):
    """Karbor under each [DEFAULT] auth_strategy, on SQLite."""
    instance, stop = start_karbor(
        tmp_path, request.param,
        'sqlite:///%s' % (tmp_path / 'karbor.sqlite'))
    yield instance
    stop()


@pytest.fixture
def noauth(conf, tmp_path):
    """Karbor without Keystone, on SQLite."""
    instance, stop = start_karbor(
        tmp_path, 'noauth', 'sqlite:///%s' % (tmp_path / 'karbor.sqlite'))
    yield instance
    stop()


@pytest.fixture(params=['sqlite', 'mariadb'])
def stored(request, conf, tmp_path):
    """Karbor (noauth) on each database."""
    instance, stop = start_karbor(
        tmp_path, 'noauth', unit_conftest.connection_of(request, tmp_path))
    yield instance
    stop()
