"""The WSGI entry point gunicorn loads: `gunicorn -k gevent -w 1 qhall.wsgi:app`."""

from qhall.app import create_app
from qhall.validate import BadConfig

try:
    app = create_app()
except BadConfig as error:  # the message alone, for gunicorn's log; no traceback
    raise SystemExit(str(error)) from None
