/**
  * The seed document's tables: the system model catalog, each organization's settings for a
  * model, and the append-only usage log. Column names follow the seed document; the only
  * additions are what a rule needs (see DESIGN.md section 3).
  */

/**
  * -------------------------------------------------------
  * Section - System model catalog
  * -------------------------------------------------------
  */

/**
  * A system AI model template kept by superadmins. It targets organization types
  * (empty = all) and a minimum pricing plan, and is either free (no token limits, not counted
  * toward the org quota), paid with a per-user token limit per period, or a trial that ends
  * trial_expires_days after the organization first enables it.
  *
  * api_key never holds the key: it reads 'set' when a key is stored, null otherwise. The key
  * itself is encrypted in private.model_api_keys (see the secrets migration), so `select=*`
  * works for every role without revealing it.
  */
create table public.ai_models_system (
  id uuid primary key default gen_random_uuid(),
  name text not null unique
    constraint ai_models_system_name_not_blank check (length(btrim(name)) > 0),
  role text not null default '',
  task text[] not null default '{}',
  system_message text not null default '',
  api_key text
    constraint ai_models_system_api_key_is_marker check (api_key is null or api_key = 'set'),
  endpoint text,
  max_tokens integer
    constraint ai_models_system_max_tokens_positive check (max_tokens > 0),
  icon text,
  organization_types text[] not null default '{}'
    constraint ai_models_system_organization_types_known
      check (organization_types <@ private.organization_type_slugs()),
  required_plan text not null default 'free'
    constraint ai_models_system_required_plan_known check (private.plan_rank(required_plan) is not null),
  token_limit_period text not null default 'monthly'
    constraint ai_models_system_token_limit_period_known
      check (token_limit_period in ('daily', 'weekly', 'monthly')),
  token_limit_amount bigint
    constraint ai_models_system_token_limit_amount_non_negative check (token_limit_amount >= 0),
  is_free boolean not null default false,
  is_trial boolean not null default false,
  trial_expires_days integer
    constraint ai_models_system_trial_expires_days_positive check (trial_expires_days > 0),
  is_active boolean not null default true,
  is_featured boolean not null default false,
  description text,
  tags text[] not null default '{}',
  sort_order integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint ai_models_system_trial_has_length check (not is_trial or trial_expires_days is not null)
);

comment on table public.ai_models_system is
  'System AI model templates (catalog) kept by superadmins; targeted by organization type and plan.';
comment on column public.ai_models_system.api_key is
  'Whether an API key is stored: ''set'' or null. Writing a plaintext key here (superadmins only) stores it encrypted and leaves ''set''.';
comment on column public.ai_models_system.organization_types is
  'Organization types the model targets; empty = every type.';
comment on column public.ai_models_system.token_limit_amount is
  'Tokens per user per token_limit_period; null = unlimited. Ignored for free models.';

revoke all on table public.ai_models_system from public, anon, authenticated, service_role;
grant select, insert, update, delete on table public.ai_models_system to authenticated, service_role;

-- Serves usable_models() and catalog listings: active models, featured first, then sort_order.
create index ai_models_system_catalog_order_idx
  on public.ai_models_system (is_featured desc, sort_order)
  where is_active;

create trigger ai_models_system_touch_updated_at
  before update on public.ai_models_system
  for each row execute function private.touch_updated_at();

/**
  * -------------------------------------------------------
  * Section - Organization settings per model
  * -------------------------------------------------------
  */

/**
  * An organization admin's settings for one visible model: whether the org's users may use it
  * and an optional per-user token limit that can only tighten the model's own limit.
  * One row per (organization, model); deleting the row never restarts a trial
  * (trial starts live in private.org_model_first_enabled).
  */
