/**
  * Recording usage: one admission function checks every rule, takes the locks and completes
  * the row; a BEFORE INSERT trigger runs it for every insert into ai_model_usage, whatever the
  * path (record_usage(), a direct PostgREST insert, service_role, SQL), so there is no way
  * around the checks. An AFTER INSERT trigger then charges what the row carries (the org
  * quota, the user's window counter): only rows actually written are charged, so an insert
  * that ends in ON CONFLICT DO NOTHING (a retried client-chosen id) costs nothing. A third
  * trigger keeps the log append-only for everyone, the table owner and service_role included.
  */

/**
  * -------------------------------------------------------
  * Section - Admission
  * -------------------------------------------------------
  */

/**
  * Checks a usage row against the rules and returns it completed (organization, model name,
  * period, created_at), or raises AM001..AM006 and appends nothing. It charges nothing: the
  * row's tokens are charged by private.charge_usage() once the row is written (below).
  *
  * Concurrency: for non-free models it locks the organization row (FOR UPDATE) before reading
  * any total. Every non-free recording in the organization therefore runs one at a time, and
  * each reads the totals the previous one committed (a volatile function takes a fresh
  * snapshot per statement under READ COMMITTED; under REPEATABLE READ the lock turns a race
  * into a serialization failure). That one lock covers both the org quota and every per-user
  * limit, since a user belongs to exactly one organization. The lock is held to commit, so
  * it still covers the charge the AFTER trigger makes. Free models check no total and take
  * no lock.
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
  if usage.tokens_used is null or usage.tokens_used <= 0
    or usage.requests_count is null or usage.requests_count <= 0
  then
    raise exception using
      errcode = 'AM006',
      message = 'invalid_amount: tokens_used and requests_count must be positive integers',
      detail = format('tokens_used=%s requests_count=%s', usage.tokens_used, usage.requests_count);
  end if;

  usage.user_id := coalesce(usage.user_id, auth.uid());
  select p.organization_id into user_org_id from public.profiles p where p.id = usage.user_id;
  if user_org_id is null then
    raise exception using
      errcode = 'AM001',
      message = 'model_not_available: usage can only be recorded for a member of an organization';
  end if;
  if usage.organization_id is not null and usage.organization_id <> user_org_id then
    raise exception using
      errcode = 'AM008',
      message = 'protected_field: usage is always recorded in the user''s own organization';
  end if;

  select * into model from public.ai_models_system m where m.id = usage.model_id;
  if not found
    or coalesce(usage.model_type, 'system') <> 'system'
    or not private.is_model_visible_to_org(user_org_id, usage.model_id)
  then
    raise exception using
      errcode = 'AM001',
      message = 'model_not_available: the model is not available to your organization',
      detail = format('model_id=%s', usage.model_id);
  end if;
  if not private.is_model_enabled_for_org(user_org_id, usage.model_id) then
    raise exception using
      errcode = 'AM002',
      message = 'model_not_enabled: your organization has not enabled this model for its users',
      detail = format('model_id=%s', usage.model_id);
  end if;
  if private.is_trial_expired(user_org_id, usage.model_id, now()) then
    raise exception using
      errcode = 'AM003',
      message = 'trial_expired: your organization''s trial of this model has ended',
      detail = format('trial ended at %s', private.trial_end(user_org_id, usage.model_id));
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
        raise exception using
          errcode = 'AM004',
          message = format(
            'user_limit_exceeded: this would exceed your %s limit of %s tokens for this model',
            model.token_limit_period, user_limit
          ),
          detail = format(
            'limit=%s used=%s requested=%s period_end=%s',
            user_limit, user_used, usage.tokens_used, window_end
          );
      end if;
    end if;

    if org.token_quota_monthly is not null
      and org.token_usage_current + usage.tokens_used > org.token_quota_monthly
    then
      raise exception using
        errcode = 'AM005',
        message = format(
          'org_quota_exceeded: this would exceed your organization''s monthly quota of %s tokens',
          org.token_quota_monthly
        ),
        detail = format(
          'quota=%s used=%s requested=%s reset_at=%s',
          org.token_quota_monthly, org.token_usage_current, usage.tokens_used, org.token_reset_date
        );
    end if;
  end if;

  -- Handed to the receipt (private.usage_receipt) so record_usage() does not compute the
  -- limit a second time; transaction-local, and set on every row (null for free models and
  -- unlimited ones) so a receipt never reads an earlier row's value.
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
  * Runs the admission for every inserted row. Security definer so that no API role needs
  * (or gets) execute on private.admit_usage itself.
  */
create or replace function private.admit_usage_on_insert()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  new := private.admit_usage(new);
  return new;
end;
$$;

revoke execute on function private.admit_usage_on_insert() from public;

create trigger ai_model_usage_admit
  before insert on public.ai_model_usage
  for each row execute function private.admit_usage_on_insert();

