/**
  * quota_status() shows the tokens held: what in-flight model calls have reserved and not yet
  * settled. `tokens_held` is the user's on the model, `org_held` the organization's on
  * non-free models; the remaining amounts subtract them, since a new call is admitted
  * against used + held.
  */

/**
  * -------------------------------------------------------
  * Section - Result type
  * -------------------------------------------------------
  */

alter type public.model_quota_status
  add attribute tokens_held bigint,
  add attribute org_held bigint;

/**
  * -------------------------------------------------------
  * Section - Quota status
  * -------------------------------------------------------
  */

/**
  * The quota of `user_id` on `model_id` as it stands now (private: no visibility check), with
  * the tokens held by active holds.
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
  result.tokens_held := private.user_tokens_held(quota_snapshot.user_id, model.id);
  -- greatest() ignores nulls, so an unlimited (null) limit is kept null explicitly.
  result.tokens_remaining := case
    when result.token_limit is not null
      then greatest(result.token_limit - result.tokens_used - result.tokens_held, 0)
  end;
  result.trial_ends_at := private.trial_end(org_id, model.id);

  select * into org_quota from private.org_quota_status(org_id);
  result.org_quota := org_quota.quota;
  result.org_used := org_quota.used;
  result.org_held := private.org_tokens_held(org_id);
  result.org_remaining := case
    when org_quota.remaining is not null then greatest(org_quota.remaining - result.org_held, 0)
  end;
  result.org_reset_at := org_quota.reset_at;
  return result;
end;
$$;

revoke execute on function private.quota_snapshot(uuid, uuid) from public;