create table public.org_system_model_config (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  system_model_id uuid not null references public.ai_models_system (id) on delete cascade,
  is_enabled_for_users boolean not null default false,
  token_limit_per_user bigint
    constraint org_system_model_config_token_limit_per_user_non_negative
      check (token_limit_per_user >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Also serves the organization_id foreign key and every "own organization" policy.
  constraint org_system_model_config_org_model_key unique (organization_id, system_model_id)
);

comment on table public.org_system_model_config is
  'Per-organization settings of a system model: enabled for users, optional tighter per-user token limit.';

revoke all on table public.org_system_model_config from public, anon, authenticated, service_role;
grant select, insert, update, delete on table public.org_system_model_config to authenticated, service_role;

-- Serves the system_model_id foreign key (model deletion cascades here).
create index org_system_model_config_system_model_id_idx
  on public.org_system_model_config (system_model_id);

create trigger org_system_model_config_touch_updated_at
  before update on public.org_system_model_config
  for each row execute function private.touch_updated_at();

/**
  * When an organization first enabled each model. A trial runs from this instant, so deleting,
  * re-creating or disabling the settings row can never restart it. Private: no API role reads
  * or writes it; a trigger on org_system_model_config fills it.
  */
create table private.org_model_first_enabled (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  system_model_id uuid not null references public.ai_models_system (id) on delete cascade,
  first_enabled_at timestamptz not null default now(),
  primary key (organization_id, system_model_id)
);

comment on table private.org_model_first_enabled is
  'First time an organization enabled a model: the start of a trial, never reset.';

revoke all on table private.org_model_first_enabled from public, anon, authenticated, service_role;

-- Serves the system_model_id foreign key (model deletion cascades here).
create index org_model_first_enabled_system_model_id_idx
  on private.org_model_first_enabled (system_model_id);

/**
  * -------------------------------------------------------
  * Section - Usage log
  * -------------------------------------------------------
  */

/**
  * One recorded use of a model: who, in which organization, which model (name kept as it was),
  * how many tokens and requests, in which limit period. Append-only: a trigger refuses every
  * update, delete and truncate, for every role. Inserts, by any path, pass the admission
  * trigger that enforces every rule (see the usage migration).
  *
  * user_id restricts deletion of the profile (and so of the auth user): usage history is an
  * audit log. model_id has no foreign key because model_type may name a custom model and a
  * deleted catalog model must not take its history with it; model_name keeps the name.
  */
create table public.ai_model_usage (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references public.profiles (id) on delete restrict,
  organization_id uuid not null references public.organizations (id) on delete restrict,
  model_id uuid not null,
  model_type text not null default 'system'
    constraint ai_model_usage_model_type_known check (model_type in ('system', 'custom')),
  model_name text not null,
  tokens_used integer not null
    constraint ai_model_usage_tokens_used_positive check (tokens_used > 0),
  requests_count integer not null default 1
    constraint ai_model_usage_requests_count_positive check (requests_count > 0),
  period_start timestamptz not null,
  period_end timestamptz not null,
  period_type text not null
    constraint ai_model_usage_period_type_known check (period_type in ('daily', 'weekly', 'monthly')),
  created_at timestamptz not null default now(),
  constraint ai_model_usage_period_ordered check (period_start < period_end)
);

comment on table public.ai_model_usage is
  'Append-only usage log; every insert is admitted by the same checks as record_usage().';

revoke all on table public.ai_model_usage from public, anon, authenticated, service_role;
grant select, insert on table public.ai_model_usage to authenticated, service_role;

-- Serves the user_id foreign key, the "users read their own usage" policy and the per-user
-- limit check (sum of a user's tokens on a model since the period start).
create index ai_model_usage_user_model_created_idx
  on public.ai_model_usage (user_id, model_id, created_at);

-- Serves the organization_id foreign key and the "admins read their organization's usage" policy.
create index ai_model_usage_organization_created_idx
  on public.ai_model_usage (organization_id, created_at);

-- Serves date-range reads of everybody's usage: the superadmin's reports by day or month.
create index ai_model_usage_created_at_idx
  on public.ai_model_usage (created_at);

/**
  * Tokens per (user, model, limit window): the running total the per-user limit check reads,
  * so recording costs the same whatever the length of a user's history. The admission moves
  * it in the same transaction as the insert, under the same organization lock (see the usage
  * migration); private.user_tokens_used() is its only reader.
  *
  * A counter is keyed by the window the rows were recorded in (their period_start and
  * period_end), and the limit check reads the window of the model's CURRENT period. So when
  * a superadmin changes a model's token_limit_period, the new period's window starts from
  * what was recorded under it (usually nothing): DESIGN.md leaves the switch-over open and
  * this is the simplest reading that stays exact. Rows inserted around the admission (bulk
  * loads with triggers off) are summed from the log for a window that has no counter yet;
  * once a counter exists, only admitted rows move it.
  */
create table private.usage_period_totals (
  user_id uuid not null,
  model_id uuid not null,
  period_start timestamptz not null,
  period_end timestamptz not null,
  tokens bigint not null
    constraint usage_period_totals_tokens_non_negative check (tokens >= 0),
  -- Serves the limit check: one row per (user, model, window).
  primary key (user_id, model_id, period_start, period_end)
);

comment on table private.usage_period_totals is
  'Tokens per (user, model, limit window), moved by the usage admission; read by the limit check.';

revoke all on table private.usage_period_totals from public, anon, authenticated, service_role;
