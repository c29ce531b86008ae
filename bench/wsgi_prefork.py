"""A pre-forking WSGI server from the standard library, for benchmarks when gunicorn is absent.

    python -m bench.wsgi_prefork HOST PORT WORKERS

The application is loaded once, then WORKERS processes accept on the same listening socket
(the kernel spreads the connections). HTTP/1.0, one request per connection, no request log.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class Server(WSGIServer):
    request_queue_size = 256


def main() -> None:
    host, port, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harambee.settings")
    from django.core.wsgi import get_wsgi_application
    from django.db import connections

    application = get_wsgi_application()
    connections.close_all()
    server = Server((host, port), QuietHandler)
    server.set_app(application)
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
            server.serve_forever()
            os._exit(0)
        children.append(pid)

    def stop(*_: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    for child in children:
        os.waitpid(child, 0)


if __name__ == "__main__":
    main()
