"""Collections engines: dunning levels and history, statements, worklist, promises, disputes,
write-offs and payment plans — each rule with the numbers it must give."""

import datetime as dt

import pandas as pd
import pytest

import builders
import otc_xl
from builders import invoice, invoices
from otc_xl.collecting import DunningLevel, DunningPolicy, dunning_run, interest_cents
from otc_xl.collecting.disputes import dispute_items, dispute_reason, disputes_summary
from otc_xl.collecting.plans import payment_plan
from otc_xl.collecting.promises import file_outcomes, judge_promises
from otc_xl.collecting.statements import (
    customer_receipts,
    statement_lines,
    statement_totals,
)
from otc_xl.collecting.worklist import worklist
from otc_xl.collecting.writeoffs import writeoff_proposals
from otc_xl.config import config_from_sheet
from otc_xl.model.money import cents
from otc_xl.model.tables import RawTable

AS_OF = dt.date(2026, 11, 30)
LADDER = DunningPolicy((DunningLevel(1, 1), DunningLevel(2, 15), DunningLevel(3, 30), DunningLevel(4, 60)),
                       grace_days=0, interval_days=7)


def items(*rows, as_of=AS_OF):
    """rows: (invoice_id, customer_id, days_overdue, open_amount[, dispute_code[, amount[, currency]]])"""
    return invoices(*(invoice(r[0], r[1], pd.Timestamp(as_of) - pd.Timedelta(days=r[2]), r[5] if len(r) > 5 else r[3],
                              open=r[3], customer_name=f"Name {r[1]}", currency=r[6] if len(r) > 6 else "EUR",
                              dispute_code=r[4] if len(r) > 4 else "", collector="Ana") for r in rows))


def customers(*rows):
    """rows: (customer_id, language[, dunning_block[, credit_limit]])"""
    return builders.customers(*(builders.customer(r[0], f"Name {r[0]}", language=r[1],
                                                  email=f"ap@{r[0].lower()}.example",
                                                  collector="Ana", dunning_block=r[2] if len(r) > 2 else "",
                                                  credit_limit=r[3] if len(r) > 3 else 0.0) for r in rows))


def notice(result, customer):
    return result.notices.set_index("customer_id").loc[customer]


# ------------------------------------------------------------------------------------ dunning

@pytest.mark.parametrize("days, level", [(0, 0), (1, 1), (14, 1), (15, 2), (29, 2), (30, 3), (59, 3), (60, 4),
                                         (400, 4)])
def test_level_boundaries(days, level):
    assert LADDER.level_for(days) == level


@pytest.mark.parametrize("days", [1, 20, 45, 400])
def test_a_first_notice_is_always_a_level_1_reminder(days):
    """Levels are never skipped: an item never reminded gets a reminder first, however old it is."""
    result = dunning_run(items(("A", "C1", days, 100.0)), None, AS_OF, LADDER)
    row = notice(result, "C1")
    assert (row["status"], row["level"], row["tone"], row["notices_before"]) == ("notice", 1, "reminder", 0)
    assert row["pay_by"] == pd.Timestamp(AS_OF) + pd.Timedelta(days=10)  # a reminder gives 10 days


def test_each_level_follows_the_last_once_its_deadline_has_passed():
    """400 days overdue: 1, 2, 3, 4 — each the day after the previous letter's pay-by date at the
    earliest (10 days for the reminder, 7 for later ones), never two levels at once; then up to date."""
    frame = items(("A", "C1", 400, 100.0))
    day, history, seen = AS_OF, None, []
    for _ in range(40):
        result = dunning_run(frame, None, day, LADDER, history)
        row = notice(result, "C1")
        if row["status"] == "notice":
            seen.append((day, int(row["level"])))
        history = result.history
        day += dt.timedelta(days=1)
    assert [level for _, level in seen] == [1, 2, 3, 4]
    gaps = [(b - a).days for (a, _), (b, _) in zip(seen, seen[1:])]
    assert gaps == [11, 8, 8]
    assert notice(dunning_run(frame, None, day, LADDER, history), "C1")["status"] == "up to date"


def test_erpnext_interest_example():
    """ERPNext: 100 outstanding, 15 days overdue, 10 % a year, fee 10 → interest 0.41, total 110.41."""
    assert interest_cents(10000, 0.10, 15) == 41
    policy = DunningPolicy((DunningLevel(1, 1, fee=10.0, interest_rate=0.10),), grace_days=0)
    row = notice(dunning_run(items(("A", "C1", 15, 100.0)), None, AS_OF, policy), "C1")
    assert (row["overdue_amount"], row["fee"], row["interest"], row["total_due"]) == (100.0, 10.0, 0.41, 110.41)


