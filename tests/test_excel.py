"""The Excel surface, tested without Excel: buttons on xlwings' remote engine, UDFs through the
xlwings Server call path, and the ribbon/VBA sources against the Python functions they call."""

import asyncio
import copy
import html
import io
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
from builders import INVOICE_HEADERS, invoice_row
from conftest import DEMO, ROOT, needs_uno, uno
from otc_xl.excel import buttons, udfs
from otc_xl.excel.payload import book_payload
from otc_xl.matching import MatchConfig, match_payments

INPUT_SHEETS = ["Read me", "Config", "Invoices", "Payments", "Customers", "Orders", "Sales", "Aliases"]
RECORD_SHEETS = ["DunningHistory", "ContactLog", "CreditAllocations", "Refunds", "PaymentPlans", "OrderLines",
                 "InvoiceDrafts"]
"""otc_xl's own records in the demo (history, approvals typed, a plan): rewritten, never lost."""


_DEMO_PAYLOAD: list[dict] = []
"""The shipped demo's payload, read once (openpyxl's full load, ~0.5 s): the demo file never changes."""


def remote(path):
    if Path(path) == DEMO:
        if not _DEMO_PAYLOAD:
            _DEMO_PAYLOAD.append(book_payload(DEMO))
        return xw.Book(json=copy.deepcopy(_DEMO_PAYLOAD[0]))  # each book its own: actions are recorded in it
    return xw.Book(json=book_payload(path))


def actions(book):
    return book.json()["actions"]


def values_written(book, sheet_position):
    return next(a["values"] for a in actions(book)
                if a["func"] == "setValues" and a["sheet_position"] == sheet_position)


