"""A synthetic database at national scale, entirely fictional, for the scale benchmark.

The schema comes from the product: `bot.app.open_services` runs the migrations and mirrors the
jurisdiction's units, exactly as `safetynet migrate` / a first start does. The rows are then
written with plain sqlite3 (big transactions, `executemany`, secondary indexes dropped and
re-created from the migrations' own SQL), which is what makes ten million rows take minutes.

What is fictional and how: staff are "員工00042"; families are the demo's stories
(`bot.demo.STORIES`) moved to every district and renamed under masked aliases (林○華), run
through the product's recogniser for their categories, needs and household; narratives, entry
notes, next steps and tracking reasons are encrypted with the benchmark's own key from a small
pool of fictional texts (the same ciphertext recurs across rows, which is harmless here).
Dates use the product's own rules: report due days (`monthly_report_due`), 幸扶守護 windows
(`visit_plan.windows`).

Shape (documented in docs/benchmarks.md): cases over ten years (ROC 106–115) in every
district; recent referrals partly still waiting; 8 % returned; older cases mostly closed; one
open case in ten tracked (列管) with a monthly report per month (a few overdue); 幸扶守護 plans
for recent suicide-economic cases; one entry in twenty names a dated next step (a duty).
Meetings cycle through the three series and all districts over the ten years. Not generated:
the audit log, meeting answers/decisions/resolutions, nudges, drafts.
"""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # 10:00 in Taipei
FIRST_DAY = date(2017, 1, 1)
SEED = 20261124
BATCH = 50_000
VISIT_KINDS = ("home_visit", "phone_visit", "interview", "accompaniment", "network_contact")
# Open cases by status: (cumulative share, status); the rest are in service.
OPEN_CASE_STATUSES = (
    (0.03, "awaiting_assignment"),
    (0.08, "closure_requested"),
    (0.30, "follow_up"),
)
OTHER_KINDS = ("family_call", "school_visit", "official_reply", "other", "service_plan")


@dataclass(frozen=True)
class Scale:
    cases: int
    entries: int
    staff: int
    meetings: int

    def as_json(self) -> dict[str, int]:
        return {
            "cases": self.cases,
            "entries": self.entries,
            "staff": self.staff,
            "meetings": self.meetings,
        }


FULL = Scale(cases=1_000_000, entries=10_000_000, staff=50_000, meetings=5_000)
QUICK = Scale(cases=10_000, entries=100_000, staff=500, meetings=50)


