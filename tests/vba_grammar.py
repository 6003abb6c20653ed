"""Checking VBA source against an independent grammar: the ANTLR grammar for VBA of the ``antlr4-vba``
package (test extra), after VBA's conditional compilation for one platform.

Excel compiles the VBA of our packages from source when it opens them, and there is no Excel here;
LibreOffice Basic is no check (it has no conditional compilation and loads modules with syntax
errors). So each module is preprocessed as VBA would for Windows 64-bit or macOS (``#If`` / ``#ElseIf``
/ ``#Else`` / ``#End If`` / ``#Const``; lines of branches not taken become blank lines, so line
numbers stay the module's), class modules get the ``VERSION 1.0 CLASS`` header an exported ``.cls``
carries (and lose the two attributes only the project stores), and the result is parsed.

Speed: ANTLR's Python runtime needs seconds for a 1,200-line module in full-context (LL) mode. A module
is therefore parsed in parts the grammar accepts on their own: its header and declarations, then each
procedure under the module's attribute lines; each part first in the fast SLL mode, and in LL mode
(the exact one, which reports the errors) only when SLL gives up. Lines between procedures may only
be blank or comments (as VBA itself requires), which is checked, so every line is either parsed or
known to be a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WIN64 = {"VBA7": True, "Win64": True, "Win32": True, "Mac": False}
MAC = {"VBA7": True, "Win64": False, "Win32": False, "Mac": True, "MAC_OFFICE_VERSION": 16}
PLATFORMS = {"Win64": WIN64, "Mac": MAC}

CLASS_HEADER = ["VERSION 1.0 CLASS", "BEGIN", "  MultiUse = -1  'True", "END"]
STORED_ONLY = ("Attribute VB_Base ", "Attribute VB_TemplateDerived ")
"""Attributes of class modules as the VBA project stores them, not in an exported ``.cls`` (nor in
MS-VBAL's class-module header, which the grammar follows): dropped before parsing."""

_DIRECTIVE = re.compile(r"^\s*#(If|ElseIf|Else|End\s*If|Const)\b(.*)$", re.IGNORECASE)
_PROCEDURE = re.compile(r"^\s*(?:(?:Public|Private|Friend)\s+)?(?:Static\s+)?"
                        r"(?:Sub|Function|Property\s+(?:Get|Let|Set))\s+\w", re.IGNORECASE)
_END_PROCEDURE = re.compile(r"^\s*End\s+(?:Sub|Function|Property)\s*(?:'.*)?$", re.IGNORECASE)
_COMMENT_OR_BLANK = re.compile(r"^\s*(?:(?:'|Rem\b).*)?$", re.IGNORECASE)


class _Undefined(dict):
    """Conditional-compilation constants: undefined ones are Empty (0), as in VBA."""

    def __missing__(self, key):
        return 0


def _strip_comment(text: str) -> str:
    out, quoted = [], False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "'" and not quoted:
            break
        out.append(char)
    return "".join(out).strip()


def _evaluate(expression: str, constants: dict) -> object:
    """A conditional-compilation expression (=, <>, <, >, <=, >=, Not, And, Or, literals, constants)."""
    python = re.sub(r"\bNot\b", " not ", expression, flags=re.IGNORECASE)
    python = re.sub(r"\bAnd\b", " and ", python, flags=re.IGNORECASE)
    python = re.sub(r"\bOr\b", " or ", python, flags=re.IGNORECASE)
    python = python.replace("<>", "!=")
    python = re.sub(r"(?<![<>!=])=(?!=)", "==", python)
    if re.search(r"[^\w\s\"<>=!().-]|__", python):
        raise ValueError(f"unsupported conditional-compilation expression: {expression}")
    names = _Undefined({k: (-1 if v is True else 0 if v is False else v) for k, v in constants.items()})
    names.update({"True": -1, "False": 0})
    return eval(python, {"__builtins__": {}}, names)  # noqa: S307 - only names, literals and operators (checked)


def preprocess(source: str, platform: dict) -> str:
    """``source`` as VBA compiles it on ``platform``: directives and lines not taken become blank."""
    constants = dict(platform)
    out: list[str] = []
    stack: list[list[bool]] = []  # per open #If: [enclosing branch active, a branch was taken]
    active = True
    for number, line in enumerate(source.splitlines(), start=1):
        directive = _DIRECTIVE.match(line)
        if not directive:
            out.append(line if active else "")
            continue
        word, rest = directive.group(1).lower().replace(" ", ""), _strip_comment(directive.group(2))
        if word in ("if", "elseif"):
            condition = re.fullmatch(r"(.*)\bThen", rest, re.IGNORECASE)
            if not condition:
                raise ValueError(f"line {number}: #{directive.group(1)} without Then")
            if word == "if":
                taken = active and bool(_evaluate(condition.group(1), constants))
                stack.append([active, taken])
                active = taken
            else:
                if not stack:
                    raise ValueError(f"line {number}: #ElseIf without #If")
                enclosing, done = stack[-1]
                taken = enclosing and not done and bool(_evaluate(condition.group(1), constants))
                stack[-1][1] = done or taken
                active = taken
        elif word == "else":
            if not stack:
                raise ValueError(f"line {number}: #Else without #If")
            enclosing, done = stack[-1]
            active = enclosing and not done
            stack[-1][1] = True
        elif word == "endif":
            if not stack:
                raise ValueError(f"line {number}: #End If without #If")
            active = stack.pop()[0]
        else:  # #Const
            constant = re.fullmatch(r"(\w+)\s*=\s*(.+)", rest)
            if not constant:
                raise ValueError(f"line {number}: malformed #Const")
            if active:
                constants[constant.group(1)] = _evaluate(constant.group(2), constants)
        out.append("")
    if stack:
        raise ValueError(f"{len(stack)} #If without #End If")
    return "\r\n".join(out) + "\r\n"


@dataclass
class SyntaxProblem:
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}:{self.column}: {self.message}"


