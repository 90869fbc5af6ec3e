"""Put the data back after a write probe: the one place the runner uses the database directly.

Probes go through the API only. But an allowed write (an admin enabling a model, a user
recording usage) changes the data the next probe expects, and usage rows are append-only by
trigger, so no API call can undo them. So, as superuser and for cleanup only, the runner
copies every application table into temp tables of its own session when it starts, and
after each writing probe restores them with `session_replication_role = replica` (which
skips triggers and foreign-key checks while rows go back). Triggers marked ENABLE ALWAYS,
like the usage log's append-only trigger, fire even then; they are disabled inside the
restoring transaction and re-enabled as ALWAYS before it commits.
One platform column is the application's too: a profile's role reaches `auth.users.role`
(the token's role claim) through a trigger, which the restore of `profiles` skips. So each
account's role is copied and put back as well; a promotion probe would otherwise leave the
next token of a restored user carrying the admin's role.
A fingerprint of every table and of those roles, taken before and after the run, proves the
data was left as found.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

# Schemas that belong to the platform, not to the application's data.
PLATFORM_SCHEMAS = (
    "pg_catalog",
    "information_schema",
    "pg_toast",
    "auth",
    "extensions",
    "supabase_migrations",
    "storage",
    "graphql",
    "graphql_public",
    "realtime",
    "vault",
    "pgsodium",
    "net",
    "cron",
)

_TABLES = """
select n.nspname, c.relname,
       array_agg(a.attname::text order by a.attnum) filter (where a.attgenerated = '')
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.relkind in ('r', 'p') and not c.relispartition
  and n.nspname <> all(%s) and n.nspname not like 'pg\\_%%'
group by n.nspname, c.relname
order by n.nspname, c.relname
"""


# The platform's copy of each account's role, which the profiles' sync trigger writes.
ACCOUNT_ROLES = "auth.users.role"
_ROLES_COPY = sql.Identifier("rls_snapshot_account_roles")


@dataclass(frozen=True)
class _Table:
    schema: str
    name: str
    columns: tuple[str, ...]  # stored columns (generated ones are recomputed)

    @property
    def ident(self) -> sql.Composable:
        return sql.Identifier(self.schema, self.name)

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.name}"


class DataSnapshot:
    """Copies of the application's tables, kept in temp tables of one superuser session."""

    def __init__(self, superuser_url: str) -> None:
        self._conn = psycopg.connect(superuser_url, autocommit=True)
        self._tables = self._application_tables()
        self._taken = False

    def close(self) -> None:
        self._conn.close()

    def tables(self) -> list[str]:
        return [table.label for table in self._tables]

    def take(self) -> None:
        with self._conn.transaction():
            for index, table in enumerate(self._tables):
                copy = sql.Identifier(f"rls_snapshot_{index}")
                self._conn.execute(sql.SQL("drop table if exists {}").format(copy))
                self._conn.execute(
                    sql.SQL("create temp table {} as select {} from {}").format(
                        copy, _column_list(table), table.ident
                    )
                )
            self._conn.execute(sql.SQL("drop table if exists {}").format(_ROLES_COPY))
            self._conn.execute(
                sql.SQL("create temp table {} as select id, role from auth.users").format(
                    _ROLES_COPY
                )
            )
        self._taken = True

    def restore(self) -> None:
        """Every table back to the copy, in one transaction, triggers and FK checks skipped."""
        if not self._taken:
            raise RuntimeError("restore() before take()")
        with self._conn.transaction():
            self._conn.execute("set local session_replication_role = replica")
            always = self._always_triggers()
            for trigger_table, trigger in always:
                self._conn.execute(
                    sql.SQL("alter table {} disable trigger {}").format(
                        trigger_table, sql.Identifier(trigger)
                    )
                )
            for table in self._tables:
                self._conn.execute(sql.SQL("delete from {}").format(table.ident))
            for index, table in enumerate(self._tables):
                self._conn.execute(
                    sql.SQL("insert into {} ({}) overriding system value select {} from {}").format(
                        table.ident,
                        _column_list(table),
                        _column_list(table),
                        sql.Identifier(f"rls_snapshot_{index}"),
                    )
                )
            self._conn.execute(
                sql.SQL(
                    "update auth.users u set role = c.role from {} c"
                    " where c.id = u.id and u.role is distinct from c.role"
                ).format(_ROLES_COPY)
            )
            for trigger_table, trigger in always:
                self._conn.execute(
                    sql.SQL("alter table {} enable always trigger {}").format(
                        trigger_table, sql.Identifier(trigger)
                    )
                )

    def fingerprint(self) -> dict[str, str]:
        """table (and the accounts' roles) -> md5 of its rows in a fixed order: equal
        fingerprints, equal data."""
        sources: list[tuple[str, sql.Composable]] = [
            (table.label, sql.SQL("select * from {}").format(table.ident)) for table in self._tables
        ]
        sources.append((ACCOUNT_ROLES, sql.SQL("select id, role from auth.users")))
        prints: dict[str, str] = {}
        for label, query in sources:
            row = self._conn.execute(
                sql.SQL(
                    "select md5(coalesce(string_agg(t::text, E'\\n' order by t::text), '')) "
                    "from ({}) t"
                ).format(query)
            ).fetchone()
            prints[label] = str(row[0]) if row else ""
        return prints

    def _always_triggers(self) -> list[tuple[sql.Composable, str]]:
        rows = self._conn.execute(
            "select n.nspname, c.relname, t.tgname from pg_trigger t "
            "join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace "
            "where t.tgenabled = 'A' and not t.tgisinternal "
            "and n.nspname || '.' || c.relname = any(%s)",
            (self.tables(),),
        ).fetchall()
        return [(sql.Identifier(schema, name), trigger) for schema, name, trigger in rows]

    def _application_tables(self) -> list[_Table]:
        rows = self._conn.execute(_TABLES, (list(PLATFORM_SCHEMAS),)).fetchall()
        return [_Table(schema, name, tuple(columns)) for schema, name, columns in rows]


def _column_list(table: _Table) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(column) for column in table.columns)
