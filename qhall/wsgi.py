"""The WSGI entry point gunicorn loads: `gunicorn -k gevent -w 1 qhall.wsgi:app`."""

from qhall.app import create_app

app = create_app()
