"""The Excel surface, tested without Excel: buttons on xlwings' remote engine, UDFs through the
xlwings Server call path, and the ribbon/VBA sources against the Python functions they call."""

import asyncio
import html
import json
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import xlwings as xw
from defusedxml.ElementTree import fromstring
from xlwings.server import custom_functions_call

import otc_xl
from conftest import DEMO, INVOICE_HEADERS, ROOT, invoice_row, needs_uno, uno
from otc_xl.excel import buttons, udfs
from otc_xl.excel.payload import book_payload
from otc_xl.matching import MatchConfig, match_payments

INPUT_SHEETS = ["Read me", "Config", "Invoices", "Payments", "Customers", "Orders", "Sales", "Aliases"]
RECORD_SHEETS = ["DunningHistory", "ContactLog", "CreditAllocations", "Refunds", "PaymentPlans", "OrderLines",
                 "InvoiceDrafts"]
"""otc_xl's own records in the demo (history, approvals typed, a plan): rewritten, never lost."""


def remote(path):
    return xw.Book(json=book_payload(path))


def actions(book):
    return book.json()["actions"]


def values_written(book, sheet_position):
    return next(a["values"] for a in actions(book) if a["func"] == "setValues" and a["sheet_position"] == sheet_position)


@pytest.mark.parametrize("button, sheets", [
    ("apply_cash", ["Applications", "AliasSuggestions", "Unapplied"]),
    ("ageing", ["Ageing", "AgeingSummary", "AgeingDetail", "PivotData", "CreditBalances", "KPIs"]),
    ("unapplied_cash", ["Applications", "AliasSuggestions", "Unapplied"]),
    ("unbilled_revenue", ["Unbilled"]),
    ("kpis", ["KPIs"]),
    ("refresh_all", ["Inputs", "Applications", "AliasSuggestions", "Ageing", "AgeingSummary", "AgeingDetail",
                     "PivotData", "CreditBalances", "Unapplied", "Unbilled", "KPIs", "Dunning", "DunningItems",
                     "Worklist", "Disputes", "DisputeItems", "WriteOffs", "CreditsLeft", "CreditPostings",
                     "LegalCases", "DirectDebits", "DebitLog", "RefundLog", "History", "HistoryBuckets",
                     "TrendDSO", "TrendOverdue", "TrendCEI", "Movements", "DailyCash", "WeeklyAgeing", "WeeklyPromises",
                     "RollForward"]),
    ("dunning", ["Dunning", "DunningItems"]),
    ("worklist", ["Worklist"]),
    ("disputes", ["Disputes", "DisputeItems", "WriteOffs"]),
    ("statements", ["Statement"]),
])
def test_every_button_adds_its_tables_and_never_touches_inputs(button, sheets):
    book = remote(DEMO)
    outcome = getattr(buttons, button)(book)
    assert outcome["ok"], outcome
    added = [a["args"][1] for a in actions(book) if a["func"] == "addSheet"]
    assert added == sheets
    tables = [a["args"][3] for a in actions(book) if a["func"] == "addTable"]
    assert tables == ["tbl" + s for s in sheets]
    for action in actions(book):
        assert action["sheet_position"] is None or action["sheet_position"] >= len(INPUT_SHEETS), action


def test_apply_cash_writes_what_the_engine_computes():
    book = remote(DEMO)
    buttons.apply_cash(book)
    ledger = otc_xl.read_workbook(DEMO)
    expected = match_payments(ledger.invoices, ledger.payments, ledger.customers, MatchConfig.from_config(ledger.config))
    written = values_written(book, len(INPUT_SHEETS) + len(RECORD_SHEETS))
    assert written[0] == list(expected.applications.columns)
    assert [(r[0], r[1], r[3]) for r in written[1:]] == list(zip(
        expected.applications["payment_id"], expected.applications["invoice_id"], expected.applications["applied_amount"]))