def test_worst_item_drives_the_level_and_all_overdue_items_are_listed():
    history = pd.DataFrame({"dunned_on": [pd.Timestamp(AS_OF) - pd.Timedelta(days=20)], "customer_id": ["C1"],
                            "invoice_id": ["B"], "level": [2], "currency": ["EUR"], "open_amount": [50.0],
                            "fee": [0.0], "interest": [0.0], "letter": ["C1_EUR_dunning.html"]})
    result = dunning_run(items(("A", "C1", 3, 100.0), ("B", "C1", 45, 50.0), ("C", "C1", -5, 70.0)), None, AS_OF,
                         LADDER, history)
    assert notice(result, "C1")["level"] == 3 and notice(result, "C1")["items"] == 2
    assert result.items.set_index("invoice_id")["level"].to_dict() == {"A": 1, "B": 3}  # A's first: a reminder
    assert set(result.items_of("C1", "EUR")["invoice_id"]) == {"A", "B"}  # C is not due yet
    assert notice(result, "C1")["overdue_amount"] == 150.0


def test_grace_days():
    policy = DunningPolicy(LADDER.levels, grace_days=3)
    assert notice(dunning_run(items(("A", "C1", 3, 100.0)), None, AS_OF, policy), "C1")["status"] == "not yet due"
    assert notice(dunning_run(items(("A", "C1", 4, 100.0)), None, AS_OF, policy), "C1")["status"] == "notice"


def test_minimum_amount_lowers_the_level_or_skips_the_notice():
    policy = DunningPolicy((DunningLevel(1, 1, min_amount=20.0), DunningLevel(2, 15, min_amount=500.0)), 0)
    assert notice(dunning_run(items(("A", "C1", 20, 100.0)), None, AS_OF, policy), "C1")["level"] == 1
    row = notice(dunning_run(items(("A", "C1", 20, 19.99)), None, AS_OF, policy), "C1")
    assert row["status"] == "below minimum" and row["level"] == 0
    assert notice(dunning_run(items(("A", "C1", 20, 20.00)), None, AS_OF, policy), "C1")["status"] == "notice"


def test_minimum_percent_of_the_account():
    policy = DunningPolicy((DunningLevel(1, 1, min_percent=10.0),), 0)
    small = items(("A", "C1", 20, 99.99), ("B", "C1", -10, 900.01))  # 9.999 % of 1,000.00 overdue
    assert notice(dunning_run(small, None, AS_OF, policy), "C1")["status"] == "below minimum"
    enough = items(("A", "C1", 20, 100.00), ("B", "C1", -10, 900.00))  # 10 %
    assert notice(dunning_run(enough, None, AS_OF, policy), "C1")["status"] == "notice"


def test_disputed_items_and_blocked_customers_are_excluded_with_the_reason():
    frame = items(("A", "C1", 40, 100.0, "PRICING"), ("B", "C1", 20, 60.0), ("C", "C2", 40, 80.0))
    result = dunning_run(frame, customers(("C1", "es"), ("C2", "it", "Insolvency")), AS_OF, LADDER)
    by_item = result.items.set_index("invoice_id")
    assert by_item.loc["A", "status"] == "excluded" and by_item.loc["A", "reason"] == "disputed: PRICING"
    assert by_item.loc["C", "reason"] == "customer on dunning block: Insolvency"
    assert list(by_item["hold"]) == ["disputed", "", "dunning block"]
    assert notice(result, "C1")["level"] == 1 and notice(result, "C1")["overdue_amount"] == 60.0
    assert notice(result, "C2")["status"] == "excluded"
    assert set(result.history["invoice_id"]) == {"B"}


def test_cash_being_applied_is_not_dunned():
    frame = items(("A", "C1", 40, 100.0), ("B", "C1", 40, 50.0))
    result = dunning_run(frame, None, AS_OF, LADDER, pending=pd.Series({"A": 100.0, "B": 20.0}))
    assert result.items.set_index("invoice_id").loc["A", "reason"] == "payment received, being applied"
    assert notice(result, "C1")["overdue_amount"] == 30.0