/**
  * Charges a written usage row: the organization's quota counter (non-free models) and the
  * user's counter for the row's limit window (private.usage_period_totals), in the same
  * transaction. Runs AFTER INSERT, so a row the insert did not write (ON CONFLICT DO NOTHING)
  * charges nothing.
  *
  * Concurrency: for non-free models the admission holds the organization's row lock, so the
  * charge cannot interleave with another recording's check. The window counter is created
  * from what the window already holds in the log (this row included: it is written), then
  * only ever moved by a row's own tokens, so concurrent free recordings (no lock) cannot lose
  * each other's.
  *
  * One statement inserting several rows: every row's BEFORE check runs before any row's AFTER
  * charge, so each was checked against the totals without its statement-mates. The totals are
  * checked again here once charged (the org quota always, it costs nothing; the user limit
  * when the statement wrote more than one row), and an overshoot refuses the whole statement.
  */
create or replace function private.charge_usage()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  model_is_free boolean;
  org public.organizations;
  counted bigint;
  user_limit bigint;
begin
  select m.is_free into model_is_free from public.ai_models_system m where m.id = new.model_id;

  if not model_is_free then
    update public.organizations o
    set token_usage_current = o.token_usage_current + new.tokens_used
    where o.id = new.organization_id
    returning o.* into org;
    if org.token_quota_monthly is not null and org.token_usage_current > org.token_quota_monthly then
      raise exception using
        errcode = 'AM005',
        message = format(
          'org_quota_exceeded: this would exceed your organization''s monthly quota of %s tokens',
          org.token_quota_monthly
        ),
        detail = format(
          'quota=%s used=%s requested=%s reset_at=%s',
          org.token_quota_monthly, org.token_usage_current - new.tokens_used, new.tokens_used,
          org.token_reset_date
        );
    end if;
  end if;

  update private.usage_period_totals t
  set tokens = t.tokens + new.tokens_used
  where t.user_id = new.user_id and t.model_id = new.model_id
    and t.period_start = new.period_start and t.period_end = new.period_end
  returning t.tokens into counted;
  if not found then
    -- No counter yet: the log's rows of the window start it. The log already holds every row
    -- of this statement; only this one is counted here, its statement-mates charge themselves.
    insert into private.usage_period_totals as t (user_id, model_id, period_start, period_end, tokens)
    values (
      new.user_id, new.model_id, new.period_start, new.period_end,
      private.user_tokens_used(new.user_id, new.model_id, new.period_start, new.period_end)
        - (
          select coalesce(sum(a.tokens_used), 0) from admitted a
          where a.user_id = new.user_id and a.model_id = new.model_id
            and a.period_start = new.period_start and a.period_end = new.period_end
        )
        + new.tokens_used
    )
    on conflict (user_id, model_id, period_start, period_end)
    do update set tokens = t.tokens + new.tokens_used
    returning t.tokens into counted;
  end if;

  -- Handed to the receipt with the admission's limit: the user's window total after this row.
  perform set_config('aimodels.charged_window_tokens', counted::text, true);

  if not model_is_free and (select count(*) from admitted) > 1 then
    user_limit := private.effective_user_limit(new.organization_id, new.model_id);
    if user_limit is not null and counted > user_limit then
      raise exception using
        errcode = 'AM004',
        message = format(
          'user_limit_exceeded: this would exceed your %s limit of %s tokens for this model',
          new.period_type, user_limit
        ),
        detail = format(
          'limit=%s used=%s requested=%s period_end=%s',
          user_limit, counted - new.tokens_used, new.tokens_used, new.period_end
        );
    end if;
  end if;
  return null;
end;
$$;

revoke execute on function private.charge_usage() from public;

create trigger ai_model_usage_charge
  after insert on public.ai_model_usage
  referencing new table as admitted
  for each row execute function private.charge_usage();

/**
  * -------------------------------------------------------
  * Section - Audit: append-only
  * -------------------------------------------------------
  */

/**
  * Refuses to change the usage log. Fires for every role, including the table owner and
  * service_role (which bypass row level security), and, being ENABLE ALWAYS, even under
  * session_replication_role = replica.
  */
create or replace function private.forbid_usage_changes()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  raise exception using
    errcode = 'AM007',
    message = format('usage_append_only: usage rows are never changed (%s refused)', lower(tg_op));
end;
$$;

revoke execute on function private.forbid_usage_changes() from public;

create trigger ai_model_usage_append_only
  before update or delete on public.ai_model_usage
  for each row execute function private.forbid_usage_changes();

create trigger ai_model_usage_no_truncate
  before truncate on public.ai_model_usage
  for each statement execute function private.forbid_usage_changes();

alter table public.ai_model_usage enable always trigger ai_model_usage_append_only;
alter table public.ai_model_usage enable always trigger ai_model_usage_no_truncate;
