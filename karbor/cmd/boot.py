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

"""What every Karbor process does first: options, logging, objects."""

from oslo_config import cfg
from oslo_log import log as logging

from karbor.common import config  # noqa: F401  (registers the options)
from karbor import objects
from karbor import version

CONF = cfg.CONF


def prepare(argv, default_config_files=None):
    logging.register_options(CONF)
    CONF(argv, project='karbor', version=version.version_string(),
         default_config_files=default_config_files)
    logging.setup(CONF, 'karbor')
    objects.register_all()
