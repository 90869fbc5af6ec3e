/**
  * The API's hold functions: reserve_usage (the user's call, admitted like a recording),
  * settle_usage (the actual usage appended, the hold ended), release_usage (nothing charged),
  * and clean_up_usage_holds for a scheduler. Only a hold's owner or the platform
  * (service_role) may settle or release it; anyone else is told there is no such hold, so
  * another user's hold ids reveal nothing.
  *
  * Idempotency: reserve_usage takes a key, unique per user. A retry with the same key
  * returns the first call's hold (flagged `replayed`) before any admission, so a retry is
  * never refused as over the limit, even when the first call took the last of the quota;
  * another user's identical key is another key. settle_usage settles at most once: a retry
  * returns the first receipt.
  *
  * New refusals (private.refuse): AM010 reservation_not_found, AM011 reservation_ended.
  */

/**
  * -------------------------------------------------------
  * Section - Refusals
  * -------------------------------------------------------
  */

-- The hold codes, raised through private.refuse() like every other.
insert into private.refusal_codes (code, name, reason) values
  ('AM010', 'reservation_not_found', 'there is no such hold of yours'),
  ('AM011', 'reservation_ended', 'the hold has already ended');

/**
  * -------------------------------------------------------
  * Section - Result type
  * -------------------------------------------------------
  */

/**
  * A hold as the hold functions return it; `replayed` is true when reserve_usage answered a
  * retry (same user, same idempotency key) with the first call's hold.
  */
create type public.usage_hold as (
  id uuid,
  user_id uuid,
  organization_id uuid,
  model_id uuid,
  tokens_held integer,
  requests_count integer,
  status text,
  expires_at timestamptz,
  created_at timestamptz,
  replayed boolean
);

/**
  * -------------------------------------------------------
  * Section - Helpers
  * -------------------------------------------------------
  */

/**
  * True when the request comes from the platform (service_role through the API, or the
  * database's own roles), not from a signed-in user. Reads the session's role setting,
  * which a security definer function does not change.
  */
create or replace function private.is_platform_request()
  returns boolean
  language sql
  stable
  set search_path = ''
as $$
  select coalesce(nullif(current_setting('role', true), 'none'), session_user::text)
    in ('postgres', 'supabase_admin', 'service_role');
$$;

revoke execute on function private.is_platform_request() from public;

/**
  * The hold `hold_id`, locked for the caller to end it: only its owner or the platform may.
  * Anyone else gets AM010, as for a hold that does not exist.
  */
create or replace function private.lock_own_hold(hold_id uuid)
  returns public.usage_reservations
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  hold public.usage_reservations;
begin
  select * into hold from public.usage_reservations r where r.id = hold_id for update;
  if not found or not (hold.user_id = auth.uid() or private.is_platform_request()) then
    perform private.refuse('AM010', null, format('reservation_id=%s', hold_id));
  end if;
  return hold;
end;
$$;

revoke execute on function private.lock_own_hold(uuid) from public;

create or replace function private.hold_result(hold public.usage_reservations, replayed boolean)
  returns public.usage_hold
  language sql
  immutable
  set search_path = ''
as $$
  select row(
    hold.id, hold.user_id, hold.organization_id, hold.model_id, hold.tokens_held,
    hold.requests_count, hold.status, hold.expires_at, hold.created_at, replayed
  )::public.usage_hold;
$$;

revoke execute on function private.hold_result(public.usage_reservations, boolean) from public;

/**
  * The receipt of a usage row recorded earlier (a replayed settlement or recording): the
  * limit and window total read now, then the same receipt function as a fresh recording.
  */
create or replace function private.receipt_of_recorded(recorded public.ai_model_usage)
  returns public.usage_receipt
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  perform set_config(
    'aimodels.admitted_user_limit',
    coalesce(private.effective_user_limit(recorded.organization_id, recorded.model_id)::text, ''),
    true
  );
  perform set_config(
    'aimodels.charged_window_tokens',
    private.user_tokens_used(
      recorded.user_id, recorded.model_id, recorded.period_start, recorded.period_end
    )::text,
    true
  );
  return private.usage_receipt(recorded);
end;
$$;

revoke execute on function private.receipt_of_recorded(public.ai_model_usage) from public;
-- record_usage() runs as the invoker and replays through it.
grant execute on function private.receipt_of_recorded(public.ai_model_usage) to authenticated;

/**
  * -------------------------------------------------------
  * Section - Reserve, settle, release
  * -------------------------------------------------------
  */

/**
  * Holds `max_tokens` of the signed-in user's quota on a model for the hold TTL. The same
  * admission as a recording (available, enabled, trial, user limit, org quota, holds
  * counted; free models admitted and counted toward nothing) under the same organization
  * lock; refusals raise the same codes. Only the 'user' role uses models (42501 otherwise,
  * as for a recording). Returns the hold: its id, the tokens held and expires_at.
  */
create or replace function public.reserve_usage(
  model_id uuid,
  max_tokens integer,
  requests_count integer default 1,
  idempotency_key text default null
)
  returns public.usage_hold
  language plpgsql
  volatile
  security definer
  set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  hold public.usage_reservations;
  candidate public.ai_model_usage;
