"""Rectification of bad ratings (差评整改) with separation of duties: the rated person
explains and may appeal; the manager or the reviewer they assign verifies, calls back,
closes and decides the appeal; each step by every role, nothing recorded when refused; the
order; escalation past the deadline; the ledger's 实名差评回访率 and 整改率.

The ratings are rows (tests.factories.gen_bad_rating), so that these tests do not depend
on how a rating is given (tests/qhall/test_ratings.py)."""

from __future__ import annotations

from datetime import date

import pytest
from playhouse.shortcuts import model_to_dict

from qhall import rectification
from qhall.dashboard import live_figures
from qhall.errors import BadInput, Conflict, Forbidden
from qhall.ledger_table import COLUMNS, ledger_table
from qhall.models import Event, Rating, Rectification
from qhall.reports import ledger
from qhall.routine import run_once
from qhall.scopes import make_scope
from tests.factories import gen_bad_rating, gen_staff, gen_unit

DAYS = 5
PHONE = "13812341234"
SETTINGS = {"TARGET_WAIT_S": 900, "UNITS": {}}  # [SERVICE_LEVEL], for the ledger


@pytest.fixture
def hall(app):
    """Hall T: the clerk (who gets rated), a colleague, the manager; hall U: its manager
    and a clerk."""
    unit, other = gen_unit(), gen_unit("U", services={"A": {}}, counters={1: ["A"]})
    return {
        "unit": unit,
        "clerk": gen_staff("clerk", unit),
        "mate": gen_staff("mate", unit),
        "boss": gen_staff("boss", unit, role="manager"),
        "u-boss": gen_staff("u-boss", other, role="manager"),
        "u-clerk": gen_staff("u-clerk", other),
    }


def bad_rating(hall, clock, *, phone: str = "", staff: str = "clerk") -> int:
    """A visit of staff's at window 1 rated 非常不满意; return its rectification item's id."""
    return gen_bad_rating(clock, hall[staff], phone=phone, days=DAYS).id


def step(hall, clock, item_id, name, who, note="已处理", answer=None):
    return rectification.advance_rectification(
        "T", item_id, name, staff_id=hall[who].id, note=note, answer=answer, now=clock.now()
    ).result


def view(hall, clock, item_id, who) -> dict:
    item = Rectification.get_by_id(item_id)
    return rectification.rectification_view(item, hall[who], clock.now())


def listed(hall, clock, who, closed=False) -> list[int]:
    items = rectification.rectification_list("T", hall[who], now=clock.now(), closed=closed)
    return [item["id"] for item in items]


def test_the_rated_person_explains_and_the_manager_verifies_calls_back_and_closes(hall, clock):
    item_id = bad_rating(hall, clock, phone=PHONE)
    # Thursday 26 November 2026 + 5 working days.
    first = view(hall, clock, item_id, "boss")
    assert (first["status"], first["due_day"], first["overdue"]) == ("open", "2026-12-03", False)
    assert first["rating"]["reason"] == "态度生硬"
    assert view(hall, clock, item_id, "clerk")["can"] == ["rectify", "appeal"]
    assert first["can"] == ["assign"]  # the manager waits for the explanation
    assert view(hall, clock, item_id, "mate")["can"] == []

    step(hall, clock, item_id, "rectify", "clerk", "当时系统卡顿，语气急躁；已学习服务规范")
    assert view(hall, clock, item_id, "boss")["can"] == ["verify", "assign"]
    assert view(hall, clock, item_id, "clerk")["can"] == ["appeal"]
    step(hall, clock, item_id, "verify", "boss", "查看录像，情况属实，整改到位")
    called = step(hall, clock, item_id, "call-back", "boss", "群众表示认可", "satisfied")
    assert called["status"] == "called_back"
    clock.advance(hours=1)
    closed = step(hall, clock, item_id, "close", "boss", "")
    assert (closed["status"], closed["can"]) == ("closed", [])
    done = {s["step"]: s for s in closed["steps"]}
    assert [s["step"] for s in closed["steps"]] == ["rectify", "verify", "call-back", "close"]
    assert done["rectify"]["by"]["name"] == "员工clerk"
    assert done["verify"]["by"]["name"] == done["close"]["by"]["name"] == "员工boss"
    assert (done["call-back"]["answer"], done["call-back"]["answer_name"]) == ("satisfied", "满意")
    # In the hall's time: 10:00 and 11:00 in Shanghai.
    assert (done["rectify"]["at_local"], done["close"]["at_local"]) == (
        "2026-11-26 10:00",
        "2026-11-26 11:00",
    )
    assert listed(hall, clock, "boss") == [] and listed(hall, clock, "boss", closed=True) == [
        item_id
    ]
    names = [e.name for e in Event.select().where(Event.name.startswith("rectification."))]
    assert names == ["rectification.opened"] + ["rectification.updated"] * 4


