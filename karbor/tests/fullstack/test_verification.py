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

"""Verifications on the real cloud read the protected data.

A plan of an image and a volume is protected on the deployment's
file-system bank provider (the bank is a directory of this machine, so
the test can damage it as a failing disk would). A verification of the
intact checkpoint succeeds; once a byte of an image segment is changed,
the image fails verification with the reason and the volume still passes;
once the volume's Cinder backup is deleted behind Karbor's back, the
volume fails too.
"""

import os

from cinderclient import exceptions as cinder_exceptions
import pytest

from karbor.tests.fullstack import cloud
from karbor.tests.fullstack import deployment
from karbor.tests.fullstack import resources

pytestmark = [cloud.needs_cloud('demo'), pytest.mark.timeout(900)]

PROVIDER = deployment.FS_BANK_PROVIDER
BANK = deployment.FS_BANK_PATH
IMAGE = 'OS::Glance::Image'
VOLUME = 'OS::Cinder::Volume'


def test_verification_reads_the_data_and_names_what_is_damaged(demo):
    api = deployment.Api(demo.session)
    image = demo.new_image('verified', size=6 << 20)
    volume = demo.new_volume('verified', known_bytes=False)
    plan = api.create_plan(demo.name('verified'), PROVIDER, [
        {'id': image.id, 'type': IMAGE, 'name': image.name},
        {'id': volume.id, 'type': VOLUME, 'name': volume.name}])
    checkpoint = api.start_checkpoint(PROVIDER, plan['id'])
    api.wait(lambda: api.checkpoint(PROVIDER, checkpoint['id']),
             'available')
    image_key = '%s#%s' % (IMAGE, image.id)
    volume_key = '%s#%s' % (VOLUME, volume.id)
    try:
        intact = api.verified(PROVIDER, checkpoint['id'])
        assert intact['status'] == 'success', intact
        assert intact['resources_status'] == {image_key: 'available',
                                              volume_key: 'available'}

        segment = os.path.join(BANK, 'checkpoints', checkpoint['id'],
                               image_key, 'data', '00000000')
        with open(segment, 'r+b') as stream:
            stream.seek(1000)
            byte = stream.read(1)
            stream.seek(1000)
            stream.write(bytes([byte[0] ^ 0xff]))
        damaged = api.verified(PROVIDER, checkpoint['id'])
        assert damaged['status'] == 'fail', damaged
        assert damaged['resources_status'] == {image_key: 'error',
                                               volume_key: 'available'}
        assert damaged['resources_reason'][image_key].startswith(
            'the bytes of image %s in the bank are not the protected '
            'ones' % image.id)

        (backup,) = demo.backups_of(volume.id)
        demo.cinder.backups.delete(backup.id)
        resources.wait_until_gone(
            lambda: demo.cinder.backups.get(backup.id),
            cinder_exceptions.NotFound)
        lost = api.verified(PROVIDER, checkpoint['id'])
        assert lost['resources_status'][volume_key] == 'error'
        assert lost['resources_reason'][volume_key] == (
            'Cinder backup %s of volume %s no longer exists' % (backup.id,
                                                                volume.id))
        # The checkpoint is what it was: a verification only reads.
        assert api.checkpoint(PROVIDER, checkpoint['id'])[
            'status'] == 'available'
    finally:
        api.delete_checkpoint(PROVIDER, checkpoint['id'])
        api.wait(lambda: api.checkpoint(PROVIDER, checkpoint['id']),
                 'deleted')
