"""The expected matrix as typed values: actors, probes, expectations, and the cases they make.

`matrix.toml` is the source; this module only reads and checks it. A probe is one request
(one PostgREST path, method and body) with an expected outcome per actor; every
(probe, actor) pair is one case, with a stable id that pytest, JUnit and the HTML report
all use, so the report and the tests can never disagree.
"""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, JsonValue, model_validator


class ActorKind(StrEnum):
    ANON = "anon"  # the anon key, nobody signed in
    ACCOUNT = "account"  # a seeded account signed in with its password
    SERVICE_ROLE = "service_role"  # the service_role key (bypasses RLS, not triggers)


class CaseKind(StrEnum):
    """What a probe is about, relative to the actor (the matrix's fourth dimension)."""

    SCOPE = "scope"  # a plain read: which rows does the actor see at all?
    OWN = "own"  # the actor's own row
    SAME_ORG = "same_org"  # another row of the actor's organization
    OTHER_ORG = "other_org"  # a row of another organization
    ESCALATION = "escalation"  # an attempt to gain a right: role, org, plan, quota...
    SECRET = "secret"  # an attempt to read a model's API key
    AUDIT = "audit"  # an attempt to rewrite usage history


class Verb(StrEnum):
    GET = "get"
    POST = "post"
    PATCH = "patch"
    DELETE = "delete"
    RPC = "rpc"


_OPERATION_OF_VERB = {
    Verb.GET: "select",
    Verb.POST: "insert",
    Verb.PATCH: "update",
    Verb.DELETE: "delete",
}

CRUD = ("select", "insert", "update", "delete")


class Returning(StrEnum):
    REPRESENTATION = "representation"
    MINIMAL = "minimal"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Actor(_Strict):
    """Who sends a request. `org` is the organization slug of a seeded account."""

    name: str
    kind: ActorKind = ActorKind.ACCOUNT
    email: str | None = None
    # A token role the platform set by hand (GoTrue's admin API) before the account signed
    # in, put back once it has: the token carries a role its profile does not hold.
    token_role: str | None = None

    @property
    def label(self) -> str:
        """How a sentence names the actor: `admin@acme-law`, `superadmin`, `anon`, and
        `user1@pulse-health as aimodels_superadmin` for a hand-set token role."""
        if self.email is None:
            return self.name
        local, _, domain = self.email.partition("@")
        org = domain.removesuffix(".example.test").removesuffix("example.test")
        label = f"{local}@{org}" if org else local
        return f"{label} as {self.token_role}" if self.token_role else label


_EXPECT = re.compile(
    r"^\s*(?P<status>\d{3})"
    r"(?:\s+(?P<code>[A-Z0-9]{5}|PGRST\d{3}))?"
    r"(?:\s+(?:(?P<list>\[[^\]]*\])|#(?P<count>\d+)))?\s*$"
)


class Expectation(_Strict):
    """One expected outcome, written in matrix.toml as a short string.

    `"200 [acme-law]"`  status, and exactly these key values in the rows (any order)
    `"200 []"`          status and no rows (RLS hid them, or zero rows were affected)
    `"200 #16"`         status and exactly this many rows
    `"403 42501"`       status and error code (PostgREST's `code`: SQLSTATE or PGRSTnnn)
    `"204"`             status only
    """

    status: int
    code: str | None = None
    keys: tuple[str, ...] | None = None
    count: int | None = None

    @classmethod
    def parse(cls, text: str) -> Expectation:
        match = _EXPECT.match(text)
        if match is None:
            raise ValueError(
                f"bad expectation {text!r}: write '<status> [<code>] [[k1, k2] | #N]', "
                "e.g. '200 [acme-law]', '403 42501', '200 #3'"
            )
        keys: tuple[str, ...] | None = None
        if match["list"] is not None:
            inner = match["list"][1:-1].strip()
            keys = tuple(sorted(k.strip() for k in inner.split(","))) if inner else ()
        count = int(match["count"]) if match["count"] is not None else None
        return cls(status=int(match["status"]), code=match["code"], keys=keys, count=count)

    @property
    def allows(self) -> bool:
        """A success that touches or shows at least one row (or says nothing about rows)."""
        if self.status >= 300:
            return False
        if self.keys is not None:
            return len(self.keys) > 0
        return self.count is None or self.count > 0

    def __str__(self) -> str:
        parts = [str(self.status)]
        if self.code:
            parts.append(self.code)
        if self.keys is not None:
            parts.append("[" + ", ".join(self.keys) + "]")
        if self.count is not None:
            parts.append(f"#{self.count}")
        return " ".join(parts)


