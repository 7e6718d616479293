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

"""Who is calling: the request context from Keystone or from noauth."""

import re

from oslo_config import cfg
from oslo_log import log as logging
from oslo_middleware import base as base_middleware
from oslo_middleware import request_id
from oslo_serialization import jsonutils
import webob.dec

from karbor import context
from karbor import exception
from karbor.i18n import _

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

CONTEXT_KEY = 'karbor.context'


def pipeline_factory(loader, global_conf, **local_conf):
    """Pick the pipeline named by [DEFAULT] auth_strategy."""
    pipeline = local_conf[CONF.auth_strategy].split()
    filters = [loader.get_filter(name) for name in pipeline[:-1]]
    app = loader.get_app(pipeline[-1])
    for wrap in reversed(filters):
        app = wrap(app)
    return app


class KarborKeystoneContext(base_middleware.ConfigurableMiddleware):
    """Make a request context from the headers keystonemiddleware sets."""

    @webob.dec.wsgify
    def __call__(self, req):
        if req.headers.get('X_IDENTITY_STATUS', 'Confirmed') != 'Confirmed':
            raise exception.NotAuthenticated()
        catalog = []
        catalog_header = req.headers.get('X_SERVICE_CATALOG')
        if catalog_header:
            try:
                catalog = jsonutils.loads(catalog_header)
            except ValueError:
                raise exception.InvalidInput(
                    reason=_('X-Service-Catalog is not JSON.'))
        ctx = context.RequestContext.from_environ(
            req.environ, service_catalog=catalog)
        if ctx.project_id is None:
            raise exception.InvalidInput(
                reason=_('the token is not scoped to a project.'))
        req.environ[CONTEXT_KEY] = ctx
        return self.application


class NoAuthMiddleware(base_middleware.ConfigurableMiddleware):
    """Trust X-Auth-Token as "<user>:<project>" (testing, karbor-all).

    The user named "admin" gets the admin role, the user named "reader"
    only the reader role, everyone else is a member, so that project
    isolation and the policy's personas can be seen without Keystone. As
    Keystone's implied roles do, admin implies member, and member reader.
    """

    @webob.dec.wsgify
    def __call__(self, req):
        token = req.headers.get('X-Auth-Token')
        if not token:
            raise exception.NotAuthenticated(
                _('X-Auth-Token is required; without Keystone it is '
                  '"<user>:<project>".'))
        user_id, project_id = _noauth_ids(token)
        roles = NOAUTH_ROLES.get(user_id, NOAUTH_ROLES['member'])
        req.environ[CONTEXT_KEY] = context.RequestContext(
            user_id=user_id, project_id=project_id, user_name=user_id,
            project_name=project_id, roles=roles, auth_token=token,
            request_id=req.environ.get(request_id.ENV_REQUEST_ID),
            global_request_id=req.environ.get(request_id.GLOBAL_REQ_ID))
        return self.application


NOAUTH_ROLES = {'admin': ['admin', 'member', 'reader'],
                'reader': ['reader'],
                'member': ['member', 'reader']}


# Like Keystone's ids: they go into the database's columns and into bank
# keys (by-project indices) unchanged, whatever the bank.
NOAUTH_ID = re.compile('[A-Za-z0-9_@-][A-Za-z0-9_.@-]{0,63}')


def _noauth_ids(token):
    """(user, project) of a noauth token "<user>:<project>" ("<user>"
    alone: the project of the same name)."""
    user_id, _sep, project_id = token.partition(':')
    project_id = project_id or user_id
    for name, value in (('user', user_id), ('project', project_id)):
        if not NOAUTH_ID.fullmatch(value):
            raise exception.NotAuthenticated(
                _('X-Auth-Token is "<user>:<project>" without Keystone, '
                  'each 1 to 64 letters, digits or "_.@-", not starting '
                  'with "."; its %s is not.') % name)
    return user_id, project_id
