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

"""Karbor: application data protection as a service for OpenStack."""

import warnings

# futurist imports eventlet, when installed, only to detect green threads;
# its deprecation warning says nothing about Karbor, which never uses it.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')

# Karbor runs on native threads. oslo.messaging pulls in oslo.service, whose
# default backend is eventlet; making threading the default before anything
# imports oslo.messaging keeps eventlet out of every Karbor process. (A hook,
# not init_backend(), so tools that load Karbor's options after choosing
# their own backend, such as oslo-config-generator, still work.)
from oslo_service import backend as _service_backend  # noqa: E402

_service_backend.register_backend_default_hook(
    lambda: _service_backend.BackendType.THREADING)
