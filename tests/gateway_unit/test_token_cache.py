"""The verified-token cache is bounded in bytes, not only in entries."""

from __future__ import annotations

import jwt
import pytest

from aimodels.gateway.bounded_cache import BoundedCache
from aimodels.gateway.settings import GatewaySettings
from aimodels.gateway.tokens import (
    VERIFIED_TOKENS_MAX_BYTES,
    resolve_request_claims,
    verified_tokens_cache,
)
from aimodels.stack import keys


def _big_token(index: int, metadata_bytes: int) -> str:
    claims = {
        "sub": f"user-{index}",
        "role": "authenticated",
        "exp": 4_000_000_000,
        "user_metadata": {"blob": "x" * metadata_bytes},
    }
    return jwt.encode(claims, keys.JWT_SECRET, algorithm="HS256")


def test_many_large_tokens_stay_within_the_byte_budget(offline_settings: GatewaySettings) -> None:
    cache = verified_tokens_cache()
    cache.clear()
    # 600 tokens of ~40 KiB each: 24 MiB of tokens, far past the budget, under 4096 entries.
    for index in range(600):
        token = _big_token(index, 30_000)
        headers = {"authorization": f"Bearer {token}"}
        assert resolve_request_claims(offline_settings, headers).role == "authenticated"

    assert 0 < cache.size_bytes <= VERIFIED_TOKENS_MAX_BYTES
    assert len(cache) < 600


def test_a_cached_token_is_still_checked_for_expiry(offline_settings: GatewaySettings) -> None:
    token = jwt.encode({"role": "authenticated", "exp": 1000}, keys.JWT_SECRET, algorithm="HS256")
    headers = {"authorization": f"Bearer {token}"}
    with pytest.raises(Exception, match="JWT expired"):
        resolve_request_claims(offline_settings, headers, now=900 + 10_000)


def test_least_recently_used_entries_go_first() -> None:
    cache: BoundedCache[str, int] = BoundedCache(max_entries=10, max_bytes=100)
    cache.put("a", 1, cost=20)
    cache.put("b", 2, cost=20)
    cache.get("a")
    cache.put("c", 3, cost=20)
    cache.put("d", 4, cost=20)
    cache.put("e", 5, cost=25)  # 105 bytes: the least recently used ("b") leaves

    assert (cache.get("b"), cache.get("a"), cache.size_bytes) == (None, 1, 85)


def test_an_entry_larger_than_a_quarter_of_the_budget_is_not_kept() -> None:
    cache: BoundedCache[str, int] = BoundedCache(max_entries=10, max_bytes=100)
    cache.put("small", 1, cost=10)
    cache.put("huge", 2, cost=26)

    assert (cache.get("huge"), cache.get("small")) == (None, 1)