def test_a_rating_without_a_call_back_number_closes_after_verification(hall, clock):
    item_id = bad_rating(hall, clock)
    step(hall, clock, item_id, "rectify", "clerk")
    step(hall, clock, item_id, "verify", "boss")
    assert view(hall, clock, item_id, "boss")["can"] == ["close", "assign"]
    with pytest.raises(Conflict):  # nobody to call
        step(hall, clock, item_id, "call-back", "boss", answer="unreachable")
    assert step(hall, clock, item_id, "close", "boss", "核实后结案")["status"] == "closed"


def test_the_steps_go_in_their_order(hall, clock):
    item_id = bad_rating(hall, clock, phone=PHONE)
    with pytest.raises(Conflict):
        step(hall, clock, item_id, "verify", "boss")  # before the explanation
    step(hall, clock, item_id, "rectify", "clerk")
    with pytest.raises(Conflict):
        step(hall, clock, item_id, "rectify", "clerk")  # once
    for early in ("call-back", "close"):
        with pytest.raises(Conflict):
            step(hall, clock, item_id, early, "boss", answer="satisfied")
    step(hall, clock, item_id, "verify", "boss")
    with pytest.raises(Conflict):
        step(hall, clock, item_id, "close", "boss")  # the visitor left a number: call first
    with pytest.raises(BadInput):
        step(hall, clock, item_id, "call-back", "boss", answer="happy")  # not on the list
    with pytest.raises(BadInput):
        step(hall, clock, item_id, "verify", "boss", note="  ")  # a note is needed


def drive(hall, clock, state: str) -> int:
    """An item brought to a state by the people allowed to bring it there."""
    item_id = bad_rating(hall, clock, phone=PHONE)
    path = {"open": [], "rectified": ["rectify"], "verified": ["rectify", "verify"],
            "called_back": ["rectify", "verify", "call-back"]}  # fmt: skip
    for name in path[state.removesuffix("+appeal")]:
        step(hall, clock, item_id, name, "clerk" if name == "rectify" else "boss", answer="satisfied")  # fmt: skip
    if state.endswith("+appeal"):
        rectification.appeal("T", item_id, staff_id=hall["clerk"].id, reason="x", now=clock.now())
    return item_id


def act(hall, clock, action: str, item_id: int, who: str):
    """Take any action as someone; return the outcome."""
    staff_id, now = hall[who].id, clock.now()
    if action == "appeal":
        return rectification.appeal("T", item_id, staff_id=staff_id, reason="恶意差评", now=now)
    if action == "decide-appeal":
        return rectification.decide_appeal("T", item_id, staff_id=staff_id, accept=True,
                                           note="复核", now=now)  # fmt: skip
    if action == "assign":
        return rectification.assign_reviewer("T", item_id, staff_id=staff_id,
                                             reviewer_id=hall["mate"].id, now=now)  # fmt: skip
    return rectification.advance_rectification("T", item_id, action, staff_id=staff_id,
                                                note="x", answer="satisfied", now=now)  # fmt: skip