def _stamp(moment: datetime) -> str:
    """How storage.types.UTCDateTime writes a moment (naive UTC text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _day_stamp(day: date, rng: random.Random) -> str:
    return _stamp(
        datetime(day.year, day.month, day.day, tzinfo=UTC)
        + timedelta(seconds=rng.randrange(0, 9 * 3600))
    )


@dataclass
class Context:
    """What the generator needs from the product, prepared once (async, through services)."""

    districts: list[str]
    center_of: dict[str, str]  # district → the family service center taking its referrals
    units: list[tuple[str, str, tuple[str, ...]]]  # (id, unit role, districts)
    meeting_units: dict[tuple[str, str | None], list[str]]  # (series, district) → unit ids
    series: list[tuple[str, str]]  # (key, scope)
    families: list[dict[str, Any]]  # recognised fictional stories
    narratives: list[bytes]
    notes: list[bytes]
    steps: list[bytes]
    reason: bytes
    report_due: dict[tuple[int, int], date]
    visit_due: Any  # callable: opened date → the three window ends


async def _context(env: dict[str, str]) -> Context:
    from bot.app import open_services  # noqa: PLC0415 — only generation needs the product
    from bot.cases import NOTE_PURPOSE, STEP_PURPOSE, TRACKING_PURPOSE  # noqa: PLC0415
    from bot.config import load_settings  # noqa: PLC0415
    from bot.demo import STORIES  # noqa: PLC0415
    from bot.domain.recognition import recognise  # noqa: PLC0415
    from bot.domain.visit_plan import VisitPlan, windows  # noqa: PLC0415
    from bot.domain.working_days import monthly_report_due  # noqa: PLC0415
    from bot.referrals import NARRATIVE_PURPOSE  # noqa: PLC0415

    services = await open_services(load_settings(env))  # migrations + units, as deployed
    try:
        jurisdiction = services.jurisdiction
        districts = [d.name for d in jurisdiction.districts]
        center_of = {}
        for name in districts:
            covering = jurisdiction.centers_covering(name)
            if covering:
                center_of[name] = covering[0].id
        districts = [d for d in districts if d in center_of]
        meeting_units: dict[tuple[str, str | None], list[str]] = {}
        series = []
        for item in jurisdiction.meeting_series:
            series.append((item.key, item.scope))
            places: list[str | None] = list(districts) if item.scope == "district" else [None]
            for place in places:
                meeting_units[(item.key, place)] = [
                    u.id for u in services.meetings.default_units(item, place)
                ]
        families = []
        narratives = []
        surnames = "林王陳張李黃吳劉周鄭許蔡楊謝郭洪曾邱廖賴"
        for number, story in enumerate(STORIES * 2):
            alias_at = story.index("○") - 1
            text = story[:alias_at] + surnames[number % len(surnames)] + story[alias_at + 1 :]
            found = recognise(text, jurisdiction)
            families.append(
                {
                    "alias": found.alias,
                    "children_under_6": found.household.children_under_6,
                    "children_6_17": found.household.children_6_17,
                    "elders_65_plus": found.household.elders_65_plus,
                    "disabled": found.household.disabled,
                    "categories": ",".join(c.value for c in found.categories),
                    "needs": ",".join(n.value for n in found.needs),
                    "priority_flags": ",".join(f.value for f in found.priority_flags),
                    "mandatory_report": bool(found.mandatory_report),
                }
            )
            narratives.append(services.keyring.encrypt(NARRATIVE_PURPOSE, text))
        notes = [
            services.keyring.encrypt(NOTE_PURPOSE, f"訪視紀錄（虛構）：案家狀況穩定，持續關懷。{n}")
            for n in range(20)
        ]
        steps = [
            services.keyring.encrypt(STEP_PURPOSE, f"下一步（虛構）：連結資源 {n}")
            for n in range(10)
        ]
        reason = services.keyring.encrypt(TRACKING_PURPOSE, "個案研討會決議列管（虛構）")
        calendar = services.cases.calendar
        due_day = services.cases.report_due_day
        report_due = {
            (year, month): monthly_report_due((year, month), due_day, calendar=calendar)
            for year in range(FIRST_DAY.year, TODAY.year + 1)
            for month in range(1, 13)
        }

        def visit_due(opened: date) -> list[date]:
            return [w.end for w in windows(VisitPlan(start=opened))]

        units = [(u.id, u.role.value, u.districts) for u in jurisdiction.units]
        return Context(
            districts=districts,
            center_of=center_of,
            units=units,
            meeting_units=meeting_units,
            series=series,
            families=families,
            narratives=narratives,
            notes=notes,
            steps=steps,
            reason=reason,
            report_due=report_due,
            visit_due=visit_due,
        )
    finally:
        await services.db.close()


class Writer:
    """Batched executemany into one table, in the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection, table: str, columns: list[str]) -> None:
        self.conn = conn
        marks = ", ".join("?" for _ in columns)
        self.sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.conn.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows = []


def _months(since: date, until: date) -> Iterator[tuple[int, int]]:
    year, month = since.year, since.month
    while (year, month) <= (until.year, until.month):
        yield year, month
        month += 1
        if month == 13:
            year, month = year + 1, 1


def generate(path: Path, env: dict[str, str], scale: Scale) -> dict[str, Any]:
    """Write the database at `path` (which `env` points SAFETYNET_DATABASE_URL at)."""
    began = time.monotonic()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    context = asyncio.run(_context(env))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-262144")
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        conn.execute("BEGIN")
        counts = _fill(conn, context, scale)
        conn.execute("COMMIT")
        for _, sql in indexes:
            conn.execute(sql)
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    return {
        "seconds": round(time.monotonic() - began, 1),
        "bytes": path.stat().st_size,
        "rows": counts,
        "scale": scale.as_json(),
    }


