"""Deterministic synthetic data for a scale: organizations, users, catalog, settings, usage.

Pure: no I/O. The same seed, scale and anchor give the same rows, byte for byte. Rows come
as tuples in the column order of their `TableRows`, ready for COPY.

Shape (what makes it realistic rather than uniform):
- organization sizes follow a Zipf law: a few large organizations, a long tail of small ones;
- plans: most organizations free or starter, few enterprise; the largest are enterprise;
- every organization type the schema knows; models target subsets of them and a minimum plan;
- usage spreads over the 12 months before the anchor, growing over the year, quieter at
  weekends, rows in time order (as an append-only log is written);
- user activity is log-normal, and one "long history" user carries about 2% of all rows;
- trials were enabled at random times in the year, so most of them have expired.

Three shapes of the same counts (`Shape`): `wide` is the above; `heavy` gives every row to a
few users in a few organizations; `skewed` gives half of all rows to the largest
organization.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from aimodels.bench.actors import Actor
from aimodels.bench.scales import ScaleSpec, Shape
from aimodels.domain.enums import Role
from aimodels.domain.rules import period_window

# Bumped whenever the rows for a given seed change: `bench run` then reloads old data.
GENERATOR_VERSION = 3
PLANS = ("free", "starter", "pro", "enterprise")
PLAN_RANK = {plan: rank for rank, plan in enumerate(PLANS)}
PERIODS = ("daily", "weekly", "monthly")
HISTORY_DAYS = 365
SUPERADMINS = 3
HEAVY_USER_SHARE = 0.02
# The heavy shape: this many organizations, this many recording users in each.
HEAVY_ORGS = 5
HEAVY_USERS_PER_ORG = 4
# The skewed shape: the share of all rows that the largest organization holds.
SKEWED_ORG_SHARE = 0.5
# One bcrypt hash (cost 10, fixed salt) of the development password for every generated
# account: hashing 100k passwords would dominate the load for nothing.
DEV_PASSWORD_HASH = "$2a$10$aimodelsbenchsaltsalte6MNaIYIkoQr6KH81CruR793AKLYnvy2"

Row = tuple[object, ...]


@dataclass(frozen=True)
class TableRows:
    """What to COPY into one table."""

    table: str
    columns: tuple[str, ...]
    count: int
    rows: Iterator[Row]
    # Postgres types of the columns: given, COPY goes binary (several times faster).
    binary_types: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Model:
    id: UUID
    name: str
    required_plan: str
    organization_types: tuple[str, ...]
    period: str
    limit: int | None
    is_free: bool
    is_trial: bool
    trial_days: int | None
    is_active: bool

    def visible_to(self, org: Org) -> bool:
        targeted = not self.organization_types or org.type in self.organization_types
        return self.is_active and targeted and PLAN_RANK[org.plan] >= PLAN_RANK[self.required_plan]


@dataclass(frozen=True)
class Org:
    id: UUID
    slug: str
    type: str
    plan: str
    quota: int | None
    created_at: datetime


@dataclass(frozen=True)
class Config:
    organization_id: UUID
    model: Model
    enabled: bool
    limit_per_user: int | None
    created_at: datetime


@dataclass(frozen=True)
class User:
    id: UUID
    email: str
    role: str
    organization_id: UUID | None
    created_at: datetime


@dataclass
class Dataset:
    """Everything except usage, which is streamed (it is most of the rows)."""

    anchor: datetime
    models: list[Model]
    orgs: list[Org]
    configs: list[Config]
    users: list[User]
    actors: list[Actor] = field(default_factory=list)
    # Per user that records usage: the models it may use, and how active it is.
    usage_models: dict[UUID, list[Model]] = field(default_factory=dict)
    activity: dict[UUID, float] = field(default_factory=dict)


def _rng(seed: int, stream: str) -> random.Random:
    """One independent stream per kind of row, so changing one leaves the others alone."""
    return random.Random(f"aimodels-bench:{seed}:{stream}")


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def anchor_now() -> datetime:
    """Usage history ends at the current hour: 'this period' must hold data on any day."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


