"""The matrix is not vacuous: every deliberate mistake in the access rules fails some case.

Runs `aimodels rls mutate`'s check on a throwaway database beside the test stack: each
policy dropped and loosened, each rule function on the access path made to answer true
(or null), each guard trigger disabled, one at a time.
"""

from __future__ import annotations

import pytest

from aimodels.rls.cases import Matrix
from aimodels.rls.mutants import MutantKind
from aimodels.rls.mutation import MutationReport, Verdict, check_mutations
from aimodels.stack.local_stack import LocalStack

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def mutation_report(local_stack: LocalStack, matrix: Matrix) -> MutationReport:
    return check_mutations(local_stack, matrix)


def test_no_mutant_survives_the_matrix(mutation_report: MutationReport) -> None:
    survivors = [f"{r.kind}: {r.target}" for r in mutation_report.survivors]
    assert survivors == [], "the matrix did not notice these mistakes:\n" + "\n".join(survivors)


def test_every_policy_is_dropped_and_loosened_and_caught(
    mutation_report: MutationReport,
) -> None:
    policy_results = [
        r
        for r in mutation_report.results
        if r.kind in (MutantKind.DROP_POLICY.value, MutantKind.LOOSEN_POLICY.value)
    ]
    policies = {r.target for r in policy_results}
    assert len(policies) >= 18, f"expected every policy of the five tables, found {policies}"
    dropped = {r.target for r in policy_results if r.kind == MutantKind.DROP_POLICY.value}
    loosened = {r.target for r in policy_results if r.kind == MutantKind.LOOSEN_POLICY.value}
    assert dropped == policies
    # A superadmin's reads, and an admin's of the usage log and the holds, are `using (true)`
    # behind a restrictive gate: nothing to loosen.
    assert policies - loosened == {
        'policy "org admins can read usage behind their org\'s gate" on public.ai_model_usage',
        'policy "org admins can read holds behind their org\'s gate" on public.usage_reservations',
        'policy "superadmins can read all usage" on public.ai_model_usage',
        'policy "superadmins can read all holds" on public.usage_reservations',
        'policy "superadmins can read every model" on public.ai_models_system',
        'policy "superadmins can read every org\'s model settings"'
        " on public.org_system_model_config",
    }
    assert all(r.verdict is Verdict.CAUGHT for r in policy_results)


def test_rule_functions_and_usage_admission_trigger_are_mutated(
    mutation_report: MutationReport,
) -> None:
    targets = {r.target for r in mutation_report.results}
    for expected in (
        "function private.is_superadmin()",
        "function private.is_model_visible_to_org(organization_id uuid, model_id uuid)",
        "function private.administered_org_id()",
    ):
        assert expected in targets
    for trigger in ("ai_model_usage_admit", "org_system_model_config_check_user_limit"):
        assert any(trigger in target for target in targets), trigger


def test_mutations_leave_the_catalog_as_they_found_it(mutation_report: MutationReport) -> None:
    assert mutation_report.catalog_restored


def test_the_onboarding_rules_are_mutated_and_the_signup_triggers_listed(
    mutation_report: MutationReport,
) -> None:
    targets = {r.target for r in mutation_report.results}
    assert 'policy "superadmins and org admins can read invitations" on public.invitations' in (
        targets
    )
    # The admin check of every onboarding function: mutated (the admin is nobody).
    assert "function private.administered_org_id()" in targets
    listed = {item.target for item in mutation_report.not_mutated}
    # What refuses on the onboarding path is named too, never skipped silently.
    for helper in (
        "private.require_org_admin()",
        "private.refuse(code text, reason text, detail text)",
    ):
        assert helper in listed or f"function {helper}" in targets, helper
    assert (
        "trigger on_auth_user_created_create_org on auth.users (private.create_org_for_signup)"
        in listed
    ), "the sign-up trigger is named as proven elsewhere, not silently skipped"


def test_the_token_role_trigger_is_listed_as_proven_elsewhere(
    mutation_report: MutationReport,
) -> None:
    """Keeping auth.users.role in step with the profile shows in the next sign-in only: it is
    named with what proves it (pgTAP 51, the onboarding tests), never skipped silently."""
    reasons = {item.target: item.reason for item in mutation_report.not_mutated}
    target = "trigger profiles_sync_api_role on public.profiles (private.sync_api_role)"
    assert target in reasons
    assert "next token" in reasons[target]
