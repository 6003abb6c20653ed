"""Every VBA module we ship, parsed with an independent VBA grammar (antlr4-vba), for Windows 64-bit and
for macOS: what Excel compiles from source on open, checked without Excel (see tests/vba_grammar.py).

The first parse of xlwings' 1,200-line module builds ANTLR's prediction tables (about 10 s here); the
others reuse them: the whole file took 25-35 s on the project machine (the longest test, 25 s, in a
full run beside the other tests)."""

from __future__ import annotations

import pytest

from conftest import ROOT
from test_excel import vba_modules
from vba_grammar import MAC, PLATFORMS, WIN64, preprocess, syntax_problems

PACKAGES = ["OTC.xlam", "otc_workbook.xlsm"]
CLASS_MODULES = {"ThisWorkbook", "Sheet1", "Dictionary"}
"""Document modules are class modules too: they get the VERSION 1.0 CLASS header."""


@pytest.fixture(scope="module")
def shipped():
    return {name: vba_modules(ROOT / "workbooks" / name) for name in PACKAGES}


@pytest.mark.slow
@pytest.mark.parametrize("platform", list(PLATFORMS))
@pytest.mark.parametrize("package", PACKAGES)
def test_every_shipped_vba_module_parses(shipped, package, platform):
    modules = shipped[package]
    assert {"OTC_Ribbon", "xlwings", "Dictionary", "ThisWorkbook", "Sheet1"} <= set(modules)
    problems = {name: [str(p) for p in syntax_problems(code, PLATFORMS[platform], name in CLASS_MODULES)]
                for name, code in modules.items()}
    assert problems == {name: [] for name in modules}


BROKEN = {
    "an If without End If": "Sub a()\r\n    If x Then\r\n        y = 1\r\nEnd Sub\r\n",
    "an unclosed call": 'Sub a()\r\n    MsgBox ("x"\r\nEnd Sub\r\n',
    "a declaration after a procedure": "Sub a()\r\nEnd Sub\r\nPrivate x As Integer\r\n",
    "a Function closed by End Sub": "Function a()\r\n    a = 1\r\nEnd Sub\r\n",
    "a stray operator": "Sub a()\r\n    x = = 1\r\nEnd Sub\r\n",
}


@pytest.mark.parametrize("what", list(BROKEN))
def test_the_grammar_check_finds_syntax_errors(what):
    """The check has teeth: each of these is refused (LibreOffice loads such modules without a word)."""
    source = 'Attribute VB_Name = "Broken"\r\nOption Explicit\r\n' + BROKEN[what]
    assert syntax_problems(source, WIN64), what
    good = ('Attribute VB_Name = "Good"\r\nOption Explicit\r\nSub a()\r\n    If x Then\r\n        y = 1\r\n'
            '    End If\r\nEnd Sub\r\n')
    assert syntax_problems(good, WIN64) == []


def test_each_platform_parses_its_own_branch():
    """An error in the macOS branch only is found on macOS only, and line numbers stay the module's."""
    source = ('Attribute VB_Name = "M"\r\nSub a()\r\n    #If Mac Then\r\n        x = (1\r\n    #Else\r\n'
              '        x = 1\r\n    #End If\r\nEnd Sub\r\n')
    assert syntax_problems(source, WIN64) == []
    assert [p.line for p in syntax_problems(source, MAC)][:1] == [4]  # the line of "x = (1"


def test_preprocess_follows_vba_conditional_compilation():
    source = "\r\n".join(['#Const App = "Microsoft Excel"', "#If VBA7 Then", "    #If Win64 Then", "a64", "    #Else",
                          "a32", "    #End If", "#ElseIf Mac Then", "old", "#End If",
                          '#If App = "Microsoft Excel" And Not Mac Then', "excel_win", '#ElseIf App <> "Word" Then',
                          "excel_mac", "#End If", "#If MAC_OFFICE_VERSION >= 15 Then ' a comment", "mac16",
                          "#End If"])
    def kept(platform):
        return [line for line in preprocess(source, platform).split("\r\n") if line]
    assert kept(WIN64) == ["a64", "excel_win"]
    assert kept(MAC) == ["a32", "excel_mac", "mac16"]
    assert len(preprocess(source, WIN64).split("\r\n")) == len(source.split("\r\n")) + 1  # line numbers kept
    with pytest.raises(ValueError, match="without #End If"):
        preprocess("#If Mac Then\r\nx\r\n", MAC)
