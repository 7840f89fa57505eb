"""The JSON API under /api: thin views over the queue rules."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

import qhall.api.admin  # noqa: E402,F401  (managers, the bureau, inspectors)
import qhall.api.cases  # noqa: E402,F401  (the counter: first inquiries, cases)
import qhall.api.ratings  # noqa: E402,F401  (ratings and rectification)
from qhall.api import routes  # noqa: E402,F401  (registers the views on bp)
