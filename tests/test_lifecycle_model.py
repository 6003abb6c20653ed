"""A model-based test of the associate's days (#26): hypothesis draws sequences of commands and days
and checks, after every step, the rules of docs/lifecycle.md.

The commands are the real ones (``perform``, the path of ``otc-xl`` and the buttons) on a workbook
held in memory (``daybook.DayBook``): run, dunning, worklist, legal, credits, statements, disputes,
invoice --post (an order delivered, its draft approved), refunds (approved where ready), reconcile (a
customer's statement) and the team report; customers pay (the bank lines arrive), the ERP export
catches up with the cash applied, and days pass. After every step:

* money is conserved to the cent (the booking ties; applied + unapplied = received);
* run, dunning, worklist, statements and the team report give the same totals for the day;
* running a command twice on the same day changes nothing the second time (sheets and documents);
* levels rise one at a time and only after the previous letter's deadline; legal only after the last
  one's; nothing is recorded without its document;
* no letter, call or hand-over goes to a customer with nothing overdue after today's cash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from builders import customer, invoice
from daybook import new_book
from otc_xl.booking import Request
from otc_xl.booking import book as book_ledger
from otc_xl.collecting.statements import (
    customer_receipts,
    statement_lines,
    statement_totals,
)
from otc_xl.io.evidence import evidence_beside
from otc_xl.model.money import cents
from otc_xl.workflows.collections import todays_calls
from otc_xl.workflows.reconciling import TheirAccount
from otc_xl.workflows.team import team_report
from otc_xl.workflows.team_books import TeamBook

D = dt.date
START = D(2026, 11, 2)
PDF = {"einvoice_format": "pdf", "street": "Calle 2", "postal_code": "28002", "city": "Madrid"}
"""PDF invoices: no e-invoice channel needed for the model."""
CUSTOMERS = [customer("C1", "Uno Componentes S.L.", language="es", email="ap@uno.es", collector="Ana",
                      iban="ES9121000418450200051332", **PDF),
             customer("C5", "Cinq Distribution SARL", language="fr", email="ap@cinq.fr", collector="Luc",
                      iban="FR7630006000011234567890189", **PDF),
             customer("C2", "Due Meccanica S.r.l.", language="it", email="ap@due.it", collector="Ana",
                      iban="IT60X0542811101000000123456", **PDF),
             customer("C3", "Trois Outils SAS", language="fr", email="ap@trois.fr", collector="Luc",
                      iban="FR1420041010050500013M02606", **PDF),
             customer("C4", "Vier Werkzeug GmbH", language="de", email="ap@vier.de", collector="Luc",
                      iban="DE89370400440532013000", insolvency="Insolvenzverfahren eröffnet", **PDF)]
PAYERS = {c["customer_id"]: (c["customer_name"].upper().replace(".", ""), c["iban"]) for c in CUSTOMERS}
CONFIG = {"legal_min_days": 60, "company_name": "Iberia Components S.L.", "company_vat_id": "ESB12345674",
          "company_country": "ES", "company_street": "Calle de Alcalá 120", "company_postal_code": "28009",
          "company_city": "Madrid", "company_iban": "ES7921000813610123456789", "refund_min_days": 30}
ORDER_HEADERS = ["order_id", "line", "customer_id", "quantity", "unit_price", "vat_category", "vat_rate",
                 "delivered_quantity", "delivery_date", "currency"]
INVOICES = [invoice("FV-2026-00011", "C1", D(2026, 6, 1), 1000.0),
            invoice("FV-2026-00012", "C1", D(2026, 10, 20), 400.0),
            invoice("FV-2026-00021", "C2", D(2026, 9, 15), 800.0),
            invoice("AB-2026-00021", "C2", D(2026, 9, 20), -100.0, reference="Abono FV-2026-00021"),
            invoice("FV-2026-00031", "C3", D(2026, 11, 10), 300.0, dispute_code="PRICING"),
            invoice("FV-2026-00032", "C3", D(2026, 8, 1), 650.0),
            invoice("FV-2026-00041", "C4", D(2026, 10, 1), 200.0),
            invoice("FV-2026-00033", "C3", D(2026, 12, 10), 120.0),
            # a credit left: a refund
            invoice("AB-2026-00051", "C5", D(2026, 8, 1), -250.0, reference="Abono FV-2026-00049")]
HISTORY = [["dunned_on", "customer_id", "invoice_id", "level", "currency", "open_amount", "fee", "interest", "letter"],
           *[[START - dt.timedelta(days=days), "C1", "FV-2026-00011", level, "EUR", 1000.0, 0.0, 0.0, ""]
             for days, level in ((60, 1), (45, 2), (30, 3))]]
"""Notices sent before otc_xl took over (imported from the ERP: no letter file), so that a hand-over can come."""
LAST = 4  # dunning levels with the default Config
DEADLINE_LAST = 7


def _hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")) if folder.exists() else []:
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


class AssociateDays(RuleBasedStateMachine):
    @initialize()
    def open_the_book(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="otc_days_"))
        self.book = new_book(self.tmp, INVOICES, CUSTOMERS, config=CONFIG,
                             extra={"DunningHistory": HISTORY, "OrderLines": [ORDER_HEADERS]})
        self.orders = 0
        self.day = START
        self.paid = 0
        self.last: tuple[str, object] | None = None

    def teardown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ------------------------------------------------------------------ the world
    @rule(days=st.integers(1, 12))
    def days_pass(self, days):
        self.day += dt.timedelta(days=days)
        self.last = None

    @rule(data=st.data())
    def a_customer_pays(self, data):
        erp = self.book.table("Invoices")
        open_ = erp.loc[(erp["open_amount"] > 0)]
        if open_.empty:
            return
        row = open_.iloc[data.draw(st.integers(0, len(open_) - 1), label="invoice")]
        part = data.draw(st.sampled_from([1.0, 1.0, 0.5]), label="part")
        named = data.draw(st.booleans(), label="names the invoice")
        self.paid += 1
        payer, iban = PAYERS[row["customer_id"]]
        amount = round(float(row["open_amount"]) * part, 2)
        self.book.append("Payments", {"payment_id": f"BANK-{self.paid:03d}", "payment_date": self.day,
                                      "amount": amount, "currency": "EUR", "payer_name": payer,
                                      "payer_account": iban,
                                      "remittance": f"Pago {row['invoice_id']}" if named else "Transferencia"})
        self.last = None

    @rule()
    def the_erp_books_the_cash(self):
        """The associate posts the day's applications in the ERP; tomorrow's export shows them."""
        booked = book_ledger(self.book.ledger(self.day))
        applied = booked.applications.loc[booked.applications["status"] == "auto"]
        if applied.empty:
            return
        left = booked.open_items.set_index("invoice_id")["open_amount"]
        for invoice_id in set(applied["invoice_id"]):
            self.book.set_open(invoice_id, float(left[invoice_id]))
        done = set(applied["payment_id"]) - set(booked.match.unapplied["payment_id"])
        header = self.book.sheets["Payments"][0]
        self.book.sheets["Payments"] = [header] + [r for r in self.book.sheets["Payments"][1:] if r[0] not in done]
        self.last = None

    @rule(customer=st.sampled_from(["C1", "C2", "C3"]), quantity=st.integers(1, 5))
    def an_order_is_delivered_and_billed(self, customer, quantity):
        """The order is delivered; Prepare invoices, the draft approved, Post invoices (PDF, .billing.json)."""
        self.orders += 1
        self.book.sheets["OrderLines"].append([f"SO-{self.orders}", 1, customer, quantity, 99.5, "S", 21, quantity,
                                               dt.datetime.combine(self.day, dt.time()), "EUR"])
        self.book.command("invoice", self.day)
        header = self.book.sheets["InvoiceDrafts"][0]
        for row in self.book.sheets["InvoiceDrafts"][1:]:
            if row[header.index("status")] == "ready":
                row[header.index("approved")], row[header.index("approved_by")] = "yes", "Ana"
        self._command("post_invoices")

    @rule()
    def refunds_are_approved_and_paid(self):
        """The refund proposals on the Refunds sheet approved where ready, then the refunds command."""
        self.book.command("refunds", self.day)  # proposals (and pays what was approved before)
        if "Refunds" in self.book.sheets:
            header = self.book.sheets["Refunds"][0]
            for row in self.book.sheets["Refunds"][1:]:
                if row[header.index("status")] == "ready":
                    row[header.index("approved")], row[header.index("approved_by")] = "yes", "Ana"
        self._command("refunds")

    @rule(customer=st.sampled_from(["C1", "C2", "C3", "C5"]))
    def a_customer_sends_its_statement(self, customer):
        """Their ledger shows our ERP items (in their payables' sign): reconcile explains every difference."""
        erp = self.book.table("Invoices")
        mine = erp.loc[(erp["customer_id"] == customer) & (erp["open_amount"] != 0)]
        lines = pd.DataFrame({"document": mine["invoice_id"], "their_document": "", "date": mine["invoice_date"],
                              "signed": -mine["open_amount"].astype(float), "doc_type": "", "description": "",
                              "source_row": range(2, len(mine) + 2)})
        performed = self.book.command("reconcile", self.day, Request(their_account=TheirAccount(
            customer, lines, "statement.xlsx", [], "EUR", False)))
        balance = dict(zip(*[next(s.frame for s in performed.result.sheets if s.sheet == "ReconciliationBalance")[c]
                             for c in ("item", "amount")]))
        assert balance["unexplained"] == 0.0
        self.last = ("reconcile", performed, None)

    # ------------------------------------------------------------------ the commands
    def _command(self, name):
        before = _hash(self.book.letters)
        performed = self.book.command(name, self.day)
        self.last = (name, performed, before)
        sent = performed.booked.dunning.to_send
        if name == "dunning" and len(sent):
            event(f"dunning: notices up to level {int(sent['level'].max())}")
        if name == "legal" and len(performed.booked.legal.due):
            event("legal: hand-over recorded")
        if name == "worklist" and len(self.book.table("Worklist")):
            event("worklist: calls")
        if name == "post_invoices" and "BillingLog" in self.book.sheets and len(self.book.table("BillingLog")):
            event("invoice --post: invoices on record")
        if name == "refunds" and "RefundLog" in self.book.sheets and len(self.book.table("RefundLog")):
            event("refunds: refund paid")
        return performed

    @rule(name=st.sampled_from(["run", "dunning", "worklist", "legal", "credits", "statement", "disputes"]))
    def command(self, name):
        self._command(name)

    @rule()
    def run_a_report(self):
        sheets = {k: [list(r) for r in v] for k, v in self.book.sheets.items()}
        self.book.report("run", self.day)
        assert self.book.sheets == sheets  # a report workbook leaves the book as it was

    @rule()
    def the_same_command_again(self):
        if self.last is None or self.last[0] == "reconcile":
            return
        name = self.last[0]
        sheets = {k: [list(r) for r in v] for k, v in self.book.sheets.items()}
        letters = _hash(self.book.letters)
        self.book.command(name, self.day)
        assert self.book.sheets == sheets, f"{name} twice on {self.day} changed the book"
        assert _hash(self.book.letters) == letters, f"{name} twice on {self.day} changed the documents"

    # ------------------------------------------------------------------ the rules
    def _booked(self):
        return book_ledger(self.book.ledger(self.day), evidence_beside(None, self.book.letters))

    @invariant()
    def money_is_conserved_and_nobody_is_chased_for_nothing(self):
        if not hasattr(self, "book"):
            return
        booked = self._booked()
        assert booked.ties()["ok"].all()
        pays, apps = booked.ledger.payments, booked.applications
        auto = apps.loc[apps["status"] == "auto"]
        assert int(cents(auto["applied_amount"]).sum()) + int(cents(booked.unapplied["unapplied_amount"]).sum()) == \
            int(cents(pays["amount"]).sum())
        calls = todays_calls(booked)
        due = booked.dunning.items
        dunnable = due.loc[due["hold"].isin(["", "dunning block"])].groupby("customer_id")["open_amount"].sum()
        for notice in booked.dunning.to_send.itertuples():
            assert dunnable.get(notice.customer_id, 0) > 0 and notice.overdue_amount > 0
        assert (calls["overdue_amount"] > 0).all()
        assert set(calls["customer_id"]) <= set(dunnable.loc[dunnable > 0].index)
        assert (booked.legal.due["open_amount"] > 0).all()
        notices = booked.dunning.notices.set_index(["customer_id", "currency"])
        for call in calls.itertuples():  # a call quotes what that day's letter states
            key = (call.customer_id, call.currency)
            if key in notices.index and notices.loc[key, "status"] == "notice":
                assert call.overdue_amount == notices.loc[key, "overdue_amount"]

    @rule()
    def the_doors_agree(self):
        """run (ageing), statements and the team report give the same totals for the day."""
        booked = self._booked()
        items, pays, apps = booked.open_items, booked.ledger.payments, booked.applications
        open_ar = int(cents(items.loc[items["invoice_date"] <= pd.Timestamp(self.day), "open_amount"]).sum())
        assert int(cents(booked.ageing["Total"]).sum()) == open_ar  # run
        on_account = customer_receipts(pays, apps, applied=False)
        totals = statement_totals(statement_lines(items, self.day, on_account))
        assert totals["ties"].all()
        assert int(cents(totals["closing_balance"]).sum()) == open_ar - int(cents(on_account["amount"]).sum())
        team = team_report([TeamBook("anna", "anna.xlsx", self.book.ledger(self.day),
                                     evidence_beside(None, self.book.letters))], self.day)
        aged = next(s for s in team.sheets if s.sheet == "TeamAgeing").frame
        assert int(cents(aged["Total"]).sum()) == open_ar  # team

    @invariant()
    def records_rest_on_documents_and_levels_climb_one_by_one(self):
        if not hasattr(self, "book"):
            return
        if "DunningHistory" in self.book.sheets:
            history = self.book.table("DunningHistory")
            for row in history.itertuples():
                if row.letter:  # else imported from the ERP, before otc_xl
                    assert (self.book.letters / f"{pd.Timestamp(row.dunned_on):%Y-%m-%d}" / row.letter).exists()
            for _, rows in history.sort_values("dunned_on").groupby("invoice_id"):
                levels = rows["level"].tolist()
                assert levels[0] == 1 and all(0 <= b - a <= 1 for a, b in zip(levels, levels[1:])), levels
            by_account = history.groupby(["customer_id", "dunned_on"])["level"].max().reset_index()
            for _, rows in by_account.groupby("customer_id"):
                dates, levels = rows["dunned_on"].tolist(), rows["level"].tolist()
                for (d0, l0), d1 in zip(zip(dates, levels), dates[1:]):  # the next after the deadline only
                    assert (pd.Timestamp(d1) - pd.Timestamp(d0)).days > (10 if l0 == 1 else 7)
        if "LegalCases" in self.book.sheets:
            cases = self.book.table("LegalCases")
            history = self.book.table("DunningHistory") if "DunningHistory" in self.book.sheets else None
            for case in cases.itertuples():
                on = pd.Timestamp(case.handed_over_on)
                assert (self.book.letters / f"{on:%Y-%m-%d}" / case.case_file).exists()
                if case.reason.startswith("last dunning level"):
                    last = history.loc[(history["invoice_id"] == case.invoice_id) & (history["level"] >= LAST)]
                    assert len(last) and (on - pd.to_datetime(last["dunned_on"]).min()).days > DEADLINE_LAST


AssociateDays.TestCase.settings = settings(max_examples=10, stateful_step_count=25, deadline=None,
                                           suppress_health_check=[HealthCheck.too_slow])
test_associate_days = pytest.mark.slow(AssociateDays.TestCase)