def test_rerun_refreshes_tables_in_place(tmp_path):
    from click.testing import CliRunner
    from otc_xl.cli import main

    copy = tmp_path / "book.xlsx"
    copy.write_bytes(DEMO.read_bytes())
    assert CliRunner().invoke(main, ["match", str(copy), "--in-place"]).exit_code == 0
    book = remote(copy)
    assert buttons.apply_cash(book)["ok"]
    funcs = [a["func"] for a in actions(book)]
    assert "addSheet" not in funcs and "addTable" not in funcs
    assert funcs.count("sheetClearContents") == 3 and funcs.count("resizeTable") == 3


def test_bad_workbook_gets_an_otc_messages_sheet_not_an_exception(make_book):
    row = invoice_row(1)
    row[6] = "1.234,5O"
    book = remote(make_book({"Invoices": [INVOICE_HEADERS, row]}))
    outcome = buttons.ageing(book)
    assert not outcome["ok"] and "see the otc_messages sheet" in outcome["message"]
    assert [a["args"][1] for a in actions(book) if a["func"] == "addSheet"] == ["otc_messages"]
    messages = values_written(book, 1)
    assert messages[0] == ["severity", "where", "message"]
    assert messages[1] == ["error", "Invoices!G2", "amount '1.234,5O' is not a number (expected e.g. 1.234,56 or 1,234.56)"]


def test_a_users_sheet_with_a_report_name_is_not_overwritten(make_book):
    book = remote(make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)], "KPIs": [["my own notes"]]}))
    outcome = buttons.kpis(book)
    assert not outcome["ok"] and "sheet KPIs was not written by otc_xl" in outcome["message"]
    assert not any(a["func"] == "sheetClearContents" and a["sheet_position"] == 1 for a in actions(book))


def test_formula_looking_text_is_written_with_the_text_prefix(make_book):
    book = remote(make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                             "Payments": [["Value date", "Amount", "Payer", "Remittance information"],
                                          ["20/11/2026", 5.0, "@someone", '=HYPERLINK("http://x","y")']]}))
    assert buttons.unapplied_cash(book)["ok"]
    unapplied = next(a["values"] for a in actions(book) if a["func"] == "setValues" and a["values"][0][0] == "payment_id"
                     and "remittance" in a["values"][0])
    row = dict(zip(unapplied[0], unapplied[1]))
    assert row["remittance"] == "'=HYPERLINK(\"http://x\",\"y\")" and row["payer_name"] == "'@someone"


def call(name, *args):
    data = {"func_name": name, "args": list(args), "version": xw.__version__, "client": "Office.js", "runtime": "1.4",
            "culture_info_name": "es-ES", "date_format": "dd/mm/yyyy", "caller_address": "Sheet1!A1"}
    return asyncio.run(custom_functions_call(data, udfs))


def test_udf_agebucket_and_daysoverdue():
    due = [[46300], [46356], [46357], [46387], [""]]  # 05/10, 30/11, 01/12, 31/12/2026; blank
    assert call("agebucket", due, [[46387]]) == [["61-90"], ["31-60"], ["1-30"], ["Current"], [""]]
    assert call("agebucket", [[46300]], [[46387]], [[15], [45]]) == [["Over 45"]]
    assert call("daysoverdue", [[46300], ["31/12/2026"]], [[46387]]) == [[87], [0]]
    assert call("daysoverdue", [["31/02/2026"]], [[46387]])[0][0].startswith("#N/A: '31/02/2026' is an impossible date")


def test_udf_findinvoices_matchscore_bestcustomer():
    ids = [["INV-2026-00451"], ["INV-2026-00452"]]
    assert call("findinvoices", [["Fra. 26/00451 y 2026/00452"], ["nada"]], ids) == [
        ["INV-2026-00451; INV-2026-00452"], ["#N/A: no invoice number found"]]
    assert call("matchscore", [["ORDENANTE: TALLERES GARCIA SL"]], [["Talleres García, S.L."]]) == [[100.0]]
    assert call("bestcustomer", [["VIR SEPA BOULANGERIE DUPONT"], [""]], [["Garage Martin SA"], ["Boulangerie Dupont SARL"]]) \
        == [["Boulangerie Dupont SARL", 100.0], ["", ""]]


