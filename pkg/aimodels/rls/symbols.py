"""Names for seeded rows, so the matrix says `{org:acme-law}` instead of a uuid.

Placeholders in paths and bodies:
  {org:<slug>}            an organization's id
  {user:<local>@<slug>}   an account's id (user1@acme-law = user1@acme-law.example.test);
                          {user:superadmin} = superadmin@example.test
  {model:<name>}          a catalog model's id
  {me}, {my_org}          the acting account's own id and organization id
  "{null}"                (a whole JSON string) a JSON null, which TOML cannot write
Ids are looked up once, through the API as service_role; uuids in responses are shown back
as `org:acme-law`, `user:user1@acme-law`, `model:<name>`.
"""

from __future__ import annotations

import re
from functools import cached_property

from pydantic import BaseModel, ConfigDict, JsonValue

from aimodels.rls.sessions import ActorSession

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{(me|my_org|(?:org|user|model):[^{}]+)\}")


class UnknownSymbol(KeyError):
    """The matrix names a row the seed does not have."""


class Symbols(BaseModel):
    """Symbol -> id, and the acting account's own ids for {me} and {my_org}."""

    model_config = ConfigDict(frozen=True)

    ids: dict[str, str]
    orgs_of_users: dict[str, str | None]  # user id -> organization id

    def name_of(self, value: str) -> str:
        """A uuid shown as its symbol when it is a known row; any other uuid as `other row`
        (a failing cell names rows, it never prints a raw id)."""
        if value in self._names:
            return self._names[value]
        return "other row" if _UUID.fullmatch(value) else value

    @cached_property
    def _names(self) -> dict[str, str]:
        return {value: name for name, value in self.ids.items()}

    def expand(self, text: str, user_id: str | None) -> str:
        def replace(match: re.Match[str]) -> str:
            symbol = match[1]
            if symbol == "me":
                return _require(user_id, "{me} used by an actor that is not signed in")
            if symbol == "my_org":
                org = self.orgs_of_users.get(_require(user_id, "{my_org} needs an account"))
                return _require(org, "{my_org} used by an account without an organization")
            if symbol not in self.ids:
                raise UnknownSymbol(f"{{{symbol}}} is not a seeded row")
            return self.ids[symbol]

        return _PLACEHOLDER.sub(replace, text)

    def expand_json(self, value: JsonValue, user_id: str | None) -> JsonValue:
        if value == "{null}":  # TOML has no null
            return None
        if isinstance(value, str):
            return self.expand(value, user_id)
        if isinstance(value, list):
            return [self.expand_json(item, user_id) for item in value]
        if isinstance(value, dict):
            return {key: self.expand_json(item, user_id) for key, item in value.items()}
        return value


def _require(value: str | None, message: str) -> str:
    if value is None:
        raise UnknownSymbol(message)
    return value


def _user_symbol(email: str) -> str:
    local, _, domain = email.partition("@")
    org = domain.removesuffix("example.test").removesuffix(".")
    return f"user:{local}@{org}" if org else f"user:{local}"


def load_symbols(service: ActorSession) -> Symbols:
    """Read the seeded organizations, models and accounts through the API as service_role."""
    ids: dict[str, str] = {}
    for row in _rows(service, "organizations?select=id,slug"):
        ids[f"org:{row['slug']}"] = str(row["id"])
    for row in _rows(service, "ai_models_system?select=id,name"):
        ids[f"model:{row['name']}"] = str(row["id"])
    for user in service.client.auth.admin.list_users(page=1, per_page=1000):
        if user.email:
            ids[_user_symbol(user.email)] = user.id
    # An org's setting for a model reads as `config:<org>/<model>` in a failing cell.
    names = {value: name.partition(":")[2] for name, value in ids.items()}
    for row in _rows(service, "org_system_model_config?select=id,organization_id,system_model_id"):
        org, model = names.get(str(row["organization_id"])), names.get(str(row["system_model_id"]))
        ids[f"config:{org}/{model}"] = str(row["id"])
    orgs_of_users = {
        str(row["id"]): (str(row["organization_id"]) if row["organization_id"] else None)
        for row in _rows(service, "profiles?select=id,organization_id")
    }
    return Symbols(ids=ids, orgs_of_users=orgs_of_users)


def _rows(service: ActorSession, path: str) -> list[dict[str, JsonValue]]:
    response = service.http.get(path, headers={"Accept-Profile": "public"})
    response.raise_for_status()
    rows = response.json()
    if not isinstance(rows, list):
        raise RuntimeError(f"GET {path} did not return rows")
    return rows