def test_escalation_across_two_runs_and_no_repeat():
    first_day = dt.date(2026, 11, 10)
    frame = items(("A", "C1", 30, 100.0), as_of=AS_OF)  # 10 days overdue on 10/11, 30 on 30/11
    run1 = dunning_run(frame, None, first_day, LADDER)
    assert notice(run1, "C1")["level"] == 1
    again = dunning_run(frame, None, dt.date(2026, 11, 12), LADDER, history=run1.history)
    assert notice(again, "C1")["status"] == "up to date" and len(again.history) == 1  # no repeat, nothing added
    run2 = dunning_run(frame, None, AS_OF, LADDER, history=again.history)
    row = notice(run2, "C1")
    assert (row["status"], row["level"], row["previous_level"]) == ("notice", 2, 1)  # one step, not straight to 3
    assert list(run2.history["level"]) == [1, 2]
    rerun = dunning_run(frame, None, AS_OF, LADDER, history=run2.history)  # same day again: same result
    assert rerun.history.equals(run2.history) and notice(rerun, "C1")["level"] == 2


def test_interval_between_notices():
    frame = items(("A", "C1", 16, 100.0), ("B", "C1", 2, 10.0))
    run1 = dunning_run(frame, None, AS_OF - dt.timedelta(days=3), LADDER)
    later = dunning_run(frame, None, AS_OF, LADDER, history=run1.history)  # B newly overdue, 3 days after
    assert notice(later, "C1")["status"] == "waiting"
    # the reminder of 27/11 gave 10 days to pay: the next notice waits for 08/12, after that deadline
    assert notice(later, "C1")["next_action"] == pd.Timestamp(AS_OF) + pd.Timedelta(days=8)


def test_dunning_settings_from_the_config_sheet():
    raw = RawTable("Config", ["Setting", "Value"], [["dunning_days", "1;10;20"], ["dunning_fees", "0;5;15"],
                                                     ["dunning_interest", "8%"], ["dunning grace days", 2]])
    config, problems = config_from_sheet(raw)
    assert not problems
    policy = DunningPolicy.from_config(config)
    assert [(lv.days, lv.fee, lv.interest_rate) for lv in policy.levels] == [(1, 0, 0.08), (10, 5, 0.08),
                                                                             (20, 15, 0.08)]
    assert policy.grace_days == 2
    bad = RawTable("Config", ["Setting", "Value"], [["dunning_days", "1;10;20"], ["dunning_fees", "0;5"]])
    _, problems = config_from_sheet(bad)
    assert any("dunning_fees has 2 values but dunning_days defines 3 levels" in str(p) for p in problems)
    _, problems = config_from_sheet(RawTable("Config", ["Setting", "Value"], [["dunning_days", "10;5"]]))
    assert any("increasing days" in str(p) and "Config!B2" in str(p) for p in problems)


# ------------------------------------------------------------------------------------ statements

def test_statement_ties_to_the_ledger():
    frame = items(("OLD", "C1", 60, 300.0), ("NEW", "C1", -20, 200.0), ("CN", "C1", 10, -50.0, "", -50.0))
    frame.loc[frame["invoice_id"] == "NEW", "invoice_date"] = pd.Timestamp(2026, 11, 5)
    receipts = pd.DataFrame({"customer_id": ["C1"], "payment_id": ["P1"], "payment_date": [pd.Timestamp(2026, 11, 20)],
                             "currency": ["EUR"], "amount": [120.0]})
    lines = statement_lines(frame, AS_OF, receipts)
    totals = statement_totals(lines).iloc[0]
    assert totals["opening_balance"] == 250.0  # OLD + CN, dated before 01/11/2026
    assert totals["period_items"] == 200.0 and totals["unapplied"] == 120.0
    assert totals["closing_balance"] == 330.0 == (300 + 200 - 50 - 120) and bool(totals["ties"])
    assert list(lines["section"]) == ["opening balance", "open item", "open item", "open item",
                                      "payment received", "closing balance"]
    assert lines.loc[lines["document"] == "OLD", "bucket"].item() == "31-60"


def test_statement_balances_tie_on_the_demo_ledger():
    ledger = otc_xl.read_workbook("workbooks/otc_demo.xlsx")
    apps = otc_xl.match_payments(ledger.invoices, ledger.payments, ledger.customers).applications
    receipts = customer_receipts(ledger.payments, apps)
    lines = statement_lines(ledger.invoices, AS_OF, receipts)
    totals = statement_totals(lines)
    assert totals["ties"].all()
    for (customer, currency), t in totals.set_index(["customer_id", "currency"]).iterrows():
        mine = ledger.invoices.loc[(ledger.invoices["customer_id"] == customer)
                                   & (ledger.invoices["currency"] == currency)]
        paid = receipts.loc[(receipts["customer_id"] == customer) & (receipts["currency"] == currency)]
        assert cents(t["closing_balance"]) == cents(mine["open_amount"]).sum() - cents(paid["amount"]).sum()
    # every cent received is either on a statement or unidentified
    applied_or_owned = cents(receipts["amount"]).sum()
    assert applied_or_owned <= cents(ledger.payments["amount"]).sum()


