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

"""A service that accepts connections and never answers, for tests of
what Karbor does when a remote call hangs."""

import socket
import threading


class SilentService(object):
    """A listening socket on 127.0.0.1 that accepts every connection, reads
    nothing and never answers; the connections stay open until close()."""

    def __init__(self):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(('127.0.0.1', 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self.url = 'http://127.0.0.1:%d' % self.port
        # Set once someone has connected.
        self.called = threading.Event()
        self._held = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                self._held.append(self._listener.accept()[0])
            except OSError:
                return
            self.called.set()

    def close(self):
        # shutdown() wakes the accept() that close() alone would leave
        # blocked.
        try:
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self._thread.join(5)
        for connection in self._held:
            connection.close()