begin
  if reserve_usage.idempotency_key is not null then
    if char_length(reserve_usage.idempotency_key) not between 1 and 200 then
      perform private.refuse('AM009', 'idempotency_key must be 1 to 200 characters');
    end if;
    -- Two calls with one key take turns, so the second finds the first's hold.
    perform pg_advisory_xact_lock(
      hashtextextended('usage_reservations/' || caller || '/' || reserve_usage.idempotency_key, 0)
    );
    select * into hold from public.usage_reservations r
    where r.user_id = caller and r.idempotency_key = reserve_usage.idempotency_key;
    if found then
      return private.hold_result(hold, true);
    end if;
  end if;

  candidate.user_id := caller;
  candidate.model_id := reserve_usage.model_id;
  candidate.tokens_used := reserve_usage.max_tokens;
  candidate.requests_count := reserve_usage.requests_count;
  candidate := private.admit_usage(candidate);
  if private.current_user_role() is distinct from 'user' then
    raise exception using
      errcode = '42501',
      message = 'permission denied: only users reserve usage of a model';
  end if;

  insert into public.usage_reservations (
    user_id, organization_id, model_id, tokens_held, requests_count, idempotency_key, expires_at
  )
  values (
    caller, candidate.organization_id, candidate.model_id, candidate.tokens_used,
    candidate.requests_count, reserve_usage.idempotency_key, now() + private.usage_hold_ttl()
  )
  returning * into hold;
  return private.hold_result(hold, false);
end;
$$;

revoke execute on function public.reserve_usage(uuid, integer, integer, text) from public, anon;
grant execute on function public.reserve_usage(uuid, integer, integer, text) to authenticated;

/**
  * Ends a hold with the usage actually spent: appends the usage row (tokens_used, and
  * requests_count or the hold's) and returns the same receipt as record_usage(). The row is
  * recorded even when it is larger than the hold or the limits have moved since (the log
  * holds the truth; tokens_over_hold measures it), and even when the hold expired (the tokens
  * were spent). A hold settles at most once: a retry returns the first receipt. A released
  * hold cannot be settled (AM011).
  */
create or replace function public.settle_usage(
  reservation_id uuid,
  tokens_used integer,
  requests_count integer default null
)
  returns public.usage_receipt
  language plpgsql
  volatile
  security definer
  set search_path = ''
as $$
declare
  hold public.usage_reservations := private.lock_own_hold(settle_usage.reservation_id);
  recorded public.ai_model_usage;
  new_usage_id uuid := gen_random_uuid();
begin
  if hold.status = 'settled' then
    select * into recorded from public.ai_model_usage u where u.id = hold.usage_id;
    return private.receipt_of_recorded(recorded);
  end if;
  if hold.status = 'released' then
    perform private.refuse(
      'AM011', 'the hold was released: nothing can be settled on it',
      format('reservation_id=%s', hold.id)
    );
  end if;

  -- Marked first: the admission recognises the row as this settlement (is_hold_settlement).
  update public.usage_reservations r
  set status = 'settled',
      ended_at = now(),
      usage_id = new_usage_id,
      tokens_settled = settle_usage.tokens_used
  where r.id = hold.id;

  insert into public.ai_model_usage (id, user_id, model_id, tokens_used, requests_count)
  values (
    new_usage_id, hold.user_id, hold.model_id, settle_usage.tokens_used,
    coalesce(settle_usage.requests_count, hold.requests_count)
  )
  returning * into recorded;
  return private.usage_receipt(recorded);
end;
$$;

revoke execute on function public.settle_usage(uuid, integer, integer) from public, anon;
grant execute on function public.settle_usage(uuid, integer, integer) to authenticated, service_role;

/**
  * Ends a hold without charging anything (the call failed, or was never made). Releasing a
  * released hold changes nothing; a settled hold cannot be released (AM011).
  */
create or replace function public.release_usage(reservation_id uuid)
  returns public.usage_hold
  language plpgsql
  volatile
  security definer
  set search_path = ''
as $$
declare
  hold public.usage_reservations := private.lock_own_hold(release_usage.reservation_id);
begin
  if hold.status = 'settled' then
    perform private.refuse(
      'AM011', 'the hold was settled: its usage is recorded', format('reservation_id=%s', hold.id)
    );
  end if;
  if hold.status <> 'released' then
    update public.usage_reservations r
    set status = 'released', ended_at = now()
    where r.id = hold.id
    returning * into hold;
  end if;
  return private.hold_result(hold, false);
end;
$$;

revoke execute on function public.release_usage(uuid) from public, anon;
grant execute on function public.release_usage(uuid) to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Cleanup
  * -------------------------------------------------------
  */

/**
  * Tidies holds (pg_cron on Supabase, or service_role through the API): active holds past
  * their expiry become 'expired' (they stopped counting at expires_at already), and holds
  * ended longer ago than keep_ended are deleted, their idempotency keys with them.
  * Idempotent; returns how many holds it expired or deleted.
  */
create or replace function public.clean_up_usage_holds()
  returns integer
  language plpgsql
  volatile
  security definer
  set search_path = ''
as $$
declare
  expired integer;
  deleted integer;
  keep interval := (select s.keep_ended from private.usage_hold_settings s);
begin
  update public.usage_reservations r
  set status = 'expired', ended_at = r.expires_at
  where r.status = 'active' and r.expires_at <= now();
  get diagnostics expired = row_count;

  delete from public.usage_reservations r
  where r.status <> 'active' and r.ended_at < now() - coalesce(keep, interval '1 day');
  get diagnostics deleted = row_count;
  return expired + deleted;
end;
$$;

revoke execute on function public.clean_up_usage_holds() from public, anon, authenticated;
grant execute on function public.clean_up_usage_holds() to service_role;
