begin;
\ir ../helpers.psql
select plan(10);

-- The model settings read policy admits one range of organization ids: a member's own
-- organization, every organization for a superadmin, none for anyone else.

select tests.authenticate_as('superadmin@example.test');
select is(private.least_readable_org_id(), '00000000-0000-0000-0000-000000000000'::uuid,
  'a superadmin''s range starts at the least uuid');
select is(private.greatest_readable_org_id(), 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid,
  'a superadmin''s range ends at the greatest uuid');

select tests.authenticate_as('admin@bright-visas.example.test');
select is(
  array[private.least_readable_org_id(), private.greatest_readable_org_id()],
  array[(select id from public.organizations where slug = 'bright-visas')]
    || (select id from public.organizations where slug = 'bright-visas'),
  'an admin''s range is their own organization'
);

select tests.authenticate_as('user1@bright-visas.example.test');
select is(
  array[private.least_readable_org_id(), private.greatest_readable_org_id()],
  array[(select id from public.organizations where slug = 'bright-visas')]
    || (select id from public.organizations where slug = 'bright-visas'),
  'a user''s range is their own organization'
);
select isnt_empty('select 1 from public.org_system_model_config',
  'a user reads their organization''s model settings');
select tests.clear_authentication();

-- A profile left without an organization (a member whose organization was deleted) gets
-- no range, and reads no settings.
update public.profiles set organization_id = null
where id = (select id from auth.users where email = 'user2@bright-visas.example.test');
select tests.authenticate_as('user2@bright-visas.example.test');
select is(private.least_readable_org_id(), null, 'no organization: no least bound');
select is(private.greatest_readable_org_id(), null, 'no organization: no greatest bound');
select is_empty('select 1 from public.org_system_model_config',
  'no organization: no model settings are read');
select tests.clear_authentication();

-- Nobody signed in: no bounds.
select is(
  array[private.least_readable_org_id(), private.greatest_readable_org_id()],
  array[null, null]::uuid[],
  'nobody signed in: no range'
);

select is(
  (select pg_get_expr(p.polqual, p.polrelid) ~ 'readable_org_ids'
   from pg_policy p
   where p.polrelid = 'public.org_system_model_config'::regclass
     and p.polname = 'superadmins and members can read their org''s model settings'),
  false,
  'the model settings read policy searches no array of organizations'
);

select * from finish();
rollback;
