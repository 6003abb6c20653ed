"""Hashes of everything ``otc-xl demo`` writes, to check that a refactor changes no output.

    python .ci/demo_hashes.py OUTDIR > after.txt      # runs the demo (as of 2026-11-30) in OUTDIR
    diff before.txt after.txt

Each xlsx is hashed part by part. What is random by design is masked before hashing, so two runs of
the same code give the same list: the MIME boundaries of the ``.eml`` drafts (Python's email
package draws them at random) and, in SEPA files, the payment-information id and creation time
that sepaxml draws, the time a new report workbook was written (``docProps/core.xml``), and the
ImportLog's ``imported_at`` (when the bank file was imported: the working copy in ``<out>_work/``). Run it
with ``PYTHONPATH=<other checkout>`` to hash another revision.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import zipfile
from pathlib import Path

MASKS = [(re.compile(rb"={15}\d+=="), b"=BOUNDARY="),
         (re.compile(rb"<PmtInfId>[^<]*</PmtInfId>"), b"<PmtInfId/>"),
         (re.compile(rb"<CreDtTm>[^<]*</CreDtTm>"), b"<CreDtTm/>"),
         (re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*"), rb"\1"),
         (re.compile(rb">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d<"), b">imported_at<")]


def digest(data: bytes) -> str:
    for pattern, mask in MASKS:
        data = pattern.sub(mask, data)
    return hashlib.sha1(data).hexdigest()[:12]


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    run = subprocess.run([sys.executable, "-m", "otc_xl", "demo", "--as-of", "2026-11-30"], cwd=out,
                         capture_output=True, text=True)
    if run.returncode:
        print(run.stdout, run.stderr, file=sys.stderr)
        return run.returncode
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        name = path.relative_to(out).as_posix()
        if path.suffix in (".xlsx", ".xlsm"):
            with zipfile.ZipFile(path) as package:
                for part in sorted(package.namelist()):
                    print(f"{name}!{part} {digest(package.read(part))}")
        else:
            print(f"{name} {digest(path.read_bytes())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
