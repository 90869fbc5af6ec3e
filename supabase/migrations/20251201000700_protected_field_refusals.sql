/**
  * AM008 protected_field, raised through the refusal helper like every other refusal: the
  * protect-fields triggers and the API-key capture are re-created unchanged but for that.
  * (The 42501 denials of the API-key functions stay PostgreSQL's own privilege error.)
  */

/**
  * -------------------------------------------------------
  * Section - Protected fields
  * -------------------------------------------------------
  */

/**
  * Admins may rename their organization but not change what it pays for or uses: slug,
  * type, plan, quota, usage counter and reset date are for superadmins and platform code.
  */
create or replace function private.protect_organization_fields()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if private.is_privileged_writer() then
    return new;
  end if;
  if new.id is distinct from old.id
    or new.slug is distinct from old.slug
    or new.type is distinct from old.type
    or new.pricing_plan is distinct from old.pricing_plan
    or new.token_quota_monthly is distinct from old.token_quota_monthly
    or new.token_usage_current is distinct from old.token_usage_current
    or new.token_reset_date is distinct from old.token_reset_date
    or new.created_at is distinct from old.created_at
  then
    perform private.refuse('AM008', 'only superadmins may change an organization''s slug, type, plan, quota or usage fields');
  end if;
  return new;
end;
$$;

/**
  * What a non-superadmin may change on a profile: the owner edits display_name and
  * avatar_url; an admin of the same organization sets another member's role to user or admin.
  */
create or replace function private.protect_profile_fields()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
declare
  caller uuid := auth.uid();
begin
  if private.is_privileged_writer() then
    return new;
  end if;
  if new.id is distinct from old.id
    or new.organization_id is distinct from old.organization_id
    or new.created_at is distinct from old.created_at
  then
    perform private.refuse('AM008', 'a profile''s organization can only be changed by a superadmin');
  end if;
  if new.role is distinct from old.role then
    if old.id = caller then
      perform private.refuse('AM008', 'nobody can change their own role');
    end if;
    if new.role not in ('user', 'admin') or old.role not in ('user', 'admin') then
      perform private.refuse('AM008', 'admins may only switch members between the user and admin roles');
    end if;
  end if;
  if old.id is distinct from caller
    and (new.display_name is distinct from old.display_name
      or new.avatar_url is distinct from old.avatar_url)
  then
    perform private.refuse('AM008', 'only the owner edits a profile''s display fields');
  end if;
  return new;
end;
$$;

/**
  * A settings row belongs to one (organization, model) for life: nobody re-points it.
  */
create or replace function private.protect_model_config_keys()
  returns trigger
  language plpgsql
  set search_path = ''
as $$
begin
  if new.organization_id is distinct from old.organization_id
    or new.system_model_id is distinct from old.system_model_id
  then
    perform private.refuse('AM008', 'a model settings row cannot move to another organization or model');
  end if;
  return new;
end;
$$;

/**
  * Moves a plaintext key written into ai_models_system.api_key into the encrypted store
  * and leaves the marker; only superadmins and the platform may write or clear a key (AM008,
  * and no message ever contains the key).
  */
create or replace function private.capture_model_api_key()
  returns trigger
  language plpgsql
  security definer
  set search_path = ''
as $$
begin
  if new.api_key is not null and new.api_key <> 'set' then
    if not private.is_platform_or_superadmin_request() then
      perform private.refuse('AM008', 'only superadmins may set a model API key');
    end if;
    insert into private.model_api_keys (model_id, encrypted_key, is_placeholder, updated_by)
    values (
      new.id,
      extensions.pgp_sym_encrypt(new.api_key, private.model_key_encryption_key()),
      new.api_key like 'sk-placeholder-%',
      auth.uid()
    )
    on conflict (model_id) do update
      set encrypted_key = excluded.encrypted_key,
          is_placeholder = excluded.is_placeholder,
          updated_at = now(),
          updated_by = excluded.updated_by;
  elsif new.api_key is null and tg_op = 'UPDATE' and old.api_key is not null then
    if not private.is_platform_or_superadmin_request() then
      perform private.refuse('AM008', 'only superadmins may clear a model API key');
    end if;
    delete from private.model_api_keys k where k.model_id = new.id;
  end if;

  new.api_key := case
    when exists (select 1 from private.model_api_keys k where k.model_id = new.id) then 'set'
  end;
  return new;
end;
$$;
