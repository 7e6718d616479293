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

"""``karbor.common.constants``: the original Karbor's names of resource
types, operations and statuses, kept for plugins written to it.

Where Karbor has the value under a name of its own (a checkpoint's
statuses in checkpoint.py, a restore's in karbor.objects.fields, a
resource type in its protectable plugin) the original's name refers to it;
the others are the values the original gave them.
"""

from karbor.objects import fields
from karbor.services.protection import checkpoint
from karbor.services.protection.protectable_plugins import image
from karbor.services.protection.protectable_plugins import project
from karbor.services.protection.protectable_plugins import server
from karbor.services.protection.protectable_plugins import volume
from karbor.services.protection import protection_plugins

# Operations on a checkpoint.
OPERATION_PROTECT = 'protect'
OPERATION_RESTORE = 'restore'
OPERATION_DELETE = 'delete'
OPERATION_VERIFY = 'verify'
OPERATION_COPY = 'copy'
OPERATION_TYPES = (OPERATION_PROTECT, OPERATION_RESTORE, OPERATION_DELETE,
                   OPERATION_VERIFY, OPERATION_COPY)

# The kind of plugin a bank plugin is.
PLUGIN_BANK = 'bank'

PROJECT_RESOURCE_TYPE = project.RESOURCE_TYPE
SERVER_RESOURCE_TYPE = server.RESOURCE_TYPE
VOLUME_RESOURCE_TYPE = volume.RESOURCE_TYPE
IMAGE_RESOURCE_TYPE = image.RESOURCE_TYPE
# Types of services Karbor has no plugins for yet.
SHARE_RESOURCE_TYPE = 'OS::Manila::Share'
NETWORK_RESOURCE_TYPE = 'OS::Neutron::Network'
DATABASE_RESOURCE_TYPE = 'OS::Trove::Instance'
POD_RESOURCE_TYPE = 'OS::Kubernetes::Pod'
RESOURCE_TYPES = (PROJECT_RESOURCE_TYPE, SERVER_RESOURCE_TYPE,
                  VOLUME_RESOURCE_TYPE, IMAGE_RESOURCE_TYPE,
                  SHARE_RESOURCE_TYPE, NETWORK_RESOURCE_TYPE,
                  DATABASE_RESOURCE_TYPE, POD_RESOURCE_TYPE)

# The parts of a network that a network plugin protects.
NET_RESOURCE_TYPE = 'OS::Neutron::Net'
SUBNET_RESOURCE_TYPE = 'OS::Neutron::Subnet'
ROUTER_RESOURCE_TYPE = 'OS::Neutron::Router'
ROUTERINTERFACE_RESOURCE_TYPE = 'OS::Neutron::RouterInterface'
PORT_RESOURCE_TYPE = 'OS::Neutron::Port'
SECURITYGROUP_RESOURCE_TYPE = 'OS::Neutron::SecurityGroup'
NETWORK_RESOURCE_TYPES = (NET_RESOURCE_TYPE, SUBNET_RESOURCE_TYPE,
                          ROUTER_RESOURCE_TYPE,
                          ROUTERINTERFACE_RESOURCE_TYPE, PORT_RESOURCE_TYPE,
                          SECURITYGROUP_RESOURCE_TYPE)

PLAN_STATUS_SUSPENDED = fields.PlanStatus.SUSPENDED
PLAN_STATUS_STARTED = fields.PlanStatus.STARTED

CHECKPOINT_STATUS_ERROR = checkpoint.ERROR
CHECKPOINT_STATUS_PROTECTING = checkpoint.PROTECTING
CHECKPOINT_STATUS_AVAILABLE = checkpoint.AVAILABLE
CHECKPOINT_STATUS_DELETING = checkpoint.DELETING
CHECKPOINT_STATUS_DELETED = checkpoint.DELETED
CHECKPOINT_STATUS_ERROR_DELETING = checkpoint.ERROR_DELETING
# The statuses of a checkpoint copy.
CHECKPOINT_STATUS_WAIT_COPYING = 'wait_copying'
CHECKPOINT_STATUS_COPYING = 'copying'
CHECKPOINT_STATUS_COPY_FINISHED = 'finished'

# The statuses of one resource, in a checkpoint or a restore.
RESOURCE_STATUS_ERROR = protection_plugins.ERROR
RESOURCE_STATUS_PROTECTING = protection_plugins.PROTECTING
RESOURCE_STATUS_AVAILABLE = protection_plugins.AVAILABLE
RESOURCE_STATUS_RESTORING = protection_plugins.RESTORING
RESOURCE_STATUS_DELETING = checkpoint.DELETING
RESOURCE_STATUS_DELETED = checkpoint.DELETED
RESOURCE_STATUS_STARTED = 'started'
RESOURCE_STATUS_UNDEFINED = 'undefined'

RESTORE_STATUS_SUCCESS = fields.RestoreStatus.SUCCESS
RESTORE_STATUS_FAILURE = fields.RestoreStatus.FAIL
RESTORE_STATUS_IN_PROGRESS = fields.RestoreStatus.IN_PROGRESS

# A verification ends as a restore does.
VERIFICATION_STATUS_SUCCESS = fields.RestoreStatus.SUCCESS
VERIFICATION_STATUS_FAILURE = fields.RestoreStatus.FAIL
VERIFICATION_STATUS_IN_PROGRESS = fields.RestoreStatus.IN_PROGRESS
