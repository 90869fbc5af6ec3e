/**
  * The usage log stays true: a retry is never refused, amounts are bounded, and the charge
  * runs once per statement.
  *
  * - Retries with a client-chosen id. The admission runs BEFORE INSERT, before Postgres looks
  *   for a conflicting id, so a retry (`on_conflict=id` with ignore-duplicates, or a plain
  *   duplicate insert) whose first insert used the last of the quota was refused AM004/AM005
  *   although its row exists. Now a row whose id is already the same user's recorded row is
  *   skipped before any check: the statement succeeds, writes nothing and charges nothing (the
  *   first insert was charged). A row whose id belongs to another user is refused with a
  *   conflict (23505 usage_id_taken, HTTP 409), never an empty success.
  * - Bounds. One usage row records 1..10000000 tokens (more than any model's context window
  *   today) and 1..10000 requests (a batch, not a counter); anything else is refused AM006
  *   before any lock. Check constraints repeat the bounds for paths around the admission (bulk
  *   loads with triggers off); NOT VALID, so rows recorded before the bound stay as they were.
  * - The charge is statement-level: one pass over the statement's rows (the transition
  *   table), grouped by organization and by limit window, instead of a per-row trigger that
  *   re-read the whole transition table for every row (O(n^2) for a multi-row insert).
  */

/**
  * -------------------------------------------------------
  * Section - Bounds
  * -------------------------------------------------------
  */

alter table public.ai_model_usage
  add constraint ai_model_usage_tokens_used_bounded check (tokens_used <= 10000000) not valid,
  add constraint ai_model_usage_requests_count_bounded check (requests_count <= 10000) not valid;

/**
  * -------------------------------------------------------
  * Section - Admission
  * -------------------------------------------------------
  */

/**
  * Checks a usage row against the rules and returns it completed, or raises AM001..AM006 and
  * appends nothing (the rules migration explains the locks; they are unchanged). Charges
  * nothing: private.charge_usage() charges the statement's written rows.
  */
create or replace function private.admit_usage(usage public.ai_model_usage)
  returns public.ai_model_usage
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  user_org_id uuid;
  model public.ai_models_system;
  org public.organizations;
  user_limit bigint;
  user_used bigint;
  window_start timestamptz;
  window_end timestamptz;
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
  select p.organization_id into user_org_id from public.profiles p where p.id = usage.user_id;
  if user_org_id is null then
    perform private.refuse('AM001', 'usage can only be recorded for a member of an organization');
  end if;
  if usage.organization_id is not null and usage.organization_id <> user_org_id then
    perform private.refuse('AM008', 'usage is always recorded in the user''s own organization');
  end if;

  select * into model from public.ai_models_system m where m.id = usage.model_id;
  if not found
    or coalesce(usage.model_type, 'system') <> 'system'
    or not private.is_model_visible_to_org(user_org_id, usage.model_id)
  then
    perform private.refuse('AM001', null, format('model_id=%s', usage.model_id));
  end if;
  if not private.is_model_enabled_for_org(user_org_id, usage.model_id) then
    perform private.refuse('AM002', null, format('model_id=%s', usage.model_id));
  end if;
  if private.is_trial_expired(user_org_id, usage.model_id, now()) then
    perform private.refuse(
      'AM003', null, format('trial ended at %s', private.trial_end(user_org_id, usage.model_id))
    );
  end if;

  select w.period_start, w.period_end into window_start, window_end
  from private.period_window(model.token_limit_period, now()) w;

  if not model.is_free then
    select * into org from public.organizations o where o.id = user_org_id for update;
    -- The lazy monthly reset, when due, under the lock just taken.
    if org.token_reset_date <= now() then
      perform private.reset_due_org_quotas(user_org_id);
      select * into org from public.organizations o where o.id = user_org_id;
    end if;

    user_limit := private.effective_user_limit(user_org_id, usage.model_id);
    if user_limit is not null then
      user_used := private.user_tokens_used(usage.user_id, usage.model_id, window_start, window_end);
      if user_used + usage.tokens_used > user_limit then
        perform private.refuse_user_limit(
          model.token_limit_period, user_limit, user_used, usage.tokens_used, window_end
        );
      end if;
    end if;

    if org.token_quota_monthly is not null
      and org.token_usage_current + usage.tokens_used > org.token_quota_monthly
    then
      perform private.refuse_org_quota(
        org.token_quota_monthly, org.token_usage_current, usage.tokens_used, org.token_reset_date
      );
    end if;
  end if;

  -- Handed to the receipt (private.usage_receipt), as before: transaction-local, set on
  -- every row so a receipt never reads an earlier row's value.
  perform set_config('aimodels.admitted_user_limit', coalesce(user_limit::text, ''), true);

  usage.id := coalesce(usage.id, gen_random_uuid());
  usage.organization_id := user_org_id;
  usage.model_type := 'system';
  usage.model_name := model.name;
  usage.period_type := model.token_limit_period;
  usage.period_start := window_start;
  usage.period_end := window_end;
  -- The server's clock, never the client's: backdating would dodge the current period.
  usage.created_at := now();
  return usage;
