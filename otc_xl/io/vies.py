"""Asking VIES, the European Commission's register of VAT numbers, whether a number is registered.

The only network call otc_xl makes, and only when the user asks for it (``otc-xl vat-check``). It uses
the Commission's public REST service (``POST {url}/check-vat-number``, JSON; the same service as the
VIES web page). With the company's own VAT number as requester, VIES returns a **consultation number**:
the evidence a tax office accepts that the number was checked on that day (intra-community supplies,
VAT Directive art. 138). ``OTC_VIES_URL`` replaces the service's address (a proxy, or a test server).

Every answer is one of three: registered (with the name and address VIES holds), not registered, or
not checked — with the reason (the member state's system is down, too many requests, no network). A
number is never called "not registered" because VIES could not be asked. When VIES cannot be reached
twice in a row, the remaining numbers are not asked (each says why), so a run without network ends
in seconds instead of one time-out per customer.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.request
from dataclasses import dataclass

DEFAULT_URL = "https://ec.europa.eu/taxation_customs/vies/rest-api"

REASONS = {
    "INVALID_INPUT": "VIES refused the number as malformed",
    "INVALID_REQUESTER_INFO": "VIES refused the requester (Config company_vat_id)",
    "SERVICE_UNAVAILABLE": "VIES is unavailable; try again later",
    "MS_UNAVAILABLE": "that member state's register is not answering; try again later",
    "TIMEOUT": "that member state's register did not answer in time; try again later",
    "VAT_BLOCKED": "that member state does not answer for this number",
    "IP_BLOCKED": "VIES blocked this computer's address",
    "GLOBAL_MAX_CONCURRENT_REQ": "VIES is busy (too many requests); try again later",
    "GLOBAL_MAX_CONCURRENT_REQ_TIME": "VIES is busy (too many requests); try again later",
    "MS_MAX_CONCURRENT_REQ": "that member state's register is busy (too many requests); try again later",
    "MS_MAX_CONCURRENT_REQ_TIME": "that member state's register is busy (too many requests); try again later",
}
"""VIES error codes (the service's documented list) in the associate's words."""


@dataclass(frozen=True)
class ViesAnswer:
    """What VIES said of one number."""

    status: str
    """``registered``, ``not registered`` or ``not checked``."""
    name: str = ""
    address: str = ""
    consultation: str = ""
    """VIES' request identifier (given only when a requester VAT number was sent)."""
    checked_on: str = ""
    """The date VIES gives for its answer (YYYY-MM-DD)."""
    reason: str = ""
    """Why the number was not checked."""


def _text(value) -> str:
    text = " ".join(str(value or "").split())
    return "" if text in ("---", "-") else text


class ViesClient:
    """Asks VIES one number at a time (``check``); ``requester`` is the company's own VAT number."""

    def __init__(self, url: str | None = None, timeout: float = 20.0, requester: tuple[str, str] | None = None):
        self.url = (url or os.environ.get("OTC_VIES_URL") or DEFAULT_URL).rstrip("/")
        self.timeout, self.requester = timeout, requester
        self.unreachable = 0
        self.down = ""

    def check(self, country: str, number: str) -> ViesAnswer:
        """Ask VIES about ``number`` (without its prefix) of member state ``country`` (VIES' code: EL
        for Greece, XI for Northern Ireland)."""
        if self.down:
            return ViesAnswer("not checked", reason=f"not asked: {self.down}")
        body = {"countryCode": country, "vatNumber": number}
        if self.requester:
            body.update(requesterMemberStateCode=self.requester[0], requesterNumber=self.requester[1])
        request = urllib.request.Request(f"{self.url}/check-vat-number", data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:  # noqa: S310 - https or the user's
                data = json.loads(reply.read() or b"{}")
        except urllib.error.HTTPError as exc:
            self.unreachable = 0
            return ViesAnswer("not checked", reason=self._error(exc))
        except (OSError, http.client.HTTPException) as exc:  # URLError, time-outs, refused or garbled connections
            self.unreachable += 1
            why = getattr(exc, "reason", None) or f"{type(exc).__name__}: {exc}"
            reason = f"VIES could not be reached at {self.url} ({why})"
            if self.unreachable >= 2:
                self.down = reason
            return ViesAnswer("not checked", reason=reason)
        except ValueError:
            self.unreachable = 0
            return ViesAnswer("not checked", reason="VIES answered with something that is not JSON")
        self.unreachable = 0
        if not isinstance(data, dict):
            return ViesAnswer("not checked", reason="VIES answered with JSON that is not an answer about a number")
        return self._answer(data)

    @staticmethod
    def _error(exc: urllib.error.HTTPError) -> str:
        try:
            data = json.loads(exc.read() or b"{}")
        except (ValueError, OSError):
            data = {}
        codes = [w.get("error", "") for w in data.get("errorWrappers", []) if isinstance(w, dict)] \
            if isinstance(data, dict) else []
        if codes:
            return "; ".join(REASONS.get(c, f"VIES error {c}") for c in codes)
        return f"VIES answered HTTP {exc.code} ({exc.reason})"

    @staticmethod
    def _answer(data: dict) -> ViesAnswer:
        error = str(data.get("userError") or "")
        if error and error not in ("VALID", "INVALID"):
            return ViesAnswer("not checked", reason=REASONS.get(error, f"VIES error {error}"))
        wrappers = data.get("errorWrappers") or []
        if wrappers:
            codes = [w.get("error", "") for w in wrappers if isinstance(w, dict)]
            return ViesAnswer("not checked", reason="; ".join(REASONS.get(c, f"VIES error {c}") for c in codes))
        valid = data.get("valid", data.get("isValid"))
        if not isinstance(valid, bool):
            return ViesAnswer("not checked", reason="VIES' answer says neither valid nor invalid")
        return ViesAnswer("registered" if valid else "not registered",
                          name=_text(data.get("name") or data.get("traderName")),
                          address=_text(data.get("address") or data.get("traderAddress")),
                          consultation=_text(data.get("requestIdentifier")),
                          checked_on=str(data.get("requestDate") or "")[:10])
