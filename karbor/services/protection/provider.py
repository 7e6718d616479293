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

"""Protection providers: a bank plus the protection plugins that use it.

Every ``*.conf`` file of the providers directory ([DEFAULT]
provider_config_dir) describes one provider, read by its own ConfigOpts::

    [provider]
    name = No-Op Provider
    id = b766f37c-d011-4026-8228-28730d734a3f
    description = ...
    plugin = karbor-noop-protection-plugin     (repeated, possibly none)
    bank = karbor-fs-bank-plugin
    enabled = True
    copy_provider = <id of another provider>   (optional)

    [file_system_bank_plugin]                  (the plugins' own sections)
    ...

Plugins and banks are entry points of the ``karbor.protections`` namespace,
each built as ``PluginClass(config)`` with the provider's ConfigOpts. A
provider whose file, bank or plugin cannot be loaded is left out with one
log line; the others still serve.

``copy_provider`` names where the copies of this provider's checkpoints go
(POST .../checkpoints/action {"copy": ...}): each copy is a checkpoint of
that provider, in its bank, so that a restore can be made from the copy
through that provider when this provider's bank is gone. A provider
without one refuses to copy.
"""

import glob
import os

import jsonschema
from oslo_config import cfg
from oslo_log import log as logging
from oslo_utils import uuidutils
from stevedore import driver

from karbor.common import config as karbor_config
from karbor import exception
from karbor.i18n import _
from karbor.services.protection import bank_plugin
from karbor.services.protection import checkpoint
from karbor.services.protection import graph

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

PLUGIN_NAMESPACE = 'karbor.protections'

# Options of a provider file's [provider] section (not of karbor.conf).
provider_opts = [
    cfg.StrOpt('name', required=True,
               help=_('Name of the provider, as users see it.')),
    cfg.StrOpt('id', required=True,
               help=_('UUID of the provider; plans name their provider by '
                      'it.')),
    cfg.StrOpt('description', default='',
               help=_('One sentence about the provider.')),
    cfg.MultiStrOpt('plugin', default=[],
                    help=_('Entry-point name of a protection plugin; one '
                           'line per plugin.')),
    cfg.StrOpt('bank', required=True,
               help=_('Entry-point name of the bank plugin.')),
    cfg.BoolOpt('enabled', default=False,
                help=_('Whether karbor-protection loads this provider.')),
    cfg.StrOpt('copy_provider',
               help=_('Id of the provider whose bank keeps the copies of '
                      'this provider\'s checkpoints (the checkpoint copy '
                      'action); unset, checkpoints are not copied.')),
]


class PluggableProtectionProvider(object):
    """One provider: its protection plugins by resource type, its bank and
    the checkpoints in it."""

    def __init__(self, config, plugins, bank):
        self.id = config.provider.id
        self.name = config.provider.name
        self.description = config.provider.description
        self.copy_provider_id = config.provider.copy_provider
        self.bank = bank
        self.checkpoints = checkpoint.CheckpointCollection(bank, self.id)
        self._plugins = {}
        for plugin_name, plugin in plugins:
            for resource_type in plugin.get_supported_resources_types():
                if resource_type in self._plugins:
                    LOG.warning('Provider %(provider)s: %(type)s is already '
                                'protected by another plugin; %(plugin)s '
                                'is not used for it.',
                                {'provider': self.name,
                                 'type': resource_type,
                                 'plugin': plugin_name})
                    continue
                self._plugins[resource_type] = plugin

    def supports(self, resource_type):
        return resource_type in self._plugins

    def get_protection_plugin(self, resource_type):
        try:
            return self._plugins[resource_type]
        except KeyError:
            raise exception.PlanUsesUnknownResourceType(
                provider=self.name, resource_type=resource_type)

    def check_plan(self, plan):
        """Refuse a plan this provider cannot protect, before any write."""
        for resource in plan.resources:
            self.get_protection_plugin(resource.get('type'))
        for key, parameters in (plan.parameters or {}).items():
            resource_type, _id = graph.split_key(key)
            schema = self.get_protection_plugin(
                resource_type).get_options_schema(resource_type)
            try:
                jsonschema.validate(parameters, schema)
            except jsonschema.ValidationError as exc:
                raise exception.InvalidPlan(
                    reason=_('parameters of %(key)s: %(problem)s') %
                    {'key': key, 'problem': exc.message})

    def to_dict(self):
        schemas = {'options_schema': {}, 'restore_schema': {},
                   'saved_info_schema': {}, 'verify_schema': {}}
        for resource_type, plugin in sorted(self._plugins.items()):
            schemas['options_schema'][resource_type] = (
                plugin.get_options_schema(resource_type))
            schemas['restore_schema'][resource_type] = (
                plugin.get_restore_schema(resource_type))
            schemas['saved_info_schema'][resource_type] = (
                plugin.get_saved_info_schema(resource_type))
            schemas['verify_schema'][resource_type] = (
                plugin.get_verify_schema(resource_type))
        return {'id': self.id, 'name': self.name,
                'description': self.description,
                'extended_info_schema': schemas}


