/**
  * The usage read policy's superadmin arm is false, not unknown, for everyone else, so a
  * user's or an admin's read stops evaluating it at its first comparison.
  *
  * The arm is `created_at > (select private.superadmin_usage_since()) and created_at <
  * (select 'infinity') and model_id >= ... and model_id <= ...`. For anyone but a
  * superadmin the bound was null, and `created_at > null` is null: an AND that meets a null
  * goes on to its other terms (one of them could still be false), so every row a user's or
  * an admin's read filtered out paid all four comparisons. The bound is now 'infinity' for
  * them: no row's created_at (always the server's now()) is after it, the first comparison
  * is false and the AND stops. An index scan of the arm is empty either way, and the bound
  * is an unknown parameter to the planner either way, so every plan stays as it was.
  *
  * Measured (BENCHMARKS.md), the hot reads' p50 against the owner's, before -> after on the
  * same database: at small heavy an admin's month 1.55 / 1.49 -> 1.38 / 1.38 and a user's
  * own usage 1.80 / 1.63 -> 1.45 / 1.52; at medium heavy the own usage 1.57 / 1.56 -> 1.40 /
  * 1.38 and usage_report 1.52 / 1.62 -> 1.41 / 1.44; a superadmin's reads unchanged.
  */

create or replace function private.superadmin_usage_since()
  returns timestamptz
  language plpgsql
  stable
  parallel restricted
  security definer
  set search_path = ''
  set plan_cache_mode = auto
as $$
begin
  if private.is_superadmin() then
    return '-infinity';
  end if;
  return 'infinity';
end;
$$;
