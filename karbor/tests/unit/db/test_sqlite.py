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

"""The embedded default's SQLite file, as karbor-all's threads use it."""

import threading

import sqlalchemy as sa

from karbor.db import api as db_api


def _settings_of_a_transaction():
    with db_api._writer() as session:
        connection = session.connection().connection.dbapi_connection
        return (connection.execute('PRAGMA journal_mode').fetchone()[0],
                connection.execute('PRAGMA foreign_keys').fetchone()[0])


def test_transactions_of_any_thread_reuse_the_pools_open_connections(
        database):
    settings = [_settings_of_a_transaction()]
    opened = []
    sa.event.listen(db_api.get_engine(), 'connect',
                    lambda *args: opened.append(args))
    other = threading.Thread(
        target=lambda: settings.append(_settings_of_a_transaction()))
    other.start()
    other.join()
    settings.append(_settings_of_a_transaction())
    # The first transaction's connection served the others, with the
    # settings it got once: the write-ahead log and the foreign keys
    # that TaskFlow's cascades need.
    assert opened == []
    assert settings == [('wal', 1)] * 3


def test_a_burst_beyond_the_pool_size_keeps_its_connections(database):
    engine = db_api.get_engine()
    opened = []
    sa.event.listen(engine, 'connect', lambda *args: opened.append(args))
    for _burst in range(2):
        # More at once than [database] max_pool_size (5), as many request
        # threads are.
        connections = [engine.connect() for _ in range(8)]
        for connection in connections:
            connection.close()
    # The second burst opened nothing: the first one's were all kept.
    assert len(opened) <= 8


def test_concurrent_writers_each_get_a_connection_and_all_commit(database):
    engine = db_api.get_engine()
    with engine.begin() as connection:
        connection.execute(sa.text('CREATE TABLE counts (n INTEGER)'))

    def write(n):
        with db_api._writer() as session:
            session.execute(sa.text('INSERT INTO counts VALUES (:n)'),
                            {'n': n})

    writers = [threading.Thread(target=write, args=(n,)) for n in range(20)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    with db_api._reader() as session:
        assert session.execute(sa.text(
            'SELECT COUNT(*) FROM counts')).scalar() == 20