def test_udf_normalize_amount_and_ageing():
    assert call("normalize_amount", [["1.234,56"], ["(100.00)"], ["100-"], ["1.234,5O"]], [[None]]) == [
        [1234.56], [-100.0], [-100.0], ["#N/A: '1.234,5O' is not a number (expected e.g. 1.234,56 or 1,234.56)"]]
    assert call("normalize_amount", [["1.234"]], [["en"]]) == [[1.234]]
    table = [["Invoice No.", "Customer No.", "Invoice date", "Due date", "Amount"], ["F1", "C1", 46300, 46330, 100.0],
             ["F2", "C1", 46300, 46380, 50.0]]
    result = call("ageing", table, [[46387]], [[None]])
    assert result[0] == ["customer_id", "customer_name", "currency", "Current", "1-30", "31-60", "61-90", "91-120",
                         "Over 120", "Total"]
    assert result[1] == ["C1", "", "EUR", 0.0, 50.0, 100.0, 0.0, 0.0, 0.0, 150.0]
    assert call("ageing", [["x"]], [[46387]], [[None]])[0][0].startswith("#N/A")


def test_ribbon_callbacks_vba_and_python_agree():
    ribbon = fromstring((ROOT / "macros" / "customUI14.xml").read_bytes())
    actions_in_xml = [e.get("onAction") for e in ribbon.iter() if e.get("onAction")]
    vba = (ROOT / "macros" / "OTC_Ribbon.bas").read_text()
    subs = set(re.findall(r"Public Sub (\w+)\(control As IRibbonControl\)", vba))
    assert actions_in_xml and set(actions_in_xml) <= subs, set(actions_in_xml) - subs
    called = re.findall(r'RunOTC "(\w+)"', vba)
    called += re.findall(r'RunOTC "(\w+)"', (ROOT / "macros" / "OTC_SheetButtons.bas").read_text())
    assert called and all(callable(getattr(buttons, name, None)) for name in called), called
    assert set(called) == set(buttons.ACTIONS)


def test_lite_main_registers_scripts_for_every_button():
    namespace = runpy.run_path(str(ROOT / "workbooks" / "lite" / "main.py"))
    scripts = {name for name, f in namespace.items() if callable(f) and hasattr(f, "__xlscript__")}
    assert scripts == {"apply_cash", "ageing_report", "unapplied_cash", "unbilled_revenue", "kpis", "refresh_all",
                       "dunning", "worklist", "disputes", "credits", "reconcile"}
    functions = {name for name, f in namespace.items() if callable(f) and hasattr(f, "__xlfunc__")}
    assert {"agebucket", "daysoverdue", "findinvoices", "matchscore", "bestcustomer", "ageing",
            "normalize_amount", "paymentplan"} <= functions


LITE_MISSING = ("python_calamine", "ms_ovba", "ms_ovba_compression", "facturx", "a38", "facturae", "fpdf",
                "uharfbuzz")
"""What a Pyodide runtime (xlwings Lite) does not get: no Pyodide build, or skipped by a marker."""


