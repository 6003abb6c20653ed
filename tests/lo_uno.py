"""A user's workbook made by a real spreadsheet program, and checked by it afterwards.

Run by the system ``python3`` that has LibreOffice's UNO bridge (``python3-uno``), not by the
test environment's interpreter:

    python3 tests/lo_uno.py build OUT.xlsx PICTURE.png PROFILE_DIR
    python3 tests/lo_uno.py check BOOK.xlsx PROFILE_DIR      → JSON on stdout
    python3 tests/lo_uno.py vba BOOK.xlsm MODULE.PROC,… PROFILE_DIR   → JSON on stdout

``build`` writes, with LibreOffice Calc itself: an Invoices table (input for otc_xl), a Data
sheet with a native chart, a picture, a data validation, a conditional format and a named range,
and a Pivot sheet holding a pivot table over Data. ``check`` opens a workbook, recalculates it,
refreshes its pivot tables and reports what it finds.
"""

import json
import os
import subprocess
import sys
import time

import uno

INVOICES = [["Invoice No.", "Customer No.", "Customer name", "Invoice date", "Due date", "Currency", "Amount",
             "Open amount"],
            ["INV-0001", "C1", "Ferretería Gómez", "2026-09-01", "2026-10-01", "EUR", 1200.5, 1200.5],
            ["INV-0002", "C1", "Ferretería Gómez", "2026-10-15", "2026-11-14", "EUR", 300.0, 300.0],
            ["INV-0003", "C2", "Müller GmbH", "2026-11-20", "2026-12-20", "EUR", 99.99, 99.99]]


def prop(name, value):
    return uno.createUnoStruct("com.sun.star.beans.PropertyValue", name, 0, value, 0)


def struct(name, *values):
    return uno.createUnoStruct(f"com.sun.star.awt.{name}", *values)


def enum(kind, value):
    return uno.Enum(f"com.sun.star.{kind}", value)


