"""Gateway unit fixtures: settings for an in-process app (no stack needed)."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from aimodels.gateway.settings import GatewaySettings
from aimodels.stack import keys

# Nothing listens on port 1: every connection attempt is refused at once.
UNREACHABLE_DB = "postgresql://authenticator:postgres@127.0.0.1:1/postgres?connect_timeout=1"


@pytest.fixture
def offline_settings() -> GatewaySettings:
    """A gateway whose database is down."""
    return GatewaySettings(
        db_url=SecretStr(UNREACHABLE_DB),
        auth_db_url=SecretStr(UNREACHABLE_DB),
        jwt_secret=SecretStr(keys.JWT_SECRET),
        anon_key=SecretStr(keys.ANON_KEY),
        service_role_key=SecretStr(keys.SERVICE_ROLE_KEY),
        pool_acquisition_timeout=1.0,
    )
