"""What the mutation check breaks, read from the catalog of a throwaway database.

Three kinds of mutant, each undone exactly after its run:
  - each RLS policy, dropped, and separately loosened to `using (true) with check (true)`;
  - each rule function on the access path, made to answer `true` (boolean functions) or
    null (the non-boolean helpers policies call directly, e.g. current_org_id());
  - each guard trigger on an application table, disabled.
The other functions on the access path (checks that refuse by raising, values an API
function returns) and the triggers on the platform's tables are listed, with what proves them.
A function is on the access path when a policy, a trigger of an application table or an API
function (exposed schema) calls it, directly or through other functions of ours (found by
name in function bodies: plpgsql bodies record no dependencies). A trigger is a guard when
its function, or what it calls, raises or writes another table; pure bookkeeping like
touch_updated_at is left alone and listed as such.
"""

from __future__ import annotations

import re
from enum import StrEnum

import psycopg
from psycopg import sql
from pydantic import BaseModel, ConfigDict

from aimodels.domain.enums import SIGNED_IN_ROLES
from aimodels.rls.snapshot import PLATFORM_SCHEMAS

API_ROLES = ("anon", *SIGNED_IN_ROLES, "service_role")
EXPOSED_SCHEMAS = ("public", "graphql_public")  # the gateway's (and Supabase's) default


class MutantKind(StrEnum):
    DROP_POLICY = "drop policy"
    LOOSEN_POLICY = "loosen policy"
    FUNCTION_TRUE = "function returns true"
    FUNCTION_NULL = "function returns null"
    DISABLE_TRIGGER = "disable trigger"


class Mutant(BaseModel):
    """One deliberate mistake: the SQL that makes it, the SQL that undoes it, what it touches."""

    model_config = ConfigDict(frozen=True)

    kind: MutantKind
    target: str  # e.g. 'policy "users can record their own usage" on public.ai_model_usage'
    tables: tuple[str, ...]  # tables whose cases are run first
    operations: tuple[str, ...] = ()  # RPC operations ("rpc:record_usage") run first too
    apply_sql: str
    restore_sql: str
    unreachable: str | None = None  # why the API cannot observe it, when it cannot

    @property
    def name(self) -> str:
        return f"{self.kind.value}: {self.target}"


class NotMutated(BaseModel):
    target: str
    reason: str


class MutationPlan(BaseModel):
    mutants: list[Mutant]
    not_mutated: list[NotMutated]


# -- discovery ---------------------------------------------------------------------------

_POLICIES = """
select p.polname, n.nspname, c.relname, p.polcmd, p.polpermissive,
       pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
       array(select case when r = 0 then 'public' else quote_ident(pg_get_userbyid(r)) end
             from unnest(p.polroles) r)
from pg_policy p
join pg_class c on c.oid = p.polrelid
join pg_namespace n on n.oid = c.relnamespace
where n.nspname <> all(%(platform)s)
order by n.nspname, c.relname, p.polname
"""

_FUNCTIONS = """
select p.oid, n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
       pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
       p.prorettype = 'boolean'::regtype, p.prorettype = 'trigger'::regtype, p.proretset,
       p.prosrc, pg_get_functiondef(p.oid)
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
where n.nspname <> all(%(platform)s) and p.prokind = 'f'
"""

_POLICY_FUNCTIONS = """
select distinct d.objid, d.refobjid, c.relname, n.nspname
from pg_depend d
join pg_policy pol on pol.oid = d.objid
join pg_class c on c.oid = pol.polrelid
join pg_namespace n on n.oid = c.relnamespace
where d.classid = 'pg_policy'::regclass and d.refclassid = 'pg_proc'::regclass
"""

_TRIGGERS = """
select t.tgname, n.nspname, c.relname, t.tgfoid, t.tgenabled, t.tgtype
from pg_trigger t
join pg_class c on c.oid = t.tgrelid
join pg_namespace n on n.oid = c.relnamespace
where not t.tgisinternal and n.nspname <> all(%(platform)s)
order by n.nspname, c.relname, t.tgname
"""

# Our triggers on the platform's tables (auth.users): GoTrue writes those rows, never
# PostgREST, so no matrix case can observe them; they are listed, with what proves them.
_PLATFORM_TABLE_TRIGGERS = """
select t.tgname, n.nspname, c.relname, fn.nspname, f.proname
from pg_trigger t
join pg_class c on c.oid = t.tgrelid
join pg_namespace n on n.oid = c.relnamespace
join pg_proc f on f.oid = t.tgfoid
join pg_namespace fn on fn.oid = f.pronamespace
where not t.tgisinternal and n.nspname = any(%(platform)s) and fn.nspname <> all(%(platform)s)
order by n.nspname, c.relname, t.tgname
"""

