/**
  * The helpers every request calls are plpgsql, so each is planned once per session.
  *
  * A `language sql` function with a SET clause (every helper here has `set search_path =
  * ''`) is never inlined: Postgres parses, analyses and plans its body again on every call
  * from a new statement, and a request is always a new statement. plpgsql keeps the compiled
  * body and its plans for the session, and evaluates a plain RETURN expression without the
  * executor. Measured on the recording path (perf on the backend of a session calling
  * record_usage(), small scale): re-planning private.caller_id() in the usage read policy,
  * which the insert's RETURNING checks, was 7.6% of the backend's time; after, the policy's
  * initplans together are 4.5%.
  *
  *   - private.caller_id(): the usage read policy (every read of the log, and every row
  *     record_usage() and settle_usage() return).
  *   - private.hold_result() and private.usage_hold_ttl(): every reserve_usage().
  *   - public.visible_model_id(): every call of the model access service that names its
  *     model.
  * Same signatures, markings, results and grants (CREATE OR REPLACE keeps the grants).
  * pgTAP 46 checks that no function a policy calls is a `language sql` function with a SET
  * clause.
  */

/**
  * -------------------------------------------------------
  * Section - The caller
  * -------------------------------------------------------
  */

-- As in 20251207000300_usage_reads_in_parallel: auth.uid()'s reading, parallel safe.
create or replace function private.caller_id()
  returns uuid
  language plpgsql
  stable
  parallel safe
  set search_path = ''
as $$
begin
  return coalesce(
    nullif(pg_catalog.current_setting('request.jwt.claim.sub', true), ''),
    (nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid;
end;
$$;

/**
  * -------------------------------------------------------
  * Section - Holds
  * -------------------------------------------------------
  */

create or replace function private.hold_result(hold public.usage_reservations, replayed boolean)
  returns public.usage_hold
  language plpgsql
  immutable
  set search_path = ''
as $$
begin
  return row(
    hold.id, hold.user_id, hold.organization_id, hold.model_id, hold.tokens_held,
    hold.requests_count, hold.status, hold.expires_at, hold.created_at, replayed
  )::public.usage_hold;
end;
$$;

/**
  * The hold TTL now in force.
  */
create or replace function private.usage_hold_ttl()
  returns interval
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return coalesce((select s.hold_ttl from private.usage_hold_settings s), interval '5 minutes');
end;
$$;

/**
  * -------------------------------------------------------
  * Section - A model by its name
  * -------------------------------------------------------
  */

-- As in 20251205000300_org_model_access.
create or replace function public.visible_model_id(model_name text)
  returns uuid
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return (
    select m.id
    from public.ai_models_system m
    where m.name = visible_model_id.model_name
      and m.id = any (private.visible_model_ids(private.current_org_id()))
  );
end;
$$;
