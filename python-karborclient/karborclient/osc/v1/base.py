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

"""What the data protection commands are built from.

Each command takes the arguments and the description of the ``karbor``
command it matches (karborclient.v1.commands), so that both CLIs accept
the same syntaxes and check them with the same code. What it shows are
columns and rows that cliff formats (table, json, yaml, value, ...).
"""

from cliff import columns as cliff_columns
from osc_lib.command import command
from oslo_serialization import jsonutils

from karborclient import formatting
from karborclient.v1 import commands

# 2.1.0's openstack commands said --all-projects and --project where the
# karbor CLI says --all-tenants and --tenant; they fill the same
# attributes, so commands.tenant_filters() reads either.
ALL_PROJECTS = commands.arg(
    '--all-projects', dest='all_tenants', action='store_const', const=1,
    default=0, help='Include the items of all projects (admin only).')
PROJECT = commands.arg(
    '--project', dest='tenant', metavar='<project>',
    help='Only the items of this project (admin only).')


def _openstack_spec(spec):
    if spec is commands.ALL_TENANTS:
        return ALL_PROJECTS
    if spec is commands.TENANT:
        return PROJECT
    return spec


class KarborCommand(object):
    """Mixed into a cliff command: the arguments and the description of
    the ``karbor`` command named ``karbor_command``."""

    karbor_command = None

    def _karbor(self):
        return commands.COMMANDS[self.karbor_command]

    def get_description(self):
        return ' '.join(self._karbor()[0].__doc__.split())

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        for flags, options in map(_openstack_spec, self._karbor()[1]):
            parser.add_argument(*flags, **options)
        return parser

    @property
    def client(self):
        return self.app.client_manager.data_protection


class JSONColumn(cliff_columns.FormattableColumn):
    """A dict or list: indented JSON in a table or as a value, the value
    itself in json and yaml."""

    def human_readable(self):
        return jsonutils.dumps(self._value, indent=2, sort_keys=True,
                               ensure_ascii=False)


def _cell(value):
    return JSONColumn(value) if isinstance(value, (dict, list)) else value


def fields(info):
    """A ShowOne's (names, values): every field, sorted by name."""
    names = tuple(sorted(info))
    return names, tuple(_cell(info[name]) for name in names)


def rows(items, columns, formatters=None):
    """A Lister's (columns, rows) of dicts; the column ``Provider id``
    shows the field ``provider_id`` unless ``formatters`` maps the title
    to a function of the item."""
    formatters = formatters or {}

    def row(item):
        return tuple(
            _cell(formatters[column](item) if column in formatters
                  else item.get(formatting.field_name(column)))
            for column in columns)
    return tuple(columns), [row(item) for item in items]


def resource_rows(resources, columns, formatters=None):
    return rows([resource.to_dict() for resource in resources], columns,
                formatters)


class Command(KarborCommand, command.Command):
    """A command that shows nothing but its failures: it runs the karbor
    command itself, which reports each failure on its own line and goes
    on with the next id."""

    def take_action(self, parsed_args):
        return self._karbor()[0](self.client, parsed_args)


class Lister(KarborCommand, command.Lister):
    pass


class ShowOne(KarborCommand, command.ShowOne):
    pass


class WaitingShowOne(ShowOne):
    """A ShowOne whose --wait may end in a failed status: the resource is
    shown all the same (its reasons are there), then the command fails."""

    # The error to raise after the output, set by take_action.
    failure = None

    def run(self, parsed_args):
        status = super().run(parsed_args)
        if self.failure is not None:
            raise self.failure
        return status

    def wait_then_fields(self, parsed_args, resource, poll, succeeded,
                         failed, describe, shown=None):
        """The fields of the resource (passed through ``shown`` if given),
        first waiting for a final status with --wait."""
        resource, self.failure = commands.wait_if_asked(
            parsed_args, resource, poll, succeeded, failed, describe)
        return fields(shown(resource) if shown else resource)