# -- catalog ----------------------------------------------------------------------------------
def generate_models(seed: int, count: int, type_slugs: Sequence[str]) -> list[Model]:
    rng = _rng(seed, "models")
    # Two fixed models the benchmarks rely on: a limited enterprise model that a heavy user
    # can record on forever (limit far above any history), and one every org may use.
    models = [
        Model(
            _uuid(rng),
            "Bench Enterprise Bulk",
            "enterprise",
            (),
            "monthly",
            10**12,
            False,
            False,
            None,
            True,
        ),
        Model(_uuid(rng), "Bench Everyday", "free", (), "daily", 200_000, False, False, None, True),
    ]
    for index in range(2, count):
        kind = rng.random()
        is_free = kind < 0.15
        is_trial = 0.15 <= kind < 0.30
        types = (
            () if rng.random() < 0.4 else tuple(sorted(rng.sample(type_slugs, rng.randint(1, 4))))
        )
        models.append(
            Model(
                id=_uuid(rng),
                name=f"Bench Model {index:03d}",
                required_plan=rng.choices(PLANS, weights=(4, 3, 2, 1))[0],
                organization_types=types,
                period=rng.choice(PERIODS),
                limit=None
                if rng.random() < 0.1
                else rng.choice((20_000, 100_000, 500_000, 5_000_000)),
                is_free=is_free,
                is_trial=is_trial,
                trial_days=rng.choice((7, 14, 30)) if is_trial else None,
                is_active=rng.random() < 0.92,
            )
        )
    return models


# -- organizations ----------------------------------------------------------------------------
_DEFAULT_QUOTA = {"free": 200_000, "starter": 2_000_000, "pro": 20_000_000, "enterprise": None}


