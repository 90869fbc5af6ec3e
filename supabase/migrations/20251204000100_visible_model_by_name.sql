/**
  * visible_model_id(model_name): the id of the model of that exact name that the caller's
  * organization can see, enabled for its users or not; null for any other name. The model
  * access service resolves a model asked for by name with it, so a visible model that is
  * not enabled is refused as model_not_enabled by name exactly as by id (quota_status), and
  * a model the organization cannot see stays unknown (null, then 404). It tells a user no
  * more than quota_status(id) does: only that a model they name is visible to their org.
  */
create or replace function public.visible_model_id(model_name text)
  returns uuid
  language sql
  stable
  security definer
  set search_path = ''
as $$
  select m.id
  from public.ai_models_system m
  where m.name = visible_model_id.model_name
    and m.id = any (private.visible_model_ids(private.current_org_id()));
$$;

revoke execute on function public.visible_model_id(text) from public, anon;
grant execute on function public.visible_model_id(text) to authenticated;
