begin;
\ir ../helpers.psql
select plan(29);

-- Collects an error's message, detail and hint, to prove no secret leaks through them.
create or replace function tests.error_text(statement text) returns text
language plpgsql set search_path = '' as $$
declare
  msg text; det text; hnt text;
begin
  execute statement;
  return null;
exception when others then
  get stacked diagnostics msg = message_text, det = pg_exception_detail, hnt = pg_exception_hint;
  return concat_ws(' | ', msg, det, hnt);
end;
$$;
grant execute on function tests.error_text(text) to anon, authenticated, service_role;

create temporary table drafter as select tests.model_id('Legal Document Drafter') as id;
grant select on drafter to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------
-- select=*, a named column, an embedding: only the marker
-- ---------------------------------------------------------------------------
select tests.authenticate_as('admin@bright-visas.example.test');
select lives_ok($$select * from public.ai_models_system$$, 'admin: select * works');
select is((select array_agg(distinct api_key) from public.ai_models_system), array['set'],
  'admin: api_key reads only ''set''');
select is(
  (select array_agg(distinct m.api_key) from public.org_system_model_config c
   join public.ai_models_system m on m.id = c.system_model_id),
  array['set'], 'admin: embedding the model from its settings shows only the marker');

select tests.authenticate_as('user1@bright-visas.example.test');
select lives_ok($$select * from public.ai_models_system$$, 'user: select * works');
select is((select array_agg(distinct api_key) from public.ai_models_system), array['set'],
  'user: api_key reads only ''set''');

select tests.authenticate_as('superadmin@example.test');
select is((select count(*)::int from public.ai_models_system where api_key = 'set'), 6,
  'superadmin: select * works and shows the marker too');

-- ---------------------------------------------------------------------------
-- The store and its key are out of every API role's reach
-- ---------------------------------------------------------------------------
select tests.authenticate_as('superadmin@example.test');
select throws_ok($$select * from private.model_api_keys$$, '42501', null, 'authenticated cannot read the key store');
select throws_ok($$select * from private.app_secrets$$, '42501', null, 'authenticated cannot read the encryption key');
select throws_ok($$select private.model_key_encryption_key()$$, '42501', null,
  'authenticated cannot call the encryption key function');
select tests.authenticate_as_key('service_role');
select throws_ok($$select * from private.model_api_keys$$, '42501', null, 'service_role cannot read the key store directly');
select tests.authenticate_as_key('anon');
select throws_ok($$select * from private.model_api_keys$$, '42501', null, 'anon cannot read the key store');
select tests.clear_authentication();
select is_empty($$select 1 from pg_views where schemaname in ('public', 'graphql_public')$$,
  'no view in an exposed schema could re-expose a key');
select is(
  (select count(*)::int from private.model_api_keys
   where position(convert_to('sk-placeholder', 'UTF8') in encrypted_key) > 0),
  0, 'keys are encrypted at rest (no plaintext in the store)');

-- ---------------------------------------------------------------------------
-- Reading through the API: superadmin and service_role only
-- ---------------------------------------------------------------------------
select tests.authenticate_as('superadmin@example.test');
select is(public.get_model_api_key((select id from drafter)), 'sk-placeholder-legal-document-drafter',
  'superadmin reads the key through get_model_api_key');
select tests.authenticate_as_key('service_role');
select is(public.get_model_api_key((select id from drafter)), 'sk-placeholder-legal-document-drafter',
  'service_role (server-side) reads the key');
select tests.authenticate_as('admin@bright-visas.example.test');
select throws_ok($$select public.get_model_api_key((select id from drafter))$$, '42501',
  'permission denied: only superadmins may read model API keys', 'admin cannot read a key');
select tests.authenticate_as('user1@bright-visas.example.test');
select throws_ok($$select public.get_model_api_key((select id from drafter))$$, '42501', null, 'user cannot read a key');
select tests.authenticate_as_key('anon');
select throws_ok($$select public.get_model_api_key((select id from drafter))$$, '42501', null, 'anon cannot read a key');

-- ---------------------------------------------------------------------------
-- Writing: set, rotate, clear
-- ---------------------------------------------------------------------------
select tests.authenticate_as('superadmin@example.test');
select is(public.set_model_api_key((select id from drafter), 'sk-live-rotated-0001'), 'set',
  'superadmin rotates a key through set_model_api_key');
select is(public.get_model_api_key((select id from drafter)), 'sk-live-rotated-0001', 'the rotated key is returned');
select is(tests.affected_rows($$update public.ai_models_system set api_key = 'sk-live-rotated-0002'
  where id = (select id from drafter)$$), 1, 'superadmin writes a plaintext key into the column ...');
select is((select api_key from public.ai_models_system where id = (select id from drafter)), 'set',
  '... which keeps only the marker');
select is(public.get_model_api_key((select id from drafter)), 'sk-live-rotated-0002', '... and stores the key encrypted');
select is(public.set_model_api_key((select id from drafter), null), null, 'superadmin clears a key');
select is(public.get_model_api_key((select id from drafter)), null, 'a cleared key reads as null');

select tests.authenticate_as('admin@bright-visas.example.test');
select throws_ok($$select public.set_model_api_key((select id from drafter), 'sk-evil')$$, '42501', null,
  'admin cannot set a key through the API');
select is(tests.affected_rows($$update public.ai_models_system set api_key = 'sk-evil' where id = (select id from drafter)$$),
  0, 'admin cannot set a key through the table');
select ok(
  position('sk-evil-9' in coalesce(tests.error_text(
    $$insert into public.ai_models_system (name, api_key) values ('Evil', 'sk-evil-9')$$), '')) = 0
  and tests.error_text($$insert into public.ai_models_system (name, api_key) values ('Evil', 'sk-evil-9')$$) like 'protected_field%',
  'admin inserting a model with a key is refused without echoing the key'
);

-- Error messages never carry the key, even for a superadmin whose write fails.
select tests.authenticate_as('superadmin@example.test');
select ok(
  position('sk-secret-777' in tests.error_text(
    $$insert into public.ai_models_system (name, api_key, max_tokens) values ('Broken', 'sk-secret-777', -1)$$)) = 0,
  'a failing insert''s "failing row" detail shows the marker, not the key'
);
select * from finish();
rollback;
