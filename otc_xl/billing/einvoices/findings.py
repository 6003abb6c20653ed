"""What checking an e-invoice finds (:mod:`.check`): one :class:`Finding` per rule that fires, one
:class:`Report` per document."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One rule that fired on one document."""

    document: str
    rule_set: str
    rule: str
    flag: str
    """``fatal`` (the receiver rejects the document) or ``warning``."""
    message: str

    def line(self) -> str:
        return f"{self.document}: {self.flag} {self.rule_set} {self.rule}: {self.message}"


@dataclass
class Report:
    """What was checked in one document: the rule sets run, those not run (and why), the findings."""

    document: str
    kind: str
    ran: list[str]
    not_run: list[str]
    findings: list[Finding]
    profile: str = ""
    """The CIUS the document claims (``xrechnung``, ``peppol``; "" for plain EN 16931 or another format)."""

    @property
    def fatal(self) -> list[Finding]:
        return [f for f in self.findings if f.flag == "fatal"]
