"""Regenerate the shipped workbooks: ``python workbooks/generate.py``.

Writes otc_template.xlsx, otc_demo.xlsx, otc_demo_camt053.xml, otc_demo_customer_statement.xlsx, OTC.xlam and
otc_workbook.xlsm next to this file (from a fixed seed and macros/); the output is
byte-for-byte reproducible, and tests/test_workbooks.py checks the committed files match.
"""

from pathlib import Path

from otc_xl.demo.workbooks import (
    write_demo_bank_file,
    write_demo_customer_statement,
    write_demo_workbook,
    write_template_workbook,
)
from otc_xl.excel.addin import build_all

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    for path in (write_template_workbook(HERE / "otc_template.xlsx"), write_demo_workbook(HERE / "otc_demo.xlsx"),
                 write_demo_bank_file(HERE / "otc_demo_camt053.xml"),
                 write_demo_customer_statement(HERE / "otc_demo_customer_statement.xlsx"), *build_all(HERE)):
        print(f"wrote {path.relative_to(HERE.parent)} ({path.stat().st_size:,} bytes)")
