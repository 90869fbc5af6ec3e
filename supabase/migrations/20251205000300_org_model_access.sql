/**
  * The catalog rules per organization, kept as a table the reads probe instead of recomputing.
  *
  * Every catalog read (the table's policy, usable_models(), the admin's screen) and every
  * admission used to recompute the whole catalog for the caller's organization through
  * nested security definer calls (visible set, trial ends, expired set, limits): 0.5-0.7 ms
  * next to a 0.2-0.4 ms hand-written query. Now:
  *
  * - each rule is one SQL function, written once below (targeting, trial end, effective
  *   limit, usable until);
  * - private.org_model_access holds, for every (organization, model) pair, the facts those
  *   rules derive from the catalog, the organization and its settings: visible, enabled, the
  *   trial end, until when its users may use the model, and the effective per-user limit. Triggers on every table the facts come from
  *   keep it current (catalog insert/update, organization insert/type/plan change, settings
  *   insert/update/delete, first enables); deletes cascade;
  * - time is never stored as a decision: an instant is stored (trial_ends_at, usable_until)
  *   and compared with now() at read time, so an expired trial stops counting the moment it
  *   ends, with no job;
  * - the rule set functions (visible_model_ids, org_trial_ends, expired_trial_model_ids,
  *   usable_model_ids, effective_user_limits, readable_model_ids) read the table in one
  *   query each; their per-model one-liners are unchanged, and "enabled" is read from the
  *   facts too (is_model_enabled_for_org), so the settings row is interpreted in one place;
  * - the admission reads what one model needs in one query (private.admission_facts): the
  *   user's organization, the model and the organization's facts for that model, instead of
  *   calling the visibility, enablement, trial and limit rules separately, each computing
  *   the organization's whole catalog; the hold counters and the settlement check become
  *   plpgsql, which keeps their plans for the session (a `language sql` security definer
  *   function is planned again on every call).
  */

/**
  * -------------------------------------------------------
  * Section - The rules, each written once
  * -------------------------------------------------------
  */

/**
  * Targeting: the model is active, aimed at the organization's type (or every type) and
  * requires a plan the organization's plan ranks at least.
  */
create or replace function private.model_targets_org(
  model public.ai_models_system,
  org public.organizations
)
  returns boolean
  language sql
  stable
  set search_path = ''
as $$
  select coalesce(
    model.is_active
      and (model.organization_types = '{}' or org.type = any (model.organization_types))
      and private.plan_rank(org.pricing_plan) >= private.plan_rank(model.required_plan),
    false
  );
$$;

revoke execute on function private.model_targets_org(public.ai_models_system, public.organizations) from public;

/**
  * When an organization's trial of a model ends: trial_expires_days after it first enabled
  * the model. Null when the model is not a trial or was never enabled.
  */
create or replace function private.trial_ends_at(
  model public.ai_models_system,
  first_enabled_at timestamptz
)
  returns timestamptz
  language sql
  immutable
  set search_path = ''
as $$
  select case
    when model.is_trial then first_enabled_at + make_interval(days => model.trial_expires_days)
  end;
$$;

revoke execute on function private.trial_ends_at(public.ai_models_system, timestamptz) from public;

/**
  * Until when the organization's users may use a model: null when it is not visible or not
  * enabled, the trial's end for a trial, 'infinity' otherwise. A read asks
  * `usable_until > now()`, so a trial stops counting the instant it ends, with no job.
  */
create or replace function private.usable_until(
  is_visible boolean,
  is_enabled boolean,
  trial_ends_at timestamptz
)
  returns timestamptz
  language sql
  immutable
  set search_path = ''
as $$
  select case when is_visible and is_enabled then coalesce(trial_ends_at, 'infinity') end;
$$;

revoke execute on function private.usable_until(boolean, boolean, timestamptz) from public;

/**
  * The effective per-user token limit: the smaller of the model's amount and the
  * organization's per-user limit (an admin can only tighten). Null = unlimited; always null
  * for free models.
  */
