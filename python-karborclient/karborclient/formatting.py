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

"""How the ``karbor`` CLI prints resources, lists and errors."""

import re
import sys

from oslo_serialization import jsonutils
import prettytable


def _cell(value, one_line=False):
    # Nested values are JSON (never Python reprs) so they can be copied
    # back into --parameters-json and friends.
    if isinstance(value, (dict, list)):
        if one_line:
            return jsonutils.dumps(value, sort_keys=True, ensure_ascii=False)
        return jsonutils.dumps(value, indent=2, sort_keys=True,
                               ensure_ascii=False)
    return str(value)


def _table(columns):
    table = prettytable.PrettyTable(columns)
    table.align = 'l'
    return table


# Where a word of a column title begins without a space, as in "TriggerId".
_GLUED_WORD = re.compile(r'(?<=[a-z])(?=[A-Z])')


def field_name(column):
    """``Provider id``, ``Plan Id`` and ``TriggerId`` -> ``provider_id``,
    ``plan_id`` and ``trigger_id``."""
    return _GLUED_WORD.sub(' ', column).lower().replace(' ', '_')


def print_resource(info, one_line_fields=()):
    """Print a ``Property | Value`` table of every field, sorted by name.

    :param one_line_fields: nested fields printed as compact JSON on one
        line rather than indented.
    """
    table = _table(['Property', 'Value'])
    for name in sorted(info):
        table.add_row([name, _cell(info[name], name in one_line_fields)])
    print(table.get_string())


def print_list(items, columns, formatters=None, sort_by_first=True):
    """Print one row per item (a dict) under the given column titles.

    A column ``Provider id`` (or ``ProviderId``) shows the field
    ``provider_id`` unless ``formatters`` maps the title to a function of
    the item.
    """
    formatters = formatters or {}
    table = _table(columns)
    for item in items:
        row = []
        for column in columns:
            if column in formatters:
                value = formatters[column](item)
            else:
                value = item.get(field_name(column))
            row.append('-' if value is None else _cell(value))
        table.add_row(row)
    print(table.get_string(sortby=columns[0] if sort_by_first else None))


def print_error(message):
    # Exactly one line, whatever the message contains.
    print('ERROR: %s' % ' '.join(str(message).split()), file=sys.stderr)


def print_progress(message):
    print(message, file=sys.stderr)
