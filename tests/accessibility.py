"""The accessibility sweep's parts: every page and who opens it, the shipped languages, axe-core.

axe-core comes from npm (a devDependency in package.json, pinned by package-lock.json) and is
put into the test browser's page by the test itself; the app never serves it.
"""

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no separate "wcag22a" tag).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING_IMPACTS = {"serious", "critical"}


@dataclass(frozen=True)
class Page:
    """A page as one role opens it on the demo workshop (id 1). The address may name
    `{delegate}`, `{theme}` or `{join}` (a join link of another role), filled in from the
    demo's database."""

    role: str
    path: str
    note: str = ""
    room: bool = False  # shown in the workshop's language (projector, printouts), not the person's


# Every page a person opens, for the role that uses it. tests/test_accessibility.py fails when
# an app GET route is neither here nor in NOT_PAGES, so a new page cannot miss the sweep.
PAGES = [
    # Before anyone is signed in: the welcome page with the code, the trust page.
    Page("public", "/welcome"),
    Page("public", "/trust"),
    # Setting up (organiser).
    Page("organiser", "/"),
    Page("organiser", "/workshops/new"),
    Page("organiser", "/topics"),
    Page("organiser", "/account"),
    Page("organiser", "/w/1"),
    Page("organiser", "/w/1/edit"),
    Page("organiser", "/w/1/programme"),
    Page("organiser", "/w/1/tables"),
    Page("organiser", "/w/1/moderators"),
    Page("organiser", "/w/1/delegates"),
    Page("organiser", "/w/1/delegates/{delegate}"),
    Page("organiser", "/w/1/delegates/import"),
    Page("organiser", "/w/1/access"),
    Page("organiser", "/w/1/privacy"),
    Page("organiser", "/w/1/audit"),
    Page("organiser", "/w/1/feedback/setup"),
    Page("organiser", "/join/{join}", "an organiser opening a tablet's link is asked first"),
    # Planning and its printable pages.
    Page("organiser", "/w/1/plan"),
    *(
        Page("organiser", f"/w/1/printouts/{kind}.html", room=True)
        for kind in ("cards", "itineraries", "runsheets", "rosters", "badges", "links")
    ),
    # The day: the control room and the projector (organiser), the tablet (moderator).
    Page("organiser", "/w/1/live"),
    Page("organiser", "/w/1/projector", room=True),
    Page("moderator", "/w/1/tablet"),
    Page("moderator", "/w/1/me"),
    # Participants' pages on their phones.
    Page("participant", "/w/1/me"),
    Page("participant", "/w/1/feedback"),
    # Analysis (analyst) and the report (organiser; analysts see it too).
    Page("analyst", "/w/1/me"),
    Page("analyst", "/w/1/coding"),
    Page("analyst", "/w/1/codebook"),
    Page("analyst", "/w/1/codebook/themes/{theme}/split"),
    Page("analyst", "/w/1/suggestions"),
    Page("analyst", "/w/1/compare"),
    Page("analyst", "/w/1/writeup"),
    Page("analyst", "/w/1/ideas"),
    Page("analyst", "/w/1/report"),
    Page("organiser", "/w/1/report"),
    Page("organiser", "/w/1/report/review"),
    # What anyone may meet: the page for an address that does not exist.
    Page("organiser", "/w/1/no-such-page", "the error page"),
]

# GET routes that are not pages a person reads, and why.
NOT_PAGES = {
    "static": "stylesheets, scripts and pictures",
    "auth.favicon": "the icon",
    "auth.signin": "signs the organiser in and redirects",
    "live.service_worker": "a script",
    "trust.authority_certificate": "a certificate file",
    "auth.audit_export": "a CSV download",
    "auth.delegate_data": "a JSON download",
    "auth.my_day": "JSON for the participant's page",
    "codebook.export_csv": "a download",
    "codebook.export_qdc": "a download",
    "codebook.export_qdpx": "a download",
    "roster.delegate_export": "a download",
    "organise.pack_export": "a download",
    "live.photo": "a picture (its alt text is the page's: tests/test_accessibility.py)",
    "live.projector_next": "JSON for the projector",
    "report.chart_preview": "a picture (its alt text is the page's)",
    "report.download": "a download",
    "report.job_status": "JSON for the report page",
    "workspace.theme_css": "a stylesheet",
}


