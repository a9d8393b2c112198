"""Talk to a running stats service as its administrator: register a plan's names."""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

import httpx

from ..errors import ReserverError
from ..plan.holder import check_url
from ..plan.model import Plan

TIMEOUT = 30.0

logger = logging.getLogger(__name__)


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


def is_loopback(host: str) -> bool:
    """True for this machine's own names and addresses (traffic that never leaves it)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_service_url(url: str, insecure: bool = False) -> None:
    """Refuse to send the admin token in clear text to another host unless told to."""
    check_url("stats URL", url)
    parts = urlsplit(url)
    if parts.scheme == "http" and not is_loopback(parts.hostname or "") and not insecure:
        raise ReserverError(
            f"{url} is plain http: the admin token would cross the network unencrypted. "
            "Use https, or --insecure if the network is yours"
        )


def register_plan(
    plan: Plan,
    url: str,
    token: str,
    transport: httpx.BaseTransport | None = None,
    insecure: bool = False,
) -> int:
    """Register the plan's names at the service ``url``; returns how many it now knows.
    Plain http is refused to any host but this one unless ``insecure``."""
    check_service_url(url, insecure)
    endpoint = url.rstrip("/") + "/admin/names"
    logger.info("registering %d names at %s", len(plan.buildable()), endpoint)
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
