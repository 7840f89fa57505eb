"""gunicorn settings for `qhall serve`; the address comes from the command line.

One gevent worker per process: a Socket.IO client's session lives in the process that
accepted it. To use both cores of a machine (or several machines), run one process per
core on its own port, all on PostgreSQL with QHALL_MESSAGE_QUEUE set to Redis, behind
nginx with sticky sessions (nginx-qhall.conf).
"""

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
# Several qhall processes may share a host; gunicorn's default control socket would clash.
control_socket_disable = True


def post_worker_init(worker):
    """Start the worker's background work (routine, printers) once it is ready to serve."""
    from qhall.web.background import start

    start(worker.wsgi)
