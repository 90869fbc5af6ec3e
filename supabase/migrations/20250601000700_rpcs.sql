/**
  * The API's functions (POST /rest/v1/rpc/<name>): record usage, list the caller's usable
  * models, and show the caller's quota for a model. They only call the rules of the private
  * schema; none of them returns an API key.
  */

/**
  * -------------------------------------------------------
  * Section - Result types
  * -------------------------------------------------------
  */

/**
  * The caller's standing on one model: the limit period and effective limit (null =
  * unlimited), what was used in the current period and what remains, the trial end, and the
  * organization's monthly quota (org_quota null = unlimited).
  */
create type public.model_quota_status as (
  model_id uuid,
  limit_period text,
  token_limit bigint,
  tokens_used bigint,
  tokens_remaining bigint,
  period_start timestamptz,
  period_end timestamptz,
  trial_ends_at timestamptz,
  org_quota bigint,
  org_used bigint,
  org_remaining bigint,
  org_reset_at timestamptz
);

/**
  * A recorded usage row plus what is left after it: user_tokens_remaining for the user on this
  * model in this period, org_tokens_remaining for the organization this month. Null means the
  * amount does not limit this model (no limit, no org quota, or a free model).
  */
create type public.usage_receipt as (
  id uuid,
  user_id uuid,
  organization_id uuid,
  model_id uuid,
  model_type text,
  model_name text,
  tokens_used integer,
  requests_count integer,
  period_start timestamptz,
  period_end timestamptz,
  period_type text,
  created_at timestamptz,
  user_tokens_remaining bigint,
  org_tokens_remaining bigint
);

/**
  * -------------------------------------------------------
  * Section - Quota status
  * -------------------------------------------------------
  */

/**
  * The quota of `user_id` on `model_id` as it stands now (private: no visibility check).
  */
create or replace function private.quota_snapshot(user_id uuid, model_id uuid)
  returns public.model_quota_status
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
declare
  result public.model_quota_status;
  org_id uuid;
  model public.ai_models_system;
  org_quota record;
begin
  select p.organization_id into org_id from public.profiles p where p.id = quota_snapshot.user_id;
  select * into model from public.ai_models_system m where m.id = quota_snapshot.model_id;

  result.model_id := model.id;
  result.limit_period := model.token_limit_period;
  select w.period_start, w.period_end into result.period_start, result.period_end
  from private.period_window(model.token_limit_period, now()) w;
  result.token_limit := private.effective_user_limit(org_id, model.id);
  result.tokens_used := private.user_tokens_used(
    quota_snapshot.user_id, model.id, result.period_start, result.period_end
  );
  -- greatest() ignores nulls, so an unlimited (null) limit is kept null explicitly.
  result.tokens_remaining := case
    when result.token_limit is not null then greatest(result.token_limit - result.tokens_used, 0)
  end;
  result.trial_ends_at := private.trial_end(org_id, model.id);

  select * into org_quota from private.org_quota_status(org_id);
  result.org_quota := org_quota.quota;
  result.org_used := org_quota.used;
  result.org_remaining := org_quota.remaining;
  result.org_reset_at := org_quota.reset_at;
  return result;
end;
$$;

revoke execute on function private.quota_snapshot(uuid, uuid) from public;
-- record_usage() runs as the invoker and calls it; private is not exposed through the API.
grant execute on function private.quota_snapshot(uuid, uuid) to authenticated;

/**
  * The signed-in user's quota on a model: limit, used, remaining, period, trial end and the
  * organization's quota. Raises AM001 when the model is not visible to the user's
  * organization (so it reveals nothing about other models).
  */
create or replace function public.quota_status(model_id uuid)
  returns public.model_quota_status
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
declare
  caller_org uuid := private.current_org_id();
begin
  if caller_org is null or not private.is_model_visible_to_org(caller_org, quota_status.model_id) then
    raise exception using
      errcode = 'AM001',
      message = 'model_not_available: the model is not available to your organization',
      detail = format('model_id=%s', quota_status.model_id);
  end if;
  return private.quota_snapshot(auth.uid(), quota_status.model_id);
