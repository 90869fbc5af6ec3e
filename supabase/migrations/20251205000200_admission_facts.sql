/**
  * The admission reads what one model needs in one query.
  *
  * Each recording (and each hold) used to call the visibility, enablement, trial and limit
  * rules separately, each computing the organization's whole catalog through nested
  * security definer calls, and the hold counters were `language sql` security definer
  * functions, which Postgres plans again on every call. Now:
  *
  * - private.admission_facts(user, model) reads the user's organization, the model and the
  *   organization's facts for that one model (private.org_model_access: visible, enabled,
  *   usable_until, effective limit) in one statement;
  * - private.admit_usage() decides from those facts: the same checks, in the same order,
  *   with the same refusals; the trial check is the usable reading every catalog read makes
  *   (usable_until > now()), after visibility and enablement have passed;
  * - the hold counters and the settlement check are plpgsql, so their plans are kept for
  *   the session.
  */

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
