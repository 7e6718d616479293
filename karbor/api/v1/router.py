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

"""Every path of the v1 API, once, and the dispatch to its handler.

A request for a known path with a method the table does not list gets a
405 with an Allow header; an unknown path gets a 404.
"""

import routes
import webob.dec

from karbor.api import microversions
from karbor.api.v1 import checkpoints
from karbor.api.v1 import http
from karbor.api.v1 import operation_logs
from karbor.api.v1 import plans
from karbor.api.v1 import protectables
from karbor.api.v1 import provider_cache
from karbor.api.v1 import providers
from karbor.api.v1 import quota_classes
from karbor.api.v1 import quotas
from karbor.api.v1 import restores
from karbor.api.v1 import scheduled_operations
from karbor.api.v1 import services
from karbor.api.v1 import triggers
from karbor.api.v1 import verifications
from karbor.api import versions
from karbor import exception
from karbor.i18n import _
from karbor import quota
from karbor.services.protection import rpcapi

PROVIDER = '/{project_id}/providers/{provider_id}'
PROTECTABLE = '/{project_id}/protectables/{protectable_type}'
QUOTA = '/{project_id}/quotas/{target_project_id}'

ROUTE_DECLARATIONS = {
    '': {'GET': versions.show_v1},
    '/': {'GET': versions.show_v1},
    '/{project_id}/providers': {'GET': providers.list_providers},
    PROVIDER: {'GET': providers.show_provider},
    PROVIDER + '/checkpoints': {
        'GET': checkpoints.list_checkpoints,
        'POST': checkpoints.create_checkpoint,
    },
    # Before the checkpoint's path, which would take "action" for an id.
    PROVIDER + '/checkpoints/action': {
        'POST': checkpoints.copy_checkpoints,
    },
    PROVIDER + '/checkpoints/{checkpoint_id}': {
        'GET': checkpoints.show_checkpoint,
        'PUT': checkpoints.reset_checkpoint_state,
        'DELETE': checkpoints.delete_checkpoint,
    },
    '/{project_id}/protectables': {
        'GET': protectables.list_protectable_types,
    },
    PROTECTABLE: {'GET': protectables.show_protectable_type},
    PROTECTABLE + '/instances': {
        'GET': protectables.list_protectable_instances,
    },
    PROTECTABLE + '/instances/{resource_id}': {
        'GET': protectables.show_protectable_instance,
    },
    '/{project_id}/plans': {
        'GET': plans.list_plans,
        'POST': plans.create_plan,
    },
    '/{project_id}/plans/{plan_id}': {
        'GET': plans.show_plan,
        'PUT': plans.update_plan,
        'DELETE': plans.delete_plan,
    },
    '/{project_id}/restores': {
        'GET': restores.list_restores,
        'POST': restores.create_restore,
    },
    '/{project_id}/restores/{restore_id}': {
        'GET': restores.show_restore,
    },
    '/{project_id}/verifications': {
        'GET': verifications.list_verifications,
        'POST': verifications.create_verification,
    },
    '/{project_id}/verifications/{verification_id}': {
        'GET': verifications.show_verification,
    },
    '/{project_id}/triggers': {
        'GET': triggers.list_triggers,
        'POST': triggers.create_trigger,
    },
    '/{project_id}/triggers/{trigger_id}': {
        'GET': triggers.show_trigger,
        'PUT': triggers.update_trigger,
        'DELETE': triggers.delete_trigger,
    },
    '/{project_id}/scheduled_operations': {
        'GET': scheduled_operations.list_scheduled_operations,
        'POST': scheduled_operations.create_scheduled_operation,
    },
    '/{project_id}/scheduled_operations/{scheduled_operation_id}': {
        'GET': scheduled_operations.show_scheduled_operation,
        'DELETE': scheduled_operations.delete_scheduled_operation,
    },
    '/{project_id}/operation_logs': {
        'GET': operation_logs.list_operation_logs,
    },
    '/{project_id}/operation_logs/{operation_log_id}': {
        'GET': operation_logs.show_operation_log,
    },
    '/{project_id}/os-services': {'GET': services.list_services},
    '/{project_id}/os-services/{service_id}': {
        'PUT': services.update_service,
    },
    QUOTA: {
        'GET': quotas.show_quota,
        'PUT': quotas.update_quota,
        'DELETE': quotas.delete_quota,
    },
    QUOTA + '/detail': {'GET': quotas.show_quota_detail},
    QUOTA + '/defaults': {'GET': quotas.show_quota_defaults},
    '/{project_id}/quota_classes/{class_name}': {
        'GET': quota_classes.show_quota_class,
        'PUT': quota_classes.update_quota_class,
    },
}


class APIRouter(object):
    """The v1 application: match the path, check the project, dispatch."""

    def __init__(self, protection_api=None):
        self._protection_api = protection_api or rpcapi.ProtectionAPI()
        self._provider_cache = provider_cache.ProviderCache(
            self._protection_api)
        # Now, so that a quota driver that cannot serve stops karbor-api
        # as it starts, not a request later.
        quota.QUOTAS.load()
        self._mapper = routes.Mapper()
        for path in ROUTE_DECLARATIONS:
            self._mapper.connect(path, declared_path=path)

    @classmethod
    def factory(cls, global_config, **local_config):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        microversions.negotiate(req)
        # The decoded path (FaultWrapper checked it is UTF-8): ids and
        # types reach the handlers as the characters the client meant.
        match = self._mapper.match(req.path_info)
        if match is None:
            raise exception.NotFound(
                _('The resource could not be found: %s') % req.path_info)
        handlers = ROUTE_DECLARATIONS[match.pop('declared_path')]
        handler = handlers.get(req.method)
        if handler is None:
            allow = ', '.join(sorted(handlers))
            raise exception.MethodNotAllowed(method=req.method, allow=allow)
        project_id = match.get('project_id')
        context = http.context_of(req)
        if project_id is not None and project_id != context.project_id:
            raise exception.MalformedRequestUrl()
        req.environ['wsgiorg.routing_args'] = ((), match)
        req.environ[http.PROTECTION_API_KEY] = self._protection_api
        req.environ[http.PROVIDER_CACHE_KEY] = self._provider_cache
        return microversions.mark(req, handler(req))
