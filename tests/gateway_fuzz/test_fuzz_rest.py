"""Generated REST requests: grammar, headers, bodies and tokens. None may break the API.

Callers are anonymous (no privilege on the product's tables), forged (bad tokens), or a
signed-in user reading: whatever they send, no row may change. Example counts are bounded
so the whole suite runs in seconds.
"""

from __future__ import annotations

import base64
import json
import time

import jwt
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aimodels.stack import keys
from tests.gateway_fuzz.support import FuzzTarget, check_answer

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TABLES = [
    "organizations",
    "profiles",
    "ai_models_system",
    "org_system_model_config",
    "ai_model_usage",
    "no_such_table",
]
COLUMNS = [
    "id",
    "name",
    "type",
    "pricing_plan",
    "organization_id",
    "role",
    "tokens_used",
    "created_at",
    "tags",
    "task",
    "api_key",
    "is_active",
    "x",
    "*",
]
EMBEDS = ["profiles", "organizations", "ai_model_usage", "ai_models_system", "nope"]
OPERATORS = [
    "eq",
    "neq",
    "gt",
    "gte",
    "lt",
    "lte",
    "like",
    "ilike",
    "match",
    "imatch",
    "is",
    "in",
    "cs",
    "cd",
    "ov",
    "sl",
    "sr",
    "nxl",
    "nxr",
    "adj",
    "fts",
    "plfts",
    "phfts",
    "wfts",
    "isdistinct",
    "not.eq",
    "eq(any)",
    "like(all)",
    "bogus",
]
RPCS = ["rpc/quota_status", "rpc/usable_models", "rpc/record_usage", "rpc/no_such_fn"]

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
ascii_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
# Header values: printable, no surrounding whitespace (clients cannot send that).
header_text = ascii_text.map(str.strip)
column = st.sampled_from(COLUMNS) | ascii_text


@st.composite
def select_items(draw: st.DrawFn, depth: int = 0) -> str:
    items = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 4 if depth < 2 else 2))
        name = draw(column)
        if kind == 0:
            items.append(name)
        elif kind == 1:
            items.append(f"{draw(ascii_text)}:{name}")
        elif kind == 2:
            items.append(f"{name}::{draw(st.sampled_from(['text', 'int', 'json', 'x y']))}")
        else:
            hint = draw(st.sampled_from(["", "!inner", "!left", "!fk", "!!"]))
            items.append(f"{draw(st.sampled_from(EMBEDS))}{hint}({draw(select_items(depth + 1))})")
    return ",".join(items)


value = text | st.sampled_from(["null", "true", "(1,2)", '("a,b",c)', "{1,2}", "a%00b", "*"])
filter_value = st.builds(lambda op, v: f"{op}.{v}", st.sampled_from(OPERATORS), value)
order_value = st.builds(
    lambda c, d, n: ".".join(p for p in (c, d, n) if p),
    column,
    st.sampled_from(["", "asc", "desc", "sideways"]),
    st.sampled_from(["", "nullsfirst", "nullslast"]),
)
logic_value = st.builds(
    lambda a, b: f"({a},{b})",
    st.builds(lambda c, f: f"{c}.{f}", column, filter_value),
    st.builds(lambda c, f: f"{c}.{f}", column, filter_value),
)
query_pairs = st.lists(
    st.one_of(
        st.tuples(st.just("select"), select_items()),
        st.tuples(column, filter_value),
        st.tuples(st.just("order"), order_value),
        st.tuples(st.sampled_from(["limit", "offset"]), st.integers(-5, 10**12).map(str) | text),
        st.tuples(st.sampled_from(["or", "and", "not.or"]), logic_value),
        st.tuples(text, text),
    ),
    max_size=6,
)

prefer = st.lists(
    st.sampled_from(
        [
            "return=representation",
            "return=minimal",
            "return=headers-only",
            "count=exact",
            "count=planned",
            "count=estimated",
            "resolution=merge-duplicates",
            "missing=default",
            "handling=strict",
            "handling=lenient",
            "max-affected=1",
            "tx=commit",
            "tx=rollback",
            "timezone=Mars/Base",
            "bogus",
        ]
    )
    | header_text,
    max_size=4,
).map(",".join)
accept = (
    st.sampled_from(
        [
            "application/json",
            "application/vnd.pgrst.object+json",
            "text/csv",
            "*/*",
            "application/openapi+json",
            "application/vnd.pgrst.array+json;nulls=stripped",
            "text/html",
            "application/xml;q=0.5, */*;q=0.1",
        ]
    )
    | header_text
)
range_header = st.builds(lambda a, b: f"{a}-{b}", st.integers(-3, 10**9), st.integers(-3, 10**9))
range_header = range_header | header_text


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


HS256_HEADER = _b64(b'{"alg":"HS256"}')


