"""The day's clock (kt_workshop/day.py): round state in the database, timers, the change log.

Every call passes an explicit `now` (server wall-clock seconds), so the arithmetic is exact.
"""

import pytest

from kt_workshop import store
from kt_workshop.app import create_app
from kt_workshop.db import open_db
from kt_workshop.live import day

T0 = 1_000_000.0  # a made-up "now" for the start of the day
ROUND = 15 * 60  # the workshop fixture's rounds last 15 minutes


@pytest.fixture
def db(quick_db):
    """A migrated database without an app (see conftest's quick_db)."""
    return quick_db


@pytest.fixture
def rounds(db, workshop):
    """The ids of the workshop's two rounds, in order."""
    return [r["id"] for r in store.list_items(db, "round", workshop)]


def test_a_new_day_is_waiting_before_the_first_round(db, workshop, rounds):
    state = day.state(db, workshop, now=T0)
    assert state["status"] == "waiting"
    assert state["round"] is None
    assert state["next_round"]["id"] == rounds[0]
    assert (state["position"], state["rounds"]) == (0, 2)
    assert state["remaining"] == 0
    assert state["seq"] == 0
    assert state["chime"] is True
    assert state["server_now"] == T0


def test_start_runs_the_first_round_from_its_full_time(db, workshop, rounds):
    change = day.start(db, workshop, now=T0)
    assert change["kind"] == "round_state"
    assert change["audience"] == "all"
    assert change["payload"]["round_id"] == rounds[0]
    assert change["payload"]["remaining"] == ROUND
    assert day.state(db, workshop, now=T0 + 300)["remaining"] == ROUND - 300
    overrun = day.state(db, workshop, now=T0 + ROUND + 45)
    assert overrun["remaining"] == -45  # negative once overrun: the clock shows -0:45
    assert overrun["status"] == "running"
    state = day.state(db, workshop, now=T0)
    assert {k: v for k, v in state["round"].items() if k != "block_id"} == {
        "id": rounds[0],
        "number": 1,
        "minutes": 15,
        "block": "Morning",
        "block_index": 0,
    }
    assert (
        state["round"]["block_id"] == store.get_item(db, "round", workshop, rounds[0])["block_id"]
    )
    assert state["next_round"]["id"] == rounds[1]
    assert state["position"] == 1


def test_pause_keeps_the_time_left_and_resume_counts_down_again(db, workshop):
    day.start(db, workshop, now=T0)
    paused = day.pause(db, workshop, now=T0 + 300)["payload"]
    assert paused["status"] == "paused"
    assert paused["remaining"] == ROUND - 300
    # However long the pause, the time left stays.
    assert day.state(db, workshop, now=T0 + 5000)["remaining"] == ROUND - 300
    resumed = day.resume(db, workshop, now=T0 + 5000)["payload"]
    assert resumed["status"] == "running"
    assert day.state(db, workshop, now=T0 + 5100)["remaining"] == ROUND - 400
    # A second pause adds to the time already used.
    day.pause(db, workshop, now=T0 + 5200)
    assert day.state(db, workshop, now=T0 + 9999)["remaining"] == ROUND - 500


def test_pause_and_resume_refuse_the_wrong_state(db, workshop):
    with pytest.raises(store.InputError):
        day.pause(db, workshop, now=T0)  # nothing is running yet
    with pytest.raises(store.InputError):
        day.resume(db, workshop, now=T0)
    day.start(db, workshop, now=T0)
    with pytest.raises(store.InputError):
        day.resume(db, workshop, now=T0 + 1)  # running, not paused
    day.pause(db, workshop, now=T0 + 2)
    with pytest.raises(store.InputError):
        day.pause(db, workshop, now=T0 + 3)


