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

"""karbor-status upgrade check (oslo.upgradecheck)."""

import os
import sys

from oslo_config import cfg
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck

from karbor.common import config
from karbor.db import migration
from karbor.i18n import _

CONF = cfg.CONF


class Checks(upgradecheck.UpgradeCommands):

    def _check_database(self):
        try:
            revision = migration.db_version()
        except Exception as exc:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('Cannot read the database: %s') % exc)
        if revision is None:
            return upgradecheck.Result(
                upgradecheck.Code.FAILURE,
                _('The database has no schema; run karbor-manage db sync.'))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    def _check_providers(self):
        try:
            path = config.find_config_path(CONF.provider_config_dir)
        except cfg.ConfigFilesNotFoundError:
            path = None
        if not path or not any(name.endswith('.conf')
                               for name in os.listdir(path)):
            return upgradecheck.Result(
                upgradecheck.Code.WARNING,
                _('No provider files (*.conf) in %s.')
                % (path or CONF.provider_config_dir))
        return upgradecheck.Result(upgradecheck.Code.SUCCESS)

    _upgrade_checks = (
        (_('Database schema'), _check_database),
        (_('Providers'), _check_providers),
        (_('Policy File JSON to YAML Migration'),
         (common_checks.check_policy_json, {'conf': CONF})),
    )


def main():
    return upgradecheck.main(CONF, project='karbor', upgrade_command=Checks())


if __name__ == '__main__':
    sys.exit(main())
