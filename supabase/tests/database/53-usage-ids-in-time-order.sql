begin;
\ir ../helpers.psql
select plan(12);

-- New usage rows and holds get version 7 ids: the clock's milliseconds first, so a new row
-- lands on its primary key's latest leaves instead of a random one.

-- The milliseconds since 1970 an id carries (its first 48 bits), and its version nibble.
create function pg_temp.id_milliseconds(id uuid) returns bigint
language sql immutable as $$
  select ('x' || lpad(substr(replace(id::text, '-', ''), 1, 12), 16, '0'))::bit(64)::bigint
$$;
create function pg_temp.id_version(id uuid) returns text
language sql immutable as $$ select substr(replace(id::text, '-', ''), 13, 1) $$;
create function pg_temp.now_milliseconds() returns bigint
language sql volatile as $$ select floor(extract(epoch from clock_timestamp()) * 1000)::bigint $$;

-- ---------------------------------------------------------------------------
-- The id
-- ---------------------------------------------------------------------------
create temp table made as
select pg_temp.now_milliseconds() as before_ms, private.time_ordered_uuid() as id,
  pg_temp.now_milliseconds() as after_ms;

select is((select pg_temp.id_version(id) from made), '7', 'the id is a version 7 UUID');
select ok(
  (select substr(replace(id::text, '-', ''), 17, 1) in ('8', '9', 'a', 'b') from made),
  'with the RFC variant (10 in its top bits)');
select ok(
  (select pg_temp.id_milliseconds(id) between before_ms and after_ms from made),
  'its first 48 bits are the milliseconds of the clock when it was made');

-- Two ids a few milliseconds apart are in that order; a thousand of one moment all differ.
create temp table earlier as select private.time_ordered_uuid() as id;
select pg_sleep(0.003);
select ok(
  (select e.id < private.time_ordered_uuid() from earlier e),
  'an id made later sorts after an id made earlier');
select is(
  (select count(distinct private.time_ordered_uuid())::int from generate_series(1, 1000)),
  1000, 'a thousand ids of one moment are a thousand ids');

-- ---------------------------------------------------------------------------
-- The defaults
-- ---------------------------------------------------------------------------
select col_default_is('public', 'ai_model_usage', 'id', 'private.time_ordered_uuid()',
  'a usage row''s default id is time-ordered');
select col_default_is('public', 'usage_reservations', 'id', 'private.time_ordered_uuid()',
  'a hold''s default id is time-ordered');

-- ---------------------------------------------------------------------------
-- Each writer's ids
-- ---------------------------------------------------------------------------
create temp table ids (what text primary key, id uuid, before_ms bigint, after_ms bigint);
grant all on ids to authenticated;
-- Each call's id, between the clock read before the call (its own statement) and after it.
create function pg_temp.before(what text) returns void
language sql as $$ insert into ids (what, before_ms) values (what, pg_temp.now_milliseconds()) $$;
create function pg_temp.after(what text, id uuid) returns void
language sql as $$
  update ids set id = after.id, after_ms = pg_temp.now_milliseconds() where ids.what = after.what
$$;
-- The call's id is a version 7 UUID of a millisecond between the clock before and after it.
create function pg_temp.named_during_the_call(what text) returns boolean
language sql as $$
  select pg_temp.id_version(i.id) = '7'
    and pg_temp.id_milliseconds(i.id) between i.before_ms and i.after_ms
  from ids i where i.what = named_during_the_call.what
$$;

select tests.authenticate_as('user1@bright-visas.example.test');
select pg_temp.before('recorded');
select pg_temp.after('recorded', r.id)
from public.record_usage(tests.model_id('Immigration Case Assistant'), 10) r;
select pg_temp.before('keyed');
select pg_temp.after('keyed', r.id)
from public.record_usage(tests.model_id('Immigration Case Assistant'), 10,
  idempotency_key => 'time-order-test') r;
select pg_temp.before('held');
select pg_temp.after('held', h.id)
from public.reserve_usage(tests.model_id('Immigration Case Assistant'), 100) h;
select pg_temp.before('settled');
select pg_temp.after('settled', s.id)
from public.settle_usage((select id from ids where what = 'held'), 40) s;
-- A direct insert (the user's own row, through the insert policy) takes the default.
select tests.authenticate_as('user2@bright-visas.example.test');
select pg_temp.before('inserted');
with row_made as (
  insert into public.ai_model_usage (model_id, tokens_used)
  values (tests.model_id('Immigration Case Assistant'), 5)
  returning id
)
select pg_temp.after('inserted', id) from row_made;
select tests.clear_authentication();

select ok(pg_temp.named_during_the_call('recorded'),
  'record_usage() names its row with the time of the call');
select is(
  (select id from ids where what = 'keyed'),
  md5('record_usage/' || tests.user_id('user1@bright-visas.example.test')
    || '/time-order-test')::uuid,
  'a keyed recording''s id is still derived from the user and the key (a retry finds it)');
select ok(pg_temp.named_during_the_call('held'),
  'reserve_usage()''s hold takes the time-ordered default');
select ok(pg_temp.named_during_the_call('settled'),
  'settle_usage() names the settled row with the time of the call');
select ok(pg_temp.named_during_the_call('inserted'),
  'a direct insert''s row takes the time-ordered default');

select * from finish();
rollback;
