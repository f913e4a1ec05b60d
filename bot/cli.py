"""The `safetynet` command line: run, invite, migrate, backup.

Every command reads settings from the environment (see README) and reports problems in one line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.accounts import InviteProblem
from bot.app import open_services
from bot.config import PROJECT_ROOT, Settings, SettingsError, load_settings
from bot.demo import NotDemoDataError, demo_guide, seed
from bot.domain.danger_model import train as train_danger_model
from bot.domain.recognition import recognise
from bot.domain.redaction import redact
from bot.domain.roles import Role, UnitRole
from bot.domain.scoring import report_lines, score, score_json
from bot.domain.working_days import TAIPEI
from bot.jurisdictions import JurisdictionError, load_jurisdiction
from bot.logs import configure_logging
from bot.private_files import keep_new_files_private, make_state_private
from bot.render import roc_datetime
from bot.runner import PortInUseError, run
from storage import open_database
from storage.engine import backup_sqlite, sqlite_path
from storage.migrate import upgrade
from storage.repositories import meta

TUNING_CORPUS = PROJECT_ROOT / "tests/data/referrals/tuning.jsonl"
SHIPPED_MODEL = PROJECT_ROOT / "bot/domain/danger_model.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safetynet", description="社安網協作機器人")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start the bot (sandbox mode without a token)")
    run.add_argument("--port", type=int, default=None, help="sandbox port (default 8081)")
    run.add_argument(
        "--demo", action="store_true", help="sandbox mode with the demo district (var/demo.db)"
    )
    commands.add_parser("demo", help="fill var/demo.db with a fictional demo district")
    invite = commands.add_parser("invite", help="print a one-time invite code")
    invite.add_argument("--role", required=True, choices=[role.value for role in Role])
    invite.add_argument("--unit", default=None, help="unit id from the jurisdiction file")
    commands.add_parser("migrate", help="bring the database to the newest schema")
    obligations = commands.add_parser(
        "obligations", help="list open obligations on a day as JSON lines"
    )
    obligations.add_argument(
        "--at",
        type=date.fromisoformat,
        default=None,
        help="the day, YYYY-MM-DD (default today in Asia/Taipei)",
    )
    meetings = commands.add_parser(
        "meetings", help="list meetings and their deadline states on a day as JSON lines"
    )
    meetings.add_argument(
        "--at",
        type=date.fromisoformat,
        default=None,
        help="the day, YYYY-MM-DD (default today in Asia/Taipei)",
    )
    nudges = commands.add_parser("nudges", help="the nudge outbox")
    nudge_commands = nudges.add_subparsers(dest="nudge_command", required=True)
    plan = nudge_commands.add_parser(
        "plan", help="print, as JSON lines, what would be sent at a moment (sends nothing)"
    )
    plan.add_argument(
        "--at",
        type=datetime.fromisoformat,
        default=None,
        help="the moment, e.g. 2027-03-01T09:00 (Asia/Taipei unless an offset is given)",
    )
    recognise_command = commands.add_parser(
        "recognise",
        help='read JSON lines {"id", "text"} on stdin; write what the recogniser finds',
    )
    recognise_command.add_argument(
        "--score",
        type=Path,
        default=None,
        metavar="FILE",
        help="score the recogniser on a labelled JSON lines file (tests/data/referrals/README.md)",
    )
    recognise_command.add_argument(
        "--json", action="store_true", help="with --score: print the score as one JSON object"
    )
    train_model = commands.add_parser(
        "train-model",
        help="rebuild the safety gate's second reader from the tuning part of the corpus",
    )
    train_model.add_argument("--corpus", type=Path, default=TUNING_CORPUS)
    train_model.add_argument("--out", type=Path, default=SHIPPED_MODEL)
    backup = commands.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("path", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    keep_new_files_private()
    try:
        settings = load_settings(
            sandbox_port=getattr(args, "port", None),
            demo=args.command == "demo" or bool(getattr(args, "demo", False)),
        )
    except SettingsError as error:
        print(f"safetynet: {error}", file=sys.stderr)
        return 2
    configure_logging(
        settings.log_level,
        [
            settings.token.reveal(),
            settings.secret_key.reveal(),
            settings.webhook_secret.reveal() if settings.webhook_secret else "",
        ],
    )
    make_state_private(settings.var_dir, sqlite_path(settings.database_url))
    commands: dict[str, Callable[[], int]] = {
        "run": lambda: _run(settings),
        "demo": lambda: asyncio.run(_demo(settings)),
        "invite": lambda: asyncio.run(_invite(settings, Role(args.role), args.unit)),
        "migrate": lambda: asyncio.run(_migrate(settings)),
        "recognise": lambda: (
            _score(settings, args.score, as_json=args.json) if args.score else _recognise(settings)
        ),
        "obligations": lambda: asyncio.run(_obligations(settings, args.at)),
        "meetings": lambda: asyncio.run(_meetings(settings, args.at)),
        "nudges": lambda: asyncio.run(_nudges_plan(settings, args.at)),
        "backup": lambda: _backup(settings, args.path),
        "train-model": lambda: _train_model(args.corpus, args.out),
    }
    try:
        return commands[args.command]()
    except JurisdictionError as error:
        print(f"safetynet: jurisdiction file: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _run(settings: Settings) -> int:
    try:
        asyncio.run(run(settings, lambda line: print(line, flush=True)))
    except PortInUseError as error:
        print(f"safetynet: {error}", file=sys.stderr)
        return 1
    return 0


async def _invite(settings: Settings, role: Role, unit_id: str | None) -> int:
    services = await open_services(settings)
    try:
        jurisdiction = services.jurisdiction
        unit = jurisdiction.unit(unit_id)
        if unit_id and unit is None:
            print(f"safetynet: no unit {unit_id!r} in the jurisdiction file", file=sys.stderr)
            return 2
        if unit is None and role is Role.ADMIN:
            unit = next(u for u in jurisdiction.units if u.role is UnitRole.BUREAU)
        result = await services.accounts.issue_invite(issuer=None, role=role, unit=unit)
        if isinstance(result, InviteProblem):
            print(f"safetynet: a {role.value} cannot belong to {unit_id}", file=sys.stderr)
            return 2
        async with services.db.read() as conn:
            username = await meta.get(conn, "bot_username")
        print(f"invite code: {result.code}")
        print(f"role: {role.value}   unit: {unit.name if unit else '(the person picks)'}")
        print(f"valid until {roc_datetime(result.invite.expires_at)} (Asia/Taipei), once")
        if settings.sandbox or not username:
            print(f"send to the bot: /start {result.code}")
        else:
            print(f"link: https://t.me/{username}?start={result.code}")
        return 0
    finally:
        await services.db.close()


async def _migrate(settings: Settings) -> int:
    db = open_database(settings.database_url)
    try:
        revision = await upgrade(db)
    finally:
        await db.close()
    print(f"database at revision {revision}")
    return 0


def _backup(settings: Settings, target: Path) -> int:
    source = sqlite_path(settings.database_url)
    if source is None or not source.exists():
        print("safetynet: backup copies a SQLite database file; none found", file=sys.stderr)
        return 2
    result = backup_sqlite(source, target)
    if result != "ok":
        print(f"safetynet: the copy failed its integrity check: {result}", file=sys.stderr)
        return 1
    print(f"backup written to {target} (integrity check: ok)")
    return 0


def _score(settings: Settings, path: Path, *, as_json: bool) -> int:
    """Per-field accuracy, mandatory-report recall and precision, per-category precision and
    recall of the recogniser on a labelled file; 1 when the file cannot be read."""
    jurisdiction = load_jurisdiction(settings.jurisdiction_path)
    try:
        items = _load_labelled(path)
    except (OSError, ValueError) as error:
        print(f"safetynet: {path}: {error}", file=sys.stderr)
        return 1
    predictions = [recognise(item["text"], jurisdiction).to_json(item["id"]) for item in items]
    result = score(items, predictions)
    if as_json:
        print(json.dumps(score_json(result), ensure_ascii=False))
    else:
        for line in report_lines(result):
            print(line)
    return 0


def _load_labelled(path: Path) -> list[dict[str, Any]]:
    """A labelled JSON lines file; ValueError names the first line that is not an item."""
    items: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"line {number}: not JSON ({error.msg})") from None
        if not (
            isinstance(item, dict)
            and isinstance(item.get("text"), str)
            and isinstance(item.get("expect"), dict)
        ):
            raise ValueError(f'line {number}: not an {{"id", "text", "expect"}} object')
        items.append(item)
    return items


def _train_model(corpus: Path, out: Path) -> int:
    """Train the danger model on a labelled file (the tuning part, never the held-out one)."""
    try:
        items = _load_labelled(corpus)
    except (OSError, ValueError) as error:
        print(f"safetynet: {corpus}: {error}", file=sys.stderr)
        return 1
    model = train_danger_model(
        (redact(item["text"]).text, bool(item["expect"]["mandatory_report"])) for item in items
    )
    out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"{out}: {len(model.weights)} weights from {len(items)} descriptions")
    return 0


def _recognise(settings: Settings) -> int:
    """One JSON line out for each JSON line in; a bad line gets an error line, not a stop."""
    jurisdiction = load_jurisdiction(settings.jurisdiction_path)
    for number, raw in enumerate(sys.stdin, 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
            text = item["text"]
            if not isinstance(text, str):
                raise TypeError("text must be a string")
        except (ValueError, KeyError, TypeError) as error:
            print(
                json.dumps({"line": number, "error": f"not a {{id, text}} object: {error}"}),
                flush=True,
            )
            continue
        found = recognise(text, jurisdiction)
        print(json.dumps(found.to_json(item.get("id")), ensure_ascii=False), flush=True)
    return 0


async def _obligations(settings: Settings, at: date | None) -> int:
    """Open obligations (owner, case, kind, due, state) on a day, one JSON line each."""
    services = await open_services(settings)
    try:
        day = at or datetime.now(TAIPEI).date()
        for owed in await services.cases.obligations_at(day):
            print(
                json.dumps(
                    {
                        "owner_staff_id": owed.owner_staff_id,
                        "owner_unit": owed.owner_unit_id,
                        "case": owed.case_code,
                        "kind": owed.kind,
                        "period": owed.period,
                        "due": owed.due.isoformat(),
                        "state": owed.state,
                    },
                    ensure_ascii=False,
                )
            )
    finally:
        await services.db.close()
    return 0


async def _meetings(settings: Settings, at: date | None) -> int:
    """Meetings and their deadline states on a day, one JSON line each (a read only)."""
    services = await open_services(settings)
    try:
        day = at or datetime.now(TAIPEI).date()
        for found in await services.meetings.deadlines_at(day):
            meeting = found.meeting
            print(
                json.dumps(
                    {
                        "meeting": meeting.id,
                        "series": meeting.series_key,
                        "district": meeting.district,
                        "starts_at": meeting.starts_at.astimezone(TAIPEI).isoformat(),
                        "window": found.window,
                        "held": found.held,
                        "referral_cutoff": meeting.referral_cutoff.isoformat()
                        if meeting.referral_cutoff
                        else None,
                        "referral_cutoff_state": found.referral_cutoff,
                        "minutes_due": meeting.minutes_due.isoformat(),
                        "minutes": found.minutes,
                    },
                    ensure_ascii=False,
                )
            )
    finally:
        await services.db.close()
    return 0


async def _demo(settings: Settings) -> int:
    """Seed the demo district (once) and say whom to play."""
    services = await open_services(settings)
    try:
        try:
            created = await seed(services)
        except NotDemoDataError as error:
            print(f"safetynet: {settings.var_dir / 'demo.db'}: {error}", file=sys.stderr)
            return 2
        print(demo_guide(created))
    finally:
        await services.db.close()
    return 0


async def _nudges_plan(settings: Settings, at: datetime | None) -> int:
    """What the sender would send at a moment, one JSON line each; nothing is sent or stored."""
    services = await open_services(settings)
    try:
        moment = at or datetime.now(TAIPEI)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=TAIPEI)
        for due in await services.nudges.would_send(moment):
            print(
                json.dumps(
                    {
                        "recipient_staff_id": due.recipient_id,
                        "kind": due.kind.value,
                        "subject": due.subject,
                        "step": due.step,
                        "due_at": due.at.astimezone(TAIPEI).isoformat(),
                        "dedupe_key": due.dedupe_key,
                    },
                    ensure_ascii=False,
                )
            )
    finally:
        await services.db.close()
    return 0