def test_extend_gives_more_or_fewer_minutes(db, workshop):
    with pytest.raises(store.InputError):
        day.extend(db, workshop, 5, now=T0)  # no round started
    day.start(db, workshop, now=T0)
    day.extend(db, workshop, 5, now=T0 + 60)
    assert day.state(db, workshop, now=T0 + 60)["remaining"] == ROUND + 300 - 60
    day.extend(db, workshop, -2.5, now=T0 + 60)
    assert day.state(db, workshop, now=T0 + 60)["remaining"] == ROUND + 150 - 60
    day.pause(db, workshop, now=T0 + 100)
    day.extend(db, workshop, 1, now=T0 + 200)  # a paused round can be extended too
    assert day.state(db, workshop, now=T0 + 900)["remaining"] == ROUND + 210 - 100
    day.extend(db, workshop, -60, now=T0 + 200)  # never below zero minutes
    assert day.state(db, workshop, now=T0 + 200)["duration"] == 0
    for minutes in (-61, 121):
        with pytest.raises(store.InputError):
            day.extend(db, workshop, minutes, now=T0)


def test_advance_moves_round_by_round_then_finishes(db, workshop, rounds):
    first = day.advance(db, workshop, now=T0)["payload"]  # from waiting: the first round
    assert (first["round_id"], first["status"], first["remaining"]) == (rounds[0], "running", ROUND)
    day.pause(db, workshop, now=T0 + 100)
    second = day.advance(db, workshop, now=T0 + 200)["payload"]
    assert (second["round_id"], second["status"]) == (rounds[1], "running")
    assert second["remaining"] == ROUND  # a new round starts from its full time
    assert second["elapsed"] == 0
    assert second["next_round"] is None
    over = day.advance(db, workshop, now=T0 + 300)["payload"]
    assert over["status"] == "finished"
    assert over["round_id"] == rounds[1]
    assert day.advance(db, workshop, now=T0 + 400)["payload"]["status"] == "finished"


def test_start_a_chosen_round_and_refuse_others(db, workshop, rounds):
    chosen = day.start(db, workshop, rounds[1], now=T0)["payload"]
    assert chosen["round_id"] == rounds[1]
    assert chosen["position"] == 2
    # Starting again without a round restarts the current one from its full time.
    again = day.start(db, workshop, now=T0 + 500)["payload"]
    assert (again["round_id"], again["remaining"]) == (rounds[1], ROUND)
    other = store.create_workshop(db, {"title": "Other"})
    other_block = store.add_block(db, other, {"title": "B"}, rounds=1)
    other_round = store.list_items(db, "round", other)[0]["id"]
    assert other_block
    with pytest.raises(store.NotFound):
        day.start(db, workshop, other_round, now=T0)
    empty = store.create_workshop(db, {"title": "No programme"})
    with pytest.raises(store.InputError):
        day.start(db, empty, now=T0)


def test_chime_switches_for_every_screen(db, workshop):
    change = day.set_chime(db, workshop, False, now=T0)
    assert change["payload"]["chime"] is False
    assert day.state(db, workshop, now=T0)["chime"] is False
    assert day.set_chime(db, workshop, True, now=T0)["payload"]["chime"] is True


def test_every_round_change_is_logged_with_the_next_sequence_number(db, workshop):
    changes = [
        day.start(db, workshop, now=T0),
        day.pause(db, workshop, now=T0 + 1),
        day.resume(db, workshop, now=T0 + 2),
        day.set_chime(db, workshop, False, now=T0 + 3),
    ]
    assert [c["seq"] for c in changes] == [1, 2, 3, 4]
    assert day.state(db, workshop, now=T0)["seq"] == 4
    logged = day.changes_since(db, workshop, 0, staff=False)
    assert [c["seq"] for c in logged] == [1, 2, 3, 4]
    # The log holds what was broadcast, so a client catching up sees the same state.
    assert [c["payload"] for c in logged] == [c["payload"] for c in changes]
    assert logged[1]["payload"]["status"] == "paused"