def _fill(conn: sqlite3.Connection, context: Context, scale: Scale) -> dict[str, int]:
    rng = random.Random(SEED)  # noqa: S311 — reproducible fictional data, not secrets
    staff_ids = _staff(conn, context, scale, rng)
    counts = {"staff": len(staff_ids["all"])}
    counts |= _referrals(conn, context, scale, rng, staff_ids)
    counts["meetings"] = _meetings(conn, context, scale, rng, staff_ids)
    return counts


def _staff(
    conn: sqlite3.Connection, context: Context, scale: Scale, rng: random.Random
) -> dict[str, Any]:
    """Staff over every unit: centers get case managers (and one supervisor in eight), district
    offices and the bureau secretariats, everyone else network workers."""
    first = int(conn.execute("SELECT coalesce(max(id), 0) FROM staff").fetchone()[0]) + 1
    writer = Writer(
        conn,
        "staff",
        [
            "id",
            "telegram_user_id",
            "display_name",
            "role",
            "unit_id",
            "status",
            "locale",
            "invite_id",
            "decided_by",
            "decided_at",
            "created_at",
            "updated_at",
        ],
    )
    # Centers are the big units; the bureau is a fixed few. People who are told of everything
    # in their unit (supervisors, secretariats, admins) stay at a realistic few per unit however
    # many staff there are: the national numbers go to case managers and network workers.
    weights = {"family_service_center": 6.0, "district_office": 1.0, "network": 1.0}
    bureau_size = 15
    total_weight = sum(weights.get(role, 0.0) for _, role, _ in context.units)
    by: dict[str, Any] = {
        "all": [],
        "managers": {},  # center → case managers
        "supervisors": {},  # center → supervisors
        "workers": {},  # district → network / district-office workers
        "secretariat": {},  # unit → secretariat
        "admins": [],
        "unit_of": {},
    }
    created = _stamp(datetime(2017, 1, 2, 1, tzinfo=UTC))
    next_id = first
    for unit_id, role, districts in context.units:
        share = (
            bureau_size
            if role == "bureau"
            else max(4, round((scale.staff - bureau_size) * weights[role] / total_weight))
        )
        for n in range(share):
            person_role = _role_in(role, n)
            status = "active" if rng.random() < 0.95 else rng.choice(["suspended", "pending"])
            writer.add(
                (
                    next_id,
                    5_000_000_000 + next_id,
                    f"員工{next_id:05d}",
                    person_role,
                    unit_id,
                    status,
                    "zh_TW",
                    None,
                    None,
                    None,
                    created,
                    created,
                )
            )
            by["all"].append(next_id)
            by["unit_of"][next_id] = unit_id
            if status == "active":
                if person_role == "case_manager":
                    by["managers"].setdefault(unit_id, []).append(next_id)
                elif person_role == "supervisor":
                    by["supervisors"].setdefault(unit_id, []).append(next_id)
                elif person_role == "worker":
                    for district in districts or tuple(context.districts):
                        by["workers"].setdefault(district, []).append(next_id)
                elif person_role == "secretariat":
                    by["secretariat"].setdefault(unit_id, []).append(next_id)
                else:
                    by["admins"].append(next_id)
            next_id += 1
    writer.flush()
    return by


def _role_in(unit_role: str, n: int) -> str:
    """The n-th person of a unit: three supervisors at a center (the rest case managers), five
    admins at the bureau (the rest its secretariat), two secretaries at a district office."""
    if unit_role == "family_service_center":
        return "supervisor" if n < 3 else "case_manager"
    if unit_role == "bureau":
        return "admin" if n < 5 else "secretariat"
    if unit_role == "district_office":
        return "secretariat" if n < 2 else "worker"
    return "worker"


