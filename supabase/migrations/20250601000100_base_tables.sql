/**
  * Base tables: organizations and profiles.
  *
  * The seed document treats these two as "existing". They are created here so that a fresh
  * `supabase db reset` yields the whole product. Organization type slugs and pricing plans are
  * vocabularies kept once, in small immutable functions of the private schema, so check
  * constraints, rules and tests all read the same list.
  */

/**
  * -------------------------------------------------------
  * Section - Private schema
  * -------------------------------------------------------
  */

/**
  * Helpers, rules and secrets live here, outside the API's exposed schemas (public,
  * graphql_public): PostgREST can never call or read them directly. Signed-in users need
  * USAGE only because row level security policies call helpers from this schema.
  */
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Vocabularies
  * -------------------------------------------------------
  */

/**
  * The organization type slugs the product knows (the existing 20+ types). An organization has
  * exactly one; a model targets any subset (empty = every type).
  */
create or replace function private.organization_type_slugs()
  returns text[]
  language sql
  immutable
  parallel safe
  set search_path = ''
as $$
  select array[
    'accounting', 'beauty', 'construction', 'consulting', 'dentist', 'doctor', 'education',
    'finance', 'fitness', 'healthcare', 'hospitality', 'immigration', 'insurance', 'logistics',
    'manufacturing', 'marketing', 'media', 'nonprofit', 'realestate', 'recruitment', 'retail',
    'software', 'solicitor', 'travel'
  ]::text[]
$$;

revoke execute on function private.organization_type_slugs() from public;
grant execute on function private.organization_type_slugs() to authenticated, service_role;

/**
  * Rank of a pricing plan: free 0 < starter 1 < pro 2 < enterprise 3. Null for an unknown plan,
  * which is how the check constraints reject one.
  */
create or replace function private.plan_rank(plan text)
  returns integer
  language plpgsql
  immutable
  parallel safe
  set search_path = ''
as $$
begin
  -- plpgsql, not sql: a sql function with a SET clause is planned again on every call, and
  -- the catalog rules call this once per model row.
  return case plan
    when 'free' then 0
    when 'starter' then 1
    when 'pro' then 2
    when 'enterprise' then 3
  end;
end;
$$;

revoke execute on function private.plan_rank(text) from public;
grant execute on function private.plan_rank(text) to authenticated, service_role;

/**
  * The next monthly quota reset after `at`: the first instant (UTC) of the following month.
  */
create or replace function private.next_quota_reset(at timestamptz)
  returns timestamptz
  language sql
  immutable
  parallel safe
  set search_path = ''
as $$
  select (date_trunc('month', at at time zone 'UTC') + interval '1 month') at time zone 'UTC'
$$;

revoke execute on function private.next_quota_reset(timestamptz) from public;
grant execute on function private.next_quota_reset(timestamptz) to authenticated, service_role;

/**
  * Keeps updated_at honest on every table that has one; clients never set it.
  */
create or replace function private.touch_updated_at()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

revoke execute on function private.touch_updated_at() from public;

/**
  * -------------------------------------------------------
  * Section - Organizations
  * -------------------------------------------------------
  */

/**
  * A customer organization (tenant). Its type and pricing plan decide which system models it
  * may see; token_quota_monthly caps its non-free tokens per calendar month (null = unlimited),
  * token_usage_current is the running total since the last reset, token_reset_date is the next
  * reset instant. Admins may rename their organization but never touch type, plan or quota
  * fields (see private.protect_organization_fields).
  */
create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique
    constraint organizations_slug_format check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name text not null
    constraint organizations_name_not_blank check (length(btrim(name)) > 0),
  type text not null
    constraint organizations_type_known check (type = any (private.organization_type_slugs())),
  pricing_plan text not null default 'free'
    constraint organizations_pricing_plan_known check (private.plan_rank(pricing_plan) is not null),
  token_quota_monthly bigint
    constraint organizations_token_quota_monthly_non_negative check (token_quota_monthly >= 0),
  token_usage_current bigint not null default 0
    constraint organizations_token_usage_current_non_negative check (token_usage_current >= 0),
  token_reset_date timestamptz not null default private.next_quota_reset(now()),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table public.organizations is
  'Customer organizations (tenants): type and pricing plan select visible models; monthly token quota.';
comment on column public.organizations.token_quota_monthly is
  'Cap on non-free tokens per calendar month; null = unlimited.';
comment on column public.organizations.token_usage_current is
  'Non-free tokens used since the last quota reset.';
comment on column public.organizations.token_reset_date is
  'Next quota reset instant (UTC month start); reset lazily on first use after it, or by public.reset_org_quotas().';

-- Supabase's default privileges grant everything to anon too: start from nothing, grant what the
-- RLS contract needs (no TRUNCATE, which row level security does not govern).
revoke all on table public.organizations from public, anon, authenticated, service_role;
grant select, insert, update, delete on table public.organizations to authenticated, service_role;

-- Serves the scheduler's sweep in public.reset_org_quotas() (token_reset_date <= now()).
create index organizations_token_reset_date_idx on public.organizations (token_reset_date);

create trigger organizations_touch_updated_at
  before update on public.organizations
  for each row execute function private.touch_updated_at();

/**
  * -------------------------------------------------------
  * Section - Profiles
  * -------------------------------------------------------
  */

/**
  * One profile per auth user: the organization the user belongs to and the user's role in the
  * product. Role and organization are read from here by every policy, never from the JWT's
  * user-editable user_metadata. Superadmins are platform staff and normally have no
  * organization.
  */
create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  -- Deleting an organization leaves its members signed-in but without access.
  organization_id uuid references public.organizations (id) on delete set null,
  role text not null default 'user'
    constraint profiles_role_known check (role in ('superadmin', 'admin', 'user')),
  display_name text,
  avatar_url text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

comment on table public.profiles is
  'Product profile of an auth user: organization and role (superadmin, admin, user) plus display fields.';

revoke all on table public.profiles from public, anon, authenticated, service_role;
grant select, insert, update, delete on table public.profiles to authenticated, service_role;

-- Serves the organization_id foreign key and the "admins read their organization's profiles" policy.
create index profiles_organization_id_idx on public.profiles (organization_id);

create trigger profiles_touch_updated_at
  before update on public.profiles
  for each row execute function private.touch_updated_at();