class Step(_Strict):
    """A request run before the probe (e.g. delete before re-create).

    It runs as the case's actor unless `actor` names another (a superadmin preparing a row).
    """

    actor: str | None = None
    verb: Verb
    path: str
    body: JsonValue = None
    key: str = "id"
    expect: Expectation
    # Remember this field of the first row: for `same`, or `{captured}` in the probe.
    capture: str | None = None


class SecretSource(_Strict):
    """How a secret holder reads each model's API key, so answers can be scanned for them.

    The request runs once per seeded row of kind `for_each` (e.g. every model), with
    `{each}` in its path or body standing for that row's id; the answer is the key itself.
    """

    actor: str
    verb: Verb
    path: str
    body: JsonValue = None
    for_each: str = "model"


class Probe(_Strict):
    """One request and what each actor must get back."""

    table: str
    case: CaseKind
    says: str  # "update organizations.pricing_plan": read as "<actor> can|cannot <says>"
    verb: Verb
    path: str  # relative to /rest/v1/, PostgREST syntax, {placeholders} allowed
    body: JsonValue = None
    key: str = "id"  # the row field whose values `[...]` lists (uuids are shown as symbols)
    # A write's Prefer: return=representation shows the rows touched, but also makes Postgres
    # check the new rows against the SELECT policy; return=minimal isolates the write policy.
    returning: Returning = Returning.REPRESENTATION
    before: tuple[Step, ...] = ()
    same: str | None = None  # this field must equal what a `before` step captured
    expect: dict[str, Expectation]

    @property
    def operation(self) -> str:
        """select/insert/update/delete, or `rpc:<function>` (also for GET /rpc/...)."""
        if self.verb is Verb.RPC or self.path.startswith("rpc/"):
            return "rpc:" + self.path.split("?", 1)[0].removeprefix("rpc/")
        return _OPERATION_OF_VERB[self.verb]

    @property
    def writes(self) -> bool:
        """Anything but a GET may change data (an RPC may too), so it is cleaned up after."""
        return self.verb is not Verb.GET or any(step.verb is not Verb.GET for step in self.before)


class Case(_Strict):
    """One cell entry: a probe as one actor. `id` is stable and names the cell."""

    id: str
    actor: Actor
    probe: Probe
    expect: Expectation

    @property
    def table(self) -> str:
        return self.probe.table

    @property
    def operation(self) -> str:
        return self.probe.operation

    def sentence(self) -> str:
        """`admin@acme-law cannot update organizations.pricing_plan` (the rule, as expected)."""
        modal = "can" if self.expect.allows else "cannot"
        return f"{self.actor.label} {modal} {self.probe.says}"