def _referrals(  # noqa: PLR0912, PLR0915 — one pass writes every table of a case
    conn: sqlite3.Connection,
    context: Context,
    scale: Scale,
    rng: random.Random,
    staff: dict[str, Any],
) -> dict[str, int]:
    first_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM referrals").fetchone()[0]) + 1
    first_entry = (
        int(conn.execute("SELECT coalesce(max(id), 0) FROM case_entries").fetchone()[0]) + 1
    )
    referral_columns = [
        "id", "code", "submission_key", "district", "village", "alias", "children_under_6",
        "children_6_17", "elders_65_plus", "disabled", "categories", "needs", "priority_flags",
        "serving_units", "urgent", "mandatory_report", "narrative", "household_hash", "status",
        "referrer_id", "referrer_unit_id", "center_id", "case_manager_id", "target_conference",
        "adhoc", "case_status", "tracked", "tracked_since", "tracked_until", "tracked_reason",
        "opened_at", "return_reason", "decided_by", "decided_at", "created_at", "updated_at",
    ]  # fmt: skip
    referrals = Writer(conn, "referrals", referral_columns)
    events = Writer(conn, "referral_events", ["referral_id", "at", "actor_id", "kind", "detail"])
    team = Writer(conn, "case_team", ["referral_id", "unit_id", "since", "until"])
    entry_columns = [
        "id", "referral_id", "author_id", "author_unit_id", "kind", "entry_date", "period",
        "note", "next_step", "next_due", "corrects_id", "created_at",
    ]  # fmt: skip
    entries = Writer(conn, "case_entries", entry_columns)
    duty_columns = [
        "referral_id", "kind", "period", "owner_staff_id", "owner_unit_id", "due", "state",
        "done_entry_id", "waived_reason", "created_at", "updated_at",
    ]  # fmt: skip
    duties = Writer(conn, "obligations", duty_columns)
    span = (TODAY - FIRST_DAY).days - 4
    # Creation days, oldest first, so ids and codes grow with time as the bot's do.
    days = sorted(FIRST_DAY + timedelta(days=rng.randrange(span)) for _ in range(scale.cases))
    accepted_share = 0.9
    entries_left = scale.entries
    numbers: dict[int, int] = {}
    entry_id = first_entry
    all_workers = [w for ws in staff["workers"].values() for w in ws]
    for index, day in enumerate(days):
        referral_id = first_id + index
        roc = day.year - 1911
        numbers[roc] = numbers.get(roc, 0) + 1
        district = context.districts[rng.randrange(len(context.districts))]
        center = context.center_of[district]
        family = context.families[rng.randrange(len(context.families))]
        narrative = context.narratives[rng.randrange(len(context.narratives))]
        referrer = rng.choice(staff["workers"].get(district) or all_workers)
        created = _day_stamp(day, rng)
        age = (TODAY - day).days
        managers = staff["managers"].get(center) or [None]
        supervisors = staff["supervisors"].get(center) or [None]
        supervisor = rng.choice(supervisors)
        status, case_status = _status(age, rng)
        decided = _day_stamp(min(TODAY, day + timedelta(days=rng.randrange(1, 6))), rng)
        opened_day = date.fromisoformat(decided[:10])
        manager = None
        tracked_since = None
        if status == "accepted" and case_status != "awaiting_assignment":
            manager = rng.choice(managers)
        if case_status not in (None, "closed") and rng.random() < 0.10:
            start = max(opened_day, TODAY - timedelta(days=rng.randrange(20, 365)))
            tracked_since = _day_stamp(start, rng)
        conference = f"{day.year + (day.month == 12)}-{day.month % 12 + 1:02d}"
        referrals.add(
            (
                referral_id,
                f"TY-{roc}-{numbers[roc]:05d}",
                f"gen:{referral_id}",
                district,
                None,
                family["alias"],
                family["children_under_6"],
                family["children_6_17"],
                family["elders_65_plus"],
                family["disabled"],
                family["categories"],
                family["needs"],
                family["priority_flags"],
                "[]",
                False,
                family["mandatory_report"],
                narrative,
                None,
                status,
                referrer,
                staff["unit_of"][referrer],
                center,
                manager,
                conference,
                False,
                case_status,
                tracked_since is not None,
                tracked_since,
                None,
                context.reason if tracked_since else None,
                decided if status == "accepted" else None,
                None,
                supervisor if status != "waiting" else None,
                decided if status != "waiting" else None,
                created,
                decided if status != "waiting" else created,
            )
        )
        events.add((referral_id, created, referrer, "submitted", json.dumps({"center": center})))
        if status == "waiting":
            continue
        events.add((referral_id, decided, supervisor, status, None))
        if status != "accepted":
            continue
        team.add((referral_id, center, decided, None))
        if staff["unit_of"][referrer] != center:
            team.add((referral_id, staff["unit_of"][referrer], decided, None))
        open_case = case_status != "closed"
        last_day = TODAY if open_case else min(TODAY, opened_day + timedelta(days=365))
        # Entries per case around the mean still needed, so the total lands near the target.
        still = entries_left / max(1.0, (scale.cases - index) * accepted_share)
        count = max(0, min(round(rng.uniform(0.5, 1.5) * still), entries_left))
        author = manager or supervisor
        entry_span = max(1, (last_day - opened_day).days)
        for _ in range(count):
            entry_day = opened_day + timedelta(days=rng.randrange(entry_span))
            kinds = VISIT_KINDS if rng.random() < 0.7 else OTHER_KINDS
            next_due = None
            step = None
            if rng.random() < 0.05:
                next_due = entry_day + timedelta(days=rng.randrange(3, 30))
                step = context.steps[rng.randrange(len(context.steps))]
            entries.add(
                (
                    entry_id,
                    referral_id,
                    author,
                    center,
                    rng.choice(kinds),
                    entry_day.isoformat(),
                    None,
                    context.notes[rng.randrange(len(context.notes))],
                    step,
                    next_due.isoformat() if next_due else None,
                    None,
                    _day_stamp(entry_day, rng),
                )
            )
            if next_due is not None:
                state = "open" if open_case and next_due >= TODAY - timedelta(days=30) else "done"
                duties.add(
                    (
                        referral_id,
                        "next_step",
                        f"entry-{entry_id}",
                        author,
                        center,
                        next_due.isoformat(),
                        state,
                        None,
                        None,
                        _day_stamp(entry_day, rng),
                        _day_stamp(entry_day, rng),
                    )
                )
            entry_id += 1
        entries_left -= count
        if tracked_since is not None:
            # 列管月報: a report per month of tracking, each one an entry; a few are overdue.
            since = date.fromisoformat(tracked_since[:10])
            for year, month in _months(since, TODAY):
                due = context.report_due[(year, month)]
                done = due < TODAY and rng.random() < 0.95
                period = f"{year:04d}-{month:02d}"
                done_entry = None
                if done:
                    written = due - timedelta(days=rng.randrange(0, 4))
                    entries.add(
                        (
                            entry_id,
                            referral_id,
                            author,
                            center,
                            "monthly_report",
                            written.isoformat(),
                            period,
                            context.notes[0],
                            None,
                            None,
                            None,
                            _day_stamp(written, rng),
                        )
                    )
                    done_entry = entry_id
                    entry_id += 1
                    entries_left -= 1
                duties.add(
                    (
                        referral_id,
                        "monthly_report",
                        period,
                        author,
                        center,
                        due.isoformat(),
                        "done" if done else "open",
                        done_entry,
                        None,
                        tracked_since,
                        tracked_since,
                    )
                )
        if open_case and "suicide_economic" in family["categories"] and age < 120:
            for number, due in enumerate(context.visit_due(opened_day), 1):
                duties.add(
                    (
                        referral_id,
                        "planned_visit",
                        f"visit-window-{number}",
                        author,
                        center,
                        due.isoformat(),
                        "open" if due >= TODAY else "done",
                        None,
                        None,
                        decided,
                        decided,
                    )
                )
    for writer in (referrals, events, team, entries, duties):
        writer.flush()
    conn.executemany(
        "INSERT OR REPLACE INTO referral_sequences (roc_year, last) VALUES (?, ?)",
        list(numbers.items()),
    )
    return {
        "referrals": referrals.count,
        "referral_events": events.count,
        "case_team": team.count,
        "case_entries": entries.count,
        "obligations": duties.count,
    }


