"""The Supabase CLI's local-development JWT secret and API keys.

These are public, documented development values (the same ones `supabase start` prints), so
a `.env` written by our local stack also works against a Docker-based Supabase stack.
Never use them outside a local stack.
"""

from __future__ import annotations

JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long"

# HS256 tokens signed with JWT_SECRET: {"iss":"supabase-demo","role":...,"exp":1983812996}.
ANON_KEY = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9."
    "CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
)
SERVICE_ROLE_KEY = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0."
    "EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU"
)

# The CLI's newer opaque keys; the API gateway maps them to the JWTs above, as Kong does.
PUBLISHABLE_KEY = "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH"
SECRET_KEY = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz"

# Password of the local cluster's login roles (postgres, authenticator, supabase_auth_admin),
# as in the CLI's local stack.
DB_PASSWORD = "postgres"