create or replace function private.effective_limit(
  model public.ai_models_system,
  org_limit_per_user bigint
)
  returns bigint
  language sql
  immutable
  set search_path = ''
as $$
  select case
    when model.is_free then null
    -- least() ignores nulls: an unset side never loosens the other.
    else least(model.token_limit_amount, org_limit_per_user)
  end;
$$;

revoke execute on function private.effective_limit(public.ai_models_system, bigint) from public;

/**
  * -------------------------------------------------------
  * Section - The facts, per organization and model
  * -------------------------------------------------------
  */

/**
  * One row per (organization, model): the rules' answers, kept current by the triggers below.
  * Private: read only through the definer rule functions.
  */
create table private.org_model_access (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  model_id uuid not null references public.ai_models_system (id) on delete cascade,
  is_visible boolean not null,
  is_enabled boolean not null,
  trial_ends_at timestamptz,
  usable_until timestamptz,
  token_limit bigint,
  primary key (organization_id, model_id)
);

comment on table private.org_model_access is
  'Per (organization, model): visible, enabled, trial end and effective per-user limit, as the rules derive them; maintained by triggers.';

revoke all on table private.org_model_access from public, anon, authenticated, service_role;

-- Serves the model's cascade and a catalog change's refresh of every organization.
create index org_model_access_model_idx on private.org_model_access (model_id);

-- Serves a user's usable set: the organization's models usable after now().
create index org_model_access_usable_idx on private.org_model_access (organization_id, usable_until);

/**
  * The facts of the given organizations and models (null = all), computed from the source
  * tables by the rules above.
  */
create or replace function private.org_model_access_rows(org_ids uuid[], model_ids uuid[])
  returns setof private.org_model_access
  language sql
  stable
  set search_path = ''
as $$
  select
    o.id,
    m.id,
    private.model_targets_org(m, o),
    coalesce(c.is_enabled_for_users, false),
    private.trial_ends_at(m, f.first_enabled_at),
    private.usable_until(
      private.model_targets_org(m, o),
      coalesce(c.is_enabled_for_users, false),
      private.trial_ends_at(m, f.first_enabled_at)
    ),
    private.effective_limit(m, c.token_limit_per_user)
  from public.organizations o
  cross join public.ai_models_system m
  left join public.org_system_model_config c
    on c.organization_id = o.id and c.system_model_id = m.id
  left join private.org_model_first_enabled f
    on f.organization_id = o.id and f.system_model_id = m.id
  where (org_ids is null or o.id = any (org_ids))
    and (model_ids is null or m.id = any (model_ids));
$$;

revoke execute on function private.org_model_access_rows(uuid[], uuid[]) from public;

/**
  * Brings the facts of the given organizations and models (null = all) up to date. Rows of
  * deleted organizations and models go by cascade.
  */
create or replace function private.refresh_org_model_access(org_ids uuid[], model_ids uuid[])
  returns void
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  insert into private.org_model_access as a
  select * from private.org_model_access_rows(org_ids, model_ids)
  on conflict (organization_id, model_id) do update
  set is_visible = excluded.is_visible,
      is_enabled = excluded.is_enabled,
      trial_ends_at = excluded.trial_ends_at,
      usable_until = excluded.usable_until,
      token_limit = excluded.token_limit
  where (a.is_visible, a.is_enabled, a.trial_ends_at, a.usable_until, a.token_limit)
    is distinct from (
      excluded.is_visible, excluded.is_enabled, excluded.trial_ends_at, excluded.usable_until,
      excluded.token_limit
    );
end;
$$;

revoke execute on function private.refresh_org_model_access(uuid[], uuid[]) from public;

/**
  * -------------------------------------------------------
  * Section - Keeping the facts current
  * -------------------------------------------------------
  */

/**
  * One trigger function for every source table: refreshes the organization and model the
  * changed row names (a catalog row: that model in every organization; an organization: every
  * model in it). Runs after the change, as the definer, whoever made it.
  */