@pytest.mark.parametrize("button, sheets", [
    ("apply_cash", ["Applications", "AliasSuggestions", "Unapplied", "Deductions"]),
    ("ageing", ["Ageing", "AgeingSummary", "AgeingDetail", "PivotData", "CreditBalances", "KPIs"]),
    ("unapplied_cash", ["Applications", "AliasSuggestions", "Unapplied"]),
    ("unbilled_revenue", ["Unbilled"]),
    ("kpis", ["KPIs"]),
    ("refresh_all", ["Inputs", "Applications", "AliasSuggestions", "Ageing", "AgeingSummary", "AgeingDetail",
                     "PivotData", "CreditBalances", "Unapplied", "Unbilled", "KPIs", "Dunning", "DunningItems",
                     "Worklist", "Disputes", "DisputeItems", "Deductions", "WriteOffs", "CreditsLeft", "CreditPostings",
                     "LegalCases", "DirectDebits", "DebitLog", "RefundLog", "History", "HistoryBuckets",
                     "TrendDSO", "TrendOverdue", "TrendCEI", "Movements", "DailyCash", "WeeklyAgeing", "WeeklyPromises",
                     "RollForward"]),
    ("worklist", ["Worklist"]),
    ("disputes", ["Disputes", "DisputeItems", "Deductions", "WriteOffs"]),
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
    expected = match_payments(ledger.invoices, ledger.payments, ledger.customers,
                              MatchConfig.from_config(ledger.config))
    written = values_written(book, len(INPUT_SHEETS) + len(RECORD_SHEETS))
    assert written[0] == list(expected.applications.columns)
    assert [(r[0], r[1], r[3]) for r in written[1:]] == list(zip(
        expected.applications["payment_id"], expected.applications["invoice_id"],
        expected.applications["applied_amount"]))


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
    assert funcs.count("sheetClearContents") == 4 and funcs.count("resizeTable") == 4  # with Deductions (#29)


def test_bad_workbook_gets_an_otc_messages_sheet_not_an_exception(make_book):
    row = invoice_row(1)
    row[6] = "1.234,5O"
    book = remote(make_book({"Invoices": [INVOICE_HEADERS, row]}))
    outcome = buttons.ageing(book)
    assert not outcome["ok"] and "see the otc_messages sheet" in outcome["message"]
    assert [a["args"][1] for a in actions(book) if a["func"] == "addSheet"] == ["otc_messages"]
    messages = values_written(book, 1)
    assert messages[0] == ["severity", "where", "message"]
    assert messages[1] == ["error", "Invoices!G2",
                           "amount '1.234,5O' is not a number (expected e.g. 1.234,56 or 1,234.56)"]


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
    unapplied = next(a["values"] for a in actions(book)
                     if a["func"] == "setValues" and a["values"][0][0] == "payment_id"
                     and "remittance" in a["values"][0])
    row = dict(zip(unapplied[0], unapplied[1]))
    assert row["remittance"] == "'=HYPERLINK(\"http://x\",\"y\")" and row["payer_name"] == "'@someone"


def call(name, *args):
    data = {"func_name": name, "args": list(args), "version": xw.__version__, "client": "Office.js", "runtime": "1.4",
            "culture_info_name": "es-ES", "date_format": "dd/mm/yyyy", "caller_address": "Sheet1!A1"}
    return asyncio.run(custom_functions_call(data, udfs))


NA, VALUE = {"type": "Error", "errorType": "NotAvailable"}, {"type": "Error", "errorType": "Value"}
"""What xlwings Lite / Server send back to Excel for ``#N/A`` and ``#VALUE!``: error values, not text."""


def cell_error(text):
    """An error cell as Office.js passes it to a custom function."""
    return {"type": "Error", "basicValue": text, "errorType": "NotAvailable" if text == "#N/A" else "Value"}


def test_udf_agebucket_and_daysoverdue():
    due = [[46300], [46356], [46357], [46387], [""]]  # 05/10, 30/11, 01/12, 31/12/2026; blank
    assert call("agebucket", due, [[46387]]) == [["61-90"], ["31-60"], ["1-30"], ["Current"], [""]]
    assert call("agebucket", [[46300]], [[46387]], [[15], [45]]) == [["Over 45"]]
    assert call("daysoverdue", [[46300], ["31/12/2026"]], [[46387]]) == [[87], [0]]
    assert call("daysoverdue", [["31/02/2026"]], [[46387]]) == [[VALUE]]  # an impossible date: #VALUE!


def test_udf_findinvoices_matchscore_bestcustomer():
    ids = [["INV-2026-00451"], ["INV-2026-00452"]]
    assert call("findinvoices", [["Fra. 26/00451 y 2026/00452"], ["nada"]], ids) == [
        ["INV-2026-00451; INV-2026-00452"], [NA]]
    assert call("matchscore", [["ORDENANTE: TALLERES GARCIA SL"]], [["Talleres García, S.L."]]) == [[100.0]]
    assert call("bestcustomer", [["VIR SEPA BOULANGERIE DUPONT"], [""]],
                [["Garage Martin SA"], ["Boulangerie Dupont SARL"]]) \
        == [["Boulangerie Dupont SARL", 100.0], ["", ""]]
    assert call("bestcustomer", [["Dupont"]], [[""]]) == [[NA, NA]]


def test_udf_whole_numbers_from_excel_match_invoice_numbers():
    """Excel hands every number over as a float: invoice 4500123 arrives as 4500123.0, in the id range
    and in a remittance typed as a number; both are read as Excel shows them."""
    ids = [[4500123.0], [4500124.0], ["INV-2026-00451"]]
    assert call("findinvoices", [["Pago fra 4500123"], [4500124.0], ["factura 4500125"]], ids) == [
        ["4500123"], ["4500124"], [NA]]
    assert udfs.findinvoices([["pago 4500123"]], [[4500123.0]]) == [["4500123"]]
    assert call("bestcustomer", [["4711"]], [[4711.0], ["Garage Martin SA"]]) == [["4711", 100.0]]


def test_udf_errors_are_excel_error_values_and_error_cells_pass_through():
    """ISNA/IFERROR must see the errors: xlwings turns the exact error texts into error values (here:
    Office.js's error type; the OTC add-in's wrappers do it with CVErr on Windows). An input cell
    that shows an error gives that error, never a blank or a number."""
    ids = [["INV-2026-00451"], [cell_error("#REF!")], [""]]  # an error among the ids is skipped, as MATCH does
    assert call("findinvoices", [["26/00451"], [cell_error("#N/A")], [""], ["nada"]], ids) == [
        ["INV-2026-00451"], [NA], [""], [NA]]
    assert call("daysoverdue", [[cell_error("#DIV/0!")], [46300]], [[46387]]) == [
        [{"type": "Error", "errorType": "Div0"}], [87]]
    assert call("agebucket", [[46300]], [[cell_error("#N/A")]], [[None]]) == [[NA]]  # as_of an error: passed on
    assert call("normalize_amount", [["1.234,5O"], [cell_error("#VALUE!")], ["12,50"]], [[None]]) == [
        [VALUE], [VALUE], [12.5]]
    assert call("matchscore", [[cell_error("#N/A")], ["Talleres Garcia"]], [["Talleres García, S.L."]]) == [
        [NA], [100.0]]
    assert call("paymentplan", [[cell_error("#N/A")]], [[3]], [[46418]], [[None]]) == [[NA]]
    assert call("ageing", [["x"]], [[46387]], [[None]]) == [[VALUE]]
    for value in ("#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!"):  # every one xlwings maps
        assert isinstance(call("daysoverdue", [[cell_error(value)]], [[46387]])[0][0], dict), value


def test_udf_findinvoices_builds_its_index_once_per_id_range(monkeypatch):
    """A column of FINDINVOICES formulas over the same id range builds the reference index once (it
    was built for every formula before: milliseconds each with 2,000 ids, see the README's benchmark
    of benchmarks/excel/bench_udfs.py), and again when the range's content changes."""
    built = []
    real = udfs.ReferenceIndex
    monkeypatch.setattr(udfs, "ReferenceIndex", lambda frame: built.append(len(frame)) or real(frame))
    udfs._reference_index.cache_clear()
    ids = [[f"INV-2026-{i:05d}"] for i in range(1, 2001)]
    found = [udfs.findinvoices([[f"Pago factura 26/{i:05d}"]], ids) for i in range(1, 1001)]
    assert found[0] == [["INV-2026-00001"]] and found[-1] == [["INV-2026-01000"]]
    assert built == [2000]
    ids[0] = ["INV-2026-09999"]  # the id range changed: a new index, which finds the new id
    assert udfs.findinvoices([["Pago 26/09999"]], ids) == [["INV-2026-09999"]] and built == [2000, 2000]


def test_udf_help_says_which_results_spill_and_need_excel_365():
    for name in ("agebucket", "daysoverdue", "findinvoices", "matchscore", "bestcustomer", "ageing",
                 "normalize_amount", "paymentplan"):
        doc = getattr(udfs, name).__doc__
        assert "spill" in doc and "Excel 365/2021" in doc, name


def test_udf_normalize_amount_and_ageing():
    assert call("normalize_amount", [["1.234,56"], ["(100.00)"], ["100-"], ["1.234,5O"]], [[None]]) == [
        [1234.56], [-100.0], [-100.0], [VALUE]]
    assert call("normalize_amount", [["1.234"]], [["en"]]) == [[1.234]]
    table = [["Invoice No.", "Customer No.", "Invoice date", "Due date", "Amount"], ["F1", "C1", 46300, 46330, 100.0],
             ["F2", "C1", 46300, 46380, 50.0]]
    result = call("ageing", table, [[46387]], [[None]])
    assert result[0] == ["customer_id", "customer_name", "currency", "Current", "1-30", "31-60", "61-90", "91-120",
                         "Over 120", "Total"]
    assert result[1] == ["C1", "", "EUR", 0.0, 50.0, 100.0, 0.0, 0.0, 0.0, 150.0]
    assert call("ageing", [["x"]], [[46387]], [[None]]) == [[VALUE]]


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


def _requirements():
    import tomllib

    from packaging.requirements import Requirement

    return [Requirement(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]


PYODIDE = {"sys_platform": "emscripten", "platform_system": "Emscripten", "platform_machine": "wasm32"}


def test_pyodide_installs_skip_the_native_dependencies():
    requirements = _requirements()
    def wanted(env):
        return {r.name for r in requirements if r.marker is None or r.marker.evaluate(env)}
    assert {r.name for r in requirements} - wanted(PYODIDE) == {"python-calamine", "ms-ovba", "factur-x", "a38",
                                                                "facturae", "signxml", "fpdf2", "uharfbuzz"}
    assert {r.name for r in requirements} == wanted({})  # this machine installs them all
    xlwings = {str(r.specifier): r.marker.evaluate(PYODIDE) for r in requirements if r.name == "xlwings"}
    assert xlwings == {f"=={xw.__version__}": False, ">=0.33": True}  # Lite keeps the xlwings it brings


def test_lite_requirements_name_otc_xl_and_every_package_main_imports():
    """main.py imports otc_xl and xlwings: requirements.txt must install both (it lacked otc_xl), otc_xl at
    the version main.py was written for."""
    import ast

    from packaging.requirements import Requirement

    lines = [line.strip() for line in (ROOT / "workbooks" / "lite" / "requirements.txt").read_text().splitlines()]
    listed = {Requirement(line).name.replace("-", "_"): Requirement(line) for line in lines
              if line and not line.startswith("#")}
    tree = ast.parse((ROOT / "workbooks" / "lite" / "main.py").read_text())
    imported = {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imported == {"xlwings", "otc_xl"} and imported <= set(listed)
    assert str(listed["otc_xl"].specifier) == f"=={otc_xl.__version__}"
    assert not listed["xlwings"].specifier  # the one xlwings Lite brings


def test_lite_functions_are_named_in_the_otc_namespace_by_the_module():
    """No namespace to set by hand: xlwings registers otc_xl's functions as OTC.<NAME> from
    __xlwings_func_namespace__, also when main.py imports them."""
    import types

    from xlwings.pro.udfs_officejs import custom_functions_meta

    main = types.ModuleType("main")
    main.__dict__.update(runpy.run_path(str(ROOT / "workbooks" / "lite" / "main.py")))
    names = {f["name"] for f in custom_functions_meta(main)["functions"]}
    assert names == {f"OTC.{n.upper()}" for n in udfs.__all__}


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


def lines_of(code):
    return [line.rstrip() for line in code.replace("\r\n", "\n").split("\n")]


def procedure(code, name):
    """The lines of Sub/Function ``name`` in ``code`` (one ``preprocess``-ed platform, or all branches)."""
    lines = lines_of(code)
    start = next(i for i, line in enumerate(lines)
                 if re.match(rf"^(?:(?:Public|Private)\s+)?(?:Sub|Function) {name}\(", line))
    end = next(i for i in range(start, len(lines)) if re.match(r"^End (?:Sub|Function)$", lines[i]))
    return [line.strip() for line in lines[start:end + 1] if line.strip()]


ADDIN, WORKBOOK = ROOT / "workbooks" / "OTC.xlam", ROOT / "workbooks" / "otc_workbook.xlsm"


@pytest.fixture(scope="module")
def shipped_vba():
    return {path.name: vba_modules(path) for path in (ADDIN, WORKBOOK)}


@pytest.mark.parametrize("name", ["OTC.xlam", "otc_workbook.xlsm"])
def test_built_packages_carry_our_vba_and_ribbon(name, shipped_vba):
    import zipfile

    path = ROOT / "workbooks" / name
    modules = shipped_vba[name]
    ours = ["OTC_Ribbon"] + (["OTC_SheetButtons"] if name.endswith("xlsm") else ["OTC_UDFs"])
    assert set(modules) == {*ours, "ThisWorkbook", "Sheet1", "xlwings", "Dictionary"}
    for module in ours:
        if module == "OTC_UDFs":
            continue
        source = (ROOT / "macros" / f"{module}.bas").read_text()
        assert lines_of(modules[module].rstrip("\r\n")) == lines_of(source.rstrip("\n")), module
    assert "'xlwings.xlam'" not in modules["OTC_Ribbon"], "standalone: no call into the xlwings add-in"
    with zipfile.ZipFile(path) as z:
        kind = "addin" if name.endswith("xlam") else "sheet"
        assert f"application/vnd.ms-excel.{kind}.macroEnabled.main+xml".encode() in z.read("[Content_Types].xml")
        if name.endswith("xlam"):
            assert z.read("customUI/customUI14.xml") == (ROOT / "macros" / "customUI14.xml").read_bytes()
        else:  # the OTC tab comes from the add-in only: a second ribbon here would show two OTC tabs
            assert not any(n.startswith("customUI") for n in z.namelist())


@pytest.mark.parametrize("name, variant, their_project", [("OTC.xlam", "xlwings_custom_addin.bas", "myaddin"),
                                                          ("otc_workbook.xlsm", "xlwings.bas", "xlwings")])
def test_packages_embed_xlwings_own_module_for_their_kind(name, variant, their_project, shipped_vba):
    """Line for line the installed xlwings' module: in the add-in its variant for add-ins (what
    `xlwings quickstart --addin` ships), in the workbook its standalone one; the one line changed is
    PROJECT_NAME, so both read otc_xl.conf and not the xlwings.conf of every other xlwings workbook."""
    import difflib

    from otc_xl.excel.xlwings_vba import dictionary_class, xlwings_dir

    theirs = lines_of((xlwings_dir() / variant).read_text(encoding="utf-8").rstrip("\n"))
    ours = lines_of(shipped_vba[name]["xlwings"].rstrip("\r\n"))
    changed = [line for line in difflib.ndiff(theirs, ours) if line[:2] in ("- ", "+ ")]
    assert changed == [f'- Public Const PROJECT_NAME As String = "{their_project}"',
                       '+ Public Const PROJECT_NAME As String = "otc_xl"']
    dictionary = shipped_vba[name]["Dictionary"]
    assert 'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"' in dictionary
    def code(text):
        return [line for line in lines_of(text)
                if line and not line.startswith(("Attribute ", "VERSION", "BEGIN", "  MultiUse", "END"))]
    assert code(dictionary) == code(dictionary_class().read_text(encoding="utf-8"))


@pytest.mark.parametrize("name, book", [("OTC.xlam", "ActiveWorkbook"), ("otc_workbook.xlsm", "ThisWorkbook")])
def test_runpython_hands_python_the_associates_workbook(name, book, shipped_vba):
    """The add-in's RunPython names the *active* workbook to Python — Windows: `--wb=` on the command
    line and BOOK_CALLER for the UDF server, both read by xw.Book.caller(); macOS: the workbook name the
    AppleScript passes as --wb= — never the add-in itself (ThisWorkbook), which it did with the
    standalone module. The sample workbook's buttons name the workbook itself."""
    from vba_grammar import MAC, WIN64, preprocess

    other = {"ActiveWorkbook", "ThisWorkbook"} - {book}
    code = shipped_vba[name]["xlwings"]
    windows = procedure(preprocess(code, WIN64), "RunPython") + procedure(preprocess(code, WIN64), "ExecuteWindows")
    assert f'XLPy.SetAttr XLPy.Module("xlwings._xlwindows"), "BOOK_CALLER", {book}' in windows
    command = next(line for line in windows if '" --wb="' in line)
    assert command.startswith(f'" --wb=" & """" & {book}.Name & """ --from_xl=1"')
    mac = procedure(preprocess(code, MAC), "ExecuteMac")
    passed = [line for line in mac if line.startswith('ParameterString = ParameterString + "|" + ') and "Name" in line]
    assert passed == [f'ParameterString = ParameterString + "|" + {book}.Name']
    for other_book in other:
        assert not any(f"{other_book}.Name" in line for line in windows + mac)


def test_ribbon_buttons_say_so_when_no_workbook_is_open(shipped_vba):
    """RunOTC checks for an active workbook before RunPython (none open, or one in Protected View) and
    tells the associate what to do instead of starting Python on nothing."""
    run = procedure(shipped_vba["OTC.xlam"]["OTC_Ribbon"], "RunOTC")
    guard = run.index("If ActiveWorkbook Is Nothing Then")
    end_if = run.index("End If", guard)
    assert run[guard + 1].startswith('MsgBox "Open the workbook with your tables') and "Exit Sub" in run[guard:end_if]
    assert any("Protected View" in line for line in run[guard:end_if])
    assert run[end_if + 1] == 'RunPython "import otc_xl.excel.buttons as b; b." & action & "()"'


def test_addin_formulas_are_xlwings_own_wrappers_with_two_edits_each(shipped_vba):
    """OTC_UDFs is xlwings' own `generate_vba_wrapper` output (what Import Functions writes for an
    add-in) for otc_xl.excel.udfs, diffed line for line here; the only differences are, per
    function, the macOS guard (4 lines after the signature) and OTC_Result around the Excel call."""
    import difflib

    from otc_xl.excel.udf_vba import WINDOWS_ONLY, classic_udf_module, classic_xlwings_udfs

    class AddinBook:
        Name = "OTC.xlam"

    generated = io.StringIO()
    classic_xlwings_udfs().generate_vba_wrapper("otc_xl.excel.udfs", classic_udf_module(), generated, AddinBook)
    theirs = lines_of(generated.getvalue().rstrip("\n"))
    shipped = lines_of(shipped_vba["OTC.xlam"]["OTC_UDFs"])
    ours = shipped[shipped.index(theirs[0]):shipped.index(theirs[0]) + len(theirs) + 4 * len(udfs.__all__)]
    added, removed = [], []
    for line in difflib.ndiff(theirs, ours):
        if line.startswith("+ "):
            added.append(line[2:])
        elif line.startswith("- "):
            removed.append(line[2:])
    calls = [line for line in theirs if "ActiveWorkbook, Application.Caller)" in line]
    assert len(calls) == len(udfs.__all__) == 8 and removed == calls
    names = [re.match(r"^Function (\w+)\(", line).group(1) for line in theirs if line.startswith("Function ")]
    assert names == sorted(udfs.__all__)
    expected = []
    for name, call in zip(names, calls):
        expected += ["    #If Mac Then", f'        {name} = "{WINDOWS_ONLY}"', "        Exit Function", "    #End If",
                     call.replace(f"{name} = XLPy.CallUDF(", f"{name} = OTC_Result(XLPy.CallUDF(") + ")"]
    assert added == expected
    assert ours[-1] == "End Function" and shipped[len(ours) + shipped.index(theirs[0])] == ""


def test_classic_decorations_match_the_functions():
    """The wrappers are generated from the functions as classic xlwings decorates them (on any OS, by
    running the module with xlwings' own classic decorators): same names, arguments (optional where
    Python has a default), descriptions and options as xlwings Lite/Server read from the module."""
    import inspect

    from otc_xl.excel.udf_vba import classic_udf_module

    classic = classic_udf_module()
    for name in udfs.__all__:
        desk, server = getattr(classic, name).__xlfunc__, getattr(udfs, name).__xlfunc__
        parameters = list(inspect.signature(getattr(udfs, name)).parameters.values())
        assert desk["name"] == name and not desk["volatile"] and desk["call_in_wizard"] and desk["category"] == "otc_xl"
        assert [a["name"] for a in desk["args"]] == [p.name for p in parameters] == [a["name"] for a in server["args"]]
        assert [("optional" in a) for a in desk["args"]] == [p.default is not inspect.Parameter.empty
                                                               for p in parameters]
        assert [a["doc"] for a in desk["args"]] == [a["doc"] for a in server["args"]]
        assert [a["options"] for a in desk["args"]] == [a["options"] for a in server["args"]]
        assert desk["ret"]["doc"] == server["ret"]["doc"] and not any(a["vba"] for a in desk["args"])


def test_addin_formulas_say_windows_only_on_macos(shipped_vba):
    """Classic xlwings has no worksheet functions on macOS (its DLL is Windows'): there each wrapper
    returns a message before anything calls KERNEL32; on Windows the guard compiles away."""
    from otc_xl.excel.udf_vba import WINDOWS_ONLY
    from vba_grammar import MAC, WIN64, preprocess

    code = shipped_vba["OTC.xlam"]["OTC_UDFs"]
    for name in udfs.__all__:
        mac, windows = procedure(preprocess(code, MAC), name), procedure(preprocess(code, WIN64), name)
        assert mac[1:3] == [f'{name} = "{WINDOWS_ONLY}"', "Exit Function"], mac
        assert not any(WINDOWS_ONLY in line for line in windows)
        assert any(line.startswith(f"{name} = OTC_Result(XLPy.CallUDF(") for line in windows)


def test_addin_turns_error_texts_into_error_values_and_notes_legacy_spills(shipped_vba):
    """OTC_Result (macros/OTC_UDFs.vba) maps each error text xlwings maps in Lite to its CVErr code, and,
    where Excel has no dynamic arrays (xlwings' has_dynamic_array), gives a single cell the first value
    and a note. Checked on the source: VBA does not run here."""
    code = shipped_vba["OTC.xlam"]["OTC_UDFs"]
    cell = procedure(code, "OTC_Cell")
    codes = dict(zip([re.search(r'Case "(.*)"', line).group(1) for line in cell if line.startswith("Case ")],
                     [int(re.search(r"CVErr\((\d+)\)", line).group(1)) for line in cell if "CVErr(" in line]))
    assert codes == {"#N/A": 2042, "#VALUE!": 2015, "#REF!": 2023, "#DIV/0!": 2007, "#NUM!": 2036, "#NAME?": 2029,
                     "#NULL!": 2000}  # Microsoft's xlCVError values
    assert set(codes) == udfs.CELL_ERRORS
    assert "If has_dynamic_array() Then" in procedure(code, "OTC_Spills")
    result = "\n".join(procedure(code, "OTC_Result"))
    assert "Application.Caller.Cells.Count = 1 And Not OTC_Spills()" in result and "Ctrl+Shift+Enter" in result
    assert "Function has_dynamic_array() As Boolean" in shipped_vba["OTC.xlam"]["xlwings"]


def test_addin_registers_function_wizard_descriptions_when_it_opens(shipped_vba):
    """The MacroOptions path of xlwings' Import Functions, run by the add-in's Workbook_Open: each
    function's description (its docstring) and its arguments' (doc=), in the category otc_xl."""
    modules = shipped_vba["OTC.xlam"]
    assert procedure(modules["ThisWorkbook"], "Workbook_Open")[1].startswith("OTC_RegisterFunctions")
    register = "\n".join(procedure(modules["OTC_UDFs"], "OTC_RegisterFunctions")).replace(" _\n", " ")
    found = re.findall(r"Application\.MacroOptions Macro:=\"'\" & ThisWorkbook\.Name & \"'!(\w+)\", "
                       r"Description:=\"(.*?)\", Category:=\"otc_xl\", ArgumentDescriptions:=Array\((.*?)\)\n",
                       register)
    assert [name for name, _, _ in found] == sorted(udfs.__all__)
    for name, description, arguments in found:
        function = getattr(udfs, name)
        assert description == " ".join(function.__doc__.split())[:255]
        assert re.findall(r'"((?:[^"]|"")*)"', arguments) == [a["doc"] for a in function.__xlfunc__["args"]]


def test_shipped_packages_embed_the_pinned_xlwings():
    """pyproject pins xlwings to the version whose VBA both shipped packages embed: the DLL names of its
    Declares and the AppleScript its RunPython calls on macOS exist only in that version."""
    from otc_xl.excel.addin import built_with

    pinned = {str(r.specifier) for r in _requirements() if r.name == "xlwings" and r.marker.evaluate({})}
    assert pinned == {f"=={xw.__version__}"}
    for path in (ADDIN, WORKBOOK):
        code = vba_modules(path)["xlwings"]
        assert f'Public Const XLWINGS_VERSION As String = "{xw.__version__}"' in code
        dlls = set(re.findall(r'"(xlwings(?:32|64)-[\d.]+\.dll)"', code))
        assert dlls == {f"xlwings32-{xw.__version__}.dll", f"xlwings64-{xw.__version__}.dll"}
        assert 'AppleScriptTask("xlwings-" & XLWINGS_VERSION & ".applescript"' in code
        assert built_with(path) == xw.__version__


def package_texts(path):
    import zipfile

    with zipfile.ZipFile(path) as z:
        parts = [z.read(n).decode() for n in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml") if n in z.namelist()]
    return [html.unescape(t) for t in re.findall(r"<t[^>]*>([^<]*)</t>", "".join(parts))]


def test_package_texts_no_longer_ask_for_the_xlwings_addin():
    for path in (ADDIN, WORKBOOK):
        text = " ".join(package_texts(path))
        assert "xlwings addin install" not in text and "and the xlwings add-in" not in text
    assert "the xlwings add-in is not needed" in " ".join(package_texts(WORKBOOK))


def test_help_button_opens_the_addins_help_sheet(shipped_vba):
    """The Help button copies the add-in's Help sheet into a new workbook (it opened a PyPI page that
    does not exist): the sheet names every ribbon button and every formula."""
    import zipfile

    from defusedxml.ElementTree import fromstring

    ribbon = shipped_vba["OTC.xlam"]["OTC_Ribbon"]
    assert 'ThisWorkbook.Worksheets("Help").Copy' in procedure(ribbon, "OTC_Help") and "http" not in ribbon.lower()
    with zipfile.ZipFile(ADDIN) as z:
        assert b'name="Help"' in z.read("xl/workbook.xml")
    text = "\n".join(package_texts(ADDIN))
    labels = [e.get("label") for e in fromstring((ROOT / "macros" / "customUI14.xml").read_bytes()).iter()
              if e.get("onAction")]
    assert labels and all(f"  {label}: " in text for label in labels)
    assert all(f"={name.upper()}(" in text for name in udfs.__all__)


@needs_uno
@pytest.mark.parametrize("name, procedures", [
    ("OTC.xlam", "OTC_Ribbon.RunOTC,OTC_Ribbon.OTC_Ageing,OTC_UDFs.agebucket,Dictionary.Add"),
    ("otc_workbook.xlsm", "OTC_Ribbon.RunOTC,OTC_SheetButtons.ApplyCash,Dictionary.Add")])
def test_libreoffice_loads_every_vba_module(tmp_path, name, procedures):
    """LibreOffice with its VBA support on (a real VBA-dialect implementation) loads each module of
    the project, the class module included, and finds procedures in our modules. It does not prove
    that Excel compiles them: LibreOffice Basic has no conditional compilation and loads a module
    even when a line does not parse (seen here); tests/test_vba_grammar.py parses them."""
    found = json.loads(uno(tmp_path, "vba", ROOT / "workbooks" / name, procedures))
    modules = set(vba_modules(ROOT / "workbooks" / name)) - {"ThisWorkbook", "Sheet1"}
    assert modules <= set(found["modules"]["VBAProject"]), found["modules"]
    for item, outcome in found["procedures"].items():
        assert "could not be found" not in outcome, (item, outcome)


def test_sample_workbook_buttons_each_run_an_existing_macro():
    import zipfile

    from otc_xl.excel.macro_sources import button_captions

    with zipfile.ZipFile(WORKBOOK) as z:
        vml = z.read("xl/drawings/vmlDrawing1.vml").decode()
    assigned = re.findall(r"<x:FmlaMacro>\[0\]!(\w+)</x:FmlaMacro>", vml)
    subs = re.findall(r"Public Sub (\w+)\(\)\s+RunOTC \"(\w+)\"", vba_modules(WORKBOOK)["OTC_SheetButtons"])
    assert assigned == [macro for macro, _ in subs] and len(assigned) == len(buttons.ACTIONS)
    assert {action for _, action in subs} == set(buttons.ACTIONS)  # each runs an existing Python button
    captions = [html.unescape(c) for c in re.findall(r"<font[^>]*>([^<]*)</font>", vml)]
    assert captions == [button_captions()[action] for _, action in subs]  # as on the ribbon
    assert "KPIs" in captions and "Kpis" not in captions


@pytest.fixture(scope="module")
def addin_build(tmp_path_factory):
    """``otc-xl addin build`` run once for the module: (its result, the folder it wrote)."""
    from click.testing import CliRunner

    from otc_xl.cli import main

    out = tmp_path_factory.mktemp("addin") / "out"
    return CliRunner().invoke(main, ["addin", "build", "--out-dir", str(out)]), out


@pytest.fixture
def built_once(addin_build, monkeypatch):
    """``install`` without ``--addin`` builds OTC.xlam (~4 s): here it copies the module's build, the
    same bytes (test_committed_packages_match_a_fresh_build checks that build)."""
    import shutil

    from otc_xl.excel import addin

    real = addin.build_package

    def build_package(target, kind="xlam", macros_dir=None):
        if kind != "xlam" or macros_dir is not None:
            return real(target, kind, macros_dir)
        shutil.copyfile(addin_build[1] / "OTC.xlam", target)
        return Path(target)
    monkeypatch.setattr(addin, "build_package", build_package)


def test_committed_packages_match_a_fresh_build(addin_build):
    """Same parts, same ribbon, same VBA source, same sheet texts (bytes may differ across library versions)."""
    import zipfile

    result, out = addin_build
    assert result.exit_code == 0, result.output
    for built in sorted(out.iterdir()):
        committed = ROOT / "workbooks" / built.name
        with zipfile.ZipFile(built) as a, zipfile.ZipFile(committed) as b:
            assert sorted(a.namelist()) == sorted(b.namelist())
            for part in ("customUI/customUI14.xml", "xl/drawings/vmlDrawing1.vml", "docProps/core.xml"):
                if part in a.namelist():
                    assert a.read(part) == b.read(part)
        assert vba_modules(built) == vba_modules(committed), f"{built.name} differs: run python workbooks/generate.py"
        texts = [package_texts(p) for p in (built, committed)]
        assert texts[0] == texts[1] and any(t.startswith("otc_xl") for t in texts[0])


def test_addin_build_and_install_commands(tmp_path, addin_build):
    from click.testing import CliRunner

    from otc_xl.cli import main

    result, out = addin_build
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"OTC.xlam", "otc_workbook.xlsm"}
    target = tmp_path / "xlstart"
    target.mkdir()
    (target / "otc_xl.conf").write_bytes(b'"INTERPRETER_WIN","C:\\\\Python\\\\python.exe"\n"SHOW CONSOLE","True"\n'
                                         b'"PYTHONPATH","D:\\\\Caf\xe9"\n')  # a line in cp1252: kept as it is
    result = CliRunner().invoke(main, ["addin", "install", "--addin", str(out / "OTC.xlam"),
                                       "--target", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "OTC.xlam").read_bytes() == (out / "OTC.xlam").read_bytes()
    # the user's other settings are kept; the interpreter becomes the one otc_xl is installed in
    assert (target / "otc_xl.conf").read_bytes().split(b"\n") == [
        b'"SHOW CONSOLE","True"', b'"PYTHONPATH","D:\\\\Caf\xe9"', f'"INTERPRETER_WIN","{sys.executable}"'.encode(),
        f'"INTERPRETER_MAC","{sys.executable}"'.encode(), b""]
    assert (target / f"xlwings-{xw.__version__}.applescript").exists()  # for a Mac
    assert sorted(p.name for p in target.iterdir()) == sorted(["OTC.xlam", "otc_xl.conf",
                                                                f"xlwings-{xw.__version__}.applescript"])


XLWINGS_CONF = b'"INTERPRETER_WIN","C:\\\\Anaconda\\\\python.exe"\r\n"UDF MODULES","their_module"\r\n'
"""Another xlwings user's global settings: otc_xl must leave them as they are."""


@pytest.mark.parametrize("platform, relative, key, newline", [
    ("darwin", "Library/Containers/com.microsoft.Excel/Data/otc_xl.conf", "INTERPRETER_MAC", "\n"),
    ("win32", ".otc_xl/otc_xl.conf", "INTERPRETER_WIN", "\r\n")])
@pytest.mark.usefixtures("built_once")
def test_install_writes_the_addins_own_settings_and_leaves_xlwings_conf_alone(tmp_path, monkeypatch, platform,
                                                                              relative, key, newline):
    from otc_xl.excel import addin_install

    home = tmp_path / "home"
    monkeypatch.setattr(addin_install, "excel_startup_dir", lambda: tmp_path / "xlstart")
    xlwings_conf = home / ({"darwin": "Library/Containers/com.microsoft.Excel/Data", "win32": ".xlwings"}[platform]) \
        / "xlwings.conf"
    xlwings_conf.parent.mkdir(parents=True)
    xlwings_conf.write_bytes(XLWINGS_CONF)
    done = addin_install.install(platform=platform, interpreter="/venv/bin/python", home=home)
    conf = home / relative
    assert conf.read_bytes().decode() == f'"{key}","/venv/bin/python"{newline}'
    assert xlwings_conf.read_bytes() == XLWINGS_CONF
    assert (tmp_path / "xlstart" / "OTC.xlam").exists() and str(conf) in done[1]
    # where the embedded VBA looks: GetConfigFilePath with PROJECT_NAME otc_xl
    code = vba_modules(tmp_path / "xlstart" / "OTC.xlam")["xlwings"]
    assert 'GetConfigFilePath = Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in code
    assert 'GetConfigFilePath = GetMacDir("$HOME", False) & "/" & PROJECT_NAME & ".conf"' in code
    assert 'Public Const PROJECT_NAME As String = "otc_xl"' in code


@pytest.mark.usefixtures("built_once")
def test_install_on_macos_enables_runpython_with_xlwings_applescript(tmp_path, monkeypatch):
    """As `xlwings runpython install`: the AppleScript file of the installed xlwings into Excel's
    script folder, under the very name the installed add-in's RunPython asks AppleScriptTask for."""
    from otc_xl.excel import addin_install

    home = tmp_path / "home"
    monkeypatch.setattr(addin_install, "excel_startup_dir", lambda: tmp_path / "Startup.localized" / "Excel")
    done = addin_install.install(platform="darwin", interpreter="/Users/jose/venv/bin/python", home=home)
    code = vba_modules(tmp_path / "Startup.localized" / "Excel" / "OTC.xlam")["xlwings"]
    version = re.search(r'Public Const XLWINGS_VERSION As String = "([^"]+)"', code).group(1)
    assert 'AppleScriptTask("xlwings-" & XLWINGS_VERSION & ".applescript", "VbaHandler", ParameterString)' in code
    script = home / "Library" / "Application Scripts" / "com.microsoft.Excel" / f"xlwings-{version}.applescript"
    assert script.read_bytes() == (Path(xw.__file__).parent / f"xlwings-{xw.__version__}.applescript").read_bytes()
    assert "xlwings runpython install" in done[-1]


@pytest.mark.usefixtures("built_once")
def test_install_writes_a_non_ascii_interpreter_path_as_vba_reads_it(tmp_path):
    """Windows VBA reads the settings file in the ANSI code page (cp1252 in Western Europe): a profile
    like C:\\Users\\José must be written in it, not in UTF-8 (which VBA would read as JosÃ©)."""
    import csv

    from otc_xl.excel.addin_install import install

    python = "C:\\Users\\José\\venv\\Scripts\\python.exe"
    install(target=tmp_path, platform="win32", interpreter=python)
    raw = (tmp_path / "otc_xl.conf").read_bytes()
    assert b"Jos\xe9" in raw and "é".encode() not in raw and raw.endswith(b"\r\n")
    # what xlwings' GetConfigFromFile gets: "KEY","VALUE" pairs (Input #) decoded in the ANSI code page
    assert dict(csv.reader(raw.decode("cp1252").splitlines())) == {"INTERPRETER_WIN": python}


def test_install_refuses_a_path_the_code_page_cannot_hold(tmp_path):
    from otc_xl.excel import addin_install

    with pytest.raises(otc_xl.ValidationError) as error:
        addin_install.install(target=tmp_path, platform="win32",
                              interpreter="C:\\Users\\Łukasz\\venv\\Scripts\\python.exe")
    assert "(Ł)" in str(error.value) and "cp1252" in str(error.value)
    assert list(tmp_path.iterdir()) == []  # checked before anything is written


@pytest.mark.usefixtures("built_once")
def test_reinstall_while_excel_holds_the_addin_says_to_quit_excel(tmp_path, monkeypatch):
    """Windows locks an add-in Excel has open: the rename over it fails. The command says to quit Excel,
    the installed add-in stays as it was and no temporary file is left in the start-up folder."""
    from click.testing import CliRunner

    from otc_xl.cli import main
    from otc_xl.excel import addin_install

    target = tmp_path / "xlstart"
    target.mkdir()
    (target / "OTC.xlam").write_bytes(b"the add-in Excel has open")
    real = os.replace

    def locked(source, destination):
        if Path(destination).name == "OTC.xlam":
            raise PermissionError(13, "The process cannot access the file because it is being used by another process")
        return real(source, destination)
    monkeypatch.setattr(addin_install.os, "replace", locked)
    result = CliRunner().invoke(main, ["addin", "install", "--target", str(target)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    message = " ".join(result.output.split())
    assert "is open in Excel" in message and "quit Excel" in message and "was not changed" in message
    assert (target / "OTC.xlam").read_bytes() == b"the add-in Excel has open"
    assert [p.name for p in target.iterdir()] == ["OTC.xlam"]


def test_install_refuses_an_addin_built_for_another_xlwings(tmp_path):
    import zipfile

    from click.testing import CliRunner

    from otc_xl.cli import main

    other = tmp_path / "OTC.xlam"
    with zipfile.ZipFile(ADDIN) as source, zipfile.ZipFile(other, "w") as copy:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "docProps/core.xml":
                data = data.replace(f"xlwings {xw.__version__}".encode(), b"xlwings 0.30.0")
            copy.writestr(item, data)
    result = CliRunner().invoke(main, ["addin", "install", "--addin", str(other), "--target", str(tmp_path / "t")])
    assert result.exit_code == 1
    assert "built with the VBA of xlwings 0.30.0" in " ".join(result.output.split())
    assert not (tmp_path / "t").exists()


def test_vba_compression_round_trips_long_repetitive_modules():
    """ms-ovba-compression's copy-token length limit is patched; without it this source reads back garbled."""
    from ms_ovba_compression.ms_ovba import MsOvba
    from oletools.olevba import decompress_stream

    from otc_xl.excel.vba_project import _fix_copytoken_limit

    _fix_copytoken_limit()
    source = "".join(f'Public Sub OTC_{i}(control As IRibbonControl)\r\n    RunOTC "x{i}"\r\nEnd Sub\r\n\r\n'
                     for i in range(200)).encode()
    assert len(source) > 3 * 4096
    assert bytes(decompress_stream(bytearray(MsOvba().compress(source)))) == source


def test_udf_paymentplan_spills_a_plan_that_sums_exactly():
    result = call("paymentplan", [["1.000,00"]], [[3]], [[46418]], [[None]])  # first instalment 31/01/2027
    assert result[0] == ["instalment", "due_date", "amount", "remaining"]
    assert [row[2] for row in result[1:]] == [333.33, 333.33, 333.34] and result[-1][3] == 0.0
    assert call("paymentplan", [["0,02"]], [[3]], [[46418]], [[None]]) == [[VALUE]]  # 3 instalments of 0.02: no


def test_reconcile_button_reads_the_pasted_statement_and_writes_the_balance(tmp_path):
    import openpyxl

    from test_reconcile import THEIR_LINES
    from test_reconcile import book as reconcile_book

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
    balance = next(a["values"] for a in actions(book)
                   if a["func"] == "setValues" and a["values"][0] == ["item", "amount"])
    assert dict(balance[1:])["difference"] == 295.9 and dict(balance[1:])["unexplained"] == 0.0
    assert "not written: save the workbook" in outcome["message"]  # no folder for the reply letter: said so


def test_reconcile_and_refunds_buttons_say_what_is_missing():
    book = remote(DEMO)
    outcome = buttons.reconcile(book)
    assert not outcome["ok"] and "CustomerAccount" in outcome["message"] and "nothing was written" in outcome["message"]
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
