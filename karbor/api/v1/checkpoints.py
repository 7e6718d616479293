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

"""Checkpoints: a plan's resources as protected at one moment, in a bank.

Checkpoints live in the provider's bank, not in the database, so every
call goes to karbor-protection. The wire format keeps the original's:
``resource_graph`` and ``extra_info`` are JSON text inside the JSON, and
``created_at`` is a date.
"""

from oslo_serialization import jsonutils

from karbor.api import microversions
from karbor.api.schemas import checkpoints as schemas
from karbor.api import validation
from karbor.api.v1 import http
from karbor.common import notification
from karbor import exception
from karbor.i18n import _
from karbor import objects
from karbor.objects import fields
from karbor.objects import plan as plan_objects
from karbor.objects import restore as restore_objects
from karbor.objects import verification as verification_objects
from karbor import policy
from karbor import quota

objects.register_all()


def _json_text(value):
    return None if value is None else jsonutils.dumps(value)


def _view(req, encoded, extra=None):
    """The checkpoint's JSON text, from karbor-protection's
    ``encoded`` fields (see rpcapi.ProtectionAPI.list_checkpoints).

    Most of a large plan's checkpoint is its plan, graph and statuses:
    their text goes into the answer as karbor-protection encoded it, never
    decoded here. The graph and extra_info are shown as JSON text inside
    a string, as the original showed them. ``extra`` adds members.
    """
    created_at = jsonutils.loads(encoded.get('created_at', 'null'))
    members = [
        ('id', encoded['id']),
        ('project_id', encoded['project_id']),
        ('status', encoded['status']),
        ('protection_plan', encoded['protection_plan']),
        ('resource_graph', _as_string(encoded.get('resource_graph'))),
        ('extra_info', _as_string(encoded.get('extra_info'))),
        ('created_at', jsonutils.dumps(created_at[:10] if created_at
                                       else None)),
    ]
    if _shows_statuses(req):
        members += [(name, _or_empty(encoded.get(name)))
                    for name in ('resources_status', 'resources_reason')]
    members += [(name, jsonutils.dumps(value))
                for name, value in (extra or {}).items()]
    return http.json_object_text(members)


def _answer(view):
    """The answer of one checkpoint, ``view`` its JSON text."""
    return http.json_text_response(http.json_object_text(
        [('checkpoint', view)]))


def _encoded(checkpoint):
    """A checkpoint as karbor-protection encodes its fields."""
    return {name: jsonutils.dumps(value)
            for name, value in checkpoint.items()}


def _as_string(text):
    return 'null' if text in (None, 'null') else jsonutils.dumps(text)


def _or_empty(text):
    return '{}' if text in (None, 'null') else text


def _shows_statuses(req):
    """Whether the answer shows each resource's status (1.1); karbor-api
    asks karbor-protection for them only then: a large plan's checkpoint
    costs a listing of its statuses while it runs."""
    return microversions.at_least(
        req, microversions.RESOURCE_STATUS_IN_CHECKPOINTS)


def _ids(req):
    provider_id = validation.check_uuid(http.path_arg(req, 'provider_id'),
                                        'provider')
    checkpoint_id = http.path_arg(req, 'checkpoint_id')
    return provider_id, validation.check_uuid(checkpoint_id, 'checkpoint')


def _load(req, action, with_statuses=False):
    """(context, provider id, the encoded fields of the path's
    checkpoint), after policy allows ``action`` on its project."""
    context = http.context_of(req)
    provider_id, checkpoint_id = _ids(req)
    return context, provider_id, _show(req, context, provider_id,
                                       checkpoint_id, action, with_statuses)


def _show(req, context, provider_id, checkpoint_id, action,
          with_statuses=False):
    """The checkpoint's encoded fields (see _view), after policy allows
    ``action`` on its project."""
    encoded = http.protection_api(req).show_checkpoint(
        context, provider_id, checkpoint_id, with_statuses=with_statuses)
    policy.authorize(context, action,
                     {'project_id': _decoded(encoded, 'project_id')})
    return encoded


def _decoded(encoded, name):
    return jsonutils.loads(encoded[name])


