"""GoTrue-compatible routes under /auth/v1 (placeholder until the auth handlers land)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute

if TYPE_CHECKING:
    from aimodels.gateway.app import GatewayContext


def build_auth_routes(context: GatewayContext) -> Sequence[BaseRoute]:
    return []
