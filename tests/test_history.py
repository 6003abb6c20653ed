"""History: one snapshot per date (a re-run replaces it), trends with native line charts, movements."""

from __future__ import annotations

import datetime as dt
import zipfile

import pandas as pd

import builders
from builders import invoice
from conftest import DEMO
from daybook import book_from_workbook
from otc_xl.io.xlsx.report_writer import write_new_workbook
from otc_xl.reports.history import ALL, COLUMNS, merge, movements, snapshot


def test_three_dates_give_three_snapshots_and_a_repeat_replaces_its_day(tmp_path):
    """The history merge at job level: run's ageing and history jobs on the demo book held in memory
    (daybook.DayBook), three dates and a repeat, instead of four ``otc-xl run --in-place`` (the CLI's
    in-place write is covered in test_cli)."""
    book = book_from_workbook(tmp_path, DEMO)

    def run(day):
        return book.command("run", dt.datetime.strptime(day, "%d/%m/%Y").date(), jobs=("ageing", "history"))

    def table_rows(sheet):
        return book.table(sheet).to_dict("records")

    for day in ("16/11/2026", "23/11/2026", "30/11/2026"):
        run(day)
    first = table_rows("History")
    dates = sorted({r["snapshot_date"].date() for r in first})
    assert dates == [dt.date(2026, 11, 16), dt.date(2026, 11, 23), dt.date(2026, 11, 30)]
    again = run("30/11/2026").result
    assert any("today's snapshot replaced" in value for _, value in again.summary)
    second = table_rows("History")
    assert len(second) == len(first) and sorted({r["snapshot_date"].date() for r in second}) == dates
    # the whole-ledger row equals the ledger: open AR per currency, current + overdue = open
    today = [r for r in second if r["snapshot_date"].date() == dt.date(2026, 11, 30) and r["collector"] == ALL]
    assert {r["entity"] for r in today} == {"Iberia Components S.L. – Credit & Collections"}
    detail = table_rows("AgeingDetail")
    for row in today:
        open_c = sum(round(d["open_amount"] * 100) for d in detail if d["currency"] == row["currency"])
        assert round(row["open_ar"] * 100) == open_c
        assert round(row["current"] * 100) + round(row["overdue"] * 100) == open_c
    collectors = [r for r in second if r["snapshot_date"].date() == dt.date(2026, 11, 30) and r["collector"] != ALL]
    for row in today:  # the collectors' rows add up to the whole
        assert sum(round(r["open_ar"] * 100) for r in collectors if r["currency"] == row["currency"]) == \
            round(row["open_ar"] * 100)
    buckets = table_rows("HistoryBuckets")
    for row in today:
        mine = [b for b in buckets if b["snapshot_date"] == row["snapshot_date"] and b["collector"] == ALL
                and b["currency"] == row["currency"]]
        assert sum(round(b["amount"] * 100) for b in mine) == round(row["open_ar"] * 100)
    trend = table_rows("TrendDSO")
    assert [r["date"].date() for r in trend] == dates and set(trend[0]) == {"date", "EUR", "GBP", "USD"}
    written = write_new_workbook(tmp_path / "history.xlsx", again.sheets)
    with zipfile.ZipFile(written) as z:
        charts = [z.read(n) for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert sum(b"<c:lineChart>" in c for c in charts) == 2  # DSO and overdue %; CEI needs Config opening_ar
    assert table_rows("TrendCEI") == []  # no CEI without opening_ar: an empty trend, no chart
    daily = {r["currency"]: r for r in table_rows("DailyCash")}
    assert daily["EUR"]["since"].date() == dt.date(2026, 11, 23)
    weekly = {(r["currency"], r["bucket"]): r for r in table_rows("WeeklyAgeing")}
    ago = {(b["currency"], b["bucket"]): b["amount"] for b in buckets
           if b["snapshot_date"].date() == dt.date(2026, 11, 23) and b["collector"] == ALL}
    assert {k: r["week_ago"] for k, r in weekly.items() if k in ago} == ago
    for r in weekly.values():
        assert round(r["change"] * 100) == round(r["today"] * 100) - round(r["week_ago"] * 100)
    moves = {(r["period"], r["currency"]): r for r in table_rows("Movements")}
    week = moves[("week", "EUR")]
    assert week["from_date"].date() == dt.date(2026, 11, 23)
    assert round(week["overdue_change"] * 100) == round(week["overdue_to"] * 100) - round(week["overdue_from"] * 100)


def item(invoice_id, collector, open_amount, due, currency="EUR", dispute=""):
    return invoice(invoice_id, invoice_id[:2], due, open_amount, collector=collector, currency=currency,
                   dispute_code=dispute)


def test_snapshot_figures_and_movements():
    invoices = builders.invoices(item("A1", "Ana", 100.0, "2026-12-10"), item("A2", "Ana", 50.5, "2026-10-01"),
                             item("B1", "", 20.0, "2026-07-01", dispute="PRICING"),
                             item("C1", "Luca", 7.0, "2026-11-25", currency="USD"))
    today, buckets = snapshot(invoices, dt.date(2026, 11, 30))
    row = today.set_index(["collector", "currency"])
    assert row.loc[(ALL, "EUR"), ["open_ar", "current", "overdue", "over_90", "disputed"]].tolist() == [
        170.5, 100.0, 70.5, 20.0, 20.0]
    assert row.loc[(ALL, "EUR"), "overdue_pct"] == 41.35
    assert row.loc[("(none)", "EUR"), "open_ar"] == 20.0 and row.loc[("Ana", "EUR"), "items"] == 2
    earlier = today.assign(snapshot_date=pd.Timestamp("2026-11-20"), open_ar=today["open_ar"] - 10)
    history = merge(merge(earlier, today, COLUMNS), today, COLUMNS)
    assert history["snapshot_date"].nunique() == 2 and len(history) == 2 * len(today)
    receipts = pd.DataFrame({"payment_id": ["P1", "P2"], "payment_date": pd.to_datetime(["2026-11-25", "2026-11-10"]),
                             "currency": ["EUR", "EUR"], "amount": [30.0, 99.0]})
    apps = pd.DataFrame({"payment_id": ["P1"], "writeoff_amount": [0.4]})
    moves = movements(history, invoices, receipts, apps, dt.date(2026, 11, 30)).set_index(["period", "currency"])
    week = moves.loc[("week", "EUR")]
    assert (week["open_ar_change"], week["collected"], week["written_off"]) == (10.0, 30.0, 0.4)
    assert week["new_overdue"] == 0.0  # nothing of EUR fell due between 20 and 30 November
    assert ("month", "EUR") not in moves.index  # no snapshot 30 days back


def test_money_held_in_a_currency_without_open_ar_has_its_snapshot_row():
    """Found by the walkthrough: GBP received on account (no GBP invoice open) was missing from History,
    so the team leader's trend did not show the cash held."""
    invoices = builders.invoices(item("A1", "Ana", 100.0, "2026-12-10"))
    unapplied = pd.DataFrame({"currency": ["GBP", "GBP", "EUR"], "unapplied_amount": [38.6, 11.4, 5.0]})
    today, _ = snapshot(invoices, dt.date(2026, 11, 30), unapplied=unapplied)
    row = today.set_index(["collector", "currency"])
    assert row.loc[(ALL, "GBP"), ["open_ar", "overdue", "items", "unapplied"]].tolist() == [0.0, 0.0, 0, 50.0]
    assert row.loc[(ALL, "EUR"), "unapplied"] == 5.0 and (ALL, "USD") not in row.index


def test_roll_forward_ties_when_the_month_is_complete_and_shows_the_gap_when_not():
    from otc_xl.reports.periods import roll_forward

    opening = pd.DataFrame([{"snapshot_date": pd.Timestamp("2026-10-31"), "collector": ALL, "currency": "EUR",
                             "open_ar": 1_000.00}])
    # November: 600.00 invoiced, 700.00 received (0.50 of it written off as a short payment), a 50.00 credit note
    invoices = builders.invoices(item("N1", "Ana", 100.0, "2026-12-20"), item("N2", "Ana", -50.0, "2026-12-20"),
                             item("O1", "Ana", 249.50, "2026-10-15"))
    invoices.loc[invoices["invoice_id"] == "N1", "amount"] = 600.0
    invoices["invoice_date"] = pd.to_datetime(["2026-11-20", "2026-11-21", "2026-09-15"])
    closing = opening.assign(snapshot_date=pd.Timestamp("2026-11-30"), open_ar=1_000.00 + 600 - 700 - 50 - 0.50)
    history = pd.concat([opening, closing], ignore_index=True)
    sales = pd.DataFrame({"date": pd.to_datetime(["2026-11-30"]), "amount": [600.0], "currency": ["EUR"]})
    receipts = pd.DataFrame({"payment_id": ["P1", "P2"], "payment_date": pd.to_datetime(["2026-11-05", "2026-10-30"]),
                             "currency": ["EUR", "EUR"], "amount": [700.0, 80.0]})
    apps = pd.DataFrame({"payment_id": ["P1"], "writeoff_amount": [0.50]})
    roll = roll_forward(history, invoices, sales, receipts, apps, dt.date(2026, 11, 30)).iloc[0]
    assert (roll["opening_ar"], roll["invoiced"], roll["collected"], roll["credit_notes"], roll["written_off"]) == (
        1_000.0, 600.0, 700.0, 50.0, 0.5)
    assert (roll["expected_closing"], roll["closing_ar"], roll["difference"], roll["ties"]) == (849.5,
                                                                                                849.5, 0.0, "yes")
    short = roll_forward(history, invoices, sales.assign(amount=580.0), receipts, apps, dt.date(2026, 11, 30)).iloc[0]
    assert (short["difference"], short["ties"]) == (20.0, "NO")  # the gap, to the cent, never hidden
    none = roll_forward(closing, invoices, sales, receipts, apps, dt.date(2026, 11, 30)).iloc[0]
    assert none["ties"] == "" and pd.isna(none["opening_ar"])  # no snapshot before the month: said, not guessed
