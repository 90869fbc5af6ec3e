"""Generated /auth/v1 requests: bodies, grant types and tokens. None may break the API."""

from __future__ import annotations

import json

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimodels.stack import keys
from tests.gateway_fuzz.support import FuzzTarget, check_answer

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
ascii_text = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=60)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=20,
)
grant_bodies = st.fixed_dictionaries(
    {},
    optional={
        "email": text | st.sampled_from(["user1@acme-law.example.test", "a@b", ""]),
        "password": text | json_values,
        "phone": text,
        "refresh_token": text | json_values,
    },
).map(json.dumps)
bodies = st.one_of(
    grant_bodies,
    json_values.map(json.dumps),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),
)


def _send(target: FuzzTarget, method: str, path: str, **kwargs: object) -> None:
    headers = {"apikey": keys.ANON_KEY, **dict(kwargs.pop("headers", {}))}  # type: ignore[arg-type]
    response = requests.request(
        method,
        f"{target.url}/auth/v1/{path}",
        headers=headers,
        timeout=30,
        **kwargs,  # type: ignore[arg-type]
    )
    check_answer(response)


@FUZZ
@given(
    grant=st.sampled_from(["password", "refresh_token", "pkce", ""]) | ascii_text,
    body=bodies,
    version=st.sampled_from(["2024-01-01", "", "1999-01-01", "garbage"]),
)
def test_fuzz_token_grants(unchanged_rows: FuzzTarget, grant: str, body: str, version: str) -> None:
    headers = {"Content-Type": "application/json", "X-Supabase-Api-Version": version}
    _send(
        unchanged_rows,
        "POST",
        "token",
        params={"grant_type": grant},
        data=body.encode(),
        headers=headers,
    )


@FUZZ
@given(
    token=ascii_text,
    method=st.sampled_from(["GET", "PUT", "POST", "DELETE"]),
    path=st.sampled_from(["user", "logout", "admin/users", "admin/users/not-a-uuid"]),
    body=bodies,
)
def test_fuzz_bearer_endpoints(
    unchanged_rows: FuzzTarget, token: str, method: str, path: str, body: str
) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    _send(unchanged_rows, method, path, data=body.encode(), headers=headers)
