begin;
\ir ../helpers.psql
select plan(7);

-- visible_model_id(name): a model the caller's org can see, by exact name, enabled or not;
-- null for a model it cannot see, another org's model, or a name that is not exact.
-- bright-visas (starter): Immigration enabled, Legal Drafter visible but left off.
-- acme-law (free): the Legal Drafter is not visible.

select tests.authenticate_as('user1@bright-visas.example.test');
select is(public.visible_model_id('Legal Document Drafter'), tests.model_id('Legal Document Drafter'),
  'a user finds a model visible to their org but not enabled, by its exact name');
select is(public.visible_model_id('Immigration Case Assistant'), tests.model_id('Immigration Case Assistant'),
  'and one that is enabled');
select is(public.visible_model_id('legal document drafter'), null::uuid, 'only the exact name');
select is(public.visible_model_id('Code Review Copilot'), null::uuid,
  'not a model their org cannot see (enterprise only)');
select tests.clear_authentication();

select tests.authenticate_as('user1@acme-law.example.test');
select is(public.visible_model_id('Legal Document Drafter'), null::uuid,
  'acme-law (free plan) does not see the Legal Drafter');
select tests.clear_authentication();

set local role anon;
select throws_ok($$select public.visible_model_id('Legal Document Drafter')$$, '42501', null,
  'anon may not call it');
reset role;

select is(has_function_privilege('authenticated', 'public.visible_model_id(text)', 'execute'), true,
  'signed-in users may call it');

select * from finish();
rollback;