class _PluginNotLoaded(Exception):
    def __init__(self, name, error):
        super().__init__(name, error)
        self.name = name
        self.error = error


def _raise_load_failure(manager, entry_point, error):
    # Instead of stevedore's own log line: ours names the provider file.
    raise error


def _load_plugin(name, config):
    try:
        plugin_class = driver.DriverManager(
            PLUGIN_NAMESPACE, name,
            on_load_failure_callback=_raise_load_failure).driver
        return plugin_class(config)
    except Exception as exc:
        raise _PluginNotLoaded(name, exc)


def _load_provider(path):
    config = cfg.ConfigOpts()
    config.register_opts(provider_opts, group='provider')
    try:
        config(args=[], default_config_files=[path], default_config_dirs=[],
               use_env=False)
    except cfg.Error as exc:
        LOG.error('Provider file %(file)s is left out: %(error)s',
                  {'file': path, 'error': exc})
        return None
    if not config.provider.enabled:
        LOG.info('Provider file %s is disabled.', path)
        return None
    for option in ('id', 'copy_provider'):
        value = config.provider[option]
        if (option == 'id' or value is not None) and (
                not uuidutils.is_uuid_like(value)):
            LOG.error('Provider file %(file)s is left out: its %(option)s '
                      '%(value)s is not a UUID.',
                      {'file': path, 'option': option, 'value': value})
            return None
    if config.provider.copy_provider == config.provider.id:
        LOG.error('Provider file %s is left out: its copy_provider is '
                  'itself; copies go into another provider\'s bank.', path)
        return None
    try:
        plugins = [(name, _load_plugin(name, config))
                   for name in config.provider.plugin]
        bank = bank_plugin.Bank(_load_plugin(config.provider.bank, config))
    except _PluginNotLoaded as exc:
        LOG.error('Provider %(provider)s (%(file)s) is left out: plugin '
                  '%(plugin)s could not be loaded: %(error)s',
                  {'provider': config.provider.name, 'file': path,
                   'plugin': exc.name, 'error': exc.error})
        return None
    return PluggableProtectionProvider(config, plugins, bank)


class ProviderRegistry(object):
    """The providers of the providers directory, by id."""

    def __init__(self):
        self._providers = {}

    def load_providers(self):
        try:
            directory = karbor_config.find_config_path(
                CONF.provider_config_dir)
        except cfg.ConfigFilesNotFoundError:
            LOG.error('The providers directory %s was not found: no '
                      'provider is loaded.', CONF.provider_config_dir)
            return
        for path in sorted(glob.glob(os.path.join(directory, '*.conf'))):
            provider = _load_provider(path)
            if provider is None:
                continue
            if provider.id in self._providers:
                LOG.error('Provider file %(file)s is left out: provider id '
                          '%(id)s is already used by %(other)s.',
                          {'file': path, 'id': provider.id,
                           'other': self._providers[provider.id].name})
                continue
            self._providers[provider.id] = provider
            LOG.info('Loaded provider %(name)s (%(id)s) from %(file)s.',
                     {'name': provider.name, 'id': provider.id,
                      'file': path})

    def list_providers(self):
        return list(self._providers.values())

    def show_provider(self, provider_id):
        try:
            return self._providers[provider_id]
        except KeyError:
            raise exception.ProviderNotFound(provider_id=provider_id)
