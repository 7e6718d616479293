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

"""A script written against python-karborclient 2.1.0's Python API, as
karbor-dashboard calls it: ``python karborclient_2_1_0_script.py <karbor
url> <provider id>`` protects the demo project, restores and verifies the
checkpoint, schedules a protection and reads the logs, then prints what it
saw as JSON. It imports only the standard library and karborclient, so
that 2.1.0's own python runs it as well as ours."""

import json
import sys
import time
import uuid

from karborclient import client


def wait_for(read, statuses, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        item = read()
        if item.status in statuses or time.monotonic() > deadline:
            return item
        time.sleep(0.3)


def main(url, provider_id):
    kc = client.Client('1', endpoint='%s/v1/demo' % url, token='demo:demo')
    seen = {}
    seen['provider_listed'] = provider_id in [p.id for p in kc.providers.list(
        search_opts={}, sort_key='name', sort_dir='asc')]
    seen['protectables'] = [p.protectable_type
                            for p in kc.protectables.list()]
    resources = [{'id': 'demo', 'type': 'OS::Keystone::Project',
                  'name': 'demo'}]
    # A name of this run's own: the plan is found by it below.
    name = 'dashboard plan %s' % uuid.uuid4()
    plan = kc.plans.create(name, provider_id, resources, {})
    seen['plan_status'] = plan.status
    seen['plan_listed'] = [p.id for p in kc.plans.list(
        detailed=False, search_opts={'name': name})] == [plan.id]

    checkpoint = kc.checkpoints.create(provider_id, plan.id)
    checkpoint = wait_for(
        lambda: kc.checkpoints.get(provider_id, checkpoint.id),
        ('available', 'error'))
    seen['checkpoint_status'] = checkpoint.status
    seen['checkpoint_plan'] = checkpoint.protection_plan['id'] == plan.id
    seen['checkpoint_listed'] = checkpoint.id in [
        c.id for c in kc.checkpoints.list(
            provider_id, {'plan_id': plan.id}, None, 10)]

    restore = kc.restores.create(provider_id, checkpoint.id, None, {}, None)
    restore = wait_for(lambda: kc.restores.get(restore.id),
                       ('success', 'fail', 'error'))
    seen['restore_status'] = restore.status
    seen['restore_listed'] = restore.id in [
        r.id for r in kc.restores.list(
            search_opts={'checkpoint_id': checkpoint.id})]

    verification = kc.verifications.create(provider_id, checkpoint.id, {})
    seen['verification_listed'] = verification.id in [
        v.id for v in kc.verifications.list(search_opts={})]

    trigger = kc.triggers.create('dashboard trigger', 'time', {
        'format': 'crontab', 'pattern': '0 2 * * *', 'window': '1800'})
    seen['trigger_window'] = kc.triggers.get(trigger.id).properties[
        'window']
    operation = kc.scheduled_operations.create(
        'dashboard operation', 'protect', trigger.id,
        {'plan_id': plan.id, 'provider_id': provider_id})
    seen['operation_listed'] = operation.id in [
        o.id for o in kc.scheduled_operations.list(
            search_opts={'trigger_id': trigger.id})]
    kc.scheduled_operations.delete(operation.id)
    kc.triggers.delete(trigger.id)

    seen['logged'] = checkpoint.id in [
        log.checkpoint_id for log in kc.operation_logs.list(
            search_opts={'plan_id': plan.id})]
    kc.checkpoints.delete(provider_id, checkpoint.id)
    seen['deleting'] = wait_for(
        lambda: kc.checkpoints.get(provider_id, checkpoint.id),
        ('deleted',)).status
    return seen


if __name__ == '__main__':
    json.dump(main(*sys.argv[1:]), sys.stdout, sort_keys=True)
