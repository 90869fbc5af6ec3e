/**
  * record_usage() takes an idempotency key. A retry by the same user with the same key
  * returns the first call's receipt and charges nothing, even when the first call used the
  * last of the quota; another user's identical key is another key.
  *
  * The key names the row: its id is derived from the user and the key, so a retry inserts
  * the same id and the retry rule for client-chosen ids applies (the insert trigger skips a
  * row whose id is already the same user's recorded row, before any check, and takes turns
  * with a concurrent insert of that id). Keys of different users derive different ids.
  */

/**
  * -------------------------------------------------------
  * Section - Recording usage
  * -------------------------------------------------------
  */

drop function public.record_usage(uuid, integer, integer);

/**
  * Records that the signed-in user used a model: one atomic insert that the admission trigger
  * checks (AM001..AM006) before appending. Returns the new row and the quota left, or, for a
  * retry with the same idempotency_key, the first row and the quota left now.
  * Security invoker: the insert passes the same row level security as a direct insert.
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
as $$
declare
  recorded public.ai_model_usage;
  row_id uuid := gen_random_uuid();
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

revoke execute on function public.record_usage(uuid, integer, integer, text) from public, anon;
grant execute on function public.record_usage(uuid, integer, integer, text) to authenticated;
