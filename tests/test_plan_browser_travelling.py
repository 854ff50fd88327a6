"""In a real Chromium: the travelling plan grid reads at a glance, on a laptop and a tablet."""

import os
from pathlib import Path

import pytest

from kt_workshop import store
from kt_workshop.db import open_db

pytestmark = pytest.mark.browser


def hosted_cafe(db_path) -> int:
    """8 tables, each with a host and the host's question; 40 delegates; 4 rounds."""
    db = open_db(str(db_path))
    workshop = store.create_workshop(db, {"title": "Hosted café", "format": "travelling"})
    block = store.add_block(db, workshop, {"title": "Morning"}, rounds=4, minutes=20)
    for n in range(1, 9):
        table = store.add_item(db, "tables", workshop, {"name": f"Table {n}", "capacity": 6})
        question = store.add_item(
            db,
            "question",
            workshop,
            {"text": f"What would help most with challenge {n}?", "block_id": block},
        )
        store.add_item(
            db,
            "moderator",
            workshop,
            {"name": f"Host {n}", "question_id": question, "table_id": table},
        )
    given = ["Zofia", "Jürgen", "Amelia", "Matteo", "Ingrid", "Lotte", "Paweł", "Chiara"]
    family = ["Wiśniewska", "Müller", "Hughes", "Rossi", "Hansen"]
    store.add_delegates(
        db,
        workshop,
        [
            {
                "name": f"{given[i % 8]} {family[i // 8]}",
                "country": ["Poland", "Germany", "United Kingdom", "Italy", "Norway"][i % 5],
                "sector": ["Police", "Charity", "School"][i % 3],
                "organisation": f"Org {i % 9}",
            }
            for i in range(40)
        ],
    )
    db.close()
    return workshop


def test_the_travelling_grid_reads_at_a_glance(live_server, browser, tmp_path):
    """Empty plan says so; planned: names first, nobody returns, the mix on demand."""
    workshop = hosted_cafe(live_server.db_path)
    shots = Path(os.environ.get("KT_WORKSHOP_SCREENSHOTS", tmp_path))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(live_server.signin_url)
    for width, height in [(1280, 800), (800, 1280)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/w/{workshop}/plan")
        if width == 1280:
            assert page.get_by_text("The plan is empty: nobody is seated yet.").is_visible()
            assert page.locator("text=self-led").count() == 0
            page.locator("#rotation").screenshot(path=str(shots / "plan-empty-1280.png"))
            page.get_by_role("button", name="Plan the rotation").click()
            assert page.get_by_text("Rotation planned.").is_visible()
        scores = page.locator("#scores")
        assert scores.locator("dd.returns").inner_text() == "nobody"
        assert scores.locator("dd.question-repeats").inner_text() == "nobody"
        head = page.locator(".plan-grid thead th").nth(3)
        assert "Host 3" in head.inner_text() and "challenge 3" in head.inner_text()
        cell = page.locator(".plan-grid tbody td").first
        assert cell.locator(".names li").count() == 5
        assert not cell.locator(".make-up").is_visible()
        page.locator("#rotation").screenshot(path=str(shots / f"plan-{width}x{height}.png"))
        page.get_by_label("Show each table's countries and sectors").check()
        assert cell.locator(".make-up").is_visible()
        page.locator("#rotation").screenshot(path=str(shots / f"plan-mix-{width}x{height}.png"))
        page.screenshot(path=str(shots / f"plan-page-{width}x{height}.png"))
    context.close()
