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

"""karbor-manage: database migrations and the services table."""

import sys

from oslo_config import cfg

from karbor.cmd import boot
from karbor import context
from karbor.db import migration
from karbor.objects import service as service_objects

CONF = cfg.CONF


def db_sync():
    migration.db_sync(CONF.category.version or 'head')
    print('Database is at revision %s' % migration.db_version())


def db_version():
    print(migration.db_version() or 'None (run: karbor-manage db sync)')


def service_list():
    services = service_objects.ServiceList.get_all(
        context.get_admin_context())
    row = '%-24s %-24s %-8s %-6s %s'
    print(row % ('Binary', 'Host', 'Status', 'State', 'Updated At'))
    for svc in services:
        print(row % (svc.binary, svc.host,
                     'disabled' if svc.disabled else 'enabled',
                     'up' if svc.is_up else 'down',
                     svc.updated_at or svc.created_at))


def _add_commands(subparsers):
    db = subparsers.add_parser('db', help='Database migrations.')
    db_actions = db.add_subparsers(dest='action', required=True)
    sync = db_actions.add_parser('sync', help='Upgrade the database.')
    sync.add_argument('version', nargs='?', default=None,
                      help='Revision to upgrade to (default: newest).')
    sync.set_defaults(func=db_sync)
    version = db_actions.add_parser('version',
                                    help='Print the database revision.')
    version.set_defaults(func=db_version)

    svc = subparsers.add_parser('service', help='The services table.')
    svc_actions = svc.add_subparsers(dest='action', required=True)
    listing = svc_actions.add_parser('list', help='List services.')
    listing.set_defaults(func=service_list)


def main():
    CONF.register_cli_opt(cfg.SubCommandOpt(
        'category', title='Commands', handler=_add_commands))
    boot.prepare(sys.argv[1:])
    CONF.category.func()