class Matrix(_Strict):
    """The whole file: actors, the secrets check, and probes."""

    actors: dict[str, Actor]
    secret_holders: tuple[str, ...] = ()  # actors allowed to see API keys in responses
    secrets: SecretSource | None = None
    password: str  # of every seeded account (local development value)
    probes: tuple[Probe, ...]

    @model_validator(mode="after")
    def _actors_are_known(self) -> Self:
        for probe in self.probes:
            unknown = set(probe.expect) - set(self.actors)
            if unknown:
                raise ValueError(f"probe {probe.says!r} names unknown actors {sorted(unknown)}")
        unknown = set(self.secret_holders) - set(self.actors)
        if self.secrets is not None and self.secrets.actor not in self.actors:
            unknown.add(self.secrets.actor)
        for probe in self.probes:
            unknown |= {s.actor for s in probe.before if s.actor and s.actor not in self.actors}
        if unknown:
            raise ValueError(f"secret_holders names unknown actors {sorted(unknown)}")
        return self

    @cached_property
    def cases(self) -> tuple[Case, ...]:
        cases: list[Case] = []
        seen: set[str] = set()
        for probe in self.probes:
            for actor_name, expectation in probe.expect.items():
                case_id = _case_id(actor_name, probe)
                if case_id in seen:
                    raise ValueError(f"two cases share the id {case_id}; give one a new `says`")
                seen.add(case_id)
                actor = self.actors[actor_name]
                cases.append(Case(id=case_id, actor=actor, probe=probe, expect=expectation))
        return tuple(cases)

    def select(
        self, *, roles: list[str] | None = None, tables: list[str] | None = None
    ) -> list[Case]:
        """The cases for these actors and tables (all when a filter is empty)."""
        return [
            case
            for case in self.cases
            if (not roles or case.actor.name in roles) and (not tables or case.table in tables)
        ]


def _case_id(actor_name: str, probe: Probe) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", probe.says.lower()).strip("-")
    return f"{probe.table}.{probe.operation}.{probe.case.value}.{slug}.{actor_name}"


# -- reading the file ---------------------------------------------------------------------


def default_matrix_path() -> Path:
    return Path(str(files("aimodels.rls").joinpath("matrix.toml")))


def load_matrix(path: Path | None = None) -> Matrix:
    """Parse and check matrix.toml (or another file of the same shape)."""
    raw = tomllib.loads((path or default_matrix_path()).read_text())
    return Matrix.model_validate(_normalise(raw))


def _normalise(raw: dict[str, object]) -> dict[str, object]:
    """TOML's convenient spelling -> the models' fields.

    A probe names its verb as a key (`get = "organizations?select=slug"`), expectations are
    short strings, and actors are a table of tables; here they become typed fields.
    """
    actors = {
        name: {"name": name, **_table(spec, f"actors.{name}")}
        for name, spec in _table(raw.get("actors"), "actors").items()
    }
    probes = [_normalise_request(_table(p, "probe"), "probe") for p in _list(raw.get("probe"))]
    secrets = raw.get("secrets")
    return {
        "actors": actors,
        "secret_holders": raw.get("secret_holders", ()),
        "secrets": _normalise_request(_table(secrets, "secrets"), "secrets") if secrets else None,
        "probes": probes,
        "password": raw.get("password"),
    }


def _normalise_request(spec: dict[str, object], where: str) -> dict[str, object]:
    verbs = [verb for verb in Verb if verb.value in spec]
    if len(verbs) != 1:
        raise ValueError(
            f"{where} {spec.get('says', '')!r} needs exactly one of get/post/patch/delete/rpc"
        )
    verb = verbs[0]
    out = {k: v for k, v in spec.items() if k != verb.value}
    path = str(spec[verb.value])
    out["verb"] = verb.value
    out["path"] = f"rpc/{path}" if verb is Verb.RPC and not path.startswith("rpc/") else path
    expect = out.get("expect")
    if isinstance(expect, str):
        out["expect"] = Expectation.parse(expect)
    elif isinstance(expect, dict):
        out["expect"] = {actor: Expectation.parse(str(text)) for actor, text in expect.items()}
    if "before" in out:
        out["before"] = [
            _normalise_request(_table(s, "before"), "step") for s in _list(out["before"])
        ]
    return out


def _table(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise ValueError(f"[{where}] must be a table")
    return value


def _list(value: object) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("expected an array of tables")
    return value
