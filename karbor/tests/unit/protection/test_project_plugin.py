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

"""A project-wide plan on a provider with the project protection plugin."""

import os

import pytest

from karbor.objects import restore as restore_objects
from karbor.services.protection import manager as protection_manager
from karbor.tests.unit.protection import test_manager as helpers

PROJECT_PROVIDER = '3f0b6a5e-1d2c-4e8f-9a7b-6c5d4e3f2a1b'


@pytest.fixture
def manager(config, database):
    with open(os.path.join(config.conf.provider_config_dir, 'p.conf'),
              'w') as stream:
        stream.write('[provider]\nname = Projects\nid = %s\n'
                     'plugin = karbor-project-protection-plugin\n'
                     'bank = karbor-fs-bank-plugin\nenabled = True\n'
                     % PROJECT_PROVIDER)
    manager = protection_manager.ProtectionManager()
    manager.start()
    yield manager
    manager.stop()


def test_project_is_recorded_and_restored_in_place(manager, config):
    user = helpers.USER
    plan = helpers.make_plan(PROJECT_PROVIDER, [
        {'id': user.project_id, 'type': 'OS::Keystone::Project',
         'name': 'demo'}])
    checkpoint = helpers.protect(manager, plan)
    assert checkpoint['status'] == 'available'
    provider = manager._provider(PROJECT_PROVIDER)
    saved = provider.get_protection_plugin(
        'OS::Keystone::Project').get_saved_info(
            provider.checkpoints.get(checkpoint['id'], None)
            .get_resource_bank_section(
                'OS::Keystone::Project#%s' % user.project_id), None)
    assert saved == {'id': user.project_id, 'name': 'demo'}

    restore = restore_objects.Restore.create(user, {
        'project_id': user.project_id, 'user_id': user.user_id,
        'provider_id': PROJECT_PROVIDER, 'checkpoint_id': checkpoint['id'],
        'restore_target': None, 'parameters': {}, 'status': 'in_progress'})
    manager.restore(user, restore, None)
    helpers._wait(lambda: restore_objects.Restore.get_by_id(
        user, restore.id).status, 'success', 'fail')
    done = restore_objects.Restore.get_by_id(user, restore.id)
    assert done.status == 'success'
    assert done.resources_status == {
        'OS::Keystone::Project#%s' % user.project_id: 'available'}


def test_provider_shows_the_project_saved_info_schema(manager):
    schemas = manager.show_provider(
        helpers.USER, PROJECT_PROVIDER)['extended_info_schema']
    assert schemas['saved_info_schema']['OS::Keystone::Project'][
        'required'] == ['id']
