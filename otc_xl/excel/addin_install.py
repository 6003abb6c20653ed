"""Installing the OTC add-in: into Excel's start-up folder, its own settings file (``otc_xl.conf``)
pointed at this Python in the encoding the VBA reads, and xlwings' AppleScript on macOS."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from ..io.files import replace_atomically
from ..model.problems import Problem, ValidationError
from .addin import build_package, built_with
from .xlwings_vba import PROJECT_NAME, applescript, xlwings_version


def excel_startup_dir() -> Path:
    """Where Excel loads add-ins from at start (XLSTART)."""
    if sys.platform.startswith("win"):
        return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    if sys.platform == "darwin":
        return (Path.home() / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized"
                / "Startup.localized" / "Excel")
    raise OSError("Excel add-ins are installed on Windows or macOS; on other systems use --target DIR")


def project_config_file(platform: str | None = None, home: Path | None = None) -> Path:
    """Where the embedded VBA reads its settings (xlwings' ``GetConfigFilePath`` with ``PROJECT_NAME =
    otc_xl``): ``%USERPROFILE%\\.otc_xl\\otc_xl.conf`` on Windows, ``otc_xl.conf`` in Excel's sandbox
    container on macOS (``GetMacDir("$HOME")``). Not the global ``xlwings.conf``."""
    platform, home = platform or sys.platform, home or Path.home()
    if platform == "darwin":
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / f"{PROJECT_NAME}.conf"
    return home / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"


def applescript_dir(home: Path | None = None) -> Path:
    """Where ``xlwings runpython install`` puts xlwings' AppleScript on macOS."""
    return (home or Path.home()) / "Library" / "Application Scripts" / "com.microsoft.Excel"


