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

"""JSON schemas of the Glance image protection plugin (provider-show)."""

# A protect takes no parameters. Unknown ones are accepted, so that plans
# written for the original Karbor's image plugin stay valid.
OPTIONS_SCHEMA = {
    'title': 'Image Protection Options',
    'type': 'object',
    'properties': {},
}

RESTORE_SCHEMA = {
    'title': 'Image Restore Parameters',
    'type': 'object',
    'properties': {
        'restore_name': {
            'type': 'string', 'minLength': 1, 'maxLength': 255,
            'title': 'Restored image name',
            'description': 'Name of the new image; the protected image\'s '
                           'name by default.',
        },
    },
    'additionalProperties': False,
}

_NULLABLE_STRING = {'type': ['string', 'null']}
_NULLABLE_INTEGER = {'type': ['integer', 'null']}

SAVED_INFO_SCHEMA = {
    'title': 'Image Protection Saved Info',
    'type': 'object',
    'properties': {
        'image_id': {'type': 'string', 'title': 'Protected image id'},
        'name': dict(_NULLABLE_STRING, title='Name'),
        'disk_format': dict(_NULLABLE_STRING, title='Disk format'),
        'container_format': dict(_NULLABLE_STRING,
                                 title='Container format'),
        'min_disk': dict(_NULLABLE_INTEGER, title='Minimum disk (GiB)'),
        'min_ram': dict(_NULLABLE_INTEGER, title='Minimum RAM (MiB)'),
        'size': {'type': 'integer', 'title': 'Size (bytes)'},
        'checksum': dict(_NULLABLE_STRING, title='MD5 checksum'),
        'os_hash_algo': dict(_NULLABLE_STRING, title='Hash algorithm'),
        'os_hash_value': dict(_NULLABLE_STRING, title='Hash value'),
        'segments': {'type': 'integer',
                     'title': 'Bank objects holding the bytes'},
    },
    'required': ['image_id', 'size', 'checksum', 'os_hash_algo',
                 'os_hash_value'],
}
