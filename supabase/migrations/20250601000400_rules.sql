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
  * The models visible to an organization (what its admin sees): active, targeting the org's
  * type (or every type), and requiring a plan the org's plan ranks at least. The targeting
  * rule lives here only; the per-model check, the catalog policy and the admission use it.
  * An array, computed in one query: a policy probes it once per statement.
  */
create or replace function private.visible_model_ids(organization_id uuid)
  returns uuid[]
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
declare
  org_type text;
  org_rank integer;
begin
  select o.type, private.plan_rank(o.pricing_plan) into org_type, org_rank
  from public.organizations o
  where o.id = visible_model_ids.organization_id;
  return (
    select coalesce(array_agg(m.id), '{}')
    from public.ai_models_system m
    where m.is_active
      and (m.organization_types = '{}' or org_type = any (m.organization_types))
      and org_rank >= private.plan_rank(m.required_plan)
  );
end;
$$;

revoke execute on function private.visible_model_ids(uuid) from public;
grant execute on function private.visible_model_ids(uuid) to authenticated, service_role;

/**
  * Visible to an organization: the model is one of visible_model_ids(organization).
  */
create or replace function private.is_model_visible_to_org(organization_id uuid, model_id uuid)
  returns boolean
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return is_model_visible_to_org.model_id
    = any (private.visible_model_ids(is_model_visible_to_org.organization_id));
end;
$$;

revoke execute on function private.is_model_visible_to_org(uuid, uuid) from public;
grant execute on function private.is_model_visible_to_org(uuid, uuid) to authenticated, service_role;

/**
  * The organization has a settings row for the model with is_enabled_for_users.
  */
create or replace function private.is_model_enabled_for_org(organization_id uuid, model_id uuid)
  returns boolean
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return exists (
    select 1
    from public.org_system_model_config c
    where c.organization_id = is_model_enabled_for_org.organization_id
      and c.system_model_id = is_model_enabled_for_org.model_id
      and c.is_enabled_for_users
  );
end;
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
  * The organization's trials and when each ends: trial_expires_days after the org first
  * enabled the model. The only place the trial length is applied.
  */
create or replace function private.org_trial_ends(organization_id uuid)
  returns table (model_id uuid, ends_at timestamptz)
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return query
  select m.id, f.first_enabled_at + make_interval(days => m.trial_expires_days)
  from private.org_model_first_enabled f
  join public.ai_models_system m on m.id = f.system_model_id
  where f.organization_id = org_trial_ends.organization_id
    and m.is_trial;
end;
$$;

revoke execute on function private.org_trial_ends(uuid) from public;
grant execute on function private.org_trial_ends(uuid) to authenticated, service_role;

/**
  * When the organization's trial of a model ends. Null when the model is not a trial or the
  * org never enabled it.
  */
create or replace function private.trial_end(organization_id uuid, model_id uuid)
  returns timestamptz
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return (
    select t.ends_at
    from private.org_trial_ends(trial_end.organization_id) t
    where t.model_id = trial_end.model_id
  );
end;
$$;

revoke execute on function private.trial_end(uuid, uuid) from public;
grant execute on function private.trial_end(uuid, uuid) to authenticated, service_role;

/**
  * The organization's trials that have ended at `at`. The only place "ended" is decided.
  */
create or replace function private.expired_trial_model_ids(
  organization_id uuid,
  at timestamptz default now()
)
  returns uuid[]
  language plpgsql
  stable
  set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(t.model_id), '{}')
    from private.org_trial_ends(expired_trial_model_ids.organization_id) t
    where expired_trial_model_ids.at >= t.ends_at
  );
end;
$$;

revoke execute on function private.expired_trial_model_ids(uuid, timestamptz) from public;
grant execute on function private.expired_trial_model_ids(uuid, timestamptz) to authenticated, service_role;

/**
  * True when the model is a trial whose period has ended for the organization at `at`.
  */
create or replace function private.is_trial_expired(
  organization_id uuid,
  model_id uuid,
  at timestamptz default now()
)
  returns boolean
  language plpgsql
  stable
  set search_path = ''
as $$
begin
  return is_trial_expired.model_id
    = any (private.expired_trial_model_ids(is_trial_expired.organization_id, is_trial_expired.at));
end;
$$;

revoke execute on function private.is_trial_expired(uuid, uuid, timestamptz) from public;
grant execute on function private.is_trial_expired(uuid, uuid, timestamptz) to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Usability
  * -------------------------------------------------------
  */

/**
  * The models a user may use: visible to the user's organization, enabled there for users,
  * and, for a trial, not expired. One query over the org's settings rows, so the catalog
  * policy and usable_models() pay for it once per statement, not once per model.
  */
create or replace function private.usable_model_ids(user_id uuid)
  returns uuid[]
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
declare
  org_id uuid := (select p.organization_id from public.profiles p where p.id = usable_model_ids.user_id);
  -- Each rule once for the organization, not once per settings row.
  visible uuid[] := private.visible_model_ids(org_id);
  expired uuid[] := private.expired_trial_model_ids(org_id);