def interpreter_keys(platform: str | None = None) -> tuple[str, ...]:
    """The xlwings settings naming the Python interpreter on this platform."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return ("INTERPRETER_WIN",)
    if platform == "darwin":
        return ("INTERPRETER_MAC",)
    return ("INTERPRETER_WIN", "INTERPRETER_MAC")  # a folder named with --target, for another machine


def config_encoding(platform: str | None = None) -> str:
    """How the config file must be encoded for the VBA that reads it (``Open … For Input``, ``Input #``).

    Windows VBA reads text files in the ANSI code page, so the file is written in it, as xlwings'
    ``config create`` does (Python's locale encoding there; ``mbcs``, the ANSI code page itself,
    also under Python's UTF-8 mode). Built elsewhere for Windows: cp1252, the Western European
    code page. macOS: UTF-8, as xlwings writes it there."""
    platform = platform or sys.platform
    if platform == "darwin":
        return "utf-8"
    if sys.platform.startswith("win"):
        return "mbcs"
    return "cp1252"


def _config_bytes(existing: bytes, settings: dict[str, str], encoding: str, newline: bytes) -> bytes:
    """``existing`` with each of ``settings`` replaced (one ``"KEY","VALUE"`` line each, added at the
    end), every other line kept byte for byte; empty lines dropped, as xlwings does."""
    keys = {f'"{k}"'.upper() for k in settings}
    kept = [line.rstrip(b"\r") for line in existing.split(b"\n")]
    kept = [line for line in kept if line.strip() and line.split(b",", 1)[0].strip().decode("latin-1").upper()
            not in keys]
    added = [f'"{k}","{v}"'.encode(encoding) for k, v in settings.items()]
    return newline.join(kept + added) + newline


def _check_encodable(value: str, encoding: str, what: str) -> None:
    try:
        value.encode(encoding)
    except UnicodeEncodeError as exc:
        bad = "".join(sorted(set(value[exc.start:exc.end])))
        raise ValidationError([Problem(what, f"{value!r} has characters ({bad}) that the {encoding} code page "
                                             "cannot hold; Excel's VBA reads the setting in that code page and "
                                             "could not start this Python. Install Python (or create the virtual "
                                             "environment) in a folder whose path has none of them, e.g. "
                                             "C:\\Python311, and run otc-xl addin install from there")]) from None


def _write_addin(target: Path, write) -> None:
    """Write the add-in whole or not at all: into a temporary file beside it, then renamed over it.
    Windows refuses the rename while Excel has the add-in open (it locks its files): then the
    installed add-in is left as it was and the message says to quit Excel."""
    fd, tmp = tempfile.mkstemp(prefix=f".~{target.stem}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        try:
            write(tmp)
        except PermissionError:
            raise ValidationError([Problem(target.name, f"cannot write in {target.parent} (permission denied); "
                                                        "nothing was installed")]) from None
        try:
            os.replace(tmp, target)
        except PermissionError:
            raise ValidationError([Problem(target.name, f"{target} is open in Excel, which locks it: quit Excel "
                                                        "(every window), then run otc-xl addin install again. "
                                                        "The installed add-in was not changed")]) from None
    finally:
        Path(tmp).unlink(missing_ok=True)


def install(addin: Path | None = None, target: Path | None = None, platform: str | None = None,
            interpreter: str | None = None, home: Path | None = None) -> list[str]:
    """Put the add-in into Excel's start-up folder and point its settings at this Python.

    ``addin``: by default ``OTC.xlam`` is built here from the macros installed with otc_xl and the
    VBA of the installed xlwings, so the embedded xlwings module always matches the xlwings Python
    package it talks to (works from any directory); a given file must have been built with this
    xlwings (its description says which). The add-in's own settings file
    (:func:`project_config_file`, or ``target/otc_xl.conf``) gets the interpreter of this
    environment (``INTERPRETER_WIN`` / ``INTERPRETER_MAC``), encoded as the VBA reads it
    (:func:`config_encoding`); its other lines are kept byte for byte, and xlwings' global
    ``xlwings.conf`` is not touched. On macOS, xlwings' AppleScript goes where ``xlwings runpython
    install`` puts it (:func:`applescript_dir`); with a ``target`` folder, into that folder.
    Each file is written whole or not at all. Returns what was done, one line each.
    """
    platform = platform or sys.platform
    version = xlwings_version()
    settings = {key: interpreter or sys.executable for key in interpreter_keys(platform)}
    encoding = config_encoding(platform)
    for key, value in settings.items():
        _check_encodable(value, encoding, key)
    if addin:
        shipped_with = built_with(Path(addin))
        if shipped_with not in (None, version):
            raise ValidationError([Problem(Path(addin).name, f"was built with the VBA of xlwings {shipped_with}, but "
                                                             f"xlwings {version} is installed: its RunPython would "
                                                             "look for another xlwings' DLL and AppleScript. Run "
                                                             "otc-xl addin install without --addin (it builds the "
                                                             "add-in for this xlwings)")])
    done = []
    folder = Path(target) if target else excel_startup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    if addin:
        name = Path(addin).name
        _write_addin(folder / name, lambda tmp: shutil.copyfile(addin, tmp))
        done.append(f"copied {name} to {folder}")
    else:
        _write_addin(folder / "OTC.xlam", lambda tmp: build_package(tmp, "xlam"))
        done.append(f"built OTC.xlam (VBA of xlwings {version} embedded) in {folder}")
    conf = Path(target) / f"{PROJECT_NAME}.conf" if target else project_config_file(platform, home)
    existing = conf.read_bytes() if conf.exists() else b""
    newline = b"\r\n" if platform.startswith("win") else b"\n"
    content = _config_bytes(existing, settings, encoding, newline)
    replace_atomically(conf, lambda tmp: Path(tmp).write_bytes(content))
    done.append(f"set {', '.join(f'{k} = {v}' for k, v in settings.items())} in {conf} (the add-in's own "
                "settings; xlwings.conf is not touched)")
    if platform == "darwin" or target:
        scripts = folder if target else applescript_dir(home)
        source = applescript()
        replace_atomically(scripts / source.name, lambda tmp: shutil.copyfile(source, tmp))
        done.append(f"copied {source.name} to {scripts} (enables RunPython on macOS, as xlwings runpython install"
                    + ("; on a Mac it goes to ~/Library/Application Scripts/com.microsoft.Excel)" if target else ")"))
    return done
