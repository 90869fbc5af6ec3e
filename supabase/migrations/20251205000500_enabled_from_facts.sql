/**
  * "Enabled" is read where the other rules are: the per-organization facts
  * (private.org_model_access.is_enabled, derived from the settings row in
  * private.org_model_access_rows), so the settings row is interpreted in one place.
  */
create or replace function private.is_model_enabled_for_org(organization_id uuid, model_id uuid)
  returns boolean
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return coalesce((
    select a.is_enabled
    from private.org_model_access a
    where a.organization_id = is_model_enabled_for_org.organization_id
      and a.model_id = is_model_enabled_for_org.model_id
  ), false);
end;
$$;
