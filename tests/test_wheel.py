"""The wheel carries what a user installs: the add-in, the sample workbook, the template, the VBA
and ribbon sources and the Lite script; `otc-xl addin install` works from any directory with it."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.e2e  # builds the wheel and installs it in a fresh venv


def xlwings_version() -> str:
    import xlwings

    return xlwings.__version__

SHIPPED = ["OTC.xlam", "otc_workbook.xlsm", "otc_template.xlsx", "macros/customUI14.xml", "macros/OTC_Ribbon.bas",
           "macros/OTC_SheetButtons.bas", "macros/OTC_UDFs.vba", "lite/main.py", "lite/requirements.txt"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                             str(ROOT), "-w", str(out)], capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        pytest.skip(reason=f"the wheel could not be built here: {result.stderr.strip()[-300:]}")
    return next(out.glob("otc_xl-*.whl"))


def test_the_wheel_ships_the_excel_files(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for name in SHIPPED:
        assert any(n.endswith(f".data/data/share/otc_xl/{name}") for n in names), name


def test_addin_install_from_an_installed_wheel_in_another_directory(wheel, tmp_path):
    """A fresh virtual environment outside the repository gets the wheel (its dependencies are
    borrowed from the test environment through a .pth file, so nothing is downloaded, and the test
    environment itself is never touched)."""
    import site
    import venv

    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    python = next(p for p in (env / "bin" / "python", env / "Scripts" / "python.exe") if p.exists())
    env_site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                   capture_output=True, text=True, check=True).stdout.strip())
    (env_site / "borrowed_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True, timeout=600)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = tmp_path / "xlstart"
    env_vars = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    check = subprocess.run([str(python), "-c", "import otc_xl, otc_xl.assets as a; print(otc_xl.__file__); "
                            "print(a.asset('OTC.xlam'))"], cwd=elsewhere, env=env_vars, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    module, addin = check.stdout.split()
    assert module.startswith(str(env_site)) and addin.startswith(str(env / "share" / "otc_xl"))  # not the checkout
    result = subprocess.run([str(python), "-m", "otc_xl.cli", "addin", "install", "--target", str(target)],
                            cwd=elsewhere, env=env_vars, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    from test_excel import vba_modules  # built there from the wheel's macros and that venv's xlwings
    installed, committed = vba_modules(target / "OTC.xlam"), vba_modules(ROOT / "workbooks" / "OTC.xlam")
    assert installed == committed  # ours, xlwings' add-in variant, the wrappers xlwings' generator wrote there
    with zipfile.ZipFile(target / "OTC.xlam") as z:
        assert z.read("customUI/customUI14.xml") == (ROOT / "macros" / "customUI14.xml").read_bytes()
    conf = (target / "otc_xl.conf").read_text().splitlines()
    assert conf == [f'"INTERPRETER_WIN","{python}"', f'"INTERPRETER_MAC","{python}"']
    assert (target / f"xlwings-{xlwings_version()}.applescript").exists()
    assert not (tmp_path / ".xlwings").exists()  # xlwings' own settings of that HOME: not written
    build = subprocess.run([str(python), "-m", "otc_xl.cli", "addin", "build", "--out-dir", str(elsewhere / "out")],
                           cwd=elsewhere, env=env_vars, capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    assert vba_modules(elsewhere / "out" / "otc_workbook.xlsm") == vba_modules(ROOT / "workbooks" / "otc_workbook.xlsm")
    # invoice --check reads the official FatturaPA / Facturae XSDs from the installed package (#28)
    schemas = subprocess.run([str(python), "-c", "from otc_xl.billing.einvoices.check import SCHEMAS, _schema; "
                              "print(SCHEMAS); "
                              "print(sorted(p.name for p in SCHEMAS.glob('*.xsd') if _schema(str(p))))"],
                             cwd=elsewhere, env=env_vars, capture_output=True, text=True)
    assert schemas.returncode == 0, schemas.stderr
    where, names = schemas.stdout.splitlines()
    assert where.startswith(str(env_site))
    assert names == "['Facturaev3_2_2.xsd', 'Schema_del_file_xml_FatturaPA_v1.2.3.xsd', 'xmldsig-core-schema.xsd']"
