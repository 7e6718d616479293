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

import logging
import os
import shutil

from oslo_utils import uuidutils
import pytest

from karbor import exception
from karbor.objects import plan as plan_objects
from karbor.services.protection import provider as providers
from karbor.tests.unit.protection import conftest
from karbor.tests.unit.protection import fakes

NOOP_ID = 'b766f37c-d011-4026-8228-28730d734a3f'
INFRA_ID = 'cf56bd3e-97a7-4078-b6d5-f36246333fd9'
TYPES = [fakes.VOLUME, 'OS::Glance::Image', fakes.PROJECT, fakes.SERVER]


@pytest.fixture
def providers_dir(config):
    directory = config.conf.provider_config_dir
    for name in os.listdir(conftest.SOURCE_PROVIDERS):
        shutil.copy(os.path.join(conftest.SOURCE_PROVIDERS, name), directory)
    return directory


def _write(directory, name, text):
    with open(os.path.join(directory, name), 'w') as stream:
        stream.write(text)


def _loaded():
    registry = providers.ProviderRegistry()
    registry.load_providers()
    return {provider.id: provider for provider in registry.list_providers()}


def test_the_shipped_providers_load(providers_dir):
    loaded = _loaded()
    assert sorted(loaded) == [NOOP_ID, INFRA_ID]
    noop = loaded[NOOP_ID]
    assert noop.name == 'No-Op Provider'
    assert all(noop.supports(resource_type) for resource_type in TYPES)
    # The OS Infra Provider protects every type with OpenStack's services.
    infra = loaded[INFRA_ID]
    assert infra.name == 'OS Infra Provider'
    assert all(infra.supports(resource_type) for resource_type in TYPES)
    schemas = infra.to_dict()['extended_info_schema']
    assert sorted(schemas['restore_schema']) == sorted(TYPES)
    assert 'backup_mode' in schemas['options_schema'][
        'OS::Cinder::Volume']['properties']


def test_a_provider_whose_plugin_cannot_load_is_left_out_with_a_log_line(
        providers_dir, caplog):
    _write(providers_dir, 'broken.conf', '''[provider]
name = Broken Provider
id = %s
plugin = karbor-noop-protection-plugin
plugin = karbor-no-such-plugin
bank = karbor-fs-bank-plugin
enabled = True
''' % uuidutils.generate_uuid())
    with caplog.at_level(logging.ERROR):
        loaded = _loaded()
    assert sorted(loaded) == [NOOP_ID, INFRA_ID]
    errors = [record.getMessage() for record in caplog.records
              if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert 'broken.conf' in errors[0]
    assert 'karbor-no-such-plugin' in errors[0]


def test_a_provider_whose_bank_cannot_load_is_left_out(providers_dir,
                                                       caplog):
    _write(providers_dir, 'bankless.conf', '''[provider]
name = Bankless
id = %s
bank = karbor-no-such-bank
enabled = True
''' % uuidutils.generate_uuid())
    with caplog.at_level(logging.ERROR):
        assert sorted(_loaded()) == [NOOP_ID, INFRA_ID]
    assert 'karbor-no-such-bank' in caplog.text


@pytest.mark.parametrize('text', [
    # Disabled, explicitly or by default.
    '[provider]\nname = Off\nid = %(id)s\nbank = karbor-fs-bank-plugin\n'
    'enabled = False\n',
    '[provider]\nname = Off\nid = %(id)s\nbank = karbor-fs-bank-plugin\n',
    # Incomplete or wrong.
    '[provider]\nname = No bank\nid = %(id)s\nenabled = True\n',
    '[provider]\nname = Bad id\nid = 12\nbank = karbor-fs-bank-plugin\n'
    'enabled = True\n',
    'not an ini file',
    # The No-Op Provider's id again.
    '[provider]\nname = Twin\nid = ' + NOOP_ID + '\n'
    'bank = karbor-fs-bank-plugin\nenabled = True\n',
])
def test_disabled_or_invalid_provider_files_are_left_out(providers_dir,
                                                         text):
    _write(providers_dir, 'zz-other.conf',
           text % {'id': uuidutils.generate_uuid()})
    loaded = _loaded()
    assert sorted(loaded) == [NOOP_ID, INFRA_ID]
    assert loaded[NOOP_ID].name == 'No-Op Provider'


def test_a_missing_providers_directory_loads_no_provider(config, tmp_path):
    config.config(provider_config_dir=str(tmp_path / 'missing'))
    assert _loaded() == {}


@pytest.fixture
def data_provider(config):
    _write(config.conf.provider_config_dir, 'data.conf', '''[provider]
name = Data Provider
id = %s
plugin = karbor-test-protection-plugin
bank = karbor-fs-bank-plugin
enabled = True
''' % uuidutils.generate_uuid())
    (provider,) = _loaded().values()
    return provider


def _plan(provider, resource_type=fakes.VOLUME, parameters=None):
    return plan_objects.Plan(
        id=uuidutils.generate_uuid(), name='Plan', description=None,
        provider_id=provider.id, project_id='project-a', status='suspended',
        resources=[{'id': 'v1', 'type': resource_type, 'name': 'Volume1'}],
        parameters=parameters or {})


def test_a_provider_shows_its_plugins_schemas(data_provider):
    schemas = data_provider.to_dict()['extended_info_schema']
    assert sorted(schemas['options_schema']) == [fakes.VOLUME,
                                                 fakes.PROJECT]
    assert schemas['options_schema'][fakes.VOLUME] == fakes.OPTIONS_SCHEMA


def test_a_plan_with_a_type_the_provider_cannot_protect_is_refused(
        data_provider):
    with pytest.raises(exception.PlanUsesUnknownResourceType) as raised:
        data_provider.check_plan(_plan(data_provider, fakes.SERVER))
    assert raised.value.code == 400
    assert fakes.SERVER in str(raised.value)
    with pytest.raises(exception.PlanUsesUnknownResourceType):
        data_provider.check_plan(_plan(
            data_provider, parameters={fakes.SERVER: {}}))


def test_plan_parameters_are_checked_against_the_plugins_schema(
        data_provider):
    data_provider.check_plan(_plan(data_provider, parameters={
        fakes.VOLUME: {'backup_mode': 'full'},
        fakes.VOLUME + '#v1': {'backup_mode': 'incremental'}}))
    with pytest.raises(exception.InvalidPlan) as raised:
        data_provider.check_plan(_plan(data_provider, parameters={
            fakes.VOLUME + '#v1': {'backup_mode': 'sometimes'}}))
    assert raised.value.code == 400
    assert fakes.VOLUME + '#v1' in str(raised.value)
    assert "'sometimes' is not one of" in str(raised.value)