end;
$$;

revoke execute on function private.admit_usage(public.ai_model_usage) from public;

/**
  * Runs the admission for every inserted row, unless the row is a retry: its id is already a
  * recorded row of the same user. A retry is skipped (the trigger returns null, so the row is
  * not written and not charged; the first insert was), whatever amounts it carries: the
  * first recording is the receipt. An id of another user's row is a conflict.
  *
  * The id's transaction-level advisory lock makes two concurrent inserts of one id take
  * turns, so the second sees the first's row once it commits (each statement of this
  * volatile function reads a fresh snapshot) instead of being admitted against a quota the
  * first already used up.
  */
create or replace function private.admit_usage_on_insert()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  owner uuid;
begin
  perform pg_advisory_xact_lock(hashtextextended(new.id::text, 0));
  select u.user_id into owner from public.ai_model_usage u where u.id = new.id;
  if found then
    if owner = coalesce(new.user_id, auth.uid()) then
      return null;
    end if;
    perform private.refuse('23505', null, format('id=%s', new.id));
  end if;
  new := private.admit_usage(new);
  return new;
end;
$$;

revoke execute on function private.admit_usage_on_insert() from public;

/**
  * -------------------------------------------------------
  * Section - Charge, once per statement
  * -------------------------------------------------------
  */

/**
  * Charges the rows a statement wrote: each organization's quota counter by the statement's
  * non-free tokens, and each (user, model, limit window) counter by the statement's tokens in
  * it. A row the statement did not write (ON CONFLICT DO NOTHING, or a skipped retry) is not
  * in the transition table, so it charges nothing.
  *
  * Concurrency is as before: for non-free models the admission holds each organization's row
  * lock until commit; a window counter is created from what the log holds for the window
  * (this statement's rows included: they are written), then only moved by tokens, so
  * concurrent free recordings (no lock) cannot lose each other's.
  *
  * Every row's BEFORE check ran before this charge, against the totals without its
  * statement-mates, so the totals are checked again here: the org quota always (it costs
  * nothing), a user's limit when the statement wrote more than one row into the window. An
  * overshoot refuses the whole statement.
  */
create or replace function private.charge_usage()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  charge record;
  org public.organizations;
  counted bigint;
  user_limit bigint;
begin
  for charge in
    select a.organization_id, sum(a.tokens_used)::bigint as tokens
    from admitted a
    join public.ai_models_system m on m.id = a.model_id
    where not m.is_free
    group by a.organization_id
    order by a.organization_id
  loop
    update public.organizations o
    set token_usage_current = o.token_usage_current + charge.tokens
    where o.id = charge.organization_id
    returning o.* into org;
    if org.token_quota_monthly is not null and org.token_usage_current > org.token_quota_monthly then
      perform private.refuse_org_quota(
        org.token_quota_monthly, org.token_usage_current - charge.tokens, charge.tokens,
        org.token_reset_date
      );
    end if;
  end loop;

  for charge in
    select a.user_id, a.organization_id, a.model_id, a.period_start, a.period_end, a.period_type,
      m.is_free, sum(a.tokens_used)::bigint as tokens, count(*) as row_count
    from admitted a
    join public.ai_models_system m on m.id = a.model_id
    group by a.user_id, a.organization_id, a.model_id, a.period_start, a.period_end,
      a.period_type, m.is_free
    order by a.user_id, a.model_id, a.period_start, a.period_end
  loop
    update private.usage_period_totals t
    set tokens = t.tokens + charge.tokens
    where t.user_id = charge.user_id and t.model_id = charge.model_id
      and t.period_start = charge.period_start and t.period_end = charge.period_end
    returning t.tokens into counted;
    if not found then
      -- No counter yet: the log's rows of the window start it, and the log already holds
      -- this statement's rows. A concurrent transaction that created it first counted
      -- only its own rows, so on conflict ours are added.
      insert into private.usage_period_totals as t (user_id, model_id, period_start, period_end, tokens)
      values (
        charge.user_id, charge.model_id, charge.period_start, charge.period_end,
        private.user_tokens_used(charge.user_id, charge.model_id, charge.period_start, charge.period_end)
      )
      on conflict (user_id, model_id, period_start, period_end)
      do update set tokens = t.tokens + charge.tokens
      returning t.tokens into counted;
    end if;

    -- Handed to the receipt with the admission's limit: the window total after the statement
    -- (record_usage() writes one row, so one window).
    perform set_config('aimodels.charged_window_tokens', counted::text, true);

    if not charge.is_free and charge.row_count > 1 then
      user_limit := private.effective_user_limit(charge.organization_id, charge.model_id);
      if user_limit is not null and counted > user_limit then
        perform private.refuse_user_limit(
          charge.period_type, user_limit, counted - charge.tokens, charge.tokens, charge.period_end
        );
      end if;
    end if;
  end loop;
  return null;
end;
$$;

revoke execute on function private.charge_usage() from public;

drop trigger ai_model_usage_charge on public.ai_model_usage;

create trigger ai_model_usage_charge
  after insert on public.ai_model_usage
  referencing new table as admitted
  for each statement execute function private.charge_usage();
