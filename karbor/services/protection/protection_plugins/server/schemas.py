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

"""JSON schemas of the Nova server protection plugin.

The saved info is the record the plugin keeps in the checkpoint (the
``metadata`` object of the server's bank section) and shows as is.
"""

from karbor.services.protection import protection_plugins as plugins

# A protect needs no parameters. Unknown ones are accepted, so that plans
# written for the original Karbor's server plugin stay valid.
OPTIONS_SCHEMA = {
    'title': 'Server Protection Options',
    'type': 'object',
    'properties': {},
}

RESTORE_SCHEMA = {
    'title': 'Server Restore Parameters',
    'type': 'object',
    'properties': {
        'restore_name': {
            'type': 'string', 'minLength': 1, 'maxLength': 255,
            'title': 'Restored server name',
            'description': 'Name of the new server; the protected '
                           'server\'s name by default.',
        },
        'flavor': {
            'type': 'string', 'minLength': 1,
            'title': 'Flavor',
            'description': 'Id or name of the flavor of the new server; the '
                           'protected server\'s flavor by default.',
        },
        'availability_zone': {
            'type': 'string', 'minLength': 1,
            'title': 'Availability zone',
            'description': 'Where the new server is booted; the protected '
                           'server\'s zone by default.',
        },
        # The original Karbor's names, kept for its clients' restores.
        'restore_flavor_id': {
            'type': 'string', 'minLength': 1,
            'title': 'Restore Server Flavor Id',
            'description': 'The original Karbor\'s name of ``flavor``.',
        },
        'restore_net_id': {
            'type': 'string', 'minLength': 1,
            'title': 'Restore Server Net Id',
            'description': 'The network the new server is connected to, '
                           'instead of the protected server\'s networks.',
        },
    },
    'additionalProperties': False,
}

_NULLABLE_STRING = {'type': ['string', 'null']}

SAVED_INFO_SCHEMA = {
    'title': 'Server Protection Saved Info',
    'type': 'object',
    'properties': {
        'id': {'type': 'string', 'title': 'Protected server id'},
        'name': {'type': 'string', 'title': 'Name'},
        'description': dict(_NULLABLE_STRING, title='Description'),
        'status': {
            'enum': [plugins.PROTECTING, plugins.AVAILABLE],
            'title': 'Whether the record is complete',
        },
        'server_status': {'type': 'string',
                          'title': 'Nova status when protected'},
        'flavor': {
            'type': 'object',
            'title': 'Flavor',
            'properties': {
                'id': dict(_NULLABLE_STRING,
                           title='Flavor id (null when it was deleted)'),
                'original_name': {'type': 'string'},
                'vcpus': {'type': 'integer'},
                'ram': {'type': 'integer'},
                'disk': {'type': 'integer'},
                'ephemeral': {'type': 'integer'},
                'swap': {'type': 'integer'},
                'extra_specs': {'type': 'object'},
            },
            'required': ['id', 'original_name'],
        },
        'metadata': {'type': 'object', 'title': 'Metadata',
                     'additionalProperties': {'type': 'string'}},
        'tags': {'type': 'array', 'items': {'type': 'string'}},
        'key_name': dict(_NULLABLE_STRING, title='Key pair name'),
        'key_pair': {
            'type': ['object', 'null'],
            'title': 'Key pair (to recreate it when it is gone)',
            'properties': {
                'name': {'type': 'string'},
                'public_key': {'type': 'string'},
                'type': {'type': 'string'},
            },
        },
        'image': dict(_NULLABLE_STRING,
                      title='Boot image id (null: booted from a volume)'),
        'attached_volumes': {
            'type': 'array',
            'title': 'Attached volumes',
            'items': {
                'type': 'object',
                'properties': {
                    'id': {'type': 'string'},
                    'device': _NULLABLE_STRING,
                    'delete_on_termination': {'type': 'boolean'},
                    'boot': {'type': 'boolean',
                             'title': 'The root disk of a server booted '
                                      'from a volume'},
                },
                'required': ['id', 'device', 'boot'],
            },
        },
        'availability_zone': dict(_NULLABLE_STRING,
                                  title='Availability zone'),
        'networks': {
            'type': 'array',
            'title': 'Networks (one entry per port)',
            'items': {
                'type': 'object',
                'properties': {
                    'network_id': {'type': 'string'},
                    'mac_address': _NULLABLE_STRING,
                    'fixed_ips': {'type': 'array',
                                  'items': {'type': 'string'}},
                },
                'required': ['network_id'],
            },
        },
        'security_groups': {'type': 'array', 'items': {'type': 'string'}},
    },
    'required': ['id', 'name', 'status', 'flavor', 'metadata', 'image',
                 'attached_volumes', 'availability_zone', 'networks'],
}