create or replace function private.refresh_org_model_access_on_change()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  changed record := case when tg_op = 'DELETE' then old else new end;
begin
  case tg_table_name
    when 'ai_models_system' then
      perform private.refresh_org_model_access(null, array[changed.id]);
    when 'organizations' then
      perform private.refresh_org_model_access(array[changed.id], null);
    else
      -- org_system_model_config and org_model_first_enabled: one pair.
      perform private.refresh_org_model_access(
        array[changed.organization_id], array[changed.system_model_id]
      );
  end case;
  return null;
end;
$$;

revoke execute on function private.refresh_org_model_access_on_change() from public;

create trigger ai_models_system_refresh_access
  after insert or update on public.ai_models_system
  for each row execute function private.refresh_org_model_access_on_change();

create trigger organizations_refresh_access
  after insert or update of type, pricing_plan on public.organizations
  for each row execute function private.refresh_org_model_access_on_change();

create trigger org_system_model_config_refresh_access
  after insert or update or delete on public.org_system_model_config
  for each row execute function private.refresh_org_model_access_on_change();

create trigger org_model_first_enabled_refresh_access
  after insert or update or delete on private.org_model_first_enabled
  for each row execute function private.refresh_org_model_access_on_change();

-- What is there already.
select private.refresh_org_model_access(null, null);

/**
  * -------------------------------------------------------
  * Section - The rule sets, read from the facts
  * -------------------------------------------------------
  */

create or replace function private.visible_model_ids(organization_id uuid)
  returns uuid[]
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(a.model_id), '{}')
    from private.org_model_access a
    where a.organization_id = visible_model_ids.organization_id
      and a.is_visible
  );
end;
$$;

create or replace function private.org_trial_ends(organization_id uuid)
  returns table (model_id uuid, ends_at timestamptz)
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return query
  select a.model_id, a.trial_ends_at
  from private.org_model_access a
  where a.organization_id = org_trial_ends.organization_id
    and a.trial_ends_at is not null;
end;
$$;

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
    select coalesce(array_agg(a.model_id), '{}')
    from private.org_model_access a
    where a.organization_id = expired_trial_model_ids.organization_id
      -- Ended: its end is not after `at` (usable_until, the other reading, is the same end).
      and a.trial_ends_at <= expired_trial_model_ids.at
  );
end;
$$;

create or replace function private.usable_model_ids(user_id uuid)
  returns uuid[]
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(a.model_id), '{}')
    from public.profiles p
    join private.org_model_access a on a.organization_id = p.organization_id
    where p.id = usable_model_ids.user_id
      and a.usable_until > now()
  );
end;
$$;

create or replace function private.effective_user_limits(organization_id uuid)
  returns table (model_id uuid, token_limit bigint)
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return query
  select a.model_id, a.token_limit
  from private.org_model_access a
  where a.organization_id = effective_user_limits.organization_id;
end;
$$;

/**
  * Enabled for the organization's users: the facts' is_enabled (derived from the settings
  * row in private.org_model_access_rows).
  */
create or replace function private.is_model_enabled_for_org(organization_id uuid, model_id uuid)
  returns boolean
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return coalesce((
    select a.is_enabled
    from private.org_model_access a
    where a.organization_id = is_model_enabled_for_org.organization_id
      and a.model_id = is_model_enabled_for_org.model_id
  ), false);
end;
$$;

/**
  * The catalog rows the signed-in admin or user reads: the organization's visible models for
  * an admin, its usable ones for anyone else (superadmins read everything through their own
  * policy arm). One query: the caller's profile and the organization's facts.
  */
create or replace function private.readable_model_ids()
  returns uuid[]
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return coalesce((
    select array_agg(a.model_id)
    from public.profiles p
    join private.org_model_access a on a.organization_id = p.organization_id
    where p.id = auth.uid()
      and case when p.role = 'admin' then a.is_visible else a.usable_until > now() end
  ), '{}');
