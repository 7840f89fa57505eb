"""gunicorn settings for `qhall serve`; the address comes from the command line.

One gevent worker per process: a Socket.IO client's session lives in the process that
accepted it. To use both cores of a machine (or several machines), run one process per
core on its own port, all on PostgreSQL with QHALL_MESSAGE_QUEUE set to Redis, behind
nginx with sticky sessions (nginx-qhall.conf).
"""

from gunicorn.glogging import Logger

from qhall.redact import redact

worker_class = "gevent"  # not geventwebsocket's worker: simple-websocket does the upgrade
workers = 1
# Each hall screen, kiosk, counter and visitor's phone holds one connection.
worker_connections = 4000
# Long-polling clients hold a request open; gevent makes that cheap, the timeout is for
# a worker that stops answering altogether.
timeout = 60
graceful_timeout = 5
keepalive = 5
accesslog = "-"


class RedactingLogger(Logger):
    """gunicorn's logger, whose access log lines say nothing secret: no ticket token
    (/t/<token>) and no query value (a kiosk's ?device=<secret>), in the request line, the
    referrer or any other field (qhall.redact)."""

    def atoms(self, resp, req, environ, request_time):
        """Return the access log's fields with every text field redacted."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(v) if isinstance(v, str) else v for key, v in atoms.items()}


logger_class = RedactingLogger
# Several qhall processes may share a host; gunicorn's default control socket would clash.
control_socket_disable = True


def post_worker_init(worker):
    """Start the worker's background work (routine, printers) once it is ready to serve."""
    import logging

    from qhall.redact import RedactingFilter
    from qhall.web.background import start

    # The application's own log lines (an error's path, say) are redacted like the access log.
    app_handlers = worker.wsgi.logger.handlers  # Flask's default handler among them
    for handler in {*app_handlers, logging.lastResort, *logging.getLogger().handlers}:
        if handler is not None:
            handler.addFilter(RedactingFilter())
    start(worker.wsgi)


def post_request(worker, req, environ, resp):
    """Let every other connection take its turn before this one's next request.

    A kiosk on a keep-alive connection sends its next request the moment it has an answer;
    by the time the worker reads again the request is there, so the read never waits and
    the worker, never yielding, served that one kiosk alone (issue 16: one connection got
    all the answers while fifteen got none). Waiting for the event loop to be idle puts
    this connection behind every one that is ready.
    """
    import gevent

    gevent.idle()
