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

"""The syntaxes ``karbor`` commands accept, turned into API values.

Checks that the old client made before sending anything (UUID-like ids,
dates, sort keys) live here too, so that bad input fails with one line and
no request.
"""

import argparse
import datetime
import re

from oslo_serialization import jsonutils
from oslo_utils import uuidutils

from karborclient import exceptions

SORT_KEYS = ('id', 'status', 'name', 'created_at')
SORT_DIRECTIONS = ('asc', 'desc')
RESOURCE_SYNTAX = 'id=type=name[=key=value...]'
PARAMETERS_SYNTAX = 'resource_type=<type>[,resource_id=<id>,key=value...]'


# Types for argparse: they raise ArgumentTypeError, which the CLI reports
# on one line naming the argument.

def uuid_of(kind):
    def check(value):
        if not uuidutils.is_uuid_like(value):
            raise argparse.ArgumentTypeError(
                'invalid %s id %r: a UUID is expected' % (kind, value))
        return value
    return check


def date(value):
    try:
        datetime.datetime.strptime(value, '%Y-%m-%d')
    except ValueError:
        raise argparse.ArgumentTypeError(
            'invalid date %r: the format is YYYY-MM-DD' % value)
    return value


def sort(value):
    for item in value.split(','):
        key, _colon, direction = item.partition(':')
        if key not in SORT_KEYS:
            raise argparse.ArgumentTypeError(
                'invalid sort key %r: use one of %s'
                % (key, ', '.join(SORT_KEYS)))
        if direction and direction not in SORT_DIRECTIONS:
            raise argparse.ArgumentTypeError(
                'invalid sort direction %r: use asc or desc' % direction)
    return value


def positive_int(value):
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            'invalid value %r: a positive integer is expected' % value)
    return number


def positive_seconds(value):
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise argparse.ArgumentTypeError(
            'invalid value %r: a positive number of seconds is expected'
            % value)
    return seconds


# Parsers of whole option values; they raise CommandError.

def parse_resources(text):
    """``id=type=name[=key=value...],...`` -> list of plan resources.

    The part after the name is the resource's extra_info: key=value pairs,
    or (as the old client took it) a JSON object.
    """
    resources = []
    for item in text.split(','):
        parts = item.split('=', 3)
        if len(parts) < 3 or not all(parts[:3]):
            raise exceptions.CommandError(
                'Invalid resource %r: the syntax is %s'
                % (item, RESOURCE_SYNTAX))
        resource = dict(zip(('id', 'type', 'name'), parts))
        if len(parts) == 4:
            resource['extra_info'] = _extra_info(parts[3], item)
        resources.append(resource)
    return resources


def _extra_info(text, item):
    if text.startswith('{'):
        return _json_object(text, 'the extra info of resource %r' % item)
    words = text.split('=')
    if len(words) % 2:
        raise exceptions.CommandError(
            'Invalid resource %r: the extra info after the name must be '
            'key=value pairs' % item)
    return dict(zip(words[0::2], words[1::2]))


def _json_object(text, what):
    try:
        value = jsonutils.loads(text)
    except ValueError as error:
        raise exceptions.CommandError('Invalid JSON in %s: %s'
                                      % (what, error))
    if not isinstance(value, dict):
        raise exceptions.CommandError('%s must be a JSON object'
                                      % what.capitalize())
    return value


def parse_parameters(entries, parameters_json):
    """Build plan or restore parameters from the command line.

    Each ``--parameters`` entry sets the options of one resource type, or of
    one resource when it names a ``resource_id``; the API keys them as
    ``<type>`` or ``<type>#<id>``.
    """
    if entries and parameters_json:
        raise exceptions.CommandError(
            'Give either --parameters or --parameters-json, not both')
    if parameters_json:
        return _json_object(parameters_json, '--parameters-json')
    parameters = {}
    for entry in entries:
        options = {}
        for pair in entry.split(','):
            key, equals, value = pair.partition('=')
            if not equals:
                raise exceptions.CommandError(
                    'Invalid --parameters %r: the syntax is %s'
                    % (entry, PARAMETERS_SYNTAX))
            options[key] = value
        resource_type = options.pop('resource_type', None)
        resource_id = options.pop('resource_id', None)
        if not resource_type:
            raise exceptions.CommandError(
                'Invalid --parameters %r: resource_type is required'
                % entry)
        if resource_id is None:
            parameters[resource_type] = options
        elif uuidutils.is_uuid_like(resource_id):
            parameters['%s#%s' % (resource_type, resource_id)] = options
        else:
            raise exceptions.CommandError(
                'Invalid --parameters %r: resource_id must be a UUID'
                % entry)
    return parameters


def parse_key_values(items):
    """``['k=v', 'flag']`` -> ``{'k': 'v', 'flag': None}``."""
    values = {}
    for item in items:
        key, equals, value = item.partition('=')
        values[key] = value if equals else None
    return values


# A comma begins the next property only where a "key=" follows it, so that
# a value may hold commas (the crontab pattern "0 2 * * 1,3").
_NEXT_PROPERTY = re.compile(r',(?=\s*[A-Za-z_][A-Za-z0-9_]*=)')


def parse_properties(text):
    """``'format=crontab,pattern=0 2 * * 1,3,window=3600'`` -> a dict; the
    window, a number of seconds, as an integer."""
    properties = {}
    for item in _NEXT_PROPERTY.split(text):
        key, equals, value = item.partition('=')
        if not equals or not key.strip():
            raise exceptions.CommandError(
                'Invalid properties %r: each must be key=value' % text)
        properties[key.strip()] = value
    if 'window' in properties:
        try:
            properties['window'] = int(properties['window'])
        except ValueError:
            raise exceptions.CommandError(
                'Invalid properties %r: window must be a number of seconds'
                % text)
    return properties


def parse_operation_definition(text):
    """``'provider_id=<id>,plan_id=<id>,max_backups=3'`` -> a dict whose
    values all stay strings, as 2.1.0 sends them."""
    # Every comma ends an entry, as in 2.1.0: unlike trigger properties,
    # definitions hold ids and numbers, never a comma.
    definition = {}
    for item in text.split(','):
        key, equals, value = item.partition('=')
        if not equals:
            raise exceptions.CommandError(
                'Invalid operation definition %r: each entry must be '
                'key=value' % item)
        definition[key] = value
    return definition