end;
$$;

/**
  * -------------------------------------------------------
  * Section - Usable models
  * -------------------------------------------------------
  */

/**
  * The signed-in user's usable models with the effective limit and trial end, featured first
  * then by sort_order: one query over the caller's profile, the facts and the catalog.
  */
create or replace function public.usable_models()
  returns table (
    id uuid,
    name text,
    role text,
    task text[],
    system_message text,
    endpoint text,
    max_tokens integer,
    icon text,
    description text,
    tags text[],
    is_free boolean,
    is_trial boolean,
    is_featured boolean,
    sort_order integer,
    token_limit_period text,
    token_limit_amount bigint,
    effective_token_limit bigint,
    trial_ends_at timestamptz
  )
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return query
  select
    m.id, m.name, m.role, m.task, m.system_message, m.endpoint, m.max_tokens, m.icon,
    m.description, m.tags, m.is_free, m.is_trial, m.is_featured, m.sort_order,
    m.token_limit_period, m.token_limit_amount,
    a.token_limit,
    a.trial_ends_at
  from public.profiles p
  join private.org_model_access a on a.organization_id = p.organization_id
  join public.ai_models_system m on m.id = a.model_id
  where p.id = auth.uid()
    and a.usable_until > now()
  order by m.is_featured desc, m.sort_order, m.name;
end;
$$;

/**
  * -------------------------------------------------------
  * Section - Facts of one model for one user
  * -------------------------------------------------------
  */

/**
  * The user's organization (null when the user has none) and, for that organization and
  * model, the model's name, limit period and is_free (null when the model does not exist)
  * and the organization's facts (visible, enabled, usable_until, trial end, effective limit).
  */
create or replace function private.admission_facts(
  user_id uuid,
  model_id uuid,
  out organization_id uuid,
  out model_exists boolean,
  out model_name text,
  out limit_period text,
  out is_free boolean,
  out is_visible boolean,
  out is_enabled boolean,
  out usable_until timestamptz,
  out trial_ends_at timestamptz,
  out token_limit bigint
)
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  select
    p.organization_id, m.id is not null, m.name, m.token_limit_period, m.is_free,
    coalesce(a.is_visible, false), coalesce(a.is_enabled, false), a.usable_until,
    a.trial_ends_at, a.token_limit
  into
    organization_id, model_exists, model_name, limit_period, is_free,
    is_visible, is_enabled, usable_until, trial_ends_at, token_limit
  from public.profiles p
  left join public.ai_models_system m on m.id = admission_facts.model_id
  left join private.org_model_access a
    on a.organization_id = p.organization_id and a.model_id = admission_facts.model_id
  where p.id = admission_facts.user_id;
end;
$$;

revoke execute on function private.admission_facts(uuid, uuid) from public;

/**
  * -------------------------------------------------------
  * Section - Hold counters, planned once per session
  * -------------------------------------------------------
  */

create or replace function private.user_tokens_held(user_id uuid, model_id uuid)
  returns bigint
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return (
    select coalesce(sum(r.tokens_held), 0)::bigint
    from public.usage_reservations r
    where r.user_id = user_tokens_held.user_id
      and r.model_id = user_tokens_held.model_id
      and r.status = 'active'
      and r.expires_at > now()
  );
end;
$$;

create or replace function private.org_tokens_held(organization_id uuid)
  returns bigint
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return (
    select coalesce(sum(r.tokens_held), 0)::bigint
    from public.usage_reservations r
    join public.ai_models_system m on m.id = r.model_id
    where r.organization_id = org_tokens_held.organization_id
      and r.status = 'active'
      and r.expires_at > now()
      and not m.is_free
  );
end;
$$;

create or replace function private.is_hold_settlement(usage_id uuid)
  returns boolean
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return exists (
    select 1 from public.usage_reservations r
    where r.usage_id = is_hold_settlement.usage_id and r.status = 'settled'
  );
end;
$$;

