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

"""Request validation: the URL's encoding, JSON bodies against JSON
Schema, query strings."""

import datetime
import math
import re
from urllib import parse

import jsonschema
from oslo_config import cfg
from oslo_serialization import jsonutils
from oslo_utils import strutils
from oslo_utils import uuidutils

from karbor import exception
from karbor.i18n import _
from karbor.services.protection import graph

CONF = cfg.CONF

_FORMAT_CHECKER = jsonschema.FormatChecker()

# Karbor's own bodies nest 6 levels deep (a plan's parameters of one
# resource type, with an object option); JSON that plugins take in
# parameters or extra_info gets the rest.
MAX_BODY_DEPTH = 32
_DIGITS = re.compile('[0-9]+')


@_FORMAT_CHECKER.checks('uuid')
def _is_uuid(instance):
    return not isinstance(instance, str) or uuidutils.is_uuid_like(instance)


def check_url(req):
    """The path and the query string are UTF-8 without NUL, as every part
    of Karbor that reads them (routes, webob, the database) needs."""
    for part, raw, unquote in (
            (_('path'), req.environ.get('SCRIPT_NAME', '') +
             req.environ.get('PATH_INFO', ''), False),
            (_('query string'), req.environ.get('QUERY_STRING', ''), True)):
        raw = raw.encode('latin-1')
        if unquote:
            # ASCII bytes ("&", "=") never occur inside a UTF-8 sequence:
            # the whole decodes if and only if every parameter does.
            raw = parse.unquote_to_bytes(raw)
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise exception.ValidationError(
                detail=_('The request %(part)s is not valid UTF-8: byte '
                         '0x%(byte)02x at %(where)d.') % {
                    'part': part, 'byte': raw[exc.start],
                    'where': exc.start})
        if '\x00' in text:
            raise exception.ValidationError(
                detail=_('The request %s holds a NUL character.') % part)


def json_body(req):
    """The request body as JSON, or a 400 that says what is wrong.

    Beyond JSON itself: at most MAX_BODY_DEPTH levels of arrays and
    objects, strings of Unicode characters (no lone surrogates such as
    "\\ud800", no NUL) and finite numbers, so that whatever the body holds
    can be stored, sent over RPC and answered back.
    """
    if not req.body:
        raise exception.ValidationError(
            detail=_('The request has no body; a JSON object is required.'))
    try:
        body = jsonutils.loads(req.body)
    except RecursionError:
        raise _too_deep()
    except ValueError as exc:
        raise exception.ValidationError(
            detail=_('Malformed JSON in request body: %s') % exc)
    _check_json_values(body)
    return body


def _too_deep():
    return exception.ValidationError(
        detail=_('The request body nests arrays and objects more than %d '
                 'levels deep.') % MAX_BODY_DEPTH)


