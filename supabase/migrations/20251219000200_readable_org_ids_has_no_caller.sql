/**
  * private.readable_org_ids() has no caller left, and goes.
  *
  * It gave the organizations a caller reads (every one for a superadmin, the caller's own
  * for a member) to the model settings' read policy and to the usage log's superadmin arm.
  * The settings read by a range of ids since 20251211000100, and by the caller's own
  * organization since 20251219000100; the superadmin arm's helper that called it went with
  * 20251218000100. No policy, function or trigger calls it, and the API cannot (private).
  *
  * tests: pgTAP 48 (the function is gone).
  */

drop function private.readable_org_ids();
