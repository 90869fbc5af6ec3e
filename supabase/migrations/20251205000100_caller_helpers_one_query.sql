/**
  * The caller helpers the catalog policies call answer in one query each.
  *
  * is_superadmin() called current_user_role(), and readable_org_ids() called is_superadmin()
  * (which called current_user_role()) and then current_org_id(): four nested security
  * definer calls, each saving and restoring its search_path, for one profile row. The
  * catalog and settings reads pay for them on every request. Same answers, one statement:
  * the profile is read once.
  */

/**
  * True when the signed-in user is platform staff (profile role 'superadmin').
  */
create or replace function private.is_superadmin()
  returns boolean
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return coalesce(
    (select p.role = 'superadmin' from public.profiles p where p.id = auth.uid()),
    false
  );
end;
$$;

/**
  * The organizations whose rows the signed-in user reads: every organization for a
  * superadmin, the user's own for a member, none otherwise.
  */
create or replace function private.readable_org_ids()
  returns uuid[]
  language plpgsql
  stable
  security definer
  set search_path = ''
as $$
begin
  return coalesce((
    select case
      when p.role = 'superadmin'
        then (select coalesce(array_agg(o.id), '{}') from public.organizations o)
      else array_remove(array[p.organization_id], null)
    end
    from public.profiles p
    where p.id = auth.uid()
  ), '{}');
end;
$$;
