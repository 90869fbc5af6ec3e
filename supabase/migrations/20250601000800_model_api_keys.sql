/**
  * Model API keys: written and read by superadmins only (and by the platform: postgres,
  * service_role), never readable by an admin, a user or anon through any path.
  *
  * The key lives apart from the catalog row, in private.model_api_keys, encrypted at rest with
  * pgcrypto (pgp_sym_encrypt). ai_models_system.api_key only says whether a key is set
  * ('set' or null), so `select=*` keeps working for every role and embedding or views reveal
  * nothing. A superadmin sets or rotates a key by writing the plaintext into
  * ai_models_system.api_key (the capture trigger encrypts it and leaves 'set') or through
  * set_model_api_key(); reads it through get_model_api_key(); clears it by writing null.
  *
  * Key material: private.app_secrets row 'model_api_key_encryption_key', 32 random bytes made
  * when this migration runs. Only the table owner (postgres) can read it; no API role has any
  * privilege on the private tables. On a hosted project it may be moved into Supabase Vault
  * (change private.model_key_encryption_key() and re-encrypt).
  */

/**
  * -------------------------------------------------------
  * Section - Storage
  * -------------------------------------------------------
  */

/**
  * Platform secrets used by security definer functions of this schema.
  */
create table private.app_secrets (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);

comment on table private.app_secrets is
  'Secrets used by private security definer functions (e.g. the model API key encryption key).';

revoke all on table private.app_secrets from public, anon, authenticated, service_role;

insert into private.app_secrets (name, value)
values ('model_api_key_encryption_key', encode(extensions.gen_random_bytes(32), 'hex'))
on conflict (name) do nothing;

/**
  * One encrypted API key per model. is_placeholder marks development keys
  * ('sk-placeholder-...') so `aimodels verify` can warn without decrypting anything.
  */
create table private.model_api_keys (
  model_id uuid primary key
    -- Deferred so a model inserted with its key in one statement can store the key first.
    references public.ai_models_system (id) on delete cascade deferrable initially deferred,
  encrypted_key bytea not null,
  is_placeholder boolean not null,
  updated_at timestamptz not null default now(),
  updated_by uuid
);

comment on table private.model_api_keys is
  'Model API keys encrypted with pgcrypto; readable only through public.get_model_api_key().';

revoke all on table private.model_api_keys from public, anon, authenticated, service_role;

/**
  * The symmetric key that encrypts model API keys.
  */
create or replace function private.model_key_encryption_key()
  returns text
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select s.value from private.app_secrets s where s.name = 'model_api_key_encryption_key'
$$;

revoke execute on function private.model_key_encryption_key() from public, anon, authenticated, service_role;

/**
  * -------------------------------------------------------
  * Section - Capture trigger
  * -------------------------------------------------------
  */

/**
  * Moves a plaintext key written into ai_models_system.api_key into the encrypted store and
  * leaves the marker: 'set' when a key is stored, null when cleared. Writing the marker back
  * unchanged keeps the stored key. Only superadmins and the platform may write a key; anyone
  * else gets AM008, and no error message ever contains the key.
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
      raise exception using
        errcode = 'AM008',
        message = 'protected_field: only superadmins may set a model API key';
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
      raise exception using
        errcode = 'AM008',
        message = 'protected_field: only superadmins may clear a model API key';
    end if;
    delete from private.model_api_keys k where k.model_id = new.id;
  end if;

  new.api_key := case
    when exists (select 1 from private.model_api_keys k where k.model_id = new.id) then 'set'
  end;
  return new;
end;
$$;

revoke execute on function private.capture_model_api_key() from public;

-- Named to fire before every other BEFORE trigger on the table (triggers fire in name order),
-- so no later check can echo a plaintext key in an error's "failing row" detail.
create trigger ai_models_system_0_capture_api_key
  before insert or update of api_key on public.ai_models_system
  for each row execute function private.capture_model_api_key();

/**
  * -------------------------------------------------------
  * Section - API
  * -------------------------------------------------------
  */

/**
  * Sets (or rotates, or with null clears) a model's API key. Superadmins and service_role
  * only; anyone else gets 42501. Returns the model's api_key marker ('set' or null).
  */
create or replace function public.set_model_api_key(model_id uuid, api_key text)
  returns text
  language plpgsql
  security definer
  set search_path = ''
as $$
declare
  marker text;
begin
  if not private.is_platform_or_superadmin_request() then
    raise exception using
      errcode = '42501',
      message = 'permission denied: only superadmins may set model API keys';
  end if;
  update public.ai_models_system m
  set api_key = set_model_api_key.api_key
  where m.id = set_model_api_key.model_id
  returning m.api_key into marker;
  if not found then
    raise exception using
      errcode = 'AM001',
      message = 'model_not_available: no such model',
      detail = format('model_id=%s', set_model_api_key.model_id);
  end if;
  return marker;
end;
$$;

revoke execute on function public.set_model_api_key(uuid, text) from public, anon;
grant execute on function public.set_model_api_key(uuid, text) to authenticated, service_role;

/**
  * Returns a model's API key in plaintext, or null when none is set. Superadmins and
  * service_role (server-side code calling the provider) only; anyone else gets 42501.
  */
create or replace function public.get_model_api_key(model_id uuid)
  returns text
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  if not private.is_platform_or_superadmin_request() then
    raise exception using
      errcode = '42501',
      message = 'permission denied: only superadmins may read model API keys';
  end if;
  return (
    select extensions.pgp_sym_decrypt(k.encrypted_key, private.model_key_encryption_key())
    from private.model_api_keys k
    where k.model_id = get_model_api_key.model_id
  );
end;
$$;

revoke execute on function public.get_model_api_key(uuid) from public, anon;
grant execute on function public.get_model_api_key(uuid) to authenticated, service_role;