def _status(age_days: int, rng: random.Random) -> tuple[str, str | None]:
    """Referral status and case status by age: recent ones partly waiting, old ones closed."""
    if age_days < 10 and rng.random() < 0.5:
        return "waiting", None
    if rng.random() < 0.08:
        return "returned", None
    closed_share = 0.97 if age_days > 730 else 0.8 if age_days > 365 else 0.35
    if rng.random() < closed_share:
        return "accepted", "closed"
    roll = rng.random()
    for limit, case_status in OPEN_CASE_STATUSES:
        if roll < limit:
            return "accepted", case_status
    return "accepted", "in_service"


def _meetings(
    conn: sqlite3.Connection,
    context: Context,
    scale: Scale,
    rng: random.Random,
    staff: dict[str, Any],
) -> int:
    """Meetings over the ten years, every series and district in turn; all but the last few
    held, with minutes; each inviting its series' default units."""
    columns = [
        "id", "series_key", "district", "window_key", "starts_at", "place", "video_link",
        "chair", "organiser_id", "organiser_unit_id", "status", "referral_cutoff",
        "minutes_due", "minutes_recorded_at", "minutes_sent_at", "created_at", "updated_at",
        "moved_from", "changed_at",
    ]  # fmt: skip
    meetings = Writer(conn, "meetings", columns)
    invited = Writer(conn, "meeting_units", ["meeting_id", "unit_id"])
    first = int(conn.execute("SELECT coalesce(max(id), 0) FROM meetings").fetchone()[0]) + 1
    span = (TODAY + timedelta(days=60) - FIRST_DAY).days
    days = sorted(FIRST_DAY + timedelta(days=rng.randrange(span)) for _ in range(scale.meetings))
    offices = {
        d: [u for u, role, ds in context.units if role == "district_office" and d in ds]
        for d in context.districts
    }
    bureau = [u for u, role, _ in context.units if role == "bureau"]
    for index, day in enumerate(days):
        meeting_id = first + index
        key, scope = context.series[index % len(context.series)]
        district = context.districts[rng.randrange(len(context.districts))]
        place: str | None = district if scope == "district" else None
        if key == "case_conference":
            unit = context.center_of[district]
            organiser = rng.choice(staff["supervisors"].get(unit) or staff["all"])
        elif place is not None and offices.get(district):
            unit = offices[district][0]
            organiser = rng.choice(staff["secretariat"].get(unit) or staff["all"])
        else:
            unit = bureau[0]
            organiser = rng.choice(staff["secretariat"].get(unit) or staff["all"])
        starts = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)  # 14:00 Taipei
        held = day < TODAY
        cutoff = (day - timedelta(days=30)).isoformat() if key == "case_conference" else None
        recorded = _stamp(starts + timedelta(days=3)) if held and rng.random() < 0.97 else None
        meetings.add(
            (
                meeting_id,
                key,
                place,
                f"{day.year:04d}-{day.month:02d}",
                _stamp(starts),
                f"{place or '市府'}會議室（虛構）",
                None,
                "主席（虛構）",
                organiser,
                unit,
                "cancelled" if rng.random() < 0.02 else "planned",
                cutoff,
                (day + timedelta(days=7)).isoformat(),
                recorded,
                recorded,
                _stamp(starts - timedelta(days=30)),
                _stamp(starts - timedelta(days=30)),
                None,
                None,
            )
        )
        for unit_id in context.meeting_units.get((key, place), []):
            invited.add((meeting_id, unit_id))
    meetings.flush()
    invited.flush()
    return meetings.count
