/**
  * Per-user limits that would never apply are refused.
  *
  * An admin's token_limit_per_user can only tighten the model's own limit (the effective limit
  * is the smaller of the two, and free models have none). Before, a per-user limit on a free
  * model, or one looser than the model's own, was stored and then ignored, while the admin
  * was told "limit set". Now such a write is refused AM006 with the reason and the model's
  * own limit, so a stored per-user limit is the effective limit at the time it is set.
  *
  * Writes through the API (anon, authenticated: admins and superadmins alike) are checked;
  * platform code (migrations, the seed, service_role, bulk loads) is trusted, and whatever it
  * stores still only tightens (private.effective_user_limits takes the smaller).
  */

/**
  * -------------------------------------------------------
  * Section - Organization settings per model
  * -------------------------------------------------------
  */

/**
  * Refuses a per-user limit that could not apply to the settings row's model. Runs as the
  * invoker, so current_user says whether the write comes through the API; it reads the model
  * under the caller's own row level security (an admin reads the models visible to the org,
  * the only ones the settings policies let them configure).
  */
create or replace function private.check_user_limit_applies()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
declare
  model public.ai_models_system;
begin
  if new.token_limit_per_user is null or current_user not in ('anon', 'authenticated') then
    return new;
  end if;
  select * into model from public.ai_models_system m where m.id = new.system_model_id;
  if not found then
    -- Not a model the caller may configure: the settings policies refuse the write.
    return new;
  end if;
  if model.is_free then
    perform private.refuse(
      'AM006',
      format('a per-user limit cannot apply to %s: free models have no token limits', model.name),
      format('token_limit_per_user=%s', new.token_limit_per_user)
    );
  end if;
  if model.token_limit_amount is not null and new.token_limit_per_user > model.token_limit_amount then
    perform private.refuse(
      'AM006',
      format(
        'a per-user limit can only tighten the model''s own limit of %s tokens per %s period; use at most %s',
        model.token_limit_amount, model.token_limit_period, model.token_limit_amount
      ),
      format(
        'token_limit_per_user=%s model_limit=%s', new.token_limit_per_user, model.token_limit_amount
      )
    );
  end if;
  return new;
end;
$$;

revoke execute on function private.check_user_limit_applies() from public;

create trigger org_system_model_config_check_user_limit
  before insert or update of token_limit_per_user on public.org_system_model_config
  for each row execute function private.check_user_limit_applies();