# Each action, the state in which it is due, and who may not take it.
REFUSALS = [
    ("rectify", "open", ["mate", "boss", "u-boss", "u-clerk"]),
    ("appeal", "open", ["mate", "boss", "u-boss", "u-clerk"]),
    ("verify", "rectified", ["clerk", "mate", "u-boss", "u-clerk"]),
    ("call-back", "verified", ["clerk", "mate", "u-boss", "u-clerk"]),
    ("close", "called_back", ["clerk", "mate", "u-boss", "u-clerk"]),
    ("decide-appeal", "rectified+appeal", ["clerk", "mate", "u-boss", "u-clerk"]),
    ("assign", "open", ["clerk", "mate", "u-boss", "u-clerk"]),
]


@pytest.mark.parametrize(("action", "state", "refused"), REFUSALS)
def test_a_refused_step_is_forbidden_and_records_nothing(hall, clock, action, state, refused):
    item_id = drive(hall, clock, state)
    before = model_to_dict(Rectification.get_by_id(item_id), recurse=False)
    events = Event.select().count()
    for who in refused:
        assert action not in view(hall, clock, item_id, who)["can"], who
        with pytest.raises(Forbidden) as refusal:
            act(hall, clock, action, item_id, who)
        assert refusal.value.zh and refusal.value.en
    assert model_to_dict(Rectification.get_by_id(item_id), recurse=False) == before
    assert Event.select().count() == events
    assert Rating.get().excluded is False


ALLOWED = {"rectify": ["clerk"], "appeal": ["clerk"], "assign": ["boss"]}


@pytest.mark.parametrize(
    ("action", "state", "who"),
    [(action, state, who) for action, state, _ in REFUSALS
     for who in ALLOWED.get(action, ["boss", "mate"])],
)  # fmt: skip
def test_the_right_person_may_take_each_step(hall, clock, action, state, who):
    item_id = drive(hall, clock, state)
    if who == "mate":  # the colleague once the manager assigns them
        act(hall, clock, "assign", item_id, "boss")
    assert action in view(hall, clock, item_id, who)["can"]
    act(hall, clock, action, item_id, who)


def test_the_assigned_reviewer_handles_the_item_and_sees_only_theirs(hall, clock):
    mine, other = bad_rating(hall, clock, phone=PHONE), bad_rating(hall, clock)
    choices = view(hall, clock, mine, "boss")["reviewer_choices"]
    assert {c["name"] for c in choices} == {"员工mate", "员工boss"}  # not the rated clerk
    assert listed(hall, clock, "mate") == []
    assigned = act(hall, clock, "assign", mine, "boss").result
    assert assigned["reviewer"]["name"] == "员工mate"
    assert listed(hall, clock, "mate") == [mine]
    assert listed(hall, clock, "clerk") == [mine, other]
    assert listed(hall, clock, "boss") == [mine, other]
    step(hall, clock, mine, "rectify", "clerk")
    step(hall, clock, mine, "verify", "mate")
    with pytest.raises(Forbidden):  # assigned to one item, not to the other
        step(hall, clock, other, "rectify", "mate")
    step(hall, clock, mine, "call-back", "mate", "联系上了", "fairly_satisfied")
    assert step(hall, clock, mine, "close", "mate")["status"] == "closed"


def test_a_reviewer_is_a_colleague_of_the_unit_other_than_the_rated_person(hall, clock):
    item_id = bad_rating(hall, clock)
    for reviewer in ("clerk", "u-clerk"):
        with pytest.raises(BadInput):
            rectification.assign_reviewer("T", item_id, staff_id=hall["boss"].id,
                                          reviewer_id=hall[reviewer].id, now=clock.now())  # fmt: skip
    assert Rectification.get_by_id(item_id).reviewer_id is None
    # A manager who was rated themselves cannot pick their own reviewer, nor verify.
    own = bad_rating(hall, clock, staff="boss")
    step(hall, clock, own, "rectify", "boss")
    assert view(hall, clock, own, "boss")["can"] == ["appeal"]
    for action in ("assign", "verify"):
        with pytest.raises(Forbidden):
            act(hall, clock, action, own, "boss")


