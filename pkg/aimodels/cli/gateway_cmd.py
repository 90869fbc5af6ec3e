"""`aimodels gateway ...`: run the Supabase-compatible API (/auth/v1 + /rest/v1) on Postgres."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import SecretStr

from aimodels.stack import keys

gateway_app = typer.Typer(
    help="The API gateway: GoTrue-compatible /auth/v1 and PostgREST-compatible /rest/v1.\n\n"
    "Example: aimodels gateway serve "
    "--db-url postgresql://authenticator:postgres@127.0.0.1:54322/postgres "
    "--auth-db-url postgresql://supabase_auth_admin:postgres@127.0.0.1:54322/postgres",
    no_args_is_help=True,
)


@gateway_app.callback()
def gateway_group() -> None:
    """The API gateway: GoTrue-compatible /auth/v1 and PostgREST-compatible /rest/v1."""


def _login_as(url: str, role: str) -> str:
    """The same server and database, logged in as another role (local password 'postgres')."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    params.update(user=role, password=keys.DB_PASSWORD)
    return make_conninfo("", **params)


@gateway_app.command("serve")
def serve_command(
    db_url: Annotated[
        str,
        typer.Option(
            help="Postgres URL of the API login role (authenticator). "
            "Example: postgresql://authenticator:postgres@127.0.0.1:54322/postgres"
        ),
    ],
    auth_db_url: Annotated[
        str | None,
        typer.Option(
            help="Postgres URL of the auth role (supabase_auth_admin); "
            "default: --db-url's server as supabase_auth_admin with the local password."
        ),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (the CLI's API port).")] = 54321,
    schemas: Annotated[
        str, typer.Option(help="Exposed schemas, comma separated; the first is the default.")
    ] = "public,graphql_public",
    extra_search_path: Annotated[
        str, typer.Option(help="Schemas appended to every request's search_path.")
    ] = "public,extensions",
    anon_role: Annotated[str, typer.Option(help="Role for requests without a JWT.")] = "anon",
    jwt_secret: Annotated[
        str, typer.Option(help="HS256 secret (default: the Supabase CLI's local one).")
    ] = keys.JWT_SECRET,
    jwt_expiry: Annotated[int, typer.Option(help="Access token lifetime in seconds.")] = 3600,
    max_rows: Annotated[int, typer.Option(help="Row cap per read (PostgREST db-max-rows).")] = 1000,
    anon_key: Annotated[str, typer.Option(help="anon JWT.")] = keys.ANON_KEY,
    service_role_key: Annotated[
        str, typer.Option(help="service_role JWT.")
    ] = keys.SERVICE_ROLE_KEY,
    publishable_key: Annotated[
        str, typer.Option(help="sb_publishable_ key, mapped to the anon JWT.")
    ] = keys.PUBLISHABLE_KEY,
    secret_key: Annotated[
        str, typer.Option(help="sb_secret_ key, mapped to the service_role JWT.")
    ] = keys.SECRET_KEY,
    auth_flows: Annotated[
        str | None,
        typer.Option(
            help="JSON of the email flows' settings (site_url, redirects, OTP, SMTP, rate "
            "limits), as the stack builds it from config.toml."
        ),
    ] = None,
    mailer_autoconfirm: Annotated[
        bool,
        typer.Option(help="Confirm sign-ups at once (config.toml: enable_confirmations = false)."),
    ] = True,
    db_plan_enabled: Annotated[
        bool, typer.Option(help="Serve EXPLAIN plans (PostgREST's db-plan-enabled).")
    ] = False,
) -> None:
    """Serve the API until interrupted. Logs one line per request, never tokens or queries."""
    from aimodels.gateway.auth.config import AuthFlowSettings
    from aimodels.gateway.server import serve
    from aimodels.gateway.settings import GatewaySettings

    flows = AuthFlowSettings.model_validate_json(auth_flows) if auth_flows else AuthFlowSettings()

    settings = GatewaySettings(
        db_url=SecretStr(db_url),
        auth_db_url=SecretStr(auth_db_url or _login_as(db_url, "supabase_auth_admin")),
        host=host,
        port=port,
        schemas=_split(schemas),
        extra_search_path=_split(extra_search_path),
        anon_role=anon_role,
        jwt_secret=SecretStr(jwt_secret),
        jwt_expiry=jwt_expiry,
        jwt_issuer=f"http://{host}:{port}/auth/v1",
        max_rows=max_rows,
        anon_key=SecretStr(anon_key),
        service_role_key=SecretStr(service_role_key),
        publishable_key=SecretStr(publishable_key),
        secret_key=SecretStr(secret_key),
        auth_flows=flows,
        mailer_autoconfirm=mailer_autoconfirm,
        db_plan_enabled=db_plan_enabled,
    )
    serve(settings)


def _split(names: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in names.split(",") if name.strip())
