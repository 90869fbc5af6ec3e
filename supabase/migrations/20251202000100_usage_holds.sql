/**
  * Usage holds: quota reserved before a model call, settled or released after it.
  *
  * A model call spends tokens before anyone can record them, so recording afterwards lets a
  * burst of concurrent calls overshoot any limit. A hold is admitted like a usage row (the
  * same private.admit_usage(), under the same organization lock) and then counts as used
  * until it is settled (the actual usage is appended to the log), released (nothing is
  * charged) or expires. Expiry needs no job: a hold counts only while `expires_at` is in the
  * future, so a caller that dies mid-call gives its quota back after the TTL.
  *
  * This migration holds the table, its TTL setting, who may read holds, and the admission
  * that counts them. The API functions (reserve_usage, settle_usage, release_usage) follow.
  */

/**
  * -------------------------------------------------------
  * Section - Settings
  * -------------------------------------------------------
  */

/**
  * Platform settings of the holds, one row. hold_ttl is how long a hold counts without being
  * settled: longer than the slowest model call the service waits for, short enough that a
  * crashed caller's quota comes back soon. keep_ended is how long ended holds stay (their
  * idempotency keys answer retries for that long) before the cleanup deletes them.
  */
create table private.usage_hold_settings (
  id boolean primary key default true
    constraint usage_hold_settings_one_row check (id),
  hold_ttl interval not null default interval '5 minutes'
    constraint usage_hold_settings_ttl_positive check (hold_ttl > interval '0'),
  keep_ended interval not null default interval '1 day'
    constraint usage_hold_settings_keep_positive check (keep_ended > interval '0')
);

comment on table private.usage_hold_settings is
  'One row: how long a usage hold counts (hold_ttl) and how long ended holds are kept.';

insert into private.usage_hold_settings default values;

/**
  * -------------------------------------------------------
  * Section - Holds
  * -------------------------------------------------------
  */

/**
  * One hold per model call. Written only by the hold functions (security definer): no API
  * role may insert, change or delete a row directly. status moves active -> settled |
  * released | expired (expired is set by the cleanup; until then an active hold past
  * expires_at simply stops counting). A settled hold names the usage row it became.
  */
create table public.usage_reservations (
  id uuid primary key default gen_random_uuid(),
  -- A user without usage can be deleted: their holds go with them.
  user_id uuid not null references public.profiles (id) on delete cascade,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  model_id uuid not null references public.ai_models_system (id) on delete cascade,
  tokens_held integer not null
    constraint usage_reservations_tokens_held_positive check (tokens_held > 0),
  requests_count integer not null default 1
    constraint usage_reservations_requests_count_positive check (requests_count > 0),
  status text not null default 'active'
    constraint usage_reservations_status_known
      check (status in ('active', 'settled', 'released', 'expired')),
  idempotency_key text
    constraint usage_reservations_idempotency_key_length
      check (char_length(idempotency_key) between 1 and 200),
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  ended_at timestamptz,
  -- The usage row a settlement appended. No foreign key: the log is append-only, and a key
  -- would make TRUNCATE fail on the key before the log's own refusal (AM007) could answer.
  usage_id uuid,
  tokens_settled integer,
  -- What a settlement recorded beyond the hold: the log holds the truth, this measures it.
  tokens_over_hold integer generated always as (greatest(tokens_settled - tokens_held, 0)) stored,
  constraint usage_reservations_ended_when_not_active
    check ((status = 'active') = (ended_at is null)),
  -- Keys are per user: another user's identical key is another key.
  constraint usage_reservations_user_key_unique unique (user_id, idempotency_key)
);

comment on table public.usage_reservations is
  'Quota holds of model calls (reserve_usage / settle_usage / release_usage); read like usage.';

revoke all on table public.usage_reservations from public, anon, authenticated, service_role;
grant select on table public.usage_reservations to authenticated, service_role;

-- Serves the admission's sum of a user's active holds on a model and the owner read arm.
create index usage_reservations_user_model_active_idx
  on public.usage_reservations (user_id, model_id)
  where status = 'active';

-- Serves the admission's sum of an organization's active holds and the admin read arm.
create index usage_reservations_organization_idx
  on public.usage_reservations (organization_id, status);

-- Serve the settlement's lookup (is_hold_settlement), the cleanup and the model's cascade.
create index usage_reservations_usage_idx on public.usage_reservations (usage_id);
create index usage_reservations_ended_idx on public.usage_reservations (status, expires_at);
create index usage_reservations_model_idx on public.usage_reservations (model_id);

alter table public.usage_reservations enable row level security;