def generate_orgs(seed: int, count: int, type_slugs: Sequence[str], anchor: datetime) -> list[Org]:
    rng = _rng(seed, "orgs")
    orgs = []
    for index in range(count):
        # The largest organizations (lowest index) are the ones that pay most.
        if index < max(1, count // 100):
            plan = "enterprise"
        else:
            plan = rng.choices(PLANS, weights=(45, 30, 17, 8))[0]
        orgs.append(
            Org(
                id=_uuid(rng),
                slug=f"bench-org-{index:05d}",
                type=type_slugs[index % len(type_slugs)]
                if index < len(type_slugs)
                else rng.choice(type_slugs),
                plan=plan,
                quota=_DEFAULT_QUOTA[plan],
                created_at=anchor - timedelta(days=HISTORY_DAYS + rng.randint(1, 700)),
            )
        )
    return orgs


def generate_configs(
    seed: int, orgs: Sequence[Org], models: Sequence[Model], anchor: datetime
) -> list[Config]:
    rng = _rng(seed, "configs")
    configs = []
    for org in orgs:
        for model in models:
            if not model.visible_to(org):
                continue
            always = model.name in {"Bench Everyday", "Bench Enterprise Bulk"}
            if not always and rng.random() > 0.7:
                continue  # admins configure most, not all, of what they see
            configs.append(
                Config(
                    organization_id=org.id,
                    model=model,
                    enabled=always or rng.random() < 0.85,
                    limit_per_user=None
                    if always or rng.random() < 0.7
                    else rng.choice((10_000, 50_000, 250_000)),
                    created_at=anchor - timedelta(seconds=rng.randint(3600, HISTORY_DAYS * 86400)),
                )
            )
    return configs


def _trial_running(config: Config, anchor: datetime) -> bool:
    if not config.model.is_trial or config.model.trial_days is None:
        return True
    return anchor < config.created_at + timedelta(days=config.model.trial_days)


# -- users ------------------------------------------------------------------------------------
def _zipf_sizes(rng: random.Random, members: int, orgs: int, exponent: float = 1.1) -> list[int]:
    weights = [1 / (rank + 1) ** exponent for rank in range(orgs)]
    total = sum(weights)
    sizes = [int(members * w / total) for w in weights]
    for _ in range(members - sum(sizes)):
        sizes[rng.randrange(orgs)] += 1
    return sizes


def generate_users(seed: int, spec: ScaleSpec, orgs: Sequence[Org], anchor: datetime) -> list[User]:
    rng = _rng(seed, "users")
    users = [
        User(
            _uuid(rng),
            f"superadmin{index}@bench.example.test",
            "superadmin",
            None,
            anchor - timedelta(days=HISTORY_DAYS + 800),
        )
        for index in range(SUPERADMINS)
    ]
    members = spec.users - SUPERADMINS - len(orgs)
    sizes = _zipf_sizes(rng, members, len(orgs))
    for org, size in zip(orgs, sizes, strict=True):
        # One admin each, and one more per 50 members in the large ones.
        admins = 1 + size // 50
        for index in range(1 + size):
            role = "admin" if index < admins else "user"
            users.append(
                User(
                    id=_uuid(rng),
                    email=f"{role}{index}@{org.slug}.example.test",
                    role=role,
                    organization_id=org.id,
                    created_at=org.created_at + timedelta(days=rng.randint(0, 300)),
                )
            )
    return users


# -- the whole dataset (without usage) --------------------------------------------------------
def generate_dataset(
    seed: int,
    spec: ScaleSpec,
    type_slugs: Sequence[str],
    anchor: datetime,
    shape: Shape = Shape.WIDE,
) -> Dataset:
    models = generate_models(seed, spec.models, type_slugs)
    orgs = generate_orgs(seed, spec.organizations, type_slugs, anchor)
    configs = generate_configs(seed, orgs, models, anchor)
    users = generate_users(seed, spec, orgs, anchor)
    dataset = Dataset(anchor=anchor, models=models, orgs=orgs, configs=configs, users=users)
    _plan_activity(seed, dataset)
    if shape is Shape.HEAVY:
        _concentrate_on_heavy_users(dataset)
    elif shape is Shape.SKEWED:
        _skew_to_largest_org(dataset)
    _choose_actors(dataset)
    return dataset


def _plan_activity(seed: int, dataset: Dataset) -> None:
    rng = _rng(seed, "activity")
    usable: dict[UUID, list[Model]] = {}
    for config in dataset.configs:
        # Simplification: usage is drawn only from models usable today (expired trials
        # leave no history here).
        if config.enabled and _trial_running(config, dataset.anchor):
            usable.setdefault(config.organization_id, []).append(config.model)
    for user in dataset.users:
        models = usable.get(user.organization_id) if user.organization_id else None
        if user.role == "superadmin" or not models:
            continue
        dataset.usage_models[user.id] = models
        dataset.activity[user.id] = rng.lognormvariate(0.0, 1.2)
    heavy = _heavy_user(dataset)
    others = sum(weight for uid, weight in dataset.activity.items() if uid != heavy.id)
    dataset.activity[heavy.id] = others * HEAVY_USER_SHARE / (1 - HEAVY_USER_SHARE)


def _concentrate_on_heavy_users(dataset: Dataset) -> None:
    """Only a few users of the largest organizations record, all equally: every row is theirs."""
    chosen: list[UUID] = []
    for org in dataset.orgs[:HEAVY_ORGS]:
        members = [
            u.id
            for u in dataset.users
            if u.organization_id == org.id and u.role == "user" and u.id in dataset.activity
        ]
        chosen += members[:HEAVY_USERS_PER_ORG]
    dataset.activity = {user_id: 1.0 for user_id in chosen}


def _skew_to_largest_org(dataset: Dataset) -> None:
    """Scale the largest organization's users so that together they hold the skewed share."""
    largest = _largest_org(dataset).id
    org_of = {u.id: u.organization_id for u in dataset.users}
    inside = sum(w for uid, w in dataset.activity.items() if org_of[uid] == largest)
    outside = sum(w for uid, w in dataset.activity.items() if org_of[uid] != largest)
    factor = outside * SKEWED_ORG_SHARE / (1 - SKEWED_ORG_SHARE) / inside
    for user_id in dataset.activity:
        if org_of[user_id] == largest:
            dataset.activity[user_id] *= factor


def _largest_org(dataset: Dataset) -> Org:
    return dataset.orgs[0]  # Zipf rank 0, enterprise by construction


def _heavy_user(dataset: Dataset) -> User:
    """The benchmarks' `user`: the first user of the largest organization (in every shape)."""
    org = _largest_org(dataset)
    return next(u for u in dataset.users if u.organization_id == org.id and u.role == "user")


def _choose_actors(dataset: Dataset) -> None:
    org = _largest_org(dataset)
    heavy = _heavy_user(dataset)
    admin = next(u for u in dataset.users if u.organization_id == org.id and u.role == "admin")
    superadmin = next(u for u in dataset.users if u.role == "superadmin")
    dataset.actors = [
        Actor(
            label="user",
            user_id=heavy.id,
            email=heavy.email,
            role=Role.USER,
            organization_id=org.id,
        ),
        Actor(
            label="admin",
            user_id=admin.id,
            email=admin.email,
            role=Role.ADMIN,
            organization_id=org.id,
        ),
        Actor(
            label="superadmin",
            user_id=superadmin.id,
            email=superadmin.email,
            role=Role.SUPERADMIN,
            organization_id=None,
        ),
    ]


# -- usage (streamed) -------------------------------------------------------------------------
USAGE_TYPES = (
    "uuid",
    "uuid",
    "uuid",
    "uuid",
    "text",
    "text",
    "int4",
    "int4",
    "timestamptz",
    "timestamptz",
    "text",
    "timestamptz",
)
USAGE_COLUMNS = (
    "id",
    "user_id",
    "organization_id",
    "model_id",
    "model_type",
    "model_name",
    "tokens_used",
    "requests_count",
    "period_start",
    "period_end",
    "period_type",
    "created_at",
)


def _day_spans(anchor: datetime) -> list[tuple[datetime, float]]:
    """UTC days from a year before the anchor up to it: (day start, seconds of it used).

    Days start at midnight so each day lies in one daily, weekly and monthly window; the
    last one stops at the anchor.
    """
    first = (anchor - timedelta(days=HISTORY_DAYS)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    spans = []
    day = first
    while day < anchor:
        spans.append((day, min(86400.0, (anchor - day).total_seconds())))
        day += timedelta(days=1)
    return spans


def _rows_per_day(total: int, spans: list[tuple[datetime, float]]) -> list[int]:
    """Usage grows over the year (x2 end to end); weekends are quieter."""
    weights = []
    for index, (day, seconds) in enumerate(spans):
        weekend = day.weekday() >= 5
        growth = 1 + index / len(spans)
        weights.append(growth * (0.45 if weekend else 1.0) * seconds / 86400)
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    counts[-1] += total - sum(counts)
    return counts


def generate_usage(seed: int, dataset: Dataset, total: int) -> Iterator[Row]:
    rng = _rng(seed, "usage")
    heavy = dataset.actors[0]
    bulk = next(m for m in dataset.models if m.name == "Bench Enterprise Bulk")
    org_of = {u.id: u.organization_id for u in dataset.users}
    population = list(dataset.activity)
    cumulative = list(itertools.accumulate(dataset.activity[u] for u in population))
    spans = _day_spans(dataset.anchor)
    for (day_start, seconds), count in zip(spans, _rows_per_day(total, spans), strict=True):
        windows = {p: period_window(p, day_start) for p in PERIODS}
        offsets = sorted(rng.random() * seconds for _ in range(count))
        chosen = rng.choices(population, cum_weights=cumulative, k=count)
        for offset, user_id in zip(offsets, chosen, strict=True):
            models = dataset.usage_models[user_id]
            # The long-history user works mostly on the bulk model (benchmark 2 records there).
            model = bulk if user_id == heavy.user_id and rng.random() < 0.8 else rng.choice(models)
            window = windows[model.period]
            yield (
                _uuid(rng),
                user_id,
                org_of[user_id],
                model.id,
                "system",
                model.name,
                max(1, min(32_000, int(rng.lognormvariate(6.2, 0.9)))),
                1 if rng.random() < 0.9 else rng.randint(2, 8),
                window.start,
                window.end,
                model.period,
                day_start + timedelta(seconds=offset),
            )