def shipped_languages(translations: Path | None = None) -> list[str]:
    """The languages the app ships, found by Flask-Babel itself (a folder per language under
    kt_workshop/translations with a compiled catalogue, and the default language)."""
    from kt_workshop.app import create_app
    from kt_workshop.web import babel

    with tempfile.TemporaryDirectory() as folder:
        settings = {"TESTING": True, "INSTANCE_PATH": folder, "SECRET_KEY": "probe"}
        if translations is not None:
            settings["BABEL_TRANSLATION_DIRECTORIES"] = str(translations)
        app = create_app(settings)
        with app.app_context():
            return sorted({str(locale) for locale in babel.list_translations()})


def axe_available() -> bool:
    """True when npm has put axe-core into node_modules (`python run.py test` does)."""
    return AXE.is_file()


def require_axe():
    """Skip (fail where the browser tests must run) when axe-core is not installed."""
    import pytest

    if axe_available():
        return
    message = "axe-core is not in node_modules: run `npm ci` (python run.py test does)"
    if os.environ.get("KT_WORKSHOP_REQUIRE_BROWSER") or os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


SETTLED = """() => new Promise((resolve) => {
  // Live pages draw what the server sends after they connect: wait until nothing but the
  // clocks has changed for a moment (at most a few seconds).
  const ticking = (node) => node.parentElement && node.parentElement.closest('[aria-live="off"]');
  let quiet;
  const observer = new MutationObserver((records) => {
    if (records.every((record) => ticking(record.target) || record.target.closest?.('[aria-live="off"]'))) return;
    clearTimeout(quiet);
    quiet = setTimeout(done, 300);
  });
  const cap = setTimeout(done, 4000);
  function done() { observer.disconnect(); clearTimeout(cap); clearTimeout(quiet); resolve(); }
  observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  quiet = setTimeout(done, 300);
})"""


def open_settled(page, address: str):
    """Open the page and wait until it shows what it is going to show: its document, its live
    connection when it has one, and what arrives over it. Returns the response."""
    response = page.goto(address, wait_until="domcontentloaded")
    if page.locator("#connection").count():
        page.wait_for_function(
            "() => document.querySelector('#connection.is-online, #connection.is-offline')",
            timeout=15000,
        )
    page.evaluate(SETTLED)
    return response


_AXE_SOURCE: list[str] = []


def run_axe(page) -> list[dict]:
    """Run axe-core on the page as it is now; return its WCAG A/AA violations.

    The script goes in through the browser's debugging protocol (page.evaluate), which the
    page's Content-Security-Policy does not govern, so the app's policy stays as it is.
    """
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(AXE.read_text("utf-8"))
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_AXE_SOURCE[0])
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    result = page.evaluate("options => axe.run(document, options)", options)
    return result["violations"]


def serious(violations: list[dict]) -> list[dict]:
    """The violations that fail the build."""
    return [v for v in violations if v.get("impact") in FAILING_IMPACTS]


# Opt-in screenshots: a person looks at each page in each language on a 10-inch tablet, upright
# and on its side, for text left in English, cut off or overlapping. Off unless asked for.
SCREENSHOT_SIZES = [(800, 1280), (1280, 800)]


def screenshot_folder() -> Path | None:
    """The folder KT_WORKSHOP_SCREENSHOTS names, or None (the usual run: no screenshots)."""
    named = os.environ.get("KT_WORKSHOP_SCREENSHOTS", "").strip()
    return Path(named) if named else None


def screenshot_name(page_entry: Page) -> str:
    """A file name for the page as its role opens it: `organiser-w-1-plan.png`."""
    slug = "".join(c if c.isalnum() or c in "._" else "-" for c in page_entry.path.strip("/"))
    return f"{page_entry.role}-{slug.strip('-') or 'home'}.png"


def save_screenshots(page, folder: Path, language: str, page_entry: Page) -> None:
    """Full-page screenshots of the page as it is now at each tablet size, into
    `<folder>/<language>/<width>x<height>/`; the window is put back to its size after."""
    before = page.viewport_size
    try:
        for width, height in SCREENSHOT_SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate(
                "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
            )
            target = folder / language / f"{width}x{height}" / screenshot_name(page_entry)
            target.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(target), full_page=True)
    finally:
        page.set_viewport_size(before)


def describe(violations: list[dict]) -> str:
    """Violations in a few readable lines each: rule, impact, where, what to fix."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {json.dumps(node['target'])}: {summary[:300]}")
    return "\n".join(lines)