def start(profile):
    pipe = f"otcxl{os.getpid()}"
    office = subprocess.Popen(["soffice", "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
                               f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
                               f"--accept=pipe,name={pipe};urp;"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return office, ctx, ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:  # noqa: BLE001 - not listening yet
            time.sleep(0.2)
    office.kill()
    raise SystemExit("LibreOffice did not start")


def stop(office, desktop):
    try:
        desktop.terminate()
    except Exception:  # noqa: BLE001 - the bridge closes as it terminates
        pass
    office.wait(timeout=60)


def fill(sheet, rows):
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            cell = sheet.getCellByPosition(c, r)
            if isinstance(value, str):
                cell.String = value
            else:
                cell.Value = value


def build(out, picture, profile):
    office, ctx, desktop = start(profile)
    try:
        doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
        sheets = doc.Sheets
        invoices = sheets.getByIndex(0)
        invoices.Name = "Invoices"
        fill(invoices, INVOICES)
        sheets.insertNewByName("Data", 1)
        data = sheets.getByName("Data")
        fill(data, [["Region", "Amount", "Score"]] + [["North" if i % 2 else "South", 100.0 + i, 1 + i % 5]
                                                      for i in range(10)])
        source = data.getCellRangeByName("A1:C11").RangeAddress
        doc.NamedRanges.addNewByName("SalesData", "$Data.$A$1:$C$11", data.getCellByPosition(0, 0).CellAddress, 0)
        scores = data.getCellRangeByName("C2:C11")
        validation = scores.Validation
        validation.Type = enum("sheet.ValidationType", "WHOLE")
        validation.setOperator(enum("sheet.ConditionOperator", "BETWEEN"))
        validation.setFormula1("1")
        validation.setFormula2("5")
        scores.Validation = validation
        amounts = data.getCellRangeByName("B2:B11")
        conditional = amounts.ConditionalFormat
        conditional.addNew((prop("Operator", enum("sheet.ConditionOperator", "GREATER")), prop("Formula1", "105"),
                            prop("StyleName", "Accent 1")))
        amounts.ConditionalFormat = conditional
        rect = struct("Rectangle", 9000, 500, 12000, 7000)
        data.Charts.addNewByName("SalesChart", rect, (data.getCellRangeByName("A1:B11").RangeAddress,), True, True)
        provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.graphic.GraphicProvider", ctx)
        shape = doc.createInstance("com.sun.star.drawing.GraphicObjectShape")
        shape.Graphic = provider.queryGraphic((prop("URL", uno.systemPathToFileUrl(picture)),))
        data.DrawPage.add(shape)
        shape.setSize(struct("Size", 2000, 2000))
        shape.setPosition(struct("Point", 9000, 8000))
        sheets.insertNewByName("Pivot", 2)
        pivot_sheet = sheets.getByName("Pivot")
        tables = pivot_sheet.getDataPilotTables()
        descriptor = tables.createDataPilotDescriptor()
        descriptor.SourceRange = source
        fields = descriptor.DataPilotFields
        fields.getByIndex(0).Orientation = enum("sheet.DataPilotFieldOrientation", "ROW")
        amount = fields.getByIndex(1)
        amount.Orientation = enum("sheet.DataPilotFieldOrientation", "DATA")
        amount.Function = enum("sheet.GeneralFunction", "SUM")
        tables.insertNewByName("SalesPivot", pivot_sheet.getCellByPosition(0, 0).CellAddress, descriptor)
        doc.storeToURL(uno.systemPathToFileUrl(out), (prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)
    finally:
        stop(office, desktop)


def check(book, profile):
    office, ctx, desktop = start(profile)
    try:
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(book), "_blank", 0, (prop("Hidden", True),))
        doc.calculateAll()
        found = {"sheets": list(doc.Sheets.ElementNames), "pivots": {}, "charts": {}, "shapes": {},
                 "names": list(doc.NamedRanges.ElementNames)}
        for name in doc.Sheets.ElementNames:
            sheet = doc.Sheets.getByName(name)
            tables = sheet.getDataPilotTables()
            for pivot_name in tables.ElementNames:
                pivot = tables.getByName(pivot_name)
                pivot.refresh()
                area = pivot.OutputRange
                found["pivots"][f"{name}!{pivot_name}"] = [
                    [sheet.getCellByPosition(c, r).String for c in range(area.StartColumn, area.EndColumn + 1)]
                    for r in range(area.StartRow, area.EndRow + 1)]
            found["charts"][name] = list(sheet.Charts.ElementNames)
            found["shapes"][name] = sheet.DrawPage.Count
        doc.close(True)
        print(json.dumps(found))
    finally:
        stop(office, desktop)


def vba(book, profile, procedures):
    """Load ``book`` with LibreOffice's VBA support on (its VBA modules become Basic modules) and
    ask for each ``Module.Procedure`` named in ``procedures`` (comma-separated): LibreOffice Basic
    compiles a module to find one, so a module that does not parse gives an error here."""
    office, ctx, desktop = start(profile)
    try:
        config = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
        node = config.createInstanceWithArguments("com.sun.star.configuration.ConfigurationUpdateAccess",
                                                  (prop("nodepath", "/org.openoffice.Office.Calc/Filter/Import/VBA"),))
        node.Load, node.Executable = True, True
        node.commitChanges()
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(book), "_blank", 0, (
            prop("Hidden", True), prop("FilterName", "Calc MS Excel 2007 VBA XML")))
        libraries = doc.BasicLibraries
        found = {"modules": {}, "procedures": {}}
        for name in libraries.ElementNames:
            libraries.loadLibrary(name)
            library = libraries.getByName(name)
            found["modules"][name] = sorted(library.ElementNames)
        provider = doc.getScriptProvider()
        for item in procedures.split(","):
            module, procedure = item.split(".")
            library = next((n for n, mods in found["modules"].items() if module in mods), "Standard")
            try:
                script = provider.getScript(f"vnd.sun.star.script:{library}.{module}.{procedure}"
                                            "?language=Basic&location=document")
                script.invoke((), (), ())
                found["procedures"][item] = "ran"
            except Exception as exc:  # noqa: BLE001 - the message is the finding
                found["procedures"][item] = f"{type(exc).__name__}: {getattr(exc, 'Message', exc)}"[:300]
        doc.close(True)
        print(json.dumps(found))
    finally:
        stop(office, desktop)


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(*sys.argv[2:5])
    elif sys.argv[1] == "vba":
        vba(sys.argv[2], sys.argv[4], sys.argv[3])
    else:
        check(*sys.argv[2:4])