def _parse(text: str) -> list[tuple[int, int, str]]:
    from antlr4 import CommonTokenStream, InputStream, PredictionMode
    from antlr4.error.ErrorListener import ErrorListener
    from antlr4.error.Errors import ParseCancellationException
    from antlr4.error.ErrorStrategy import BailErrorStrategy, DefaultErrorStrategy
    from antlr4_vba.vbaLexer import vbaLexer
    from antlr4_vba.vbaParser import vbaParser

    class Collect(ErrorListener):
        def __init__(self):
            self.errors = []

        def syntaxError(self, recognizer, symbol, line, column, message, error):  # noqa: N802 - ANTLR's name
            self.errors.append((line, column, message))

    errors = Collect()
    lexer = vbaLexer(InputStream(text))
    lexer.removeErrorListeners()
    lexer.addErrorListener(errors)
    tokens = CommonTokenStream(lexer)
    parser = vbaParser(tokens)
    parser.removeErrorListeners()
    parser._interp.predictionMode = PredictionMode.SLL
    parser._errHandler = BailErrorStrategy()
    try:
        parser.startRule()
        return errors.errors
    except ParseCancellationException:  # SLL gave up: the exact LL mode decides, and names the errors
        tokens.seek(0)
        parser.reset()
        parser.addErrorListener(errors)
        parser._errHandler = DefaultErrorStrategy()
        parser._interp.predictionMode = PredictionMode.LL
        parser.startRule()
        return errors.errors


def syntax_problems(source: str, platform: dict, class_module: bool = False) -> list[SyntaxProblem]:
    """Every syntax error of one module (as olevba reads it back) on ``platform``; ``[]`` when it parses."""
    lines = preprocess(source, platform).split("\r\n")[:-1]
    end_of_header = next((i for i, line in enumerate(lines) if not line.startswith("Attribute ")), len(lines))
    dropped = 0
    if class_module:  # as exported: without the attributes only the project stores (MS-VBAL has neither)
        kept = [line for line in lines[:end_of_header] if not line.startswith(STORED_ONLY)]
        dropped = end_of_header - len(kept)
        lines, end_of_header = kept + lines[end_of_header:], len(kept)
    header = lines[:end_of_header]
    prefix = CLASS_HEADER if class_module else []
    problems: list[SyntaxProblem] = []

    def check(chunk: list[str], first_line: int) -> None:
        """Parse ``chunk`` (module lines from ``first_line``, 1-based) behind the attribute header."""
        lead = prefix + (header if first_line > 1 else [])
        text = "\r\n".join(lead + chunk) + "\r\n"
        for line, column, message in _parse(text):
            number = line - len(lead) + first_line - 1
            problems.append(SyntaxProblem(number + (dropped if number > end_of_header else 0), column, message))

    starts = [i for i, line in enumerate(lines) if _PROCEDURE.match(line)]
    first = starts[0] if starts else len(lines)
    check(lines[:first], 1)
    i = first
    while i < len(lines):
        if _PROCEDURE.match(lines[i]):
            end = next((j for j in range(i + 1, len(lines)) if _END_PROCEDURE.match(lines[j])), None)
            if end is None:
                problems.append(SyntaxProblem(i + 1, 0, "procedure without End Sub/Function/Property"))
                break
            check(lines[i:end + 1], i + 1)
            i = end + 1
        elif not _COMMENT_OR_BLANK.match(lines[i]):
            problems.append(SyntaxProblem(i + 1, 0, f"only comments may stand between procedures: {lines[i]!r}"))
            i += 1
        else:
            i += 1
    return problems
