"""A token swollen by user metadata is refused at the edge, as Kong's header buffers do.

GoTrue copies user_metadata into every access token, so 700 KB of metadata makes ~1 MB
tokens. Kong (nginx: one header line at most 8 KiB) answers 494 before anything upstream
verifies, caches or logs the token, so such tokens cannot grow the gateway's memory.
"""

from __future__ import annotations

import requests

from tests.conformance.support import ApiTarget, SignedIn

METADATA_BYTES = 700_000


def test_a_token_carrying_700_kb_of_metadata_is_494(api: ApiTarget, signed_in: SignedIn) -> None:
    update = requests.put(
        f"{api.auth_url}/user",
        json={"data": {"blob": "x" * METADATA_BYTES}},
        headers=api.user_headers(signed_in.access_token),
        timeout=30,
    )
    assert update.status_code == 200, update.text[:300]
    again = api.sign_in(signed_in.user.email, signed_in.user.password)
    assert again.status_code == 200, again.text[:300]
    huge = again.json()["access_token"]
    assert len(huge) > METADATA_BYTES

    rest = requests.get(
        f"{api.rest_url}/conf_clients?select=id", headers=api.user_headers(huge), timeout=30
    )
    auth = requests.get(f"{api.auth_url}/user", headers=api.user_headers(huge), timeout=30)

    for response in (rest, auth):
        assert response.status_code == 494, response.text[:300]
        assert response.json() == {"message": "Request header or cookie too large"}
