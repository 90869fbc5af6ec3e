/**
  * New usage rows and holds get ids in time order, so that a recording's cost does not grow
  * with the log.
  *
  * Every id was gen_random_uuid(): random over the whole key space, so each new row of the
  * usage log went to a random leaf of its primary key. Once that key outgrows the
  * database's buffers (398 MB at the large bench scale, against 256 MB of buffers), nearly
  * every recording read a leaf from outside them: 0.94 blocks per call at large against
  * 0.02 for each of the five other indexes, whose new entries go to the caller's or the
  * day's latest leaf. The admission's duplicate check (`where u.id = new.id`) reads that
  * leaf first. A recording at large took 619 us p50 / 784 us p99 against 527 / 685 at
  * small (BENCHMARKS.md).
  *
  * - private.time_ordered_uuid(): the layout of a version 7 UUID (RFC 9562): the first 48
  *   bits are the clock's milliseconds since 1970, then the version, 7; the variant and the
  *   remaining 74 bits are gen_random_uuid()'s random ones. Ids of one millisecond are
  *   in no order among themselves; they are as hard to guess as before.
  * - record_usage() (without an idempotency key) and settle_usage() name their rows with
  *   it, and it is the default id of a usage row and of a hold. A new row now lands on the
  *   key's latest leaves, which every recording keeps in the buffers.
  * - A keyed recording's id stays derived from the user and the key: a retry must find
  *   the same id (20251202000400). Rows recorded before keep their ids.
  *
  * tests: pgTAP 53 (the layout and the order of ids, each writer's ids, the defaults).
  */

/**
  * -------------------------------------------------------
  * Section - The id
  * -------------------------------------------------------
  */

/**
  * A version 7 UUID: milliseconds since 1970 in the first 48 bits, version 7, and
  * gen_random_uuid()'s variant and random bits. Read from the clock at each call
  * (clock_timestamp(), not the transaction's now()).
  */
create function private.time_ordered_uuid()
  returns uuid
  language plpgsql
  volatile
  set search_path = ''
  set plan_cache_mode = auto
as $$
declare
  bytes bytea := uuid_send(gen_random_uuid());
  milliseconds bigint := floor(extract(epoch from clock_timestamp()) * 1000);
begin
  -- int8send gives 8 big-endian bytes: its last 6 are the 48-bit timestamp.
  bytes := overlay(bytes placing substring(int8send(milliseconds) from 3) from 1 for 6);
  -- The version is the high nibble of byte 6 (counted from 0): 4 from gen_random_uuid(), now 7.
  bytes := set_byte(bytes, 6, (get_byte(bytes, 6) & 15) | 112);
  return encode(bytes, 'hex')::uuid;
end;
$$;

revoke execute on function private.time_ordered_uuid() from public;
grant execute on function private.time_ordered_uuid() to authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - The tables' defaults
  * -------------------------------------------------------
  */

alter table public.ai_model_usage alter column id set default private.time_ordered_uuid();
alter table public.usage_reservations alter column id set default private.time_ordered_uuid();

/**
  * -------------------------------------------------------
  * Section - The writers
  * -------------------------------------------------------
  */

/**
  * Records that the signed-in user used a model: one atomic insert that the admission trigger
  * checks (AM001..AM006) before appending. Returns the new row and the quota left, or, for a
  * retry with the same idempotency_key, the first row and the quota left now.
  * Security invoker: the insert passes the same row level security as a direct insert.
  * As 20251202000400 wrote it, with a time-ordered id when no key names the row.
  */
create or replace function public.record_usage(
  model_id uuid,
  tokens_used integer,
  requests_count integer default 1,
  idempotency_key text default null
)
  returns public.usage_receipt
  language plpgsql
  volatile
  set search_path = ''
  set plan_cache_mode = auto
as $$
declare
  recorded public.ai_model_usage;
  row_id uuid := private.time_ordered_uuid();
begin
  if record_usage.idempotency_key is not null then
    if char_length(record_usage.idempotency_key) not between 1 and 200 then
      perform private.refuse('AM009', 'idempotency_key must be 1 to 200 characters');
    end if;
    row_id := md5('record_usage/' || auth.uid() || '/' || record_usage.idempotency_key)::uuid;
  end if;

  insert into public.ai_model_usage (id, user_id, model_id, tokens_used, requests_count)
  values (
    row_id, auth.uid(), record_usage.model_id, record_usage.tokens_used,
    record_usage.requests_count
  )
  returning * into recorded;
  if not found then
    -- A retry: the insert trigger skipped the row, the first call recorded it.
    select * into recorded from public.ai_model_usage u where u.id = row_id;
    return private.receipt_of_recorded(recorded);
  end if;
  return private.usage_receipt(recorded);
end;
$$;

/**
  * Settles a hold: appends what the call used and ends the hold. As 20251202000200 wrote it,
  * with a time-ordered id for the new row.
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
  set plan_cache_mode = auto
as $$
declare
  hold public.usage_reservations := private.lock_own_hold(settle_usage.reservation_id);
  recorded public.ai_model_usage;
  new_usage_id uuid := private.time_ordered_uuid();
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
