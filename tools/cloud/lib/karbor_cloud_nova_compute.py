"""Start nova-compute with karbor_cloud_fake_virt loadable as a nova driver.

nova-compute imports its driver as ``nova.virt.<compute_driver>``; a module outside nova's
package is found only if it is registered under that name first, which this launcher does.

Usage (what tools/cloud/up runs): python karbor_cloud_nova_compute.py --config-file nova.conf ...
"""
import sys

# nova.cmd.compute first: importing it applies nova's monkey-patching choice before anything
# else of nova is imported (the driver module imports nova).
from nova.cmd import compute

import karbor_cloud_fake_virt  # noqa: E402

sys.modules['nova.virt.karbor_cloud_fake_virt'] = karbor_cloud_fake_virt

if __name__ == '__main__':
    sys.exit(compute.main())