def test_changes_since_filters_by_audience_and_pages(db, workshop):
    for number in range(6):
        day.record_change(db, workshop, "note", {"n": number}, audience="staff")
        day.record_change(db, workshop, "announcement", {"n": number}, audience="all")
    staff = day.changes_since(db, workshop, 0, staff=True)
    assert [c["seq"] for c in staff] == list(range(1, 13))
    everyone = day.changes_since(db, workshop, 0, staff=False)
    assert {c["audience"] for c in everyone} == {"all"}
    assert [c["seq"] for c in everyone] == [2, 4, 6, 8, 10, 12]
    assert [c["seq"] for c in day.changes_since(db, workshop, 8, staff=True, limit=3)] == [
        9,
        10,
        11,
    ]
    assert day.changes_since(db, workshop, 12, staff=True) == []


def test_sequence_numbers_are_per_workshop(db, workshop):
    other = store.create_workshop(db, {"title": "Other"})
    assert day.record_change(db, workshop, "note", {})["seq"] == 1
    assert day.record_change(db, other, "note", {})["seq"] == 1
    assert day.record_change(db, workshop, "note", {})["seq"] == 2
    assert [c["seq"] for c in day.changes_since(db, other, 0, staff=True)] == [1]
    assert len(day.changes_since(db, workshop, 0, staff=True)) == 2


def test_is_running_is_true_only_while_a_clock_runs(db, workshop):
    assert not day.is_running(db)
    day.start(db, workshop, now=T0)
    assert day.is_running(db)
    day.pause(db, workshop, now=T0 + 1)
    assert not day.is_running(db)


def test_a_restarted_server_resumes_the_same_round_and_time_left(tmp_path):
    """Stop the server mid-round: a new app on the same database carries on where it was."""
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "RATELIMIT_ENABLED": False,
    }
    first = create_app(config)
    db = open_db(first.config["DATABASE"])
    db.execute("PRAGMA synchronous = OFF")
    workshop = store.create_workshop(db, {"title": "Restart café"})
    store.add_block(db, workshop, {"title": "Morning"}, rounds=3, minutes=20)
    day.advance(db, workshop, now=T0)
    day.advance(db, workshop, now=T0 + 100)  # second round from T0 + 100
    day.extend(db, workshop, 2, now=T0 + 200)
    before = day.state(db, workshop, now=T0 + 400)
    db.close()
    del first

    second = create_app(config)  # the "restart": a new app, the same database file
    db = open_db(second.config["DATABASE"])
    after = day.state(db, workshop, now=T0 + 400)
    assert after["round_id"] == before["round_id"]
    assert after["position"] == 2
    assert after["status"] == "running"
    assert after["remaining"] == before["remaining"] == 22 * 60 - 300
    assert after["seq"] == before["seq"] == 3
    # A paused round stays paused across a restart, with the same time left.
    day.pause(db, workshop, now=T0 + 500)
    db.close()
    third = create_app(config)
    db = open_db(third.config["DATABASE"])
    paused = day.state(db, workshop, now=T0 + 99_999)
    assert paused["status"] == "paused"
    assert paused["remaining"] == 22 * 60 - 400
    # The change log goes on from the same number.
    assert day.resume(db, workshop, now=T0 + 99_999)["seq"] == 5
    db.close()


def test_a_round_change_is_never_logged_without_its_state(tmp_path, db, workshop, monkeypatch):
    """Another connection reading the log while a round starts must never see `{}`.

    Regression: _save committed the change with payload {} and filled it in afterwards.
    """
    seen, reads = [], []
    real_state = day.state

    def state_with_a_reader_in_between(db_, workshop_id, now=None):
        reader = open_db(tmp_path / "quick.db")  # a tablet's catch_up on another thread
        reads.append(1)
        seen.extend(c["payload"] for c in day.changes_since(reader, workshop_id, 0, staff=True))
        reader.close()
        return real_state(db_, workshop_id, now)

    monkeypatch.setattr(day, "state", state_with_a_reader_in_between)
    day.start(db, workshop, now=T0)
    assert reads, "the reader ran"
    assert all(payload.get("status") == "running" for payload in seen), seen
    logged = day.changes_since(db, workshop, 0, staff=True)
    assert logged and all(c["payload"].get("status") == "running" for c in logged)


