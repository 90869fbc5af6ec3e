"""Run matrix cases against a stack: sign in, probe through the API, compare, put data back.

    with MatrixRunner(target, load_matrix()) as runner:
        report = runner.run(runner.matrix.select(roles=["admin"]))

Every probe goes through PostgREST as the actor. The superuser connection (DataSnapshot)
is used only to restore data after a writing probe and to prove it was left as found.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from pydantic import JsonValue

from aimodels.rls.cases import Actor, ActorKind, Case, Matrix, Returning, Verb
from aimodels.rls.probe import (
    Observation,
    Secret,
    compare,
    describe,
    leaked,
    redact,
    send,
)
from aimodels.rls.results import CaseResult, MatrixReport, summarize
from aimodels.rls.sessions import ActorSession, open_session
from aimodels.rls.snapshot import DataSnapshot
from aimodels.rls.symbols import Symbols, UnknownSymbol, load_symbols
from aimodels.rls.target import Target


class MatrixRunner:
    def __init__(self, target: Target, matrix: Matrix) -> None:
        self.target = target
        self.matrix = matrix
        self._sessions: dict[str, ActorSession] = {}
        self._snapshot: DataSnapshot | None = None
        self._before: dict[str, str] = {}
        self._symbols: Symbols | None = None
        self._secrets: list[Secret] | None = None

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> Self:
        self._snapshot = DataSnapshot(self.target.db_url)
        self._snapshot.take()
        self._before = self._snapshot.fingerprint()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        for session in self._sessions.values():
            session.close()
        self._sessions.clear()
        if self._snapshot is not None:
            self._snapshot.close()
            self._snapshot = None

    def data_changes(self) -> list[str]:
        """Tables whose rows differ from when the runner started (should be none)."""
        after = self._require_snapshot().fingerprint()
        return sorted(table for table, print_ in after.items() if self._before.get(table) != print_)

    def restore(self) -> None:
        self._require_snapshot().restore()

    # -- running -------------------------------------------------------------------------

    def run(self, cases: list[Case], *, stop_at_first_failure: bool = False) -> MatrixReport:
        results: list[CaseResult] = []
        for case in cases:
            result = self.run_case(case)
            results.append(result)
            if stop_at_first_failure and not result.passed:
                break
        return MatrixReport(
            cases=results, summary=summarize(results, data_changes=self.data_changes())
        )

    def run_case(self, case: Case) -> CaseResult:
        """One probe as one actor; data is restored afterwards if the probe could write."""
        try:
            return self._run_case(case)
        except UnknownSymbol as error:
            return CaseResult.of(case, observed="not run", problems=[f"matrix error: {error}"])
        finally:
            if case.probe.writes:
                self.restore()

    def _run_case(self, case: Case) -> CaseResult:
        session = self._session(case.actor)
        symbols = self.symbols
        secrets = self.secrets if case.actor.name not in self.matrix.secret_holders else []
        probe = case.probe
        problems: list[str] = []
        captured: JsonValue = None
        for step in probe.before:
            step_session = self._session(self.matrix.actors[step.actor]) if step.actor else session
            path, body = _fill_captured(step.path, step.body, captured)
            observation = self._send(step_session, step.verb, path, body)
            if not compare(observation, step.expect, step.key, symbols.name_of):
                shown = describe(observation, step.expect, step.key, symbols.name_of)
                problems.append(
                    f"setup step {step.verb.value.upper()} {step.path} expected {step.expect}, "
                    f"got {shown}{_because(observation, secrets)}"
                )
                return CaseResult.of(case, observed="setup failed", problems=problems)
            if step.capture is not None:
                captured = observation.field(step.capture)
        path, body = _fill_captured(probe.path, probe.body, captured)
        observation = self._send(session, probe.verb, path, body, probe.returning)
        observed = redact(describe(observation, case.expect, probe.key, symbols.name_of), secrets)
        assert observed is not None
        if not compare(observation, case.expect, probe.key, symbols.name_of):
            problems.append(
                f"expected {case.expect}, got {observed}{_because(observation, secrets)}"
            )
        for owner in leaked(observation, secrets):
            problems.append(f"the response carried the API key of {owner}")
        if probe.same is not None and observation.field(probe.same) != captured:
            problems.append(
                f"{probe.same} changed from {captured!r} to {observation.field(probe.same)!r}"
            )
        return CaseResult.of(
            case,
            observed=observed,
            problems=problems,
            message=redact(observation.message, secrets),
        )

    def exposed_paths(self) -> list[str]:
        """Every table, view and function the API serves (`organizations`, `rpc/x`), read
        from its OpenAPI description as service_role (which sees them all)."""
        service = self._session(Actor(name="service_role", kind=ActorKind.SERVICE_ROLE))
        response = service.http.get("", headers={"Accept": "application/openapi+json"})
        response.raise_for_status()
        paths = response.json().get("paths", {})
        return sorted(path.lstrip("/") for path in paths if path != "/")

    # -- helpers -------------------------------------------------------------------------

    def _send(
        self,
        session: ActorSession,
        verb: Verb,
        path: str,
        body: JsonValue,
        returning: Returning = Returning.REPRESENTATION,
    ) -> Observation:
        return send(
            session.http,
            verb,
            self.symbols.expand(path, session.user_id),
            self.symbols.expand_json(body, session.user_id),
            returning,
        )

    def _session(self, actor: Actor) -> ActorSession:
        if actor.name not in self._sessions:
            self._sessions[actor.name] = open_session(self.target, actor, self.matrix.password)
        return self._sessions[actor.name]

    @property
    def symbols(self) -> Symbols:
        if self._symbols is None:
            service = self._session(Actor(name="service_role", kind=ActorKind.SERVICE_ROLE))
            self._symbols = load_symbols(service)
        return self._symbols

    @property
    def secrets(self) -> list[Secret]:
        """Every API key, read once as a secret holder through the API (never printed)."""
        if self._secrets is None:
            self._secrets = self._read_secrets()
        return self._secrets

    def _read_secrets(self) -> list[Secret]:
        source = self.matrix.secrets
        if source is None:
            return []
        session = self._session(self.matrix.actors[source.actor])
        secrets: list[Secret] = []
        prefix = f"{source.for_each}:"
        for symbol, row_id in self.symbols.ids.items():
            if not symbol.startswith(prefix):
                continue
            path = source.path.replace("{each}", row_id)
            body = _replace_each(source.body, row_id)
            observation = self._send(session, source.verb, path, body)
            if observation.status >= 300:
                raise RuntimeError(
                    f"{source.actor} could not read the API key of {symbol} "
                    f"({observation.status} {observation.code}); the secret scan needs it"
                )
            value = observation.rows[0] if observation.rows else None
            # Short values would match by accident; the seed's placeholders are long.
            if isinstance(value, str) and len(value) >= 8:
                secrets.append(Secret(owner=symbol, value=value))
        return secrets

    def _require_snapshot(self) -> DataSnapshot:
        if self._snapshot is None:
            raise RuntimeError("use MatrixRunner as a context manager")
        return self._snapshot


def _because(observation: Observation, secrets: list[Secret]) -> str:
    message = redact(observation.message, secrets)
    return f" ({message})" if message else ""


def _fill_captured(path: str, body: JsonValue, captured: JsonValue) -> tuple[str, JsonValue]:
    """`{captured}` stands for what an earlier `before` step captured (e.g. a hold's id)."""
    if captured is None:
        return path, body
    value = str(captured)
    return path.replace("{captured}", value), _replace_placeholder(body, "{captured}", value)


def _replace_each(body: JsonValue, row_id: str) -> JsonValue:
    return _replace_placeholder(body, "{each}", row_id)


def _replace_placeholder(body: JsonValue, placeholder: str, value: str) -> JsonValue:
    if isinstance(body, str):
        return body.replace(placeholder, value)
    if isinstance(body, dict):
        return {key: _replace_placeholder(item, placeholder, value) for key, item in body.items()}
    if isinstance(body, list):
        return [_replace_placeholder(item, placeholder, value) for item in body]
    return body
