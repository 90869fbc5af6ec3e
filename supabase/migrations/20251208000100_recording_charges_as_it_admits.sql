/**
  * Recording charges each row as it admits it: one trigger, one pass.
  *
  * A recording used to be admitted by a BEFORE INSERT row trigger (the organization row
  * locked by a SELECT ... FOR UPDATE, the window counter read by a function) and charged by an
  * AFTER INSERT statement trigger that read its transition table twice, grouped, updated the
  * organization row and the window counter again, and checked once more the totals of a
  * multi-row statement (its rows had each been admitted without their statement-mates). For
  * the single row record_usage() and settle_usage() write, that was most of the server's time.
  *
  * Now the admission trigger charges the row while it admits it:
  *   - a non-free recording takes the organization's row lock with its quota charge (one
  *     UPDATE ... RETURNING that also reads the quota); the user's window counter is moved by
  *     the row's tokens and read back; the checks compare what was there before the row, so
  *     the rules, their order and their refusals are unchanged. A refusal raises, and the
  *     charge is undone with the row.
  *   - a statement's later rows are admitted against totals that already hold its earlier
  *     rows, so a multi-row insert is checked exactly with no second pass: the row that would
  *     overshoot refuses the whole statement.
  *   - a row the statement does not write is still never charged: a retried id is skipped (or
  *     refused) before the admission, under the id's advisory lock, so an admitted row is
  *     always written (under READ COMMITTED ON CONFLICT DO NOTHING then finds no conflict;
  *     under REPEATABLE READ a conflict it cannot see is a serialization failure).
  * A hold (reserve_usage) runs the same admission without a charge: a plain lock and the
  * counter read, as before.
  *
  * The facts of one model (organization, model, the organization's facts, the settlement
  * flag, the limit window) come from one query. The receipt takes what is left from the
  * admission (two transaction-local settings) instead of reading the model and the
  * organization again.
  */

/**
  * -------------------------------------------------------
  * Section - The statement-level charge goes
  * -------------------------------------------------------
  */

drop trigger ai_model_usage_charge on public.ai_model_usage;
drop function private.charge_usage();

/**
  * -------------------------------------------------------
  * Section - Facts of one model for one user
  * -------------------------------------------------------
  */

drop function private.admission_facts(uuid, uuid);

/**
  * The user's organization (null when the user has none) and, for that organization and
  * model: the model's name, limit period and is_free (null when the model does not exist),
  * the organization's facts (visible, enabled, usable_until, trial end, effective limit),
  * whether `usage_id` is a hold's settlement, and the model's current limit window.
  */