/**
  * -------------------------------------------------------
  * Section - RLS Policies
  * -------------------------------------------------------
  */

-- Holds are read like usage: the owner, their organization's admin, superadmins. The two
-- arms are the leading columns of the indexes above.
create policy "owners, org admins and superadmins can read holds"
  on public.usage_reservations
  for select
  to authenticated
  using (
    user_id = (select auth.uid())
    or organization_id = any ((select private.usage_report_org_ids())::uuid[])
  );

/**
  * -------------------------------------------------------
  * Section - Counting holds
  * -------------------------------------------------------
  */

/**
  * The hold TTL now in force.
  */
create or replace function private.usage_hold_ttl()
  returns interval
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select coalesce((select s.hold_ttl from private.usage_hold_settings s), interval '5 minutes');
$$;

revoke execute on function private.usage_hold_ttl() from public;

/**
  * Tokens a user holds on a model right now: active holds not yet expired.
  */
create or replace function private.user_tokens_held(user_id uuid, model_id uuid)
  returns bigint
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select coalesce(sum(r.tokens_held), 0)::bigint
  from public.usage_reservations r
  where r.user_id = user_tokens_held.user_id
    and r.model_id = user_tokens_held.model_id
    and r.status = 'active'
    and r.expires_at > now();
$$;

revoke execute on function private.user_tokens_held(uuid, uuid) from public;

/**
  * Tokens an organization holds right now on models that count toward its quota (non-free).
  */
create or replace function private.org_tokens_held(organization_id uuid)
  returns bigint
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select coalesce(sum(r.tokens_held), 0)::bigint
  from public.usage_reservations r
  join public.ai_models_system m on m.id = r.model_id
  where r.organization_id = org_tokens_held.organization_id
    and r.status = 'active'
    and r.expires_at > now()
    and not m.is_free;
$$;

revoke execute on function private.org_tokens_held(uuid) from public;

/**
  * True when `usage_id` is the row a hold is being settled into (settle_usage marks the hold
  * settled, naming the row, just before it inserts the row). Such a row records tokens
  * already spent under an admitted hold: it is recorded whatever the limits say now.
  * Nobody can forge it: no API role writes holds, and an insert reusing a settled row's id
  * is a retry of that row (skipped) or another user's id (refused).
  */
create or replace function private.is_hold_settlement(usage_id uuid)
  returns boolean
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select exists (
    select 1 from public.usage_reservations r
    where r.usage_id = is_hold_settlement.usage_id and r.status = 'settled'
  );
$$;

revoke execute on function private.is_hold_settlement(uuid) from public;

/**
  * -------------------------------------------------------
  * Section - Admission, holds counted
  * -------------------------------------------------------
  */

/**
  * Checks a usage row (or a hold: reserve_usage admits a candidate row) against the rules and
  * returns it completed, or raises AM001..AM006 and appends nothing. Unchanged from the
  * previous version but for two points:
  *   - active holds count as used, for the user's limit (the user's holds on the model) and
  *     for the org quota (the org's holds on non-free models), read under the same
  *     organization lock, so holds and recordings admitted concurrently cannot together pass
  *     a limit;
  *   - a hold's settlement (private.is_hold_settlement) skips the availability and limit
  *     checks: its tokens are spent, and the log records the truth. Its own hold is already
  *     settled, so it no longer counts.
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
  select p.organization_id into user_org_id from public.profiles p where p.id = usage.user_id;
  if user_org_id is null then
    perform private.refuse('AM001', 'usage can only be recorded for a member of an organization');
  end if;
  if usage.organization_id is not null and usage.organization_id <> user_org_id then
    perform private.refuse('AM008', 'usage is always recorded in the user''s own organization');
  end if;

  settling := usage.id is not null and private.is_hold_settlement(usage.id);
  select * into model from public.ai_models_system m where m.id = usage.model_id;
  if not settling then
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
    if user_limit is not null and not settling then
      user_used := private.user_tokens_used(usage.user_id, usage.model_id, window_start, window_end)
        + private.user_tokens_held(usage.user_id, usage.model_id);
      if user_used + usage.tokens_used > user_limit then
        perform private.refuse_user_limit(
          model.token_limit_period, user_limit, user_used, usage.tokens_used, window_end
        );
      end if;
    end if;

    if org.token_quota_monthly is not null and not settling then
      org_used := org.token_usage_current + private.org_tokens_held(user_org_id);
      if org_used + usage.tokens_used > org.token_quota_monthly then
        perform private.refuse_org_quota(
          org.token_quota_monthly, org_used, usage.tokens_used, org.token_reset_date
        );
      end if;
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