_COMMANDS = {"r": "select", "a": "insert", "w": "update", "d": "delete", "*": "all"}
_CALL = re.compile(r"\b([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)\s*\(", re.IGNORECASE)
_GUARDS = re.compile(r"\braise\b|\binsert\s+into\b|\bdelete\s+from\b|\bupdate\s+\w", re.I)
# A write of the token's role, which only the next sign-in shows (never a REST request).
_TOKEN_ROLE_WRITE = re.compile(r"\bupdate\s+auth\.users\b", re.I)

# tgtype bits (pg_trigger.h): which events fire the trigger.
_EVENTS = {4: "INSERT", 8: "DELETE", 16: "UPDATE", 32: "TRUNCATE"}


class _Function(BaseModel):
    oid: int
    schema_: str
    name: str
    identity_args: str
    args: str
    result: str
    is_boolean: bool
    is_trigger: bool
    returns_set: bool
    source: str
    definition: str

    @property
    def label(self) -> str:
        return f"{self.schema_}.{self.name}({self.identity_args})"


def plan_mutants(conn: psycopg.Connection, exposed_schemas: tuple[str, ...]) -> MutationPlan:
    """Every mutant of the database behind `conn` (a throwaway one: nothing is changed here)."""
    platform = {"platform": list(PLATFORM_SCHEMAS)}
    functions = {
        row[0]: _Function(
            oid=row[0],
            schema_=row[1],
            name=row[2],
            identity_args=row[3],
            args=row[4],
            result=row[5],
            is_boolean=row[6],
            is_trigger=row[7],
            returns_set=row[8],
            source=row[9],
            definition=row[10],
        )
        for row in conn.execute(_FUNCTIONS, platform).fetchall()
    }
    by_name: dict[tuple[str, str], list[int]] = {}
    for function in functions.values():
        by_name.setdefault((function.schema_, function.name), []).append(function.oid)

    def calls(oid: int) -> set[int]:
        found: set[int] = set()
        for schema, name in _CALL.findall(functions[oid].source):
            found.update(by_name.get((schema.lower(), name.lower()), []))
        return found - {oid}

    def closure(roots: set[int]) -> set[int]:
        seen, todo = set(), list(roots)
        while todo:
            oid = todo.pop()
            if oid in seen or oid not in functions:
                continue
            seen.add(oid)
            todo.extend(calls(oid))
        return seen

    mutants: list[Mutant] = []
    not_mutated: list[NotMutated] = []
    mutants += _policy_mutants(conn, platform)

    # Which tables and RPCs reach each function: the cases to run first when it is mutated.
    reached_from: dict[int, set[str]] = {}
    rpc_from: dict[int, set[str]] = {}
    direct_policy_calls: set[int] = set()
    for _policy, oid, table, _schema in conn.execute(_POLICY_FUNCTIONS).fetchall():
        direct_policy_calls.add(oid)
        for reached in closure({oid}):
            reached_from.setdefault(reached, set()).add(table)
    triggers = conn.execute(_TRIGGERS, platform).fetchall()
    for _name, _schema, table, function_oid, _enabled, _type in triggers:
        for reached in closure({function_oid}):
            reached_from.setdefault(reached, set()).add(table)
    for function in functions.values():
        if function.schema_ in exposed_schemas:
            for reached in closure({function.oid}):
                rpc_from.setdefault(reached, set()).add(f"rpc:{function.name}")

    for oid in sorted(set(reached_from) | set(rpc_from), key=lambda o: functions[o].label):
        helper = functions.get(oid)
        if helper is None or helper.schema_ in exposed_schemas or helper.is_trigger:
            continue
        if helper.is_boolean:
            mutants.append(_function_mutant(helper, "true", reached_from, rpc_from))
        elif oid in direct_policy_calls and not helper.returns_set and "," not in helper.result:
            mutants.append(_function_mutant(helper, "null", reached_from, rpc_from))
        elif oid in direct_policy_calls:
            not_mutated.append(NotMutated(target=helper.label, reason="returns a set or record"))
        else:
            # On the path but no policy's answer: a check that refuses by raising (the admin
            # check of the onboarding functions, private.refuse()) or a value an API function
            # returns. Listed, so a rule function is never skipped silently.
            not_mutated.append(
                NotMutated(
                    target=helper.label,
                    reason="not a yes/no rule and no policy calls it; proven by the cases of "
                    "the API functions and triggers that call it",
                )
            )

    for name, schema, table, function_oid, enabled, tgtype in triggers:
        function = functions[function_oid]
        target = f"trigger {name} on {schema}.{table} ({function.schema_}.{function.name})"
        sources = [functions[o].source for o in closure({function_oid})]
        if not any(_GUARDS.search(source) for source in sources):
            not_mutated.append(
                NotMutated(target=target, reason="refuses nothing and writes no other table")
            )
            continue
        if not any(_GUARDS.search(_TOKEN_ROLE_WRITE.sub("", source)) for source in sources):
            not_mutated.append(
                NotMutated(
                    target=target,
                    reason="writes only the role of the account's next token (auth.users.role), "
                    "which a new sign-in shows and no REST probe makes; proven by the pgTAP "
                    "suite and the onboarding tests",
                )
            )
            continue
        events = [event for bit, event in _EVENTS.items() if tgtype & bit]
        enable = "enable always" if enabled == "A" else "enable"
        ident = sql.Identifier(schema, table).as_string(conn)
        trigger = sql.Identifier(name).as_string(conn)
        mutants.append(
            Mutant(
                kind=MutantKind.DISABLE_TRIGGER,
                target=target,
                tables=(table,),
                apply_sql=f"alter table {ident} disable trigger {trigger}",
                restore_sql=f"alter table {ident} {enable} trigger {trigger}",
                unreachable=_unreachable(conn, schema, table, events),
            )
        )
    for name, schema, table, fn_schema, fn_name in conn.execute(
        _PLATFORM_TABLE_TRIGGERS, platform
    ).fetchall():
        not_mutated.append(
            NotMutated(
                target=f"trigger {name} on {schema}.{table} ({fn_schema}.{fn_name})",
                reason="fires on the auth server's writes, which no REST probe makes; "
                "proven by the pgTAP suite and the onboarding tests",
            )
        )
    return MutationPlan(mutants=mutants, not_mutated=not_mutated)


