"""`kt-workshop export`: the report, the workbook, the charts, the coding project and the archive
from the command line, the same files as the report page."""

import sys
from pathlib import Path

from kt_workshop.i18n import _


def cmd_export(args) -> int:
    """Write the chosen files and print each path, one per line."""
    from kt_workshop import store
    from kt_workshop.commands import fail, open_database
    from kt_workshop.i18n import language_name, shipped_languages
    from kt_workshop.reports import pack
    from kt_workshop.reports.dataset import Options

    language = (args.language or "").replace("-", "_")
    if language and language not in shipped_languages():
        offered = ", ".join(f"{code} ({language_name(code)})" for code in shipped_languages())
        return fail(
            _(
                "no translation into %(language)s is installed; choose one of: %(offered)s",
                language=language,
                offered=offered,
            )
        )
    db = open_database(args)
    out = Path(args.out or Path("exports") / f"workshop-{args.workshop}")
    formats = ["all"] if not args.format or "all" in args.format else args.format
    try:  # build_pack finds the workshop before it writes anything
        written, problems = pack.build_pack(
            db, args.workshop, out, formats, Options(names=args.names, language=language)
        )
    except store.NotFound as error:
        return fail(str(error))
    except OSError as error:
        return fail(_("could not write to %(out)s: %(why)s", out=out, why=error.strerror), 1)
    for path in written:
        print(path)
    for problem in problems:
        print(f"kt-workshop: {problem}", file=sys.stderr)
    return 1 if "pdf" in formats and not any(p.suffix == ".pdf" for p in written) else 0


def add_commands(commands) -> None:
    """Add `export` to the kt-workshop command."""
    from kt_workshop.reports.pack import CHOICES

    export = commands.add_parser(
        "export",
        help=_("write the report, workbook, charts, coding project or archive of a workshop"),
        description=_(
            "Write the workshop's report (docx, and a PDF where LibreOffice is installed), its"
            " data (xlsx), the charts (PNG), the coding project (REFI-QDA qdpx) and the"
            " archive (JSON), all from the same data; print the paths written."
        ),
    )
    export.add_argument("workshop", type=int, help=_("workshop id"))
    export.add_argument(
        "--format",
        action="append",
        choices=CHOICES,
        default=None,
        help=_("what to write; repeat for several (default: all)"),
    )
    export.add_argument("--out", help=_("folder to write to (default: exports/workshop-ID)"))
    export.add_argument(
        "--names",
        action="store_true",
        help=_("name the delegates in the workbook (default: pseudonyms)"),
    )
    export.add_argument(
        "--language",
        metavar="CODE",
        help=_(
            "the language of the report's and workbook's fixed text, such as pl, de or en "
            "(default: the workshop's language)"
        ),
    )
    export.add_argument(
        "--db",
        help=_(
            "the workshop database file (default: $KT_WORKSHOP_DB, else instance/kt-workshop.db)"
        ),
    )
    export.set_defaults(handler=cmd_export)