create or replace function private.admission_facts(
  user_id uuid,
  model_id uuid,
  usage_id uuid,
  out organization_id uuid,
  out model_exists boolean,
  out model_name text,
  out limit_period text,
  out is_free boolean,
  out is_visible boolean,
  out is_enabled boolean,
  out usable_until timestamptz,
  out trial_ends_at timestamptz,
  out token_limit bigint,
  out is_settlement boolean,
  out period_start timestamptz,
  out period_end timestamptz
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
    a.trial_ends_at, a.token_limit,
    coalesce(private.is_hold_settlement(admission_facts.usage_id), false),
    w.period_start, w.period_end
  into
    organization_id, model_exists, model_name, limit_period, is_free,
    is_visible, is_enabled, usable_until, trial_ends_at, token_limit,
    is_settlement, period_start, period_end
  from public.profiles p
  left join public.ai_models_system m on m.id = admission_facts.model_id
  left join private.org_model_access a
    on a.organization_id = p.organization_id and a.model_id = admission_facts.model_id
  left join lateral private.period_window(m.token_limit_period, now()) w on true
  where p.id = admission_facts.user_id;
end;
$$;

revoke execute on function private.admission_facts(uuid, uuid, uuid) from public;

/**
  * -------------------------------------------------------
  * Section - Admission, with the charge
  * -------------------------------------------------------
  */

drop function private.admit_usage(public.ai_model_usage);

/**
  * Checks a usage row (or a hold's candidate row) against the rules and returns it
  * completed, or raises AM001..AM006 and appends nothing. With `charge` (the insert trigger)
  * it also charges the row: the organization's quota counter (non-free models) and the
  * user's window counter, then checks against what was there before the row. Without it (a
  * hold) it charges nothing. Same checks, order, locks and refusals as before (the holds
  * migration explains them).
  */
create or replace function private.admit_usage(
  usage public.ai_model_usage,
  charge boolean default false
)
  returns public.ai_model_usage
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  facts record;
  org_quota bigint;
  org_counted bigint; -- the org's quota counter before this row
  org_reset_at timestamptz;
  window_counted bigint; -- the user's window counter before this row
  used bigint;
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
  facts := private.admission_facts(usage.user_id, usage.model_id, usage.id);
  if facts.organization_id is null then
    perform private.refuse('AM001', 'usage can only be recorded for a member of an organization');
  end if;
  if usage.organization_id is not null and usage.organization_id <> facts.organization_id then
    perform private.refuse('AM008', 'usage is always recorded in the user''s own organization');
  end if;

  if not facts.is_settlement then
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

  if not facts.is_free then
    -- The organization's row lock, before any total is read: a recording takes it with its
    -- quota charge, a hold with a plain lock. When the monthly reset is due, it runs first
    -- (under the same lock) and the lock is taken again.
    for attempt in 1..2 loop
      if charge then
        update public.organizations o
        set token_usage_current = o.token_usage_current + usage.tokens_used
        where o.id = facts.organization_id and o.token_reset_date > now()
        returning o.token_quota_monthly, o.token_usage_current - usage.tokens_used,
          o.token_reset_date
        into org_quota, org_counted, org_reset_at;
      else
        select o.token_quota_monthly, o.token_usage_current, o.token_reset_date
        into org_quota, org_counted, org_reset_at
        from public.organizations o
        where o.id = facts.organization_id and o.token_reset_date > now()
        for update;
      end if;
      exit when found;
      perform private.reset_due_org_quotas(facts.organization_id);
    end loop;
  end if;

  if charge then
    update private.usage_period_totals t
    set tokens = t.tokens + usage.tokens_used
    where t.user_id = usage.user_id and t.model_id = usage.model_id
      and t.period_start = facts.period_start and t.period_end = facts.period_end
    returning t.tokens - usage.tokens_used into window_counted;
    if not found then
      -- No counter yet: the log's rows of the window start it (this row is not written
      -- yet). A concurrent free recording (no lock) that created it first counted only its
      -- own rows, so on conflict this row's tokens are added.
      insert into private.usage_period_totals as t
        (user_id, model_id, period_start, period_end, tokens)
      values (
        usage.user_id, usage.model_id, facts.period_start, facts.period_end,
        private.user_tokens_used(usage.user_id, usage.model_id, facts.period_start, facts.period_end)
          + usage.tokens_used
      )
      on conflict (user_id, model_id, period_start, period_end)
      do update set tokens = t.tokens + usage.tokens_used
      returning t.tokens - usage.tokens_used into window_counted;
    end if;
  elsif not facts.is_free and facts.token_limit is not null and not facts.is_settlement then
    window_counted := private.user_tokens_used(
      usage.user_id, usage.model_id, facts.period_start, facts.period_end
    );
  end if;

  if not facts.is_free and not facts.is_settlement then
    if facts.token_limit is not null then
      used := window_counted + private.user_tokens_held(usage.user_id, usage.model_id);
      if used + usage.tokens_used > facts.token_limit then
        perform private.refuse_user_limit(
          facts.limit_period, facts.token_limit, used, usage.tokens_used, facts.period_end
        );
      end if;
    end if;
    if org_quota is not null then
      used := org_counted + private.org_tokens_held(facts.organization_id);
      if used + usage.tokens_used > org_quota then
        perform private.refuse_org_quota(org_quota, used, usage.tokens_used, org_reset_at);
      end if;
    end if;
  end if;

  if charge then
    -- Handed to the receipt (private.usage_receipt): what is left after this row, the way
    -- quota_status() counts it (the window's recorded tokens; the org counter, non-free
    -- only). Transaction-local, and set for every row, so a receipt never reads an earlier
    -- row's values. (greatest() ignores nulls: an unlimited, null, limit stays null.)
    perform
      set_config(
        'aimodels.user_tokens_left',
        coalesce(case when facts.token_limit is not null
          then greatest(facts.token_limit - window_counted - usage.tokens_used, 0)
        end::text, ''),
        true
      ),
      set_config(
        'aimodels.org_tokens_left',
        coalesce(case when org_quota is not null
          then greatest(org_quota - org_counted - usage.tokens_used, 0)
        end::text, ''),
        true
      );
  end if;

  usage.id := coalesce(usage.id, gen_random_uuid());
  usage.organization_id := facts.organization_id;
  usage.model_type := 'system';
  usage.model_name := facts.model_name;
  usage.period_type := facts.limit_period;
  usage.period_start := facts.period_start;
  usage.period_end := facts.period_end;
  -- The server's clock, never the client's: backdating would dodge the current period.
  usage.created_at := now();
  return usage;
