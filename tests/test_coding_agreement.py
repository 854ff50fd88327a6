"""The consensus of N analysts and their agreement, on the demo workshop: a third analyst who
goes through only some notes changes nothing about the others, is named in every figure, and
the report page says the coding is partial before it is generated."""

import io

from docx import Document

from kt_workshop.coding import agreement, analysis, codebook
from kt_workshop.coding import codes as coding
from kt_workshop.reports.gather import gather
from kt_workshop.reports.word import write_report
from tests.conftest import sign_in_grant


def third_analyst(app, db, demo, how_many=31, differ_every=5):
    """Analyst C goes through the first notes: agrees with Analyst A on most, and on every
    `differ_every`-th note gives a theme nobody else gave there instead."""
    client = app.test_client()
    grant = sign_in_grant(client, app, db, demo, "analyst")
    db["access"].update(grant["id"], {"label": "Analyst C"})
    c = coding.analyst_for(db, demo, "analyst", grant["id"], "Analyst C")
    data = agreement.coding_data(db, demo)
    a = data.analysts[0]
    notes = data.note_ids[:how_many]
    leaves = [t["id"] for t in codebook.themes(db, demo) if t["depth"] == 2]
    for i, note_id in enumerate(notes):
        mine = [t for n, t, who in data.codings if n == note_id and who == a]
        if i % differ_every == 0:
            mine = [next(t for t in leaves if t not in mine)]
        for theme_id in mine:
            coding.code_notes(db, demo, c["id"], [note_id], theme_id)
        coding.mark_seen(db, demo, c["id"], [note_id])
    return client, c, set(notes)


def test_a_third_analyst_changes_nothing_on_notes_they_did_not_go_through(app, db, demo):
    before, _open = agreement.consensus(agreement.coding_data(db, demo))
    _client, c, theirs = third_analyst(app, db, demo)
    data = agreement.coding_data(db, demo)
    after, _open = agreement.consensus(data)
    # A note an analyst has not gone through is no disagreement: it keeps its consensus.
    assert {p for p in after if p[0] not in theirs} == {p for p in before if p[0] not in theirs}
    assert {p for p in after if p[0] in theirs} != {p for p in before if p[0] in theirs}
    cover = agreement.coverage(data)
    assert (cover.analysts, cover.by_all, cover.by_some, cover.by_one, cover.by_none) == (
        3,
        31,
        376 - 31,
        0,
        0,
    )
    assert cover.partial
    found = agreement.overview(db, demo, data)
    assert [a["name"] for a in found["analysts"]] == ["Analyst A", "Analyst B", "Analyst C"]
    assert [(p["a"]["name"], p["b"]["name"]) for p in found["pairs"]] == [
        ("Analyst A", "Analyst B"),
        ("Analyst A", "Analyst C"),
        ("Analyst B", "Analyst C"),
    ]
    # The pairs with C compare only the 31 notes C went through.
    assert [p["units"] for p in found["pairs"]] == [376, 31, 31]
    many = found["many"]
    assert many is not None and 0 < many.pooled.alpha < 1
    # Each open disagreement is counted once, whoever it is between; a pair counts its own.
    open_all = agreement.open_disputes(data)
    assert cover.open == len(open_all)
    for pair in found["pairs"]:
        assert pair["open"] <= cover.open
    disputes = agreement.disputes(data)
    assert {(d["note_id"], d["theme_id"]) for d in disputes if d["decision"] is None} == open_all
    ours = [d for d in disputes if c["id"] in d["coded_by"] + d["not_by"]]
    assert ours and all(d["note_id"] in theirs for d in ours)


def test_the_report_names_every_analyst_every_pair_and_the_all_coder_alpha(app, db, demo):
    third_analyst(app, db, demo)
    data = gather(db, demo)
    figures = data.agreement
    assert [a.name for a in figures.analysts] == ["Analyst A", "Analyst B", "Analyst C"]
    assert len(figures.pairs) == 3 and figures.all_alpha is not None
    assert figures.by_some == 345
    with app.test_request_context():
        doc = Document(io.BytesIO(write_report(data, {})))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Analyst C went through 31 notes" in text
    assert "Analyst B and Analyst C both went through 31 notes" in text
    assert "All 3 analysts together: Krippendorff's alpha" in text
    assert "345 by some of them" in text
    tables = [t for t in doc.tables if [c.text for c in t.rows[0].cells][2:3] == ["Kappa"]]
    assert len(tables) == 3  # one per pair


