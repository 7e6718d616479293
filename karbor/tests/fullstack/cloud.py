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

"""The project's one-machine cloud (tools/cloud), as fullstack tests use it.

tools/cloud/up writes ``<user>-openrc`` files for admin, demo and alt into
``$KARBOR_CLOUD_DIR`` (default ``~/.local/share/karbor-cloud``); a test
that needs the cloud skips, naming the missing file, when they are not
there::

    pytestmark = cloud.needs_cloud('demo')

Every user's password is its name; the ``karbor`` service user is in
project ``service``. Cinder keeps its volumes as files (the NFS driver over
a bind mount): ``volume_path(volume_id)`` is where a volume's bytes are,
for tests that write known bytes into a volume and read them back.
"""

import os

from keystoneauth1.identity import v3
from keystoneauth1 import session as ks_session
import pytest

from karbor import context as karbor_context

CLOUD_DIR = os.environ.get('KARBOR_CLOUD_DIR', os.path.expanduser(
    '~/.local/share/karbor-cloud'))
# Where Cinder's NFS share is exported (tools/cloud/libexec/common.sh).
VOLUME_DIR = os.path.join(CLOUD_DIR, 'data', 'cinder-export')


def openrc_path(user):
    return os.path.join(CLOUD_DIR, '%s-openrc' % user)


def missing(*users):
    """Why the cloud cannot serve these users, or None when it can."""
    for user in users:
        path = openrc_path(user)
        if not os.path.exists(path):
            return ('the karbor cloud is not configured: no %s (start it '
                    'with tools/cloud/up, or set KARBOR_CLOUD_DIR)' % path)
    return None


def needs_cloud(*users):
    """A pytest mark that skips the test when an openrc file is missing."""
    reason = missing(*users)
    return pytest.mark.skipif(reason is not None, reason=reason or '')


def openrc(user):
    """The OS_* variables of ``user``'s openrc file."""
    values = {}
    with open(openrc_path(user)) as stream:
        for line in stream:
            line = line.strip()
            if line.startswith('export ') and '=' in line:
                key, value = line[len('export '):].split('=', 1)
                values[key] = value.strip('\'"')
    return values


def session(user):
    """A keystoneauth1 session of ``user`` in its own project."""
    values = openrc(user)
    return ks_session.Session(auth=v3.Password(
        auth_url=values['OS_AUTH_URL'], username=values['OS_USERNAME'],
        password=values['OS_PASSWORD'],
        project_name=values['OS_PROJECT_NAME'],
        user_domain_name=values['OS_USER_DOMAIN_NAME'],
        project_domain_name=values['OS_PROJECT_DOMAIN_NAME']))


def request_context(user_session):
    """A Karbor request context carrying the session's token and catalog,
    as karbor-api hands it to karbor-protection."""
    access = user_session.auth.get_access(user_session)
    return karbor_context.RequestContext(
        user_id=access.user_id, project_id=access.project_id,
        auth_token=access.auth_token, is_admin=False,
        service_catalog=access.service_catalog.catalog)


def volume_path(volume_id):
    """The file that holds a Cinder volume's bytes (while it has no
    snapshot: with one, its new writes go to a qcow2 overlay)."""
    return os.path.join(VOLUME_DIR, 'volume-%s' % volume_id)