def test_pyodide_installs_skip_the_native_dependencies():
    import tomllib

    from packaging.requirements import Requirement

    pyodide = {"sys_platform": "emscripten", "platform_system": "Emscripten", "platform_machine": "wasm32"}
    requirements = [Requirement(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"]]
    skipped = {r.name for r in requirements if r.marker is not None and not r.marker.evaluate(pyodide)}
    assert skipped == {"python-calamine", "ms-ovba", "factur-x", "a38", "facturae", "fpdf2", "uharfbuzz"}
    assert all(r.marker is None or r.marker.evaluate() for r in requirements)  # this machine installs them all


def test_buttons_and_formulas_run_without_the_native_dependencies(tmp_path):
    """As in xlwings Lite: with python-calamine and ms-ovba absent, the Lite script and the button
    modules import and a button runs on xlwings' remote engine (Pyodide itself cannot be run here:
    its packages come from a CDN this machine cannot reach)."""
    payload = tmp_path / "book.json"
    payload.write_text(json.dumps(book_payload(DEMO), default=str), encoding="utf-8")
    script = f"""
import importlib.abc, json, runpy, sys
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in {LITE_MISSING!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}")
sys.meta_path.insert(0, Missing())
import xlwings as xw
from otc_xl.excel import buttons, udfs
runpy.run_path({str(ROOT / "workbooks" / "lite" / "main.py")!r})
book = xw.Book(json=json.loads(open({str(payload)!r}, encoding="utf-8").read()))
outcome = buttons.ageing(book)
added = [a["args"][1] for a in book.json()["actions"] if a["func"] == "addSheet"]
print(json.dumps({{"ok": outcome["ok"], "added": added, "bucket": udfs.daysoverdue([[46000]], 46030)}}))
"""
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["ok"] and found["added"][:2] == ["Ageing", "AgeingSummary"]
    assert found["bucket"] == [[30]]


def vba_modules(path):
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


@pytest.mark.parametrize("name", ["OTC.xlam", "otc_workbook.xlsm"])
def test_built_packages_carry_our_vba_and_ribbon(name):
    import zipfile

    path = ROOT / "workbooks" / name
    modules = vba_modules(path)
    ours = ["OTC_Ribbon"] + (["OTC_SheetButtons"] if name.endswith("xlsm") else [])
    assert {*ours, "ThisWorkbook", "Sheet1", "xlwings", "Dictionary"} <= set(modules)
    for module in ours:
        source = (ROOT / "macros" / f"{module}.bas").read_text()
        subs = re.findall(r"Public Sub (\w+)", source)
        assert subs and all(f"Public Sub {s}" in modules[module] for s in subs)
    assert "'xlwings.xlam'" not in modules["OTC_Ribbon"], "standalone: no call into the xlwings add-in"
    with zipfile.ZipFile(path) as z:
        kind = "addin" if name.endswith("xlam") else "sheet"
        assert f"application/vnd.ms-excel.{kind}.macroEnabled.main+xml".encode() in z.read("[Content_Types].xml")
        if name.endswith("xlam"):
            assert z.read("customUI/customUI14.xml") == (ROOT / "macros" / "customUI14.xml").read_bytes()
        else:  # the OTC tab comes from the add-in only: a second ribbon here would show two OTC tabs
            assert not any(n.startswith("customUI") for n in z.namelist())


@pytest.mark.parametrize("name", ["OTC.xlam", "otc_workbook.xlsm"])
def test_packages_are_standalone_with_xlwings_own_vba(name):
    """xlwings' standalone module (RunPython, XLPy for the formulas) and its Dictionary class are in
    the project, read back as xlwings ships them (as `xlwings quickstart --standalone` embeds them)."""
    from otc_xl.excel.addin import xlwings_vba

    modules = vba_modules(ROOT / "workbooks" / name)
    lines = lambda text: [line.rstrip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    shipped, dictionary = xlwings_vba()
    embedded = lines(modules["xlwings"])
    assert "Public Function RunPython(PythonCommand As String)" in embedded and "Function XLPy()" in embedded
    version = re.search(r"'Version: ([\d.]+)", modules["xlwings"]).group(1)
    import xlwings
    if version == xlwings.__version__:  # the committed package was built with this xlwings
        assert embedded == lines(shipped.read_text(encoding="utf-8"))
    assert 'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"' in modules["Dictionary"]
    assert "Public Sub Add(Key As Variant, Item As Variant)" in modules["Dictionary"]


def test_addin_carries_a_wrapper_for_every_worksheet_function():
    """Formulas work without "Import Functions": OTC_UDFs has one wrapper per @xw.func, each calling
    that very function of otc_xl.excel.udfs with its own arguments, optional ones optional."""
    import inspect

    from otc_xl.excel import udfs

    source = (ROOT / "otc_xl" / "excel" / "udfs.py").read_text()
    functions = re.findall(r"^@xw\.func\b.*\n(?:@.*\n)*def (\w+)\(", source, re.M)
    assert len(functions) == 8
    wrappers = vba_modules(ROOT / "workbooks" / "OTC.xlam")["OTC_UDFs"]
    declared = re.findall(r"^Function (\w+)\(([^)]*)\)", wrappers, re.M)
    assert [name for name, _ in declared] == functions
    for name, args in declared:
        parameters = inspect.signature(getattr(udfs, name)).parameters.values()
        expected = [("Optional " if p.default is not inspect.Parameter.empty else "") + p.name for p in parameters]
        assert [a.strip() for a in args.split(",")] == expected
        calls = re.findall(rf'{name} = XLPy\.CallUDF\("otc_xl\.excel\.udfs", "(\w+)", Array\(([^)]*)\)', wrappers)
        assert calls == [(name, ", ".join(p.name for p in parameters))] * 2  # Excel and the #Else branch
    assert "OTC_SheetButtons" not in vba_modules(ROOT / "workbooks" / "OTC.xlam"), \
        "the button macro Ageing and the formula AGEING would clash in one project"


@needs_uno
@pytest.mark.parametrize("name, procedures", [
    ("OTC.xlam", "OTC_Ribbon.RunOTC,OTC_Ribbon.OTC_Ageing,OTC_UDFs.agebucket,Dictionary.Add"),
    ("otc_workbook.xlsm", "OTC_Ribbon.RunOTC,OTC_SheetButtons.ApplyCash,Dictionary.Add")])
def test_libreoffice_loads_every_vba_module(tmp_path, name, procedures):
    """LibreOffice with its VBA support on (a real VBA-dialect implementation) loads each module of
    the project, the class module included, and finds procedures in our modules. It does not prove
    that Excel compiles them: LibreOffice Basic has no conditional compilation and loads a module
    even when a line does not parse (seen here), so compiling is verified only in Excel itself."""
    found = json.loads(uno(tmp_path, "vba", ROOT / "workbooks" / name, procedures))
    modules = set(vba_modules(ROOT / "workbooks" / name)) - {"ThisWorkbook", "Sheet1"}
    assert modules <= set(found["modules"]["VBAProject"]), found["modules"]
    for item, outcome in found["procedures"].items():
        assert "could not be found" not in outcome, (item, outcome)


def test_sample_workbook_buttons_each_run_an_existing_macro():
    import zipfile

    path = ROOT / "workbooks" / "otc_workbook.xlsm"
    with zipfile.ZipFile(path) as z:
        vml = z.read("xl/drawings/vmlDrawing1.vml").decode()
    assigned = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    subs = re.findall(r"Public Sub (\w+)\(\)\s+RunOTC \"(\w+)\"", vba_modules(path)["OTC_SheetButtons"])
    assert assigned == [macro for macro, _ in subs] and len(assigned) == len(buttons.ACTIONS)
    assert {action for _, action in subs} == set(buttons.ACTIONS)  # each runs an existing Python button


def test_committed_packages_match_a_fresh_build(tmp_path):
    """Same parts, same ribbon, same VBA source, same Dashboard (bytes may differ across library versions)."""
    import zipfile

    from otc_xl.excel.addin import build_all

    for built in build_all(tmp_path):
        committed = ROOT / "workbooks" / built.name
        with zipfile.ZipFile(built) as a, zipfile.ZipFile(committed) as b:
            assert sorted(a.namelist()) == sorted(b.namelist())
            for part in ("customUI/customUI14.xml", "xl/drawings/vmlDrawing1.vml"):
                if part in a.namelist():
                    assert a.read(part) == b.read(part)
        fresh, kept = vba_modules(built), vba_modules(committed)
        if re.search(r"'Version: ([\d.]+)", fresh["xlwings"]).group(1) != re.search(
                r"'Version: ([\d.]+)", kept["xlwings"]).group(1):  # another xlwings here: its own VBA differs
            fresh.pop("xlwings"), kept.pop("xlwings")
        assert fresh == kept, f"{built.name} differs: run python workbooks/generate.py"
        texts = [[html.unescape(t) for t in re.findall(r"<t[^>]*>([^<]*)</t>", "".join(
            zipfile.ZipFile(p).read(n).decode() for n in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml")
            if n in zipfile.ZipFile(p).namelist()))] for p in (built, committed)]
        assert texts[0] == texts[1] and "otc_xl — Order-to-Cash toolkit" in texts[0]


def test_addin_build_and_install_commands(tmp_path):
    from click.testing import CliRunner
    from otc_xl.cli import main

    result = CliRunner().invoke(main, ["addin", "build", "--out-dir", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"OTC.xlam", "otc_workbook.xlsm"}
    target = tmp_path / "xlstart"
    target.mkdir()
    (target / "xlwings.conf").write_text('"INTERPRETER_WIN","C:\\\\Python\\\\python.exe"\n"UDF MODULES","old"\n'
                                         '"SHOW CONSOLE","True"\n')
    result = CliRunner().invoke(main, ["addin", "install", "--addin", str(tmp_path / "out" / "OTC.xlam"),
                                       "--target", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "OTC.xlam").read_bytes() == (tmp_path / "out" / "OTC.xlam").read_bytes()
    # the user's other settings are kept; the interpreter becomes the one otc_xl is installed in
    assert (target / "xlwings.conf").read_text().splitlines() == [
        '"SHOW CONSOLE","True"', '"UDF MODULES","otc_xl.excel.udfs"', f'"INTERPRETER_WIN","{sys.executable}"',
        f'"INTERPRETER_MAC","{sys.executable}"']


@pytest.mark.parametrize("platform, relative, key", [
    ("darwin", "Library/Containers/com.microsoft.Excel/Data/xlwings.conf", "INTERPRETER_MAC"),
    ("win32", ".xlwings/xlwings.conf", "INTERPRETER_WIN")])
def test_install_writes_the_config_where_xlwings_reads_it(tmp_path, monkeypatch, platform, relative, key):
    from otc_xl.excel import addin
    monkeypatch.setattr(addin.Path, "home", classmethod(lambda cls: tmp_path / "home"))
    monkeypatch.setattr(addin, "excel_startup_dir", lambda: tmp_path / "xlstart")
    done = addin.install(platform=platform, interpreter="/venv/bin/python")
    conf = tmp_path / "home" / relative
    assert conf.read_text().splitlines() == ['"UDF MODULES","otc_xl.excel.udfs"', f'"{key}","/venv/bin/python"']
    assert (tmp_path / "xlstart" / "OTC.xlam").read_bytes() == (ROOT / "workbooks" / "OTC.xlam").read_bytes()
    assert str(conf) in done[-1]


def test_shipped_xlwings_conf_has_no_empty_settings_that_would_override_the_users():
    lines = (ROOT / "macros" / "xlwings.conf").read_text().splitlines()
    assert lines and all(not line.endswith(',""') for line in lines)


def test_vba_compression_round_trips_long_repetitive_modules():
    """ms-ovba-compression's copy-token length limit is patched; without it this source reads back garbled."""
    from ms_ovba_compression.ms_ovba import MsOvba
    from oletools.olevba import decompress_stream

    from otc_xl.excel.addin import _fix_copytoken_limit

    _fix_copytoken_limit()
    source = "".join(f'Public Sub OTC_{i}(control As IRibbonControl)\r\n    RunOTC "x{i}"\r\nEnd Sub\r\n\r\n'
                     for i in range(200)).encode()
    assert len(source) > 3 * 4096
    assert bytes(decompress_stream(bytearray(MsOvba().compress(source)))) == source


def test_udf_paymentplan_spills_a_plan_that_sums_exactly():
    result = call("paymentplan", [["1.000,00"]], [[3]], [[46418]], [[None]])  # first instalment 31/01/2027
    assert result[0] == ["instalment", "due_date", "amount", "remaining"]
    assert [row[2] for row in result[1:]] == [333.33, 333.33, 333.34] and result[-1][3] == 0.0
    assert call("paymentplan", [["0,02"]], [[3]], [[46418]], [[None]])[0][0].startswith("#N/A: a balance of 0.02")


def test_reconcile_button_reads_the_pasted_statement_and_writes_the_balance(tmp_path):
    import openpyxl

    from test_reconcile import THEIR_LINES, book as reconcile_book

    path = reconcile_book(tmp_path / "book.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.create_sheet("CustomerAccount")
    ws.append(["Cliente:", "C1"])  # who sent it, above their header, as an associate pastes it
    ws.append(["Fecha", "Asiento", "Documento", "Concepto", "Debe", "Haber"])
    for own, doc, date, amount, text in THEIR_LINES:
        ws.append([date, own, doc, text, -amount if amount < 0 else None, amount if amount > 0 else None])
    wb.save(path)
    book = remote(path)
    outcome = buttons.reconcile(book)
    assert outcome["ok"], outcome
    added = [a["args"][1] for a in actions(book) if a["func"] == "addSheet"]
    assert added == ["Reconciliation", "ReconciliationBalance"]
    balance = next(a["values"] for a in actions(book) if a["func"] == "setValues" and a["values"][0] == ["item", "amount"])
    assert dict(balance[1:])["difference"] == 295.9 and dict(balance[1:])["unexplained"] == 0.0
    assert "not written: save the workbook" in outcome["message"]  # no folder for the reply letter: said so


def test_reconcile_and_refunds_buttons_say_what_is_missing():
    book = remote(DEMO)
    outcome = buttons.reconcile(book)
    assert not outcome["ok"] and "problem" in outcome["message"]
    messages = [a for a in actions(book) if a["func"] == "setValues" and any("CustomerAccount" in str(v)
                                                                            for row in a["values"] for v in row)]
    assert messages, "the otc_messages sheet names the sheet to paste into"
    refunds = remote(DEMO)  # a workbook with no folder (Excel on the web): no file, so no refund is logged
    outcome = buttons.refunds(refunds)
    assert not outcome["ok"]
    assert not [a for a in actions(refunds) if a["func"] == "addSheet" and a["args"][1] == "RefundLog"]


def test_invoice_buttons_prepare_drafts_and_post_only_beside_a_saved_workbook(tmp_path):
    book = remote(DEMO)
    outcome = buttons.prepare_invoices(book)
    assert outcome["ok"], outcome
    assert outcome["sheets"] == ["InvoiceDrafts", "InvoiceLines", "InvoiceVAT", "BillingLog"]
    drafts = next(a["values"] for a in actions(book) if a["func"] == "setValues" and a["values"][0][:3] ==
                  ["draft", "draft_key", "doc_type"])
    ids = [row[3] for row in drafts[1:] if row[3]]
    assert ids == [f"FV-2026-{n:05d}" for n in range(1201, 1201 + len(ids))] and len(ids) == 12  # proposals only
    refused = remote(DEMO)  # Excel on the web: no folder, so nothing may be posted (its documents need one)
    outcome = buttons.post_invoices(refused)
    assert not outcome["ok"]
    assert not [a for a in actions(refused) if a["func"] == "addSheet" and a["args"][1] == "BillingLog"]
    posted = remote(DEMO)
    outcome = buttons.run_action(posted, "post_invoices", files_dir=tmp_path)
    assert outcome["ok"], outcome
    log = next(a["values"] for a in actions(posted) if a["func"] == "setValues" and a["values"][0][:2] ==
               ["invoice_id", "doc_type"])
    assert len({row[0] for row in log[1:]}) == 11 == len(list(tmp_path.glob("FV-2026-*.pdf")))
