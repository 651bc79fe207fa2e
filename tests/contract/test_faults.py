"""Sync contract, faults: an absent server, a wrong token, garbage answers, broken data.

None of them may crash limner, lose a local edit or write to the server what it should
not; each ends with one clear message or one problem row per broken region, and the
next sync after the fault goes away finishes the job.
"""

from __future__ import annotations

import re

import pytest

from tests.contract.drivers import Driver
from tests.contract.harness import Case, Run, canonical, in_image, same
from tests.contract.scenarios import box, contract

AUTH_WORDS = re.compile(r"auth|token|key|credential|401|403|permission", re.IGNORECASE)


def _message(run: Run) -> str:
    return str((run.report or {}).get("message") or "") + "\n" + run.err


@contract("offline_queue")
def test_an_offline_server_queues_edits_until_it_is_back(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    case.clone().ok()
    driver.stop()
    try:
        case.add(a, box(0))
        run = case.sync().ok()
        assert run.report["state"] == "offline" and run.code == 1, str(run)
        assert run.report["pending"] == 1
        assert list(case.shapes(a)), "the queued edit was lost"
    finally:
        driver.start()
    back = case.sync().ok()
    assert back.code == 0 and back.report["pending"] == 0, str(back)
    assert [same(s, box(0)) for s in driver.shapes(a).values()] == [True]


@contract("bad_token")
def test_a_bad_token_stops_with_an_auth_message(
    case: Case, driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = driver.add_image("alpha.png", seed=1)
    driver.add_shape(a, box(0))
    case.clone().ok()
    uuid = case.add(a, box(1))
    before, written = canonical(driver.raw(a)), driver.writes()
    monkeypatch.setenv(driver.token_env, "not-the-token-0123456789")

    run = case.sync()
    assert run.crash is None and run.code == 1, str(run)
    assert AUTH_WORDS.search(_message(run)), f"no auth message: {_message(run)!r}"
    assert "Traceback" not in run.err
    assert driver.writes() == written and canonical(driver.raw(a)) == before, "it wrote"
    assert uuid in case.shapes(a)

    monkeypatch.setenv(driver.token_env, driver.token)
    fixed = case.sync().ok()
    assert fixed.code == 0, str(fixed)
    assert any(same(s, box(1)) for s in driver.shapes(a).values())
    assert driver.writes() > written, "the push with the right token was not counted"


@contract("bad_answer_recovers")
def test_a_wrongly_shaped_answer_is_one_clear_error(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    driver.add_shape(a, box(0))
    case.clone().ok()
    case.add(a, box(1))
    driver.garble()
    try:
        run = case.sync()
        assert run.crash is None, f"limner crashed on [1,2,3]:\n{run.crash}"
        assert run.code == 1, str(run)
        text = _message(run)
        assert "Traceback" not in text and "Traceback" not in run.out, text
        assert driver.listing_fragment in text, f"the message does not name the route: {text!r}"
        message = str((run.report or {}).get("message") or run.err.strip())
        assert message and "\n" not in message.strip(), f"not one line: {message!r}"
    finally:
        driver.recover()
    back = case.sync().ok()
    assert back.code == 0, str(back)
    assert any(same(s, box(1)) for s in driver.shapes(a).values())


@contract("control_characters_in_name")
def test_a_control_character_in_a_name_does_not_stop_the_clone(
    case: Case, driver: Driver
) -> None:
    odd = driver.add_image("bad\x00na\x07me.png", seed=1)
    plain = driver.add_image("plain.png", seed=2)
    driver.add_shape(plain, box(0))

    run = case.clone().ok()
    assert run.code == (0 if driver.odd_names_download else 1), str(run)
    names = case.names()
    assert len(names) == 2 and plain.name in names, names
    (cleaned,) = [n for n in names if n != plain.name]
    assert all(ord(c) >= 32 and ord(c) != 127 for c in cleaned), repr(cleaned)
    assert cleaned.startswith("bad") and cleaned.endswith("me.png"), repr(cleaned)
    record = case.record(cleaned)
    if driver.odd_names_download:
        assert record.error is None and (record.width, record.height) == (odd.width, odd.height)
    else:
        assert record.error, "an image whose file could not be fetched is not marked"
    assert [same(s, box(0)) for s in case.shapes(plain).values()] == [True]


@contract("malformed_reported")
def test_every_malformed_region_is_reported_and_left_alone(case: Case, driver: Driver) -> None:
    a = driver.add_image("alpha.png", seed=1)
    good = driver.add_shape(a, box(0))
    broken = driver.add_malformed(a)
    before = canonical(driver.raw(a))

    clone = case.clone().ok()
    assert clone.code in (1, 3), str(clone)
    rows = clone.problems_of("malformed", a.name)
    if driver.region_ids:
        reported = {r.get("remote_key") for r in rows}
        missing = [m.what for m in broken if m.rid not in reported]
        assert not missing, f"not reported: {missing}; rows {rows}"
    else:
        assert len(rows) >= len(broken), f"{len(rows)} rows for {len(broken)} broken labels"
    assert all(r.get("message") for r in rows)
    for uuid, shape in case.shapes(a).items():
        assert in_image(shape.geometry, a.width, a.height), f"{uuid} is out of range"
    uuid = case.find(a, box(0))
    case.edit(a, uuid, box(2).geometry)

    run = case.sync().ok()
    assert run.code in (1, 3), str(run)
    assert same(driver.shapes(a)[good], box(2)), "the edit of the valid box was not pushed"
    after = canonical(driver.raw(a))
    changed = [m.what for m in broken if after.get(m.rid) != before.get(m.rid)]
    assert not changed, f"broken regions were rewritten: {changed}"
    assert len(run.problems_of("malformed", a.name)) == len(rows), str(run)
