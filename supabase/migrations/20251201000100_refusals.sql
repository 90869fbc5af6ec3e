/**
  * Refusals: every error of our own is raised by one helper, private.refuse(), which owns the
  * name and the default wording of each code. The limit and quota refusals, which carry
  * numbers, each have one helper on top of it. A function that refuses calls these, so a
  * message is written once, whichever function raises it.
  *
  * The error table (it supersedes the one heading the rules migration; codes keep their
  * meaning, AM009 is new):
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
  *   AM006     invalid_amount       tokens_used (1..10000000) or requests_count (1..10000) of a
  *                                  usage row is missing or out of range, or a per-user limit
  *                                  that could never apply (on a free model, or looser than the
  *                                  model's own limit)
  *   AM007     usage_append_only    an update, delete or truncate of ai_model_usage
  *   AM008     protected_field      a write to a field the caller may not change (org plan,
  *                                  type or quota as admin, a role, an organization, a key)
  *   AM009     invalid_argument     an argument an API function does not accept (e.g.
  *                                  usage_report's group_by, or a since after its until)
  *   23505     usage_id_taken       a usage row's client-chosen id is another user's row
  *                                  (PostgreSQL's unique_violation: HTTP 409)
  *   42501     (PostgreSQL)         plain privilege or row level security denial, including
  *                                  non-superadmins calling the API-key functions
  *
  * Messages start with the error's name, then say what happened in plain words; DETAIL carries
  * the numbers (limit, used, requested).
  */

/**
  * -------------------------------------------------------
  * Section - The refusal helpers
  * -------------------------------------------------------
  */

/**
  * Raises the refusal `code`: message '<name>: <reason>' (the code's default reason when none
  * is given) and `detail`. The one place each code's name and wording live.
  */
create or replace function private.refuse(code text, reason text default null, detail text default null)
  returns void
  language plpgsql
  set search_path = ''
as $$
declare
  name text;
  default_reason text;
begin
  select r.name, r.reason into name, default_reason
  from (values
    ('AM001', 'model_not_available', 'the model is not available to your organization'),
    ('AM002', 'model_not_enabled', 'your organization has not enabled this model for its users'),
    ('AM003', 'trial_expired', 'your organization''s trial of this model has ended'),
    ('AM004', 'user_limit_exceeded', 'this would exceed your token limit for this model'),
    ('AM005', 'org_quota_exceeded', 'this would exceed your organization''s monthly quota'),
    ('AM006', 'invalid_amount',
      'tokens_used must be 1..10000000 and requests_count 1..10000 per usage row'),
    ('AM007', 'usage_append_only', 'usage rows are never changed'),
    ('AM008', 'protected_field', 'you may not change this field'),
    ('AM009', 'invalid_argument', 'an argument is not accepted'),
    ('23505', 'usage_id_taken', 'this usage id is already taken; choose a new id')
  ) as r (code, name, reason)
  where r.code = refuse.code;
  if name is null then
    raise exception 'private.refuse: unknown refusal code %', code;
  end if;
  raise exception using
    errcode = code,
    message = name || ': ' || coalesce(reason, default_reason),
    detail = coalesce(detail, '');
end;
$$;

revoke execute on function private.refuse(text, text, text) from public;
-- Invoker functions refuse too (usage_report, the append-only and limit triggers), as the
-- signed-in user or service_role.
grant execute on function private.refuse(text, text, text) to authenticated, service_role;

/**
  * AM004: recording `requested` tokens on top of `used` would pass the user's effective limit.
  */
create or replace function private.refuse_user_limit(
  limit_period text,
  token_limit bigint,
  used bigint,
  requested bigint,
  period_end timestamptz
)
  returns void
  language plpgsql
  set search_path = ''
as $$
begin
  perform private.refuse(
    'AM004',
    format('this would exceed your %s limit of %s tokens for this model', limit_period, token_limit),
    format('limit=%s used=%s requested=%s period_end=%s', token_limit, used, requested, period_end)
  );
end;
$$;

revoke execute on function private.refuse_user_limit(text, bigint, bigint, bigint, timestamptz) from public;

/**
  * AM005: recording `requested` tokens on top of `used` would pass the organization's quota.
  */
create or replace function private.refuse_org_quota(
  quota bigint,
  used bigint,
  requested bigint,
  reset_at timestamptz
)
  returns void
  language plpgsql
  set search_path = ''
as $$
begin
  perform private.refuse(
    'AM005',
    format('this would exceed your organization''s monthly quota of %s tokens', quota),
    format('quota=%s used=%s requested=%s reset_at=%s', quota, used, requested, reset_at)
  );
end;
$$;

revoke execute on function private.refuse_org_quota(bigint, bigint, bigint, timestamptz) from public;

/**
  * -------------------------------------------------------
  * Section - Functions that refuse, now through the helpers
  * -------------------------------------------------------
  */

/**
  * The signed-in user's quota on a model (unchanged but for the refusal helper). Raises AM001
  * when the model is not visible to the user's organization, so it reveals nothing about
  * other models.
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
    perform private.refuse('AM001', null, format('model_id=%s', quota_status.model_id));
  end if;
  return private.quota_snapshot(auth.uid(), quota_status.model_id);
end;
$$;

/**
  * Sets (or rotates, or with null clears) a model's API key (unchanged but for the refusal
  * helper). Superadmins and service_role only; anyone else gets 42501.
  */
create or replace function public.set_model_api_key(model_id uuid, api_key text)
  returns text
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  marker text;
begin
  if not private.is_platform_or_superadmin_request() then
    raise exception using
      errcode = '42501',
      message = 'permission denied: only superadmins may set model API keys';
  end if;
  update public.ai_models_system m
  set api_key = set_model_api_key.api_key
  where m.id = set_model_api_key.model_id
  returning m.api_key into marker;
  if not found then
    perform private.refuse('AM001', 'no such model', format('model_id=%s', set_model_api_key.model_id));
  end if;
  return marker;
end;
$$;

/**
  * Refuses to change the usage log (unchanged but for the refusal helper); its triggers fire
  * for every role, the table owner and service_role included.
  */
create or replace function private.forbid_usage_changes()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  perform private.refuse('AM007', format('usage rows are never changed (%s refused)', lower(tg_op)));
  return null;
end;
$$;