def check_readable(req, context, provider_id, checkpoint_id, parameters,
                   action):
    """A restore or verification (``action``) may read the checkpoint: the
    caller may see it, it is available, and ``parameters`` fit the
    provider's schemas of ``action``."""
    provider = http.provider_cache(req).show_provider(context, provider_id)
    encoded = _show(req, context, provider_id, checkpoint_id,
                    'checkpoint:get')
    status = _decoded(encoded, 'status')
    if status != 'available':
        raise exception.CheckpointNotAvailable(checkpoint_id=checkpoint_id,
                                               status=status)
    resources = {(r['type'], r['id']) for r in
                 _decoded(encoded, 'protection_plan')['resources']}
    validation.validate_parameters(
        parameters, provider['extended_info_schema']['%s_schema' % action],
        resources, action)


def create_checkpoint(req):
    context = http.context_of(req)
    policy.authorize(context, 'checkpoint:create')
    provider_id = validation.check_uuid(http.path_arg(req, 'provider_id'),
                                        'provider')
    body = validation.validate(schemas.create, validation.json_body(req))
    values = body['checkpoint']
    plan = plan_objects.Plan.get_by_id(context, values['plan_id'])
    extra_info = values.get('extra_info', values.get('extra-info'))
    with notification.notify_request(
            context, req, 'checkpoint_create', checkpoint_properties={
                'project_id': context.project_id,
                'status': 'protecting',
                'provider_id': provider_id,
                'protection_plan': {'id': plan.id, 'name': plan.name,
                                    'resources': plan.resources},
                'extra_info': _json_text(extra_info),
            }) as payload:
        if plan.provider_id != provider_id:
            raise exception.InvalidInput(
                reason=_('plan %(plan)s is protected by provider '
                         '%(plan_pro)s, not %(provider)s.') % {
                    'plan': plan.id, 'plan_pro': plan.provider_id,
                    'provider': provider_id})
        # The checkpoint is the plan's project's (an administrator's too).
        with quota.reserved(context, plan.project_id, checkpoints=1):
            checkpoint = http.protection_api(req).protect(
                context, plan, {'extra_info': extra_info})
        payload['checkpoint_id'] = checkpoint['id']
    return _answer(_view(req, _encoded(checkpoint)))


def list_checkpoints(req):
    context = http.context_of(req)
    policy.authorize(context, 'checkpoint:get_all')
    provider_id = validation.check_uuid(http.path_arg(req, 'provider_id'),
                                        'provider')
    all_projects, _project_id = http.listing_scope(req, context,
                                                   'checkpoint')
    filters = _filters(req)
    marker, limit = validation.page_params(req)
    _keys, dirs = validation.sort_params(req, ('created_at',))
    checkpoints = http.protection_api(req).list_checkpoints(
        context, provider_id, marker=marker, limit=limit, sort_dir=dirs[0],
        filters=filters, all_projects=all_projects,
        with_statuses=_shows_statuses(req))
    return http.encoded_collection(
        req, 'checkpoints', [_view(req, c) for c in checkpoints],
        _decoded(checkpoints[-1], 'id') if checkpoints else None,
        limit)


def _filters(req):
    filters = {}
    if 'plan_id' in req.GET:
        filters['plan_id'] = validation.check_uuid(req.GET['plan_id'],
                                                   'plan')
    for key in ('start_date', 'end_date'):
        date = validation.date_param(req, key)
        if date is not None:
            filters[key] = date.isoformat()
    if 'project_id' in req.GET:
        filters['project_id'] = req.GET['project_id']
    return filters


def show_checkpoint(req):
    context, _provider_id, encoded = _load(
        req, 'checkpoint:get', with_statuses=_shows_statuses(req))
    readers = None
    if microversions.at_least(req, microversions.READERS_IN_CHECKPOINTS):
        readers = _readers(context, _decoded(encoded, 'id'))
    return _answer(_view(req, encoded, readers))


def _readers(context, checkpoint_id):
    """The restores and verifications reading the checkpoint now, of the
    caller's project (of every project for an administrator): a delete
    is refused while there are any."""
    query = {'filters': {'checkpoint_id': checkpoint_id,
                         'status': fields.RestoreStatus.IN_PROGRESS},
             'sort_keys': ['created_at'], 'sort_dirs': ['asc'],
             'all_projects': context.is_admin}
    return {
        'restores_in_progress': [
            row.id for row in
            restore_objects.Restore.list_page(context, **query)],
        'verifications_in_progress': [
            row.id for row in
            verification_objects.Verification.list_page(context, **query)],
    }


