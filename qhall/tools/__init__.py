"""Tools for measuring and generating data (qhall bench, the 1M-ticket generator). The
application never imports them: the CLI loads them only when asked."""
