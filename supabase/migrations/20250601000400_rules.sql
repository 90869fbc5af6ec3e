/**
  * The product's rules (DESIGN.md section 4), each one SQL function that policies, RPCs and
  * triggers all call, so a rule lives in exactly one place.
  *
  * Errors of our own carry custom SQLSTATEs. PostgREST answers them with HTTP 400 and
  * `code` = the SQLSTATE; clients branch on the code, never on the message text.
  *
  *   SQLSTATE  name                 raised when
  *   --------  -------------------  ------------------------------------------------------------
  *   AM001     model_not_available  the model does not exist, is inactive, or is not targeted at
  *                                  the user's organization (type or plan), or the user has no
  *                                  organization
  *   AM002     model_not_enabled    the organization has not enabled the model for its users
  *   AM003     trial_expired        the model is a trial and the org's trial period has ended
  *   AM004     user_limit_exceeded  the user's effective token limit for the current period
  *                                  would be exceeded
  *   AM005     org_quota_exceeded   the organization's monthly token quota would be exceeded
  *   AM006     invalid_amount       tokens_used or requests_count is missing or not positive
  *   AM007     usage_append_only    an update, delete or truncate of ai_model_usage
  *   AM008     protected_field      a write to a field the caller may not change (org plan,
  *                                  type or quota as admin, a role, an organization, a key)
  *   42501     (PostgreSQL)         plain privilege or row level security denial, including
  *                                  non-superadmins calling the API-key functions
  *
  * Messages start with the error's name, then say what happened in plain words; DETAIL carries
  * the numbers (limit, used, requested).
  */

/**
  * -------------------------------------------------------
  * Section - Targeting and visibility
  * -------------------------------------------------------
  */

/**
  * Visible to an organization (what its admin sees): the model is active, targets the org's
  * type (or every type), and the org's plan ranks at least the model's required plan.
  */
create or replace function private.is_model_visible_to_org(organization_id uuid, model_id uuid)
  returns boolean
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select exists (
    select 1
    from public.ai_models_system m
    join public.organizations o on o.id = is_model_visible_to_org.organization_id
    where m.id = is_model_visible_to_org.model_id
      and m.is_active
      and (m.organization_types = '{}' or o.type = any (m.organization_types))
      and private.plan_rank(o.pricing_plan) >= private.plan_rank(m.required_plan)
  )
$$;

revoke execute on function private.is_model_visible_to_org(uuid, uuid) from public;
grant execute on function private.is_model_visible_to_org(uuid, uuid) to authenticated, service_role;

/**
  * The organization has a settings row for the model with is_enabled_for_users.
  */
create or replace function private.is_model_enabled_for_org(organization_id uuid, model_id uuid)
  returns boolean
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select exists (
    select 1
    from public.org_system_model_config c
    where c.organization_id = is_model_enabled_for_org.organization_id
      and c.system_model_id = is_model_enabled_for_org.model_id
      and c.is_enabled_for_users
  )
$$;

revoke execute on function private.is_model_enabled_for_org(uuid, uuid) from public;
grant execute on function private.is_model_enabled_for_org(uuid, uuid) to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Trials
  * -------------------------------------------------------
  */

/**
  * Records the first time an organization enables a model. Runs after every insert or update
  * that leaves a settings row enabled; later enables keep the first instant.
  */
create or replace function private.record_first_enable()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  insert into private.org_model_first_enabled (organization_id, system_model_id)
  values (new.organization_id, new.system_model_id)
  on conflict (organization_id, system_model_id) do nothing;
  return null;
end;
$$;

revoke execute on function private.record_first_enable() from public;

create trigger org_system_model_config_record_first_enable
  after insert or update of is_enabled_for_users on public.org_system_model_config
  for each row
  when (new.is_enabled_for_users)
  execute function private.record_first_enable();

/**
  * When the organization's trial of a model ends: trial_expires_days after it first enabled
  * the model. Null when the model is not a trial or the org never enabled it.
  */
create or replace function private.trial_end(organization_id uuid, model_id uuid)
  returns timestamptz
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select f.first_enabled_at + make_interval(days => m.trial_expires_days)
  from public.ai_models_system m
  join private.org_model_first_enabled f
    on f.system_model_id = m.id
   and f.organization_id = trial_end.organization_id
  where m.id = trial_end.model_id
    and m.is_trial
$$;

revoke execute on function private.trial_end(uuid, uuid) from public;
grant execute on function private.trial_end(uuid, uuid) to authenticated, service_role;

/**
  * True when the model is a trial whose period has ended for the organization at `at`.
  */
create or replace function private.is_trial_expired(
  organization_id uuid,
  model_id uuid,
  at timestamptz default now()
)
  returns boolean
  language sql
  stable
  set search_path = ''
as $$
  select coalesce(at >= private.trial_end(organization_id, model_id), false)
$$;

revoke execute on function private.is_trial_expired(uuid, uuid, timestamptz) from public;
grant execute on function private.is_trial_expired(uuid, uuid, timestamptz) to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Usability
  * -------------------------------------------------------
  */

/**
  * Usable by a user: visible to the user's organization, enabled there for users, and, for a
  * trial, not expired.
  */