def delete_checkpoint(req):
    context, provider_id, encoded = _load(req, 'checkpoint:delete')
    checkpoint_id = _decoded(encoded, 'id')
    with notification.notify_request(
            context, req, 'checkpoint_delete',
            checkpoint_id=checkpoint_id, provider_id=provider_id):
        first_delete = http.protection_api(req).delete_checkpoint(
            context, provider_id, checkpoint_id)
    # The checkpoint stops counting when its first delete is accepted,
    # here, where it was counted, rather than when a delete ends: one that
    # fails leaves it "error-deleting", never usable again, and a delete
    # taken up again (or of a deleted checkpoint) gives nothing back twice.
    if first_delete:
        quota.QUOTAS.release(context, _decoded(encoded, 'project_id'),
                             checkpoints=1)
    return http.json_response({})


def reset_checkpoint_state(req):
    context, provider_id, encoded = _load(req, 'checkpoint:update')
    checkpoint_id = _decoded(encoded, 'id')
    body = validation.validate(schemas.reset_state,
                               validation.json_body(req))
    state = body['os-resetState']['state']
    with notification.notify_request(context, req, 'checkpoint_update',
                                     checkpoint_id=checkpoint_id,
                                     state=state):
        http.protection_api(req).reset_state(context, provider_id,
                                             checkpoint_id, state)
    return http.json_response({})


def copy_checkpoints(req):
    """Copy the plan's checkpoints that have no copy yet into the
    provider's copy_provider (POST .../checkpoints/action {"copy": ...}).

    The answer keeps the original's fields (``provider_id`` the source
    provider, ``checkpoint_id`` the list of {"checkpoint_protect_id",
    "checkpoint_copy_id"}) and the spec's ``id`` and ``status``
    ("wait_copying"). ``id`` is the copy's checkpoint id when one checkpoint
    is copied; when several are, no one checkpoint is the copy, and ``id``
    is the plan's (what was copied), as ``plan_id``. From microversion
    1.1, ``copy_provider_id`` says where the copies are: GET
    /providers/<copy_provider_id>/checkpoints/<id> shows each.
    """
    context = http.context_of(req)
    provider_id = validation.check_uuid(http.path_arg(req, 'provider_id'),
                                        'provider')
    body = validation.validate(schemas.copy, validation.json_body(req))
    values = body['copy']
    if isinstance(values, list):
        values = values[0]
    plan = plan_objects.Plan.get_by_id(context, values['plan_id'])
    policy.authorize(context, 'checkpoint:copy',
                     {'project_id': plan.project_id})
    parameters = values.get('parameters') or {}
    with notification.notify_request(
            context, req, 'checkpoint_copy', plan_id=plan.id,
            provider_id=provider_id, parameters=parameters) as payload:
        for named in (values.get('provider_id'), plan.provider_id):
            if named not in (None, provider_id):
                raise exception.InvalidInput(
                    reason=_('plan %(plan)s is protected by provider '
                             '%(plan_pro)s, not %(provider)s.') % {
                        'plan': plan.id, 'plan_pro': plan.provider_id,
                        'provider': provider_id})
        protection = http.protection_api(req)
        copies = protection.copy(context, plan, parameters)
        payload['checkpoint_id'] = copies
    # karbor-protection copies at least one checkpoint, or refuses.
    answer = {
        'id': (copies[0]['checkpoint_copy_id'] if len(copies) == 1
               else plan.id),
        'project_id': plan.project_id,
        'provider_id': provider_id,
        'plan_id': plan.id,
        'parameters': parameters,
        'status': 'wait_copying',
        'checkpoint_id': [
            {'checkpoint_protect_id': item['checkpoint_protect_id'],
             'checkpoint_copy_id': item['checkpoint_copy_id']}
            for item in copies],
    }
    if microversions.at_least(req, microversions.COPY_PROVIDER_IN_COPIES):
        answer['copy_provider_id'] = copies[0]['copy_provider_id']
    return http.json_response({'copy': answer})