def test_customer_receipts_split_applied_and_rest():
    payments = pd.DataFrame({"payment_id": ["P1", "P2", "P3"], "payment_date": pd.to_datetime(["2026-11-20"] * 3),
                             "amount": [150.0, 80.0, 40.0], "currency": "EUR", "customer_id": ["", "C9", ""]})
    apps = pd.DataFrame({"payment_id": ["P1"], "invoice_id": ["A"], "customer_id": ["C1"], "applied_amount": [100.0],
                         "writeoff_amount": [0.0], "status": ["auto"]})
    got = customer_receipts(payments, apps).set_index("payment_id")
    assert got.loc["P1", "amount"] == 150.0 and got.loc["P1", "customer_id"] == "C1"  # 100 applied + 50 on account
    assert got.loc["P2", "customer_id"] == "C9" and "P3" not in got.index  # P3: nobody known


# ------------------------------------------------------------------------------------ worklist & promises

def test_worklist_order_is_documented_and_deterministic():
    frame = items(("A", "C1", 10, 1000.0), ("B", "C2", 95, 1000.0), ("C", "C3", 10, 500.0),
                  ("D", "C4", 10, 1000.0), ("E", "C4", 10, 1000.0, "PRICING"))
    master = customers(("C1", "en"), ("C2", "es"), ("C3", "fr"), ("C4", "it"))
    calls = worklist(frame, master, AS_OF)
    assert list(calls["customer_id"]) == ["C2", "C4", "C1", "C3"]
    c2 = calls.set_index("customer_id").loc["C2"]
    assert c2["score"] == 60.0  # amount 35 + age 25
    assert calls.set_index("customer_id").loc["C4", "score"] == round(35 + 25 * 10 / 90 + 10 * 0.5, 2)
    shuffled = worklist(frame.sample(frac=1, random_state=3), master.sample(frac=1, random_state=4), AS_OF)
    assert shuffled.equals(calls)


def test_broken_promises_raise_priority_and_open_promises_wait():
    frame = items(("A", "C1", 10, 1000.0), ("B", "C2", 10, 1000.0), ("C", "C3", 10, 1000.0))
    log = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "worklist_date": pd.Timestamp(2026, 11, 10),
                        "currency": "EUR", "outcome": "promised", "note": "",
                        "promise_date": pd.to_datetime(["2026-11-20", "2026-12-05", "2026-11-20"]),
                        "promise_amount": [500.0, 500.0, 500.0]})
    receipts = pd.DataFrame({"customer_id": ["C3"], "payment_id": ["P"], "payment_date": [pd.Timestamp(2026, 11, 21)],
                             "currency": ["EUR"], "amount": [500.0]})
    judged = judge_promises(log, receipts, pd.Series({"C1": 1, "C2": 1, "C3": 1}), AS_OF)
    assert list(judged["promise_status"]) == ["broken", "open", "kept"]
    calls = worklist(frame, customers(("C1", "en"), ("C2", "en"), ("C3", "en")), AS_OF, judged)
    assert list(calls["customer_id"]) == ["C1", "C3"]  # C2 waits for its promise; C1's broken promise first
    assert calls.iloc[0]["broken_promises"] == 1 and "promise broken" in calls.iloc[0]["action"]


def test_an_open_promise_holds_the_calls_of_its_currency_only():
    """A promise typed on the EUR row of a customer also removed its USD call."""
    frame = items(("A", "C1", 10, 1000.0), ("B", "C1", 10, 700.0, "", 700.0, "USD"), ("C", "C2", 10, 800.0))
    log = pd.DataFrame({"customer_id": ["C1", "C2"], "worklist_date": pd.Timestamp(2026, 11, 25),
                        "currency": ["EUR", ""], "outcome": "promised", "note": "",
                        "promise_date": pd.to_datetime(["2026-12-05", "2026-12-05"]),
                        "promise_amount": [1000.0, 800.0], "promise_status": "open"})
    calls = worklist(frame, customers(("C1", "en"), ("C2", "en")), AS_OF, log)
    assert list(zip(calls["customer_id"], calls["currency"])) == [("C1", "USD")]  # C2's promise names no currency


