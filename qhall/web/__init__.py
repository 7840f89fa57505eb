"""The Flask glue every part of the site shares: request parsing, errors, security headers,
the Socket.IO glue, background start-up and the site-wide routes. The core (the rest of
qhall/) never imports Flask; only this package and qhall/app.py do."""