def test_an_accepted_appeal_excludes_the_rating_and_closes_the_item(hall, clock):
    item_id = bad_rating(hall, clock, phone=PHONE)
    act(hall, clock, "appeal", item_id, "clerk")
    with pytest.raises(Conflict):  # while the appeal is reviewed the steps wait
        step(hall, clock, item_id, "rectify", "clerk")
    with pytest.raises(Conflict):  # one appeal
        act(hall, clock, "appeal", item_id, "clerk")
    assert view(hall, clock, item_id, "boss")["can"] == ["decide-appeal", "assign"]
    decided = rectification.decide_appeal(
        "T", item_id, staff_id=hall["boss"].id, accept=True,
        note="调取录像，服务规范，系恶意差评", now=clock.now(),
    ).result  # fmt: skip
    assert (decided["status"], decided["appeal"]["decision"]) == ("appeal_accepted", "accepted")
    assert decided["appeal"]["reason"] == "恶意差评"
    assert decided["rating"]["excluded"] is True and Rating.get().excluded is True
    assert decided["can"] == [] and listed(hall, clock, "boss") == []


def test_a_rejected_appeal_lets_the_item_go_on_where_it_was(hall, clock):
    item_id = drive(hall, clock, "rectified")
    act(hall, clock, "assign", item_id, "boss")
    act(hall, clock, "appeal", item_id, "clerk")
    decided = rectification.decide_appeal(
        "T", item_id, staff_id=hall["mate"].id, accept=False, note="情况属实", now=clock.now()
    ).result
    assert (decided["status"], decided["appeal"]["decision"]) == ("rectified", "rejected")
    assert decided["appeal"]["decided_by"]["name"] == "员工mate"
    assert Rating.get().excluded is False
    assert view(hall, clock, item_id, "clerk")["can"] == []  # appealed once
    step(hall, clock, item_id, "verify", "mate")


def test_the_call_back_number_goes_only_to_who_calls_back(hall, clock):
    item_id = drive(hall, clock, "verified")
    rated, boss = view(hall, clock, item_id, "clerk"), view(hall, clock, item_id, "boss")
    assert (rated["has_callback_phone"], rated["callback_phone"]) == (True, None)
    assert PHONE not in str(rated)
    assert (boss["callback_phone"], boss["callback_phone_full"]) == ("138****1234", PHONE)
    assert [a["code"] for a in boss["callback_answers"]] == [
        "satisfied",
        "fairly_satisfied",
        "dissatisfied",
        "unreachable",
    ]
    step(hall, clock, item_id, "call-back", "boss", "三次未接通", "unreachable")
    after = view(hall, clock, item_id, "boss")
    assert after["callback_phone"] == "138****1234" and "callback_phone_full" not in after
    events = " ".join(e.payload for e in Event.select())
    assert "1234" not in events and "态度生硬" not in events


def test_anothers_request_key_replays_nothing_to_the_rated_person(hall, clock):
    # The manager's verification answers with the whole call-back number (the call is
    # theirs to make). The rated person sending the same Idempotency-Key must get the
    # refusal their own request earns, not the manager's stored answer.
    item_id = drive(hall, clock, "rectified")
    verified = rectification.advance_rectification(
        "T", item_id, "verify", staff_id=hall["boss"].id, note="属实", now=clock.now(),
        request_key="same-key",
    )  # fmt: skip
    assert verified.result["callback_phone_full"] == PHONE
    before = Event.select().count()
    with pytest.raises(Forbidden):
        rectification.advance_rectification(
            "T", item_id, "verify", staff_id=hall["clerk"].id, note="属实", now=clock.now(),
            request_key="same-key",
        )  # fmt: skip
    with pytest.raises(Forbidden):
        rectification.decide_appeal(
            "T", item_id, staff_id=hall["clerk"].id, accept=True, note="x", now=clock.now(),
            request_key="same-key",
        )  # fmt: skip
    assert Event.select().count() == before


