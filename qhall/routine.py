"""The routine work a hall's server does by itself, once per unit across all processes.

Every minute or so a background task in each server process goes through the jobs below;
for each unit, the process that holds the job's lease (qhall.leases) runs it and the
others skip it. Each job is safe to run again: it changes only what is still to change.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from qhall import booking_check_in, cases, leases, queue, rectification
from qhall.auth import forget_old_failures
from qhall.models import Unit
from qhall.retention import IDEMPOTENCY_KEEP_S, erase_personal_data, forget_kept_answers

log = logging.getLogger(__name__)


def run_once(config, now: datetime, publish, holder: str = leases.PROCESS_ID) -> list[str]:
    """Run every job this process holds the lease for; return what ran (for tests and logs)."""
    ran = []
    lease_s = config["ROUTINE"]["EVERY_S"] * 2
    for unit in Unit.select(Unit.code).order_by(Unit.code):
        jobs = {
            f"close-day:{unit.code}": lambda code=unit.code: queue.close_past_days(code, now=now),
            f"deadlines:{unit.code}": lambda code=unit.code: cases.check_deadlines(
                code, now=now, warn_days=config["COUNTER"]["CASE_WARNING_DAYS"]
            ),
            f"rectification-deadlines:{unit.code}": lambda code=unit.code: (
                rectification.check_overdue(code, now=now)
            ),
            # No-shows of ended slots (bookings can check in now) and past days' ID keys.
            f"bookings:{unit.code}": lambda code=unit.code: booking_check_in.close_booking_days(
                code, now
            ),
        }
        ran += _run_held(jobs, now, publish, holder, lease_s)
    keep_days = config["PRIVACY"]["KEEP_PERSONAL_DAYS"]
    jobs = {
        "privacy": lambda: erase_personal_data(now=now, keep_days=keep_days),
        "login-failures": lambda: forget_old_failures(now),
        "kept-answers": lambda: forget_kept_answers(now - timedelta(seconds=IDEMPOTENCY_KEEP_S)),
    }
    return ran + _run_held(jobs, now, publish, holder, lease_s)


def _run_held(jobs: dict, now: datetime, publish, holder: str, lease_s: float) -> list[str]:
    ran = []
    for name, job in jobs.items():
        if not leases.hold(f"routine:{name}", now, seconds=lease_s, holder=holder):
            continue
        try:
            publish(job())
            ran.append(name)
        except Exception:  # one unit's failure must not stop the others
            log.exception("routine job %s failed", name)
    return ran