create or replace function private.is_model_usable_by_user(user_id uuid, model_id uuid)
  returns boolean
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select exists (
    select 1
    from public.profiles p
    where p.id = is_model_usable_by_user.user_id
      and p.organization_id is not null
      and private.is_model_visible_to_org(p.organization_id, is_model_usable_by_user.model_id)
      and private.is_model_enabled_for_org(p.organization_id, is_model_usable_by_user.model_id)
      and not private.is_trial_expired(p.organization_id, is_model_usable_by_user.model_id)
  )
$$;

revoke execute on function private.is_model_usable_by_user(uuid, uuid) from public;
grant execute on function private.is_model_usable_by_user(uuid, uuid) to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Limits and periods
  * -------------------------------------------------------
  */

/**
  * The UTC window containing `at` for a limit period: daily from 00:00, weekly from Monday
  * 00:00 (ISO week), monthly from the 1st. period_end is exclusive.
  */
create or replace function private.period_window(
  period text,
  at timestamptz,
  out period_start timestamptz,
  out period_end timestamptz
)
  language sql
  immutable
  parallel safe
  set search_path = ''
as $$
  select
    w.start_utc at time zone 'UTC',
    (w.start_utc + w.length) at time zone 'UTC'
  from (
    select
      date_trunc(
        case period when 'daily' then 'day' when 'weekly' then 'week' when 'monthly' then 'month' end,
        at at time zone 'UTC'
      ) as start_utc,
      case period
        when 'daily' then interval '1 day'
        when 'weekly' then interval '7 days'
        when 'monthly' then interval '1 month'
      end as length
  ) w
$$;

revoke execute on function private.period_window(text, timestamptz) from public;
grant execute on function private.period_window(text, timestamptz) to authenticated, service_role;

/**
  * The effective per-user token limit of a model in an organization: the smaller of the
  * model's token_limit_amount and the org's token_limit_per_user (an admin can only tighten).
  * Null = unlimited; always null for free models.
  */
create or replace function private.effective_user_limit(organization_id uuid, model_id uuid)
  returns bigint
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select case
    when m.is_free then null
    -- least() ignores nulls: an unset side never loosens the other.
    else least(m.token_limit_amount, c.token_limit_per_user)
  end
  from public.ai_models_system m
  left join public.org_system_model_config c
    on c.system_model_id = m.id
   and c.organization_id = effective_user_limit.organization_id
  where m.id = effective_user_limit.model_id
$$;

revoke execute on function private.effective_user_limit(uuid, uuid) from public;
grant execute on function private.effective_user_limit(uuid, uuid) to authenticated, service_role;

/**
  * Tokens a user recorded on a model in [period_start, period_end).
  */
create or replace function private.user_tokens_used(
  user_id uuid,
  model_id uuid,
  period_start timestamptz,
  period_end timestamptz
)
  returns bigint
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select coalesce(sum(u.tokens_used), 0)::bigint
  from public.ai_model_usage u
  where u.user_id = user_tokens_used.user_id
    and u.model_id = user_tokens_used.model_id
    and u.created_at >= user_tokens_used.period_start
    and u.created_at < user_tokens_used.period_end
$$;

revoke execute on function private.user_tokens_used(uuid, uuid, timestamptz, timestamptz) from public;
grant execute on function private.user_tokens_used(uuid, uuid, timestamptz, timestamptz) to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Organization quota
  * -------------------------------------------------------
  */

/**
  * Resets the monthly quota counter of every organization whose token_reset_date has passed
  * (or only of the given one): usage back to 0, next reset at the next month start.
  * Idempotent: a second call finds nothing due. Returns how many organizations were reset.
  */
create or replace function private.reset_due_org_quotas(organization_id uuid default null)
  returns integer
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  reset_count integer;
begin
  update public.organizations o
  set token_usage_current = 0,
      token_reset_date = private.next_quota_reset(now())
  where o.token_reset_date <= now()
    and (reset_due_org_quotas.organization_id is null or o.id = reset_due_org_quotas.organization_id);
  get diagnostics reset_count = row_count;
  return reset_count;
end;
$$;

revoke execute on function private.reset_due_org_quotas(uuid) from public;

/**
  * The organization's quota as it stands now, applying a due reset without writing it:
  * quota (null = unlimited), used, remaining (null = unlimited) and the next reset instant.
  */
create or replace function private.org_quota_status(
  organization_id uuid,
  out quota bigint,
  out used bigint,
  out remaining bigint,
  out reset_at timestamptz
)
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select
    s.quota,
    s.used,
    case when s.quota is not null then greatest(s.quota - s.used, 0) end,
    s.reset_at
  from (
    select
      o.token_quota_monthly as quota,
      case when o.token_reset_date <= now() then 0 else o.token_usage_current end as used,
      case when o.token_reset_date <= now() then private.next_quota_reset(now())
           else o.token_reset_date end as reset_at
    from public.organizations o
    where o.id = org_quota_status.organization_id
  ) s
$$;

revoke execute on function private.org_quota_status(uuid) from public;
grant execute on function private.org_quota_status(uuid) to authenticated, service_role;

/**
  * The scheduler's entry point (pg_cron on Supabase, or service_role through the API): resets
  * every organization whose quota period has ended. Idempotent; returns how many were reset.
  */
create or replace function public.reset_org_quotas()
  returns integer
  language sql
  security definer
  set search_path = ''
as $$
  select private.reset_due_org_quotas(null)
$$;

revoke execute on function public.reset_org_quotas() from public, anon, authenticated;
grant execute on function public.reset_org_quotas() to service_role;
