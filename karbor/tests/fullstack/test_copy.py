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

"""A checkpoint copied into a second bank restores when the first is gone.

The deployment's file-system bank provider copies its checkpoints into the
OS Infra Provider's Swift bank ([provider] copy_provider,
tools/cloud/libexec/karbor.sh). An image is protected on the file-system
bank and copied; with the source checkpoint's directory moved out of the
bank, as a lost disk would take it, the copy verifies and restores through
the OS Infra Provider, and Glance's digest of the restored image is the
original's.
"""

import os

import pytest

from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import deployment
from karbor.tests.functional import fixtures

pytestmark = [cloud.needs_cloud('demo'), pytest.mark.timeout(900)]

SOURCE = deployment.FS_BANK_PROVIDER
COPIES = fixtures.INFRA_PROVIDER
IMAGE = 'OS::Glance::Image'


def test_a_copy_in_the_second_bank_restores_when_the_first_is_gone(demo):
    api = deployment.Api(demo.session)
    image = demo.new_image('copied', size=5 << 20)
    plan = api.create_plan(demo.name('copied'), SOURCE, [
        {'id': image.id, 'type': IMAGE, 'name': image.name}])
    source = api.start_checkpoint(SOURCE, plan['id'])
    api.wait(lambda: api.checkpoint(SOURCE, source['id']), 'available')
    copied = api.copy_checkpoints(SOURCE, plan['id'])
    assert copied['copy_provider_id'] == COPIES
    [pair] = copied['checkpoint_id']
    assert pair['checkpoint_protect_id'] == source['id']
    copy = api.wait(lambda: api.checkpoint(COPIES, copied['id']),
                    'available')
    assert source['id'] in copy['extra_info']

    directory = os.path.join(deployment.FS_BANK_PATH, 'checkpoints',
                             source['id'])
    away = directory + '.lost'
    os.rename(directory, away)
    try:
        verified = api.verified(COPIES, copy['id'])
        assert verified['status'] == 'success', verified
        restore = api.start_restore(COPIES, copy['id'])
        done = api.wait(lambda: api.restore(restore['id']), 'success')
    finally:
        os.rename(away, directory)
    [restored_key] = done['resources_status']
    restored = demo.glance.images.get(restored_key.split('#', 1)[1])
    assert restored.os_hash_value == image.os_hash_value
    assert restored.size == image.size

    for provider, checkpoint_id in ((COPIES, copy['id']),
                                    (SOURCE, source['id'])):
        api.delete_checkpoint(provider, checkpoint_id)
        api.wait(lambda: api.checkpoint(provider, checkpoint_id), 'deleted')