def test_an_overdue_item_is_escalated_to_the_manager_once(app, hall, clock):
    item_id = bad_rating(hall, clock)
    step(hall, clock, item_id, "rectify", "clerk")
    published = []
    clock.at = clock.at.replace(month=12, day=3)  # Thursday 3 December, 10:00: due today
    run_once(app.config, clock.now(), published.append)
    assert Rectification.get_by_id(item_id).escalated_at is None
    clock.advance(days=1)  # Friday 4 December: a day late
    run_once(app.config, clock.now(), published.append, holder="another")
    clock.advance(minutes=5)
    run_once(app.config, clock.now(), published.append, holder="a third")
    escalations = [e for o in published for e in o.events if e["name"] == "rectification.escalated"]
    assert len(escalations) == 1
    assert escalations[0]["rectification"]["id"] == item_id
    assert escalations[0]["escalated_to"] == hall["boss"].id
    seen = view(hall, clock, item_id, "boss")
    assert seen["overdue"] is True and seen["escalated_at"] and seen["working_days_left"] == -1
    live = live_figures(hall["boss"], "T", now=clock.now(), settings=app.config["SERVICE_LEVEL"])
    assert "1 项差评整改已超期，请督办" in [a["message"] for a in live["alerts"]]


def test_the_ledger_gives_the_call_back_and_rectification_rates_worked_by_hand(hall, clock):
    """Six bad ratings: a (number) called back and closed; b (number) only explained;
    c (no number) closed after verification; d (number) appeal accepted; e (no number)
    open; f (number) called back, not yet closed.

    实名差评回访率: with a number and counted a, b, f; called back a, f: 2/3.
    整改率: closed a, c of the six less the accepted appeal: 2/5."""
    a, b, c, d, e, f = (bad_rating(hall, clock, phone=p)
                        for p in (PHONE, PHONE, "", PHONE, "", PHONE))  # fmt: skip
    for item_id in (a, b, c, f):
        step(hall, clock, item_id, "rectify", "clerk")
    for item_id in (a, c, f):
        step(hall, clock, item_id, "verify", "boss")
    for item_id in (a, f):
        step(hall, clock, item_id, "call-back", "boss", "已回访", "satisfied")
    for item_id in (a, c):
        step(hall, clock, item_id, "close", "boss")
    act(hall, clock, "appeal", d, "clerk")
    act(hall, clock, "decide-appeal", d, "boss")

    day = date(2026, 11, 26)
    total = ledger(make_scope("T", day, day), "staff", settings=SETTINGS, now=clock.now())["total"]
    assert (total["bad_ratings"], total["bad_rectified"], total["bad_appealed"]) == (6, 2, 1)
    assert (total["bad_with_phone"], total["bad_called_back"]) == (3, 2)
    assert (total["callback_rate"], total["rectify_rate"]) == (round(2 / 3, 4), 0.4)
    line = dict(zip([name for name, _zh, _en in COLUMNS], ledger_table(
        ledger(make_scope("T", day, day), "unit", settings=SETTINGS, now=clock.now()))[-1],
        strict=True))  # fmt: skip
    assert (line["callback_pct"], line["rectify_pct"]) == (66.7, 40.0)

    # The visitors' numbers erased with their other personal data: a call-back made still
    # counts as one to a number.
    Rating.update(callback_phone="").execute()
    total = ledger(make_scope("T", day, day), "unit", settings=SETTINGS, now=clock.now())["total"]
    assert (total["bad_with_phone"], total["bad_called_back"]) == (2, 2)
    # A period without a bad rating has no rate to give.
    empty = ledger(make_scope("T", date(2026, 11, 25), date(2026, 11, 25)), "unit",
                   settings=SETTINGS, now=clock.now())["total"]  # fmt: skip
    assert (empty["callback_rate"], empty["rectify_rate"]) == (None, None)