end;
$$;

revoke execute on function public.quota_status(uuid) from public, anon;
grant execute on function public.quota_status(uuid) to authenticated;

/**
  * -------------------------------------------------------
  * Section - Recording usage
  * -------------------------------------------------------
  */

/**
  * A recorded row plus what is left after it (private: the row was just admitted). It reuses
  * what the row's own triggers computed, instead of a second quota_snapshot(): the effective
  * limit from the admission and the window total after the row from the charge (both
  * transaction-local settings of the same insert, which record_usage() makes just before).
  * Only the org quota is read again, through its one rule. Security definer so that reading
  * the model's is_free does not run the catalog's read policy again.
  */
create or replace function private.usage_receipt(recorded public.ai_model_usage)
  returns public.usage_receipt
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
declare
  user_limit bigint := nullif(current_setting('aimodels.admitted_user_limit', true), '')::bigint;
  window_tokens bigint := nullif(current_setting('aimodels.charged_window_tokens', true), '')::bigint;
  is_free boolean := (select m.is_free from public.ai_models_system m where m.id = recorded.model_id);
begin
  return row(
    recorded.id, recorded.user_id, recorded.organization_id, recorded.model_id,
    recorded.model_type, recorded.model_name, recorded.tokens_used, recorded.requests_count,
    recorded.period_start, recorded.period_end, recorded.period_type, recorded.created_at,
    -- greatest() ignores nulls, so an unlimited (null) limit is kept null explicitly.
    case when user_limit is not null then greatest(user_limit - window_tokens, 0) end,
    -- Free models do not count toward the org quota: nothing of it is "left" because of them.
    case when not is_free then (private.org_quota_status(recorded.organization_id)).remaining end
  )::public.usage_receipt;
end;
$$;

revoke execute on function private.usage_receipt(public.ai_model_usage) from public;
-- record_usage() runs as the invoker and calls it; private is not exposed through the API.
grant execute on function private.usage_receipt(public.ai_model_usage) to authenticated;

/**
  * Records that the signed-in user used a model: one atomic insert that the admission trigger
  * checks (AM001..AM006) before appending. Returns the new row and the quota left.
  * Security invoker: the insert passes the same row level security as a direct insert.
  */
create or replace function public.record_usage(
  model_id uuid,
  tokens_used integer,
  requests_count integer default 1
)
  returns public.usage_receipt
  language plpgsql
  volatile
  set search_path = ''
as $$
declare
  recorded public.ai_model_usage;
begin
  insert into public.ai_model_usage (user_id, model_id, tokens_used, requests_count)
  values (auth.uid(), record_usage.model_id, record_usage.tokens_used, record_usage.requests_count)
  returning * into recorded;

  return private.usage_receipt(recorded);
end;
$$;

revoke execute on function public.record_usage(uuid, integer, integer) from public, anon;
grant execute on function public.record_usage(uuid, integer, integer) to authenticated;

/**
  * -------------------------------------------------------
  * Section - Usable models
  * -------------------------------------------------------
  */

/**
  * The signed-in user's usable models (visible to the org, enabled, trial not expired), with
  * the effective limit and trial end, featured first then by sort_order. No API key.
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
declare
  caller_org uuid := private.current_org_id();
  usable uuid[] := private.usable_model_ids(auth.uid());
begin
  -- Each rule once for the caller's organization, joined to the catalog: no per-model calls.
  return query
  select
    m.id, m.name, m.role, m.task, m.system_message, m.endpoint, m.max_tokens, m.icon,
    m.description, m.tags, m.is_free, m.is_trial, m.is_featured, m.sort_order,
    m.token_limit_period, m.token_limit_amount,
    l.token_limit,
    t.ends_at
  from public.ai_models_system m
  left join private.effective_user_limits(caller_org) l on l.model_id = m.id
  left join private.org_trial_ends(caller_org) t on t.model_id = m.id
  where m.id = any (usable)
  order by m.is_featured desc, m.sort_order, m.name;
end;
$$;

revoke execute on function public.usable_models() from public, anon;
grant execute on function public.usable_models() to authenticated;
