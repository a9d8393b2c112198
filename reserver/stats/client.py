"""Talk to a running stats service as its administrator: register a plan's names."""

from __future__ import annotations

import httpx

from ..errors import ReserverError
from ..holder import check_url
from ..plan import Plan

TIMEOUT = 30.0


def registration_body(plan: Plan) -> dict[str, object]:
    """What ``POST /admin/names`` expects for the names ``plan`` holds (taken/blocked left out)."""
    return {
        "holder": plan.holder.to_dict(),
        "names": [
            {"name": e.name, "target": e.target, "category": e.category,
             "removed_in": e.removed_in, "replacement": e.replacement,
             "replacement_in_stdlib": e.replacement_in_stdlib}
            for e in plan.buildable()
        ],
    }  # fmt: skip


def register_plan(
    plan: Plan, url: str, token: str, transport: httpx.BaseTransport | None = None
) -> int:
    """Register the plan's names at the service ``url``; returns how many it now knows."""
    check_url("stats URL", url)
    endpoint = url.rstrip("/") + "/admin/names"
    try:
        with httpx.Client(timeout=TIMEOUT, transport=transport) as client:
            response = client.post(
                endpoint, json=registration_body(plan),
                headers={"Authorization": f"Bearer {token}"},
            )  # fmt: skip
    except httpx.HTTPError as exc:
        raise ReserverError(f"cannot reach the stats service at {url}: {exc}") from None
    if response.status_code in (401, 403):
        raise ReserverError(f"the stats service refused the token ({response.status_code}): "
                            f"{_detail(response)}")  # fmt: skip
    if response.status_code != 200:
        raise ReserverError(
            f"the stats service answered {response.status_code}: {_detail(response)}"
        )
    known = response.json().get("known")
    if not isinstance(known, int):
        raise ReserverError("the stats service gave an unexpected answer")
    return known


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return str(detail) if detail else response.reason_phrase
