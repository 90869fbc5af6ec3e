"""The one door to the models: an OpenAI-compatible service that reserves quota before a
call and settles it after (`aimodels proxy serve`), and a deterministic development
provider to call in tests and offline development (`aimodels provider serve`)."""