def test_the_report_page_warns_before_generating_when_coding_is_partial(app, db, demo, organiser):
    page = organiser.get(f"/w/{demo}/report").get_data(as_text=True)
    assert "coverage-warning" in page  # the demo has open disagreements
    assert "disagreements are open" in page
    third_analyst(app, db, demo)
    page = organiser.get(f"/w/{demo}/report").get_data(as_text=True)
    assert "31 of 376 notes were gone through by every analyst (3)" in page
    assert "345 by only some of them" in page


def test_resolving_with_a_reason_is_kept_and_audited(organiser, db, demo):
    data = agreement.coding_data(db, demo)
    target = sorted(agreement.open_disputes(data))[0]
    organiser.post(f"/w/{demo}/codebook/blind", data={"on": "0"})
    organiser.post(
        f"/w/{demo}/compare/decide",
        data={
            "note_id": target[0],
            "theme_id": target[1],
            "decision": "drop",
            "reason": "Names a service, not a theme.",
        },
    )
    data = agreement.coding_data(db, demo)
    assert data.reasons[target] == "Names a service, not a theme."
    assert target not in agreement.open_disputes(data)
    assert agreement.coverage(data).with_reason == 1
    audit = db.execute(
        "SELECT action, detail FROM audit WHERE action LIKE 'consensus:%' ORDER BY id DESC"
    ).fetchone()
    assert audit[0] == "consensus: dropped" and "Names a service" in audit[1]
    resolved = organiser.get(f"/w/{demo}/compare?status=resolved").get_data(as_text=True)
    assert "Names a service, not a theme." in resolved
    theme = codebook.get_theme(db, demo, target[1])
    only = organiser.get(f"/w/{demo}/compare?status=all&theme={target[1]}").get_data(as_text=True)
    assert only.count('class="dispute-theme"') == 1 and theme["name"] in only


def test_one_roll_up_rule_for_the_counts_the_network_and_agreement(db, demo):
    data = gather(db, demo)
    top = [t for t in data.themes if t.parent_id is None]
    for theme in top:  # the heatmap's rows sum to the counts; the notes' 0/1 sets agree
        row = data.matrix[data.themes.index(theme)]
        assert sum(row) == data.theme_totals[theme.id]
        assert sum(theme.id in n.all_theme_ids for n in data.notes) == data.theme_totals[theme.id]
    # The question network reads the same rolled-up codes: an overarching theme links
    # questions whose notes share any theme below it.
    linked = {t for *_ids, _weight, themes in data.links for t in themes}
    assert {t.id for t in top} <= linked
    # Agreement on overarching themes is measured rolled up too (not 0.00 at 99 %).
    pair = data.agreement.pairs[0]
    for theme in top:
        _percent, kappa, _alpha = pair.per_theme[theme.id]
        assert kappa is not None and kappa > 0.5
    # Co-occurrence leaves out a theme with the themes above it.
    lineage = analysis.lineage([{"id": t.id, "parent_id": t.parent_id} for t in data.themes])
    assert not any(a in lineage[b] or b in lineage[a] for a, b in data.co_occurrence)


def test_codings_api_answers_the_consensus_rolled_up(app, db, demo, organiser):
    organiser.post(f"/w/{demo}/codebook/blind", data={"on": "0"})
    client = app.test_client()
    sign_in_grant(client, app, db, demo, "analyst")
    body = client.get(f"/api/v1/workshops/{demo}/codings?analyst=consensus").get_json()
    assert [tuple(p) for p in body["codings"]] == agreement.report_coding(db, demo)


def test_the_agreement_api_gives_every_pair_and_all_analysts(app, db, demo, organiser):
    third_analyst(app, db, demo)
    body = organiser.get(f"/api/v1/workshops/{demo}/agreement").get_json()
    assert [a["name"] for a in body["analysts"]] == ["Analyst A", "Analyst B", "Analyst C"]
    assert len(body["pairs"]) == 3 and "De Vries" in body["pairs"][0]["pooled_kappa"]
    assert body["all_analysts"]["alpha"] is not None
    assert body["coverage"]["by_some"] == 345
    pair = organiser.get(f"/api/v1/workshops/{demo}/agreement?a=1&b=2").get_json()
    unused = [row for row in pair["themes"].values() if row["undefined"]]
    assert unused and all(row["kappa"] is None and row["alpha"] is None for row in unused)


def test_the_comparison_with_fewer_than_two_analysts_says_so(app, db, workshop, organiser):
    organiser.post(f"/w/{workshop}/codebook/blind", data={"on": "0"})
    page = organiser.get(f"/w/{workshop}/compare")
    assert page.status_code == 200
    assert "needs two analysts" in page.get_data(as_text=True)
    assert "No disagreements here" in page.get_data(as_text=True)
    assert organiser.get(f"/api/v1/workshops/{workshop}/agreement").get_json()["pairs"] == []
