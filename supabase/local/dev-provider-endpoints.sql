/**
  * Local development only, run by `aimodels stack up` and `aimodels db reset` after the seed,
  * as superuser, with aimodels.dev_provider_url set to the development provider the stack
  * runs (`aimodels provider serve`). The seed cannot know that port, so this points the
  * seeded models there: the whole flow (token -> reserve -> call -> settle) then works
  * offline. Only the seeded models, and only while their endpoint is still the seed's own
  * or an earlier development provider's: an endpoint someone set by hand is left alone.
  */
update public.ai_models_system m
set endpoint = current_setting('aimodels.dev_provider_url') || '/chat/completions'
where m.id::text like '00000000-0000-0000-0003-%'
  and (
    m.endpoint in (
      'https://api.openai.com/v1/chat/completions',
      'https://api.anthropic.com/v1/messages'
    )
    or m.endpoint like 'http://127.0.0.1:%/v1/chat/completions'
  );