def test_outcomes_are_filed_once():
    empty = pd.DataFrame({c: pd.Series(dtype="object") for c in ["customer_id", "worklist_date", "currency", "outcome",
                                                                 "promise_date", "promise_amount", "note"]})
    typed = pd.DataFrame({"customer_id": ["C1", "C2"], "worklist_date": pd.Timestamp(2026, 11, 29), "currency": "EUR",
                          "outcome": ["promised", ""], "promise_date": [pd.Timestamp(2026, 12, 3), pd.NaT],
                          "promise_amount": [250.0, float("nan")], "note": ["", ""]})
    log = file_outcomes(empty, typed)
    assert list(log["customer_id"]) == ["C1"]
    assert file_outcomes(log, typed).equals(log)


# ------------------------------------------------------------------------------------ disputes, write-offs, plans

@pytest.mark.parametrize("code, notes, reason", [
    ("PRICING", "", "pricing"), ("Precio incorrecto", "", "pricing"), ("prezzo", "", "pricing"),
    ("MISSING_PO", "", "missing PO"), ("litige", "Marchandise endommagée", "damaged goods"),
    ("DUP", "", "duplicate billing"), ("IVA", "", "tax"), ("ZZ9", "", "zz9"), ("X", "Menge falsch", "quantity")])
def test_dispute_reasons_in_any_language(code, notes, reason):
    assert dispute_reason(code, notes) == reason


def test_disputes_summary_and_escalation():
    frame = items(("A", "C1", 40, 100.0, "PRICING"), ("B", "C2", 10, 300.0, "precio"), ("C", "C1", 5, 50.0, "TAX"),
                  ("D", "C3", 50, 70.0))
    frame.loc[frame["invoice_id"] == "A", "dispute_date"] = pd.Timestamp(AS_OF) - pd.Timedelta(days=31)
    found = dispute_items(frame, AS_OF, escalation_days=30)
    assert list(found["invoice_id"]) == ["A", "B", "C"] and list(found["escalate"]) == [True, False, False]
    summary = disputes_summary(found).set_index("reason")
    assert summary.loc["pricing", "items"] == 2 and summary.loc["pricing", "amount"] == 400.0
    assert summary.loc["pricing", "to_escalate"] == 1 and summary.loc["tax", "share"] == round(50 / 450, 4)


def test_writeoff_proposals_keep_approvals():
    frame = items(("A", "C1", 40, 3.20, "", 100.0), ("B", "C1", 40, 6.00, "", 100.0), ("C", "C1", 40, 3.00),
                  ("D", "C1", 10, 1.00, "", 100.0), ("E", "C1", 40, -0.40, "", -30.0),
                  ("F", "C1", 40, 2.0, "QTY", 50.0))
    got = writeoff_proposals(frame, AS_OF, threshold=5.0, min_days=30)
    assert list(got["invoice_id"]) == ["A", "E"]  # B too big, C unpaid, D too recent, F disputed
    approvals = pd.DataFrame({"invoice_id": ["A"], "approved": ["yes"], "approved_by": ["Marta"]})
    again = writeoff_proposals(frame, AS_OF, 5.0, 30, approvals).set_index("invoice_id")
    assert again.loc["A", "approved_by"] == "Marta" and again.loc["E", "approved"] == ""


@pytest.mark.parametrize("balance, n", [(100.0, 3), (0.07, 7), (1234.56, 12), (999999.99, 360), (10.0, 1)])
def test_instalments_sum_exactly(balance, n):
    plan = payment_plan(balance, n, dt.date(2027, 1, 31))
    assert cents(plan["amount"]).sum() == cents(balance) and len(plan) == n
    assert plan["remaining"].iloc[-1] == 0.0 and (plan["amount"] > 0).all()


def test_plan_dates_and_bad_input():
    plan = payment_plan(100.0, 3, dt.date(2027, 1, 31))
    assert list(plan["due_date"].dt.date) == [dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31)]
    assert list(plan["amount"]) == [33.33, 33.33, 33.34]
    assert list(payment_plan(30.0, 3, dt.date(2027, 1, 1), every_days=14)["due_date"].dt.day) == [1, 15, 29]
    for args in ((0, 3), (-5, 2), (0.02, 3), (100, 0)):
        with pytest.raises(ValueError):
            payment_plan(*args, dt.date(2027, 1, 1))