begin
  return (
    select coalesce(array_agg(c.system_model_id), '{}')
    from public.org_system_model_config c
    where c.organization_id = org_id
      and c.is_enabled_for_users
      and c.system_model_id = any (visible)
      and c.system_model_id <> all (expired)
  );
end;
$$;

revoke execute on function private.usable_model_ids(uuid) from public;
grant execute on function private.usable_model_ids(uuid) to authenticated, service_role;

/**
  * Usable by a user: the model is one of usable_model_ids(user).
  */
create or replace function private.is_model_usable_by_user(user_id uuid, model_id uuid)
  returns boolean
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return is_model_usable_by_user.model_id
    = any (private.usable_model_ids(is_model_usable_by_user.user_id));
end;
$$;

revoke execute on function private.is_model_usable_by_user(uuid, uuid) from public;
grant execute on function private.is_model_usable_by_user(uuid, uuid) to authenticated, service_role;

/**
  * The catalog rows a signed-in admin or user reads (the RLS contract's ai_models_system
  * row): the models visible to the org for an admin, the usable ones for anyone else
  * (superadmins read everything through their own policy arm). The catalog policy probes it
  * once per statement.
  */
create or replace function private.readable_model_ids()
  returns uuid[]
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  if private.current_user_role() = 'admin' then
    return private.visible_model_ids(private.current_org_id());
  end if;
  return private.usable_model_ids(auth.uid());
end;
$$;

revoke execute on function private.readable_model_ids() from public;
grant execute on function private.readable_model_ids() to authenticated, service_role;

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
  language plpgsql
  immutable
  parallel safe
  set search_path = ''
as $$
declare
  start_utc timestamp := date_trunc(
    case period when 'daily' then 'day' when 'weekly' then 'week' when 'monthly' then 'month' end,
    at at time zone 'UTC'
  );
begin
  period_start := start_utc at time zone 'UTC';
  period_end := (
    start_utc + case period
      when 'daily' then interval '1 day'
      when 'weekly' then interval '7 days'
      when 'monthly' then interval '1 month'
    end
  ) at time zone 'UTC';
end;
$$;

revoke execute on function private.period_window(text, timestamptz) from public;
grant execute on function private.period_window(text, timestamptz) to authenticated, service_role;

/**
  * The effective per-user token limit of every model in an organization: the smaller of the
  * model's token_limit_amount and the org's token_limit_per_user (an admin can only tighten).
  * Null = unlimited; always null for free models. The only place the rule is written.
  */
create or replace function private.effective_user_limits(organization_id uuid)
  returns table (model_id uuid, token_limit bigint)
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return query
  select
    m.id,
    case
      when m.is_free then null
      -- least() ignores nulls: an unset side never loosens the other.
      else least(m.token_limit_amount, c.token_limit_per_user)
    end
  from public.ai_models_system m
  left join public.org_system_model_config c
    on c.system_model_id = m.id
   and c.organization_id = effective_user_limits.organization_id;
end;
$$;

revoke execute on function private.effective_user_limits(uuid) from public;
grant execute on function private.effective_user_limits(uuid) to authenticated, service_role;

/**
  * The effective per-user token limit of one model in an organization (see
  * effective_user_limits). Null = unlimited.
  */
create or replace function private.effective_user_limit(organization_id uuid, model_id uuid)
  returns bigint
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return (
    select l.token_limit
    from private.effective_user_limits(effective_user_limit.organization_id) l
    where l.model_id = effective_user_limit.model_id
  );
end;
$$;

revoke execute on function private.effective_user_limit(uuid, uuid) from public;
grant execute on function private.effective_user_limit(uuid, uuid) to authenticated, service_role;

/**
  * Tokens a user recorded on a model in one limit window: the window's counter in
  * private.usage_period_totals (one row, whatever the length of the history). A window no
  * admitted row has touched yet has no counter: then the log's rows recorded in that window
  * are summed, so rows loaded around the admission (bulk loads, restores) still count.
  */
create or replace function private.user_tokens_used(
  user_id uuid,
  model_id uuid,
  period_start timestamptz,
  period_end timestamptz
)
  returns bigint
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
declare
  used bigint;
begin
  select t.tokens into used
  from private.usage_period_totals t
  where t.user_id = user_tokens_used.user_id
    and t.model_id = user_tokens_used.model_id
    and t.period_start = user_tokens_used.period_start
    and t.period_end = user_tokens_used.period_end;
  if found then
    return used;
  end if;
  return (
    select coalesce(sum(u.tokens_used), 0)::bigint
    from public.ai_model_usage u
    where u.user_id = user_tokens_used.user_id
      and u.model_id = user_tokens_used.model_id
      and u.created_at >= user_tokens_used.period_start
      and u.created_at < user_tokens_used.period_end
      and u.period_start = user_tokens_used.period_start
      and u.period_end = user_tokens_used.period_end
  );
end;
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
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
declare
  due boolean;
begin
  select o.token_quota_monthly, o.token_usage_current, o.token_reset_date, o.token_reset_date <= now()
  into quota, used, reset_at, due
  from public.organizations o
  where o.id = org_quota_status.organization_id;
  if due then
    used := 0;
    reset_at := private.next_quota_reset(now());
  end if;
  remaining := case when quota is not null then greatest(quota - used, 0) end;
end;
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