def test_snapshots_are_taken_only_while_a_round_runs_and_only_the_last_are_kept(
    tmp_path, db, workshop
):
    """While a block runs the database is copied; old copies go; idle days take none."""
    import sqlite3

    folder = tmp_path / "backups"
    assert day.snapshot_while_running(db, folder) is None  # nothing running yet
    day.start(db, workshop, now=T0)
    taken = [day.snapshot_while_running(db, folder, keep=3) for _ in range(5)]
    assert all(path is not None for path in taken)
    kept = sorted(folder.glob("*-live.db"))
    assert len(kept) == 3 and kept == sorted(taken[-3:])
    copy = sqlite3.connect(kept[-1])
    assert copy.execute("SELECT status FROM day_state").fetchone()[0] == "running"
    copy.close()


def test_after_a_blocks_last_round_the_day_is_on_a_break_until_the_next_block(db, workshop):
    """Next round after the morning's last round is a break counting down to 13:30, with the
    afternoon's first round as what comes next; only then does the afternoon start."""
    from datetime import datetime

    afternoon = store.add_block(
        db, workshop, {"title": "Afternoon", "starts_at": "13:30", "break_title": "Lunch"}, 2, 20
    )
    first_after = store.list_items(db, "round", workshop)[2]
    assert first_after["block_id"] == afternoon
    noon = datetime(2026, 5, 4, 12, 50).timestamp()  # this laptop's clock: 40 min before 13:30
    day.start(db, workshop, now=noon - 2 * ROUND)
    day.advance(db, workshop, now=noon - ROUND)  # the morning's second, last round
    pause = day.advance(db, workshop, now=noon)["payload"]
    assert pause["status"] == "break"
    assert pause["round"]["block"] == "Morning"  # late notes still go to the morning's cell
    assert pause["break"] == {"title": "Lunch", "back_at": "13:30", "block": "Afternoon"}
    assert pause["next_round"]["id"] == first_after["id"]
    assert pause["remaining"] == 40 * 60
    assert day.state(db, workshop, now=noon + 600)["remaining"] == 30 * 60  # counts down
    with pytest.raises(store.InputError):
        day.extend(db, workshop, 5, now=noon + 600)
    back = day.advance(db, workshop, now=noon + 2400)["payload"]
    assert (back["status"], back["round_id"], back["break"]) == ("running", first_after["id"], None)
    assert back["remaining"] == 20 * 60


def test_a_break_without_a_start_time_shows_no_countdown(db, workshop):
    store.add_block(db, workshop, {"title": "Afternoon"}, 1, 20)
    day.start(db, workshop, now=T0)
    day.advance(db, workshop, now=T0 + ROUND)
    pause = day.advance(db, workshop, now=T0 + 2 * ROUND)["payload"]
    assert pause["status"] == "break"
    assert pause["break"] == {"title": "Break", "back_at": "", "block": "Afternoon"}
    assert day.state(db, workshop, now=T0 + 5 * ROUND)["remaining"] == 0
    assert day.advance(db, workshop, now=T0 + 6 * ROUND)["payload"]["status"] == "running"
    assert day.advance(db, workshop, now=T0 + 7 * ROUND)["payload"]["status"] == "finished"


def test_block_start_times_are_checked(db, workshop):
    block = store.add_block(db, workshop, {"title": "Late", "starts_at": "9:05"}, 1, 20)
    assert store.get_item(db, "block", workshop, block)["starts_at"] == "09:05"
    for wrong in ("25:00", "noon", "13.30"):
        with pytest.raises(store.InputError) as error:
            store.add_block(db, workshop, {"title": "Bad", "starts_at": wrong}, 1, 20)
        assert "HH:MM" in error.value.errors["starts_at"]