/**
  * -------------------------------------------------------
  * Section - Admission
  * -------------------------------------------------------
  */

/**
  * Checks a usage row (or a hold's candidate row) against the rules and returns it
  * completed, or raises AM001..AM006 and appends nothing. Same checks, order, locks and
  * refusals as before (see the holds migration); the facts come from one query.
  */
create or replace function private.admit_usage(usage public.ai_model_usage)
  returns public.ai_model_usage
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  facts record;
  org public.organizations;
  user_used bigint;
  org_used bigint;
  window_start timestamptz;
  window_end timestamptz;
  settling boolean;
begin
  if usage.tokens_used is null or usage.tokens_used not between 1 and 10000000
    or usage.requests_count is null or usage.requests_count not between 1 and 10000
  then
    perform private.refuse(
      'AM006', null,
      format('tokens_used=%s requests_count=%s', usage.tokens_used, usage.requests_count)
    );
  end if;

  usage.user_id := coalesce(usage.user_id, auth.uid());
  facts := private.admission_facts(usage.user_id, usage.model_id);
  if facts.organization_id is null then
    perform private.refuse('AM001', 'usage can only be recorded for a member of an organization');
  end if;
  if usage.organization_id is not null and usage.organization_id <> facts.organization_id then
    perform private.refuse('AM008', 'usage is always recorded in the user''s own organization');
  end if;

  settling := usage.id is not null and private.is_hold_settlement(usage.id);
  if not settling then
    if not facts.model_exists
      or coalesce(usage.model_type, 'system') <> 'system'
      or not facts.is_visible
    then
      perform private.refuse('AM001', null, format('model_id=%s', usage.model_id));
    end if;
    if not facts.is_enabled then
      perform private.refuse('AM002', null, format('model_id=%s', usage.model_id));
    end if;
    -- Visible and enabled: usable_until is the trial's end, or infinity for no trial.
    if not (facts.usable_until > now()) then
      perform private.refuse('AM003', null, format('trial ended at %s', facts.trial_ends_at));
    end if;
  end if;

  select w.period_start, w.period_end into window_start, window_end
  from private.period_window(facts.limit_period, now()) w;

  if not facts.is_free then
    select * into org from public.organizations o where o.id = facts.organization_id for update;
    -- The lazy monthly reset, when due, under the lock just taken.
    if org.token_reset_date <= now() then
      perform private.reset_due_org_quotas(facts.organization_id);
      select * into org from public.organizations o where o.id = facts.organization_id;
    end if;

    if facts.token_limit is not null and not settling then
      user_used := private.user_tokens_used(usage.user_id, usage.model_id, window_start, window_end)
        + private.user_tokens_held(usage.user_id, usage.model_id);
      if user_used + usage.tokens_used > facts.token_limit then
        perform private.refuse_user_limit(
          facts.limit_period, facts.token_limit, user_used, usage.tokens_used, window_end
        );
      end if;
    end if;

    if org.token_quota_monthly is not null and not settling then
      org_used := org.token_usage_current + private.org_tokens_held(facts.organization_id);
      if org_used + usage.tokens_used > org.token_quota_monthly then
        perform private.refuse_org_quota(
          org.token_quota_monthly, org_used, usage.tokens_used, org.token_reset_date
        );
      end if;
    end if;
  end if;

  -- Handed to the receipt (private.usage_receipt): transaction-local, set on every row so a
  -- receipt never reads an earlier row's value (free models have no limit).
  perform set_config('aimodels.admitted_user_limit', coalesce(facts.token_limit::text, ''), true);

  usage.id := coalesce(usage.id, gen_random_uuid());
  usage.organization_id := facts.organization_id;
  usage.model_type := 'system';
  usage.model_name := facts.model_name;
  usage.period_type := facts.limit_period;
  usage.period_start := window_start;
  usage.period_end := window_end;
  -- The server's clock, never the client's: backdating would dodge the current period.
  usage.created_at := now();
  return usage;
end;
$$;
