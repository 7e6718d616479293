#!/usr/bin/env python3
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

"""A page of checkpoints in the Swift bank, among few and among many.

Needs the cloud of tools/cloud (tools/cloud/up): its Keystone and its
Swift, where the bank's account is the karbor user's. In a container of
its own, it records ``--few`` checkpoints of one project and ``--many`` of
another (each made available, as a protect leaves it), then reads pages
of ``--limit`` checkpoints of each project as karbor-protection does for
a listing (the page's index entries, then each checkpoint's record), and
prints the median time of the first page and of the next (after the
first page's last checkpoint, as a client's marker), and the Swift
requests a page made. Then it deletes the
container. Figures only: nothing here passes or fails.

    python tools/bench/swift_bank_pages.py [--few 100] [--many 10000]
        [--limit 50] [--pages 20] [--threads 8]

Run it with the Python of the test virtualenv (tools/run-tests builds it).
"""

import argparse
import concurrent.futures
import pathlib
import statistics
import sys
import tempfile
import threading
import time
import types
import uuid

from swiftclient import exceptions as swift_exceptions

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

from karbor.services.protection import provider as providers  # noqa: E402
from karbor.tests.fullstack import cloud  # noqa: E402
from karbor.tests.fullstack import test_swift_bank_and_image as swift_bank  # noqa: E402,E501

NOOP_PLUGIN = 'karbor-noop-protection-plugin'


def load_provider(directory, container):
    path = directory / 'swift-pages.conf'
    text = swift_bank.PROVIDER % {
        'id': uuid.uuid4(), 'auth_url': cloud.openrc('demo')['OS_AUTH_URL'],
        'container': container, 'expire': 300, 'renew': 100,
        'validity': 100, 'segment_size': 8 << 20}
    path.write_text(text.replace('karbor-image-protection-plugin',
                                 NOOP_PLUGIN))
    loaded = providers._load_provider(str(path))
    if loaded is None:
        raise SystemExit('the provider file did not load: %s' % path)
    return loaded


def record(provider, project_id, count, threads):
    plan = types.SimpleNamespace(
        id=str(uuid.uuid4()), name='pages', provider_id=provider.id,
        project_id=project_id,
        resources=[{'id': project_id, 'type': 'OS::Keystone::Project',
                    'name': 'pages'}])

    def one(_number):
        provider.checkpoints.create(plan).finish_protecting()

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(count)))
    return time.monotonic() - started


class CountedRequests(object):
    """How many requests the bank's Swift account makes."""

    def __init__(self, account):
        self.count = 0
        connection = account.connection

        def counted(*args, **kwargs):
            self.count += 1
            return connection(*args, **kwargs)

        account.connection = counted


def page_figures(provider, project_id, limit, pages, requests):
    first = provider.checkpoints.list(project_id=project_id, limit=limit)
    figures = {}
    for name, marker in (('first', None), ('next', first[-1].id)):
        seconds = []
        for _ in range(pages):
            before = requests.count
            started = time.monotonic()
            page = provider.checkpoints.list(project_id=project_id,
                                             limit=limit, marker=marker)
            seconds.append(time.monotonic() - started)
            made = requests.count - before
        if len(page) != limit:
            raise SystemExit('a page of %d checkpoints had %d'
                             % (limit, len(page)))
        figures[name] = (statistics.median(seconds) * 1000, made)
    return figures


def delete_container(connection, container, threads):
    try:
        names = [entry['name'] for entry in connection.get_container(
            container, full_listing=True)[1]]
    except swift_exceptions.ClientException as exc:
        if exc.http_status == 404:
            return
        raise

    def delete(name):
        try:
            connection_of_thread().delete_object(container, name)
        except swift_exceptions.ClientException as exc:
            if exc.http_status != 404:
                raise

    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        list(pool.map(delete, names))
    connection.delete_container(container)


_THREAD = threading.local()


def connection_of_thread():
    if not hasattr(_THREAD, 'connection'):
        _THREAD.connection = swift_bank.Swift().connection
    return _THREAD.connection


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--few', type=int, default=100)
    parser.add_argument('--many', type=int, default=10000)
    parser.add_argument('--limit', type=int, default=50)
    parser.add_argument('--pages', type=int, default=20)
    parser.add_argument('--threads', type=int, default=8)
    args = parser.parse_args()
    container = 'karbor-bench-pages-%s' % uuid.uuid4().hex[:8]
    swift = swift_bank.Swift()
    with tempfile.TemporaryDirectory() as directory:
        provider = load_provider(pathlib.Path(directory), container)
        plugin = provider.bank.plugin
        plugin.acquire_lease()
        try:
            requests = CountedRequests(plugin._account)
            for count in (args.few, args.many):
                project_id = uuid.uuid4().hex
                took = record(provider, project_id, count, args.threads)
                print('%6d checkpoints recorded in %.0f s (%d threads)'
                      % (count, took, args.threads), flush=True)
                figures = page_figures(provider, project_id, args.limit,
                                       args.pages, requests)
                for name, (milliseconds, made) in figures.items():
                    print('  the %-5s page of %d among %6d: %7.1f ms, '
                          '%d Swift requests' % (
                              name, args.limit, count, milliseconds, made),
                          flush=True)
        finally:
            plugin.release_lease()
            for name in (container, container + '_leases',
                         container + '_revisions'):
                delete_container(swift.connection, name,
                                 max(args.threads, 16))


if __name__ == '__main__':
    main()
