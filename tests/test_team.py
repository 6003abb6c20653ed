"""Team consolidation: associates' workbooks read (never changed), one unreadable, totals proven."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest

import otc_xl
from conftest import DEMO
from otc_xl.demo.workbooks import LABELS
from test_cli import run
from test_collections_cli import table_rows

AS_OF = "30/11/2026"


def associate_book(path: Path, invoices, customers, company="Iberia Components S.L.") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Invoices"
    columns = ["invoice_id", "customer_id", "customer_name", "invoice_date", "due_date", "currency", "amount",
               "open_amount", "reference", "dispute_code", "collector"]
    ws.append([LABELS[c] for c in columns])
    for row in invoices[columns].itertuples(index=False):
        ws.append([v.to_pydatetime() if hasattr(v, "to_pydatetime") else v for v in row])
    cs = wb.create_sheet("Customers")
    cs.append(["Customer No.", "Customer name", "Language"])
    for row in customers[["customer_id", "customer_name", "language"]].itertuples(index=False):
        cs.append(list(row))
    cfg = wb.create_sheet("Config")
    cfg.append(["company_name", company])
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def team_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("team")
    ledger = otc_xl.read_workbook(DEMO)
    inv = ledger.invoices
    collectors = sorted(set(inv["collector"]) - {""})
    first, second = collectors[0], collectors[1]
    for name, who in (("maria", first), ("luca", second)):
        mine = inv.loc[inv["collector"] == who]
        associate_book(folder / f"{name}.xlsx", mine, ledger.customers.loc[
            ledger.customers["customer_id"].isin(set(mine["customer_id"]))])
    (folder / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    associate_book(folder / "zz_copy.xlsx", inv.loc[inv["collector"] == first].head(5), ledger.customers)
    associate_book(folder / "other_entity.xlsx", inv.loc[inv["collector"] == collectors[2]], ledger.customers,
                   company="Another Company GmbH")
    return folder, ledger, (first, second)


def test_team_report_ties_and_leaves_the_workbooks_untouched(team_folder, tmp_path):
    folder, ledger, (first, second) = team_folder
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    out = tmp_path / "team.xlsx"
    result = run("team", folder, "--out", out, "--as-of", AS_OF, "--top", "5")
    assert result.exit_code == 0, result.output
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()} == before
    listing = {r["workbook"]: r for r in table_rows(out, "Workbooks")}
    assert listing["maria.xlsx"]["status"] == listing["luca.xlsx"]["status"] == "consolidated"
    assert listing["broken.xlsx"]["status"] == "unreadable" and "cannot be read" in listing["broken.xlsx"]["reason"]
    assert listing["other_entity.xlsx"]["status"] == "left out"
    assert "another entity" in listing["other_entity.xlsx"]["reason"]
    assert listing["zz_copy.xlsx"]["status"] == "left out" and "also in maria.xlsx" in listing["zz_copy.xlsx"]["reason"]
    assert all(r["ok"] for r in table_rows(out, "TeamControls"))
    # the team's ageing equals each associate's own ageing, computed independently, added per currency
    aged = table_rows(out, "TeamAgeing")
    for who, name in ((first, "maria"), (second, "luca")):
        mine = ledger.invoices.loc[ledger.invoices["collector"] == who]
        own = otc_xl.ageing(mine, ledger.config.as_of, by="currency").set_index("currency")["Total"]
        team = {}
        for r in aged:
            if r["associate"] == name:
                team[r["currency"]] = team.get(r["currency"], 0) + round(r["Total"] * 100)
        assert team == {c: round(v * 100) for c, v in own.items()}
    top = table_rows(out, "TopOverdue")
    assert len([r for r in top if r["currency"] == "EUR"]) == 5
    eur = [r["overdue"] for r in top if r["currency"] == "EUR"]
    assert eur == sorted(eur, reverse=True)
    load = {r["associate"]: r for r in table_rows(out, "Workload")}
    assert set(load) == {"maria", "luca"} and all(r["calls_due"] >= 0 for r in load.values())
    assert "broken.xlsx" in result.output and "2 consolidated, 3 left out or unreadable" in result.output


def test_an_empty_folder_is_refused(tmp_path):
    result = run("team", tmp_path)
    assert result.exit_code == 1 and "no .xlsx or .xlsm workbooks" in result.output


def test_team_button_writes_the_team_sheets_into_the_leaders_workbook(team_folder, tmp_path):
    from otc_xl.excel import buttons
    from test_excel import actions, remote

    folder, _, _ = team_folder
    leader = tmp_path / "leader.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Config"
    wb.active.append(["team_folder", str(folder)])
    wb.active.append(["as_of", AS_OF])
    wb.save(leader)
    book = remote(leader)
    outcome = buttons.team(book)
    assert outcome["ok"], outcome
    added = [a["args"][1] for a in actions(book) if a["func"] == "addSheet"]
    assert added == ["Workbooks", "TeamAgeing", "TeamPivotData", "TopOverdue", "TopRisk", "Workload", "TeamControls"]
    checks = next(a["values"] for a in actions(book)
                  if a["func"] == "setValues" and a["values"][0][:2] == ["check", "currency"])
    assert all(row[-1] is True for row in checks[1:])
    nowhere = tmp_path / "nowhere.xlsx"
    wb.active["B1"] = str(tmp_path / "missing")
    wb.save(nowhere)
    refused = buttons.team(remote(nowhere))
    assert not refused["ok"] and "team_folder must name the folder" in refused["message"]
