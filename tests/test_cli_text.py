"""The otc-xl console shows the user's text as it is: cell values, file names and messages that hold
square brackets are never read as the console's style markup (which ate ``[check]`` and crashed on
``[/]``)."""

from click.testing import CliRunner

from builders import INVOICE_HEADERS, invoice_row
from otc_xl.cli import main
from otc_xl.cli.core import _summary_table
from otc_xl.workflows import JobResult


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def flat(text: str) -> str:
    return " ".join(text.split())


def test_a_cell_with_a_closing_tag_is_listed_not_a_traceback(make_book):
    bad = invoice_row(1)
    bad[6] = "12[/]5"  # Amount
    result = run("validate", make_book({"Invoices": [INVOICE_HEADERS, bad, invoice_row(2)]}))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert "Invoices!G2: amount '12[/]5' is not a number" in flat(result.output)


def test_a_cell_with_style_words_in_brackets_keeps_them(make_book):
    bad = invoice_row(1)
    bad[6] = "[bold]100[/bold]"
    result = run("validate", make_book({"Invoices": [INVOICE_HEADERS, bad]}))
    assert result.exit_code == 1
    assert "amount '[bold]100[/bold]' is not a number" in flat(result.output)


def test_file_and_book_names_with_brackets_are_shown_whole(tmp_path, make_book):
    book = make_book({"Invoices": [INVOICE_HEADERS, invoice_row(1)],
                      "Payments": [["Payment No.", "Value date", "Amount"]]})
    named = book.rename(tmp_path / "ledger[copy].xlsx")
    statement = tmp_path / "bank[check].csv"
    statement.write_text("Date;Amount;Text\n01/12/2026;100,00;INV-0001\n", encoding="utf-8")
    imported = run("import-bank", statement, "--into", named)
    assert imported.exit_code == 0, imported.output
    assert "bank[check].csv" in imported.output and "ledger[copy].xlsx!Payments" in flat(imported.output)
    report = run("ageing", named, "--as-of", "2026-12-01")
    assert report.exit_code == 0, report.output
    assert "ledger[copy].xlsx — as of 01/12/2026" in report.output
    assert "ledger[copy]_report.xlsx" in flat(report.output)


def test_summary_values_with_brackets_are_shown_whole(capsys):
    _summary_table("book.xlsx", JobResult(summary=[("not run", "pip install 'otc_xl[check]'"),
                                                   ("odd [/] label", "[red]x")]), None)
    out = capsys.readouterr().out
    assert "pip install 'otc_xl[check]'" in out and "odd [/] label" in out and "[red]x" in out