def _policy_mutants(conn: psycopg.Connection, platform: dict[str, list[str]]) -> list[Mutant]:
    mutants: list[Mutant] = []
    rows = conn.execute(_POLICIES, platform).fetchall()
    for name, schema, table, command, permissive, using, check, roles in rows:
        ident = sql.Identifier(schema, table).as_string(conn)
        policy = sql.Identifier(name).as_string(conn)
        target = f'policy "{name}" on {schema}.{table}'
        clauses = ""
        if using is not None:
            clauses += f" using ({using})"
        if check is not None:
            clauses += f" with check ({check})"
        create = (
            f"create policy {policy} on {ident} as "
            f"{'permissive' if permissive else 'restrictive'} for {_COMMANDS[command]} "
            f"to {', '.join(roles)}{clauses}"
        )
        mutants.append(
            Mutant(
                kind=MutantKind.DROP_POLICY,
                target=target,
                tables=(table,),
                apply_sql=f"drop policy {policy} on {ident}",
                restore_sql=create,
            )
        )
        loose = (" using (true)" if using is not None else "") + (
            " with check (true)" if check is not None else ""
        )
        if clauses == loose:
            continue  # already as loose as a policy gets (`using (true)` behind a gate)
        mutants.append(
            Mutant(
                kind=MutantKind.LOOSEN_POLICY,
                target=target,
                tables=(table,),
                apply_sql=f"alter policy {policy} on {ident}{loose}",
                restore_sql=f"alter policy {policy} on {ident}{clauses}",
            )
        )
    return mutants


def _function_mutant(
    function: _Function,
    answer: str,
    reached_from: dict[int, set[str]],
    rpc_from: dict[int, set[str]],
) -> Mutant:
    ident = sql.Identifier(function.schema_, function.name).as_string()
    body = "select true" if answer == "true" else f"select null::{function.result}"
    return Mutant(
        kind=MutantKind.FUNCTION_TRUE if answer == "true" else MutantKind.FUNCTION_NULL,
        target=f"function {function.label}",
        tables=tuple(sorted(reached_from.get(function.oid, set()))),
        operations=tuple(sorted(rpc_from.get(function.oid, set()))),
        apply_sql=(
            f"create or replace function {ident}({function.args}) returns {function.result} "
            f"language sql as $mutant$ {body} $mutant$"
        ),
        restore_sql=function.definition,
    )


def _unreachable(
    conn: psycopg.Connection, schema: str, table: str, events: list[str]
) -> str | None:
    """Why no API request can fire these events on the table, or None if one can."""
    if events == ["TRUNCATE"]:
        return "PostgREST never truncates"
    reachable = [
        f"{role} {event}"
        for role in API_ROLES
        for event in events
        if event != "TRUNCATE"
        and conn.execute(
            "select has_table_privilege(%s, %s, %s)",
            (role, f"{sql.Identifier(schema, table).as_string(conn)}", event),
        ).fetchone()[0]  # type: ignore[index]
    ]
    if reachable:
        return None
    return f"no API role holds {'/'.join(events)} on {schema}.{table}"
