"""The planning commands of kt-workshop: `plan` and `groups`, printing JSON for scripts."""

import json
from pathlib import Path

from kt_workshop.commands import fail
from kt_workshop.i18n import _


def _positive(text: str) -> int:
    """An argument that must be a whole number of at least 1."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("%(v)r is not a whole number", v=text)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("must be at least 1, not %(v)s", v=value))
    return value


def cmd_plan(args) -> int:
    """Plan a rotation and print it as JSON."""
    if args.format == "fixed-groups":
        from kt_workshop.plan.algorithms.fixed_groups import plan_fixed_groups

        if args.groups is None or args.moderators is None:
            return fail(_("--format fixed-groups needs --groups and --moderators"))
        try:
            plan = plan_fixed_groups(args.groups, args.moderators, args.rounds, args.blocks)
        except ValueError as error:
            return fail(str(error))
        print(json.dumps(plan.to_json()))
        return 0
    from kt_workshop.plan.algorithms.rotation import plan_rotation

    if args.tables is None or args.rounds is None:
        return fail(_("plan needs --tables and --rounds (and --size or --people)"))
    if args.size is None and args.people is None:
        return fail(_("plan needs --size or --people"))
    if args.size == 1:
        return fail(_("a table of 1 has nobody to talk to: use --size 2 or more"))
    people = args.people if args.people is not None else args.tables * args.size
    if args.tables > people:
        return fail(_("more tables (%(t)s) than people (%(p)s)", t=args.tables, p=people))
    from kt_workshop.plan.algorithms.rotation import ORDERS

    try:
        plan = plan_rotation(
            tables=args.tables,
            rounds=args.rounds,
            people=args.people,
            size=args.size,
            hosts=args.hosts,
            seed=args.seed,
            time_limit=args.time_limit,
            order=next(o for o in ORDERS if o[0] == args.first),
        )
    except ValueError as error:
        return fail(str(error))
    print(json.dumps(plan.to_json()))
    return 0


def cmd_groups(args) -> int:
    """Form balanced groups from a delegate file and print them as JSON."""
    from kt_workshop.plan.algorithms.groups import form_groups
    from kt_workshop.setup.delegates import read_delegates
    from kt_workshop.setup.delegates.fields import HEADINGS

    file = Path(args.people_file)
    if not file.is_file():
        return fail(_("no such file: %(f)s", f=file))
    preview = read_delegates(file.name, file.read_bytes())
    if preview.file_errors:
        return fail(preview.file_errors[0])
    if preview.rejected:
        first = preview.rejected[0]
        return fail(
            _("row %(row)s cannot be read: %(why)s", row=first.row, why="; ".join(first.reasons))
        )
    people = [
        {
            **row.delegate.get("extra", {}),
            **{k: v for k, v in row.delegate.items() if isinstance(v, str)},
        }
        for row in preview.rows
    ]
    # Headers match as a person reads them; a column the file lacks is an error naming the
    # columns it has (unless it is only one of the defaults).
    available = {c: HEADINGS.get(c, c) for c in preview.columns if c != "name"}
    available.update({c: c for c in preview.extra_columns})
    try:
        balance = _chosen(args.balance, "country,sector", available)
        apart = _chosen(args.apart, "organisation", available)
    except ValueError as error:
        return fail(str(error))
    if args.groups > len(people):
        return fail(_("more groups (%(g)s) than people (%(p)s)", g=args.groups, p=len(people)))
    try:
        result = form_groups(people, args.groups, balance=balance, apart=apart, seed=args.seed)
    except ValueError as error:
        return fail(str(error))
    print(json.dumps(result.to_json(), ensure_ascii=False))
    return 0


def _chosen(asked: str | None, default: str, available: dict[str, str]) -> list[str]:
    """Column keys for --balance or --apart; by default, those of the defaults the file has."""
    from kt_workshop.plan.algorithms.groups import column_key, match_columns

    if asked is None:
        known = {column_key(c) for c in [*available, *available.values()]}
        asked = ",".join(c for c in default.split(",") if column_key(c) in known)
    return match_columns(asked.split(","), available)


def add_commands(commands) -> None:
    """Add `plan` and `groups` to the kt-workshop command."""
    plan = commands.add_parser("plan", help=_("plan a rotation and print it as JSON"))
    plan.add_argument(
        "--format",
        choices=["travelling", "fixed-groups"],
        default="travelling",
        help=_("travelling participants, or fixed groups with travelling moderators"),
    )
    plan.add_argument("--tables", type=_positive, help=_("number of tables"))
    plan.add_argument("--size", type=_positive, help=_("people per table"))
    plan.add_argument("--rounds", type=_positive, help=_("number of rounds"))
    plan.add_argument("--people", type=_positive, help=_("number of people (default G*S)"))
    plan.add_argument("--hosts", action="store_true", help=_("person t hosts table t"))
    plan.add_argument("--seed", type=int, default=0, help=_("another seed, another plan"))
    plan.add_argument("--time-limit", type=float, default=1.0, help=_("seconds to search"))
    plan.add_argument(
        "--first",
        choices=["returns", "pairs"],
        default="returns",
        help=_(
            "what matters most: nobody back at a table they sat at (returns),"
            " or fewest repeat meetings (pairs)"
        ),
    )
    plan.add_argument("--groups", type=_positive, help=_("fixed groups"))
    plan.add_argument("--moderators", type=_positive, help=_("travelling moderators"))
    plan.add_argument("--blocks", type=_positive, default=1, help=_("blocks of the day"))
    plan.add_argument("--json", action="store_true", help=_("print JSON (the only output)"))
    plan.set_defaults(handler=cmd_plan)

    groups = commands.add_parser("groups", help=_("form balanced groups from a delegate file"))
    groups.add_argument("--people-file", required=True, help=_("xlsx or csv delegate list"))
    groups.add_argument("--groups", type=_positive, required=True, help=_("number of groups"))
    groups.add_argument(
        "--balance", help=_("columns to mix, comma-separated (default: country,sector)")
    )
    groups.add_argument(
        "--apart", help=_("column whose equal values sit apart (default: organisation)")
    )
    groups.add_argument("--seed", type=int, default=0, help=_("another seed, another split"))
    groups.add_argument("--json", action="store_true", help=_("print JSON (the only output)"))
    groups.set_defaults(handler=cmd_groups)