end;
$$;

revoke execute on function private.admit_usage(public.ai_model_usage, boolean) from public;

/**
  * Runs the admission, with the charge, for every inserted row, unless the row is a retry
  * (unchanged: see the migration that made the log stay true).
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
  new := private.admit_usage(new, true);
  return new;
end;
$$;

/**
  * -------------------------------------------------------
  * Section - Receipts
  * -------------------------------------------------------
  */

/**
  * A recorded row plus what is left after it, as the admission of the same insert handed it
  * over (record_usage() and settle_usage() call it right after their insert). Reads no
  * table, so it needs no definer rights.
  */
create or replace function private.usage_receipt(recorded public.ai_model_usage)
  returns public.usage_receipt
  language plpgsql
  stable
  security invoker
  set search_path = ''
as $$
begin
  return row(
    recorded.id, recorded.user_id, recorded.organization_id, recorded.model_id,
    recorded.model_type, recorded.model_name, recorded.tokens_used, recorded.requests_count,
    recorded.period_start, recorded.period_end, recorded.period_type, recorded.created_at,
    nullif(current_setting('aimodels.user_tokens_left', true), '')::bigint,
    nullif(current_setting('aimodels.org_tokens_left', true), '')::bigint
  )::public.usage_receipt;
end;
$$;

/**
  * The receipt of a usage row recorded earlier (a replayed settlement or recording): what is
  * left now, counted as the admission counts it, then the same receipt as a fresh recording.
  */
create or replace function private.receipt_of_recorded(recorded public.ai_model_usage)
  returns public.usage_receipt
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  model_is_free boolean := (
    select m.is_free from public.ai_models_system m where m.id = recorded.model_id
  );
  user_limit bigint := private.effective_user_limit(recorded.organization_id, recorded.model_id);
begin
  -- greatest() ignores nulls, so an unlimited (null) limit is kept null explicitly.
  perform
    set_config(
      'aimodels.user_tokens_left',
      coalesce(case when user_limit is not null then greatest(
        user_limit
          - private.user_tokens_used(
            recorded.user_id, recorded.model_id, recorded.period_start, recorded.period_end
          ),
        0
      ) end::text, ''),
      true
    ),
    set_config(
      'aimodels.org_tokens_left',
      coalesce(case when not model_is_free
        then (private.org_quota_status(recorded.organization_id)).remaining
      end::text, ''),
      true
    );
  return private.usage_receipt(recorded);
end;
$$;