def _check_json_values(body):
    # Iterative: a body nested deeper than Python's recursion limit lets
    # at most its parse fail, never this walk.
    pending = [((), body)]
    while pending:
        path, value = pending.pop()
        # ``path`` holds the keys of the arrays and objects around value.
        if isinstance(value, (dict, list)) and len(path) >= MAX_BODY_DEPTH:
            raise _too_deep()
        if isinstance(value, dict):
            for key, item in value.items():
                _check_string(path, key)
                pending.append((path + (key,), item))
        elif isinstance(value, list):
            pending.extend((path + (index,), item)
                           for index, item in enumerate(value))
        elif isinstance(value, str):
            _check_string(path, value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise _bad_value(path, _('%s is not a finite number') % value)


def _check_string(path, text):
    try:
        text.encode('utf-8')
    except UnicodeEncodeError as exc:
        raise _bad_value(path, _('it holds the lone surrogate %r, which '
                                 'is not a character') % text[exc.start])
    if '\x00' in text:
        raise _bad_value(path, _('it holds a NUL character'))


def _bad_value(path, reason):
    return exception.ValidationError(
        detail=_('Invalid input for field %(path)s: %(reason)s.') % {
            'path': '/'.join(str(p) for p in path) or _('(the body)'),
            'reason': reason})


def validate(schema, body):
    """Raise a 400 naming the first field of ``body`` that breaks ``schema``."""
    validator = jsonschema.Draft7Validator(schema,
                                           format_checker=_FORMAT_CHECKER)
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is None:
        return body
    raise exception.ValidationError(detail=_describe(error))


def _describe(error):
    path = '/'.join(str(p) for p in error.absolute_path)
    if error.validator == 'additionalProperties':
        return _('Invalid input%(where)s: %(reason)s') % {
            'where': (_(' for field %s') % path) if path else '',
            'reason': error.message}
    if error.validator == 'required':
        return _('Invalid input%(where)s: %(reason)s') % {
            'where': (_(' for field %s') % path) if path else '',
            'reason': error.message}
    if error.validator == 'format' and error.validator_value == 'uuid':
        return _('Invalid input for field %(path)s: %(value)r is not a '
                 'UUID.') % {'path': path, 'value': error.instance}
    return _('Invalid input for field %(path)s: %(reason)s') % {
        'path': path or _('(the body)'), 'reason': error.message}


def check_uuid(value, kind):
    """A path id that must be a UUID: 400 "Invalid <kind> id provided."."""
    if not uuidutils.is_uuid_like(value):
        raise exception.InvalidId(kind=kind)
    return value


def page_params(req, marker_is_uuid=True):
    """marker and limit of a list request, checked."""
    marker = req.GET.get('marker')
    if marker is not None and marker_is_uuid:
        check_uuid(marker, 'marker')
    limit = req.GET.get('limit')
    if limit is None:
        return marker, CONF.osapi_max_limit
    # Digits only: int() would also take " 5", "+5", "5_0" and "\u0663".
    if not _DIGITS.fullmatch(limit):
        raise exception.InvalidInput(
            reason=_('limit must be a non-negative integer, not %r.')
            % limit)
    return marker, min(int(limit), CONF.osapi_max_limit)


def sort_params(req, allowed_keys, default_key='created_at',
                default_dir='desc'):
    """sort=key[:dir],... (or the older sort_key/sort_dir) as two lists."""
    keys, dirs = [], []
    if 'sort' in req.GET:
        for part in req.GET['sort'].split(','):
            key, _sep, direction = part.strip().partition(':')
            keys.append(key.strip())
            dirs.append(direction.strip() or default_dir)
    elif 'sort_key' in req.GET or 'sort_dir' in req.GET:
        keys = [req.GET.get('sort_key', default_key)]
        dirs = [req.GET.get('sort_dir', default_dir)]
    else:
        return [default_key], [default_dir]
    for key, direction in zip(keys, dirs):
        if key not in allowed_keys:
            raise exception.InvalidSortKey(key=key,
                                           allowed=', '.join(allowed_keys))
        if direction not in ('asc', 'desc'):
            raise exception.InvalidInput(
                reason=_('sort direction must be asc or desc, not %r.')
                % direction)
    return keys, dirs


def date_param(req, name):
    """An optional YYYY-MM-DD query parameter, as a datetime.date."""
    value = req.GET.get(name)
    if value is None:
        return None
    try:
        return datetime.datetime.strptime(value, '%Y-%m-%d').date()
    except ValueError:
        raise exception.InvalidInput(
            reason=_('%(name)s must be a date (YYYY-MM-DD), not '
                     '%(value)r.') % {'name': name, 'value': value})


def all_projects(req):
    value = req.GET.get('all_tenants', req.GET.get('all_projects', '0'))
    try:
        return strutils.bool_from_string(value, strict=True)
    except ValueError:
        raise exception.InvalidInput(
            reason=_('all_tenants must be a boolean, not %r.') % value)


def validate_parameters(parameters, schemas, resources, kind):
    """Check plan or restore parameters against the provider's schemas.

    ``parameters`` is keyed by resource type or by "type#id"; ``schemas``
    maps each type the provider handles to its JSON schema (options or
    restore); ``resources`` are the (type, id) pairs the parameters may
    name. ``kind`` ("options", "restore") goes into the messages.
    """
    types = {resource_type for resource_type, _id in resources}
    for key, value in (parameters or {}).items():
        resource_type, resource_id = graph.split_key(key)
        if resource_type not in types:
            raise exception.InvalidInput(
                reason=_('parameters name %(key)s, but no resource of type '
                         '%(type)s is protected here.')
                % {'key': key, 'type': resource_type})
        if resource_id and (resource_type, resource_id) not in resources:
            raise exception.InvalidInput(
                reason=_('parameters name %s, which is not one of the '
                         'resources.') % key)
        schema = schemas.get(resource_type) or {'type': 'object'}
        validator = jsonschema.Draft7Validator(
            schema, format_checker=_FORMAT_CHECKER)
        error = jsonschema.exceptions.best_match(validator.iter_errors(value))
        if error is not None:
            where = '/'.join(str(p) for p in error.absolute_path)
            raise exception.InvalidInput(
                reason=_('%(kind)s parameters of %(key)s%(where)s: '
                         '%(reason)s') % {
                    'kind': kind, 'key': key,
                    'where': (' (%s)' % where) if where else '',
                    'reason': error.message})
