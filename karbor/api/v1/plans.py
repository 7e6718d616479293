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

"""Plans: which resources a provider protects, with which options."""

from oslo_config import cfg

from karbor.api.schemas import plans as schemas
from karbor.api import validation
from karbor.api.v1 import http
from karbor.common import notification
from karbor import exception
from karbor.i18n import _
from karbor import objects
from karbor.objects import plan as plan_objects
from karbor import policy
from karbor import quota

CONF = cfg.CONF
CONF.import_opt('max_plan_resources', 'karbor.common.config')

SORT_KEYS = ('created_at', 'updated_at', 'name', 'status', 'id')
FILTERS = ('name', 'description', 'status', 'provider_id')

objects.register_all()


VIEW_KEYS = ('id', 'name', 'description', 'provider_id', 'status',
             'resources', 'parameters')


def _view(plan):
    """The plan's JSON; ``plan`` is a Plan or a dict of its fields."""
    return {key: plan[key] for key in VIEW_KEYS}


def _load(req, action):
    return http.load(req, action, plan_objects.Plan, 'plan_id', 'plan')


def _check_against_provider(req, context, provider_id, resources,
                            parameters):
    """The plan is not too large, and the provider exists and can protect
    every resource, as asked."""
    if len(resources) > CONF.max_plan_resources:
        raise exception.InvalidPlan(
            reason=_('it lists %(count)d resources; a plan holds at most '
                     '%(max)d ([DEFAULT] max_plan_resources).') % {
                'count': len(resources), 'max': CONF.max_plan_resources})
    try:
        provider = http.provider_cache(req).show_provider(context,
                                                          provider_id)
    except exception.ProviderNotFound as exc:
        raise exception.InvalidInput(reason=str(exc))
    schemas = provider['extended_info_schema']['options_schema']
    seen = set()
    for resource in resources:
        key = (resource['type'], resource['id'])
        if key in seen:
            raise exception.InvalidPlan(
                reason=_('resource %(type)s %(id)s is listed twice.')
                % resource)
        seen.add(key)
        if resource['type'] not in schemas:
            raise exception.PlanUsesUnknownResourceType(
                provider=provider['name'], resource_type=resource['type'])
    validation.validate_parameters(parameters, schemas, seen, 'options')


def create_plan(req):
    context = http.context_of(req)
    policy.authorize(context, 'plan:create')
    body = validation.validate(schemas.create, validation.json_body(req))
    values = body['plan']
    values.setdefault('parameters', {})
    with notification.notify_request(
            context, req, 'plan_create', name=values['name'],
            parameters=values['parameters']) as payload:
        _check_against_provider(req, context, values['provider_id'],
                                values['resources'], values['parameters'])
        values.update(project_id=context.project_id,
                      user_id=context.user_id, status='suspended')
        plan = plan_objects.Plan.create(
            context, values,
            charge=quota.QUOTAS.charge(context, context.project_id, plans=1))
        payload['id'] = plan.id
    return http.json_response({'plan': _view(plan.to_dict())})


def list_plans(req):
    context = http.context_of(req)
    policy.authorize(context, 'plan:get_all')
    query = http.list_query(req, context, 'plan', SORT_KEYS, FILTERS)
    plans = plan_objects.list_page(context, **query)
    return http.collection(req, 'plans', [_view(p) for p in plans],
                           query['limit'])


def show_plan(req):
    _context, plan = _load(req, 'plan:get')
    return http.json_response({'plan': _view(plan.to_dict())})


def update_plan(req):
    context, plan = _load(req, 'plan:update')
    body = validation.validate(schemas.update, validation.json_body(req))
    values = body['plan']
    with notification.notify_request(context, req, 'plan_update',
                                     id=plan.id):
        if 'resources' in values:
            _check_against_provider(req, context, plan.provider_id,
                                    values['resources'], plan.parameters)
        plan = plan_objects.Plan.update(context, plan.id, values)
    return http.json_response({'plan': _view(plan.to_dict())})


def delete_plan(req):
    context, plan = _load(req, 'plan:delete')
    with notification.notify_request(context, req, 'plan_delete',
                                     id=plan.id):
        plan_objects.Plan.destroy(context, plan.id)
    return http.empty_response()