@st.composite
def bad_tokens(draw: st.DrawFn) -> str:
    """Tokens PostgREST must refuse, or that name a role the caller may not switch to."""
    kind = draw(st.integers(0, 6))
    if kind == 0:  # malformed
        return ".".join(draw(st.lists(ascii_text.map(lambda s: s.replace(" ", "")), max_size=4)))
    if kind == 1:  # wrong algorithm, or none
        alg = draw(st.sampled_from(["none", "HS512", "RS256", "ES256", ""]))
        header = _b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
        payload = _b64(json.dumps({"role": "service_role"}).encode())
        return f"{header}.{payload}.{_b64(draw(st.binary(max_size=32)))}"
    if kind == 2:  # expired, with the right secret
        claims = {"role": "authenticated", "exp": int(time.time()) - draw(st.integers(31, 10**6))}
        return jwt.encode(claims, keys.JWT_SECRET, algorithm="HS256")
    if kind == 3:  # huge (some past the header limit)
        pad = "x" * draw(st.integers(1000, 12000))
        return jwt.encode({"role": "anon", "pad": pad}, keys.JWT_SECRET, algorithm="HS256")
    if kind == 4:  # signed by someone else as service_role
        return jwt.encode({"role": "service_role"}, "not-the-secret-" * 3, algorithm="HS256")
    if kind == 5:  # deeply nested claims
        depth = draw(st.integers(100, 3000))
        payload = _b64(('{"a":' + "[" * depth + "]" * depth + "}").encode())
        return f"{HS256_HEADER}.{payload}.{_b64(b'sig')}"
    # the right secret, but a role nobody may become (or that does not exist)
    role = draw(st.sampled_from(["postgres", "authenticator", "supabase_admin", "nobody"]) | text)
    return jwt.encode({"role": role}, keys.JWT_SECRET, algorithm="HS256")


def _send(target: FuzzTarget, method: str, path: str, **kwargs: object) -> requests.Response:
    headers = {"apikey": keys.ANON_KEY, **dict(kwargs.pop("headers", {}))}  # type: ignore[arg-type]
    response = requests.request(
        method,
        f"{target.url}/rest/v1/{path}",
        headers=headers,
        timeout=30,
        **kwargs,  # type: ignore[arg-type]
    )
    check_answer(response)
    return response


@FUZZ
@given(
    table=st.sampled_from(TABLES),
    pairs=query_pairs,
    method=st.sampled_from(["GET", "HEAD", "GET", "DELETE", "PATCH"]),
    prefer=prefer,
    accept=accept,
    range_=range_header,
)
def test_fuzz_read_grammar_as_anon(
    unchanged_rows: FuzzTarget,
    table: str,
    pairs: list[tuple[str, str]],
    method: str,
    prefer: str,
    accept: str,
    range_: str,
) -> None:
    headers = {"Prefer": prefer, "Accept": accept, "Range": range_}
    body = None if method in ("GET", "HEAD", "DELETE") else {"name": "fuzzed"}
    _send(unchanged_rows, method, table, params=pairs, headers=headers, json=body)


@FUZZ
@given(table=st.sampled_from(TABLES), pairs=query_pairs, accept=accept, range_=range_header)
def test_fuzz_read_grammar_as_a_signed_in_user(
    unchanged_rows: FuzzTarget, table: str, pairs: list[tuple[str, str]], accept: str, range_: str
) -> None:
    headers = {
        "Authorization": f"Bearer {unchanged_rows.user_token}",
        "Accept": accept,
        "Range": range_,
    }
    _send(unchanged_rows, "GET", table, params=pairs, headers=headers)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=20,
)
raw_bodies = st.one_of(
    json_values.map(json.dumps),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.integers(1, 5000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 5000).map(lambda n: '{"a":' * n + "1" + "}" * n),
)


@FUZZ
@given(
    path=st.sampled_from(RPCS + TABLES),
    body=raw_bodies,
    content_type=st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "text/csv",
            "application/vnd.pgrst.object+json",
            "text/plain",
        ]
    ),
    prefer=prefer,
)
def test_fuzz_bodies_as_anon(
    unchanged_rows: FuzzTarget, path: str, body: str, content_type: str, prefer: str
) -> None:
    headers = {"Content-Type": content_type, "Prefer": prefer}
    _send(unchanged_rows, "POST", path, data=body.encode(), headers=headers)


@FUZZ
@given(
    token=bad_tokens(),
    scheme=st.sampled_from(["Bearer ", "bearer ", "BEARER  ", "Basic ", ""]),
    method=st.sampled_from(["GET", "POST", "PATCH", "DELETE"]),
    table=st.sampled_from(TABLES),
)
def test_fuzz_tokens(
    unchanged_rows: FuzzTarget, token: str, scheme: str, method: str, table: str
) -> None:
    body = None if method in ("GET", "DELETE") else {"name": "fuzzed"}
    headers = {"Authorization": f"{scheme}{token}".strip()}
    _send(unchanged_rows, method, table, headers=headers, json=body)
