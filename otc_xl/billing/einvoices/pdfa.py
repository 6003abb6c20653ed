"""PDF/A-3 clauses otc_xl checks itself on a Factur-X PDF (``invoice --check``, :mod:`.check`)."""

from __future__ import annotations

import re
from typing import Any

from .findings import Finding


def pdfa_findings(document: str, pdf: bytes) -> list[Finding]:
    """PDF/A-3 clauses (ISO 19005-3) checked here with pypdf — a subset, not a PDF/A validator: an
    output intent with an ICC profile (6.2.3; without it DeviceGray/DeviceRGB text breaks 6.2.4.3),
    the XMP identification pdfaid:part 3 (6.6.4), every font embedded (6.2.11.4.1), a trailer ID and no
    encryption (6.1.3), the embedded XML declared as an associated file with its relationship (6.8)."""
    from io import BytesIO

    from pypdf import PdfReader

    name = "PDF/A-3"
    reader = PdfReader(BytesIO(pdf))
    root: Any = reader.trailer["/Root"]  # pypdf objects, read as the dictionaries they are
    out = []
    intents = root.get("/OutputIntents")
    intents = [i.get_object() for i in intents] if intents else []
    pdfa = [i for i in intents if i.get("/S") == "/GTS_PDFA1" and i.get("/DestOutputProfile") is not None]
    if not pdfa:
        out.append(Finding(document, name, "6.2.3", "fatal", "no PDF/A output intent with an ICC profile "
                                                               "(DestOutputProfile): device colours are not allowed "
                                                               "(6.2.4.3)"))
    else:
        profile: Any = pdfa[0]["/DestOutputProfile"].get_object()
        data = profile.get_data()
        if len(data) < 128 or data[36:40] != b"acsp" or int(profile.get("/N", 0)) not in (1, 3, 4):
            out.append(Finding(document, name, "6.2.3", "fatal", "the output intent's ICC profile is not a valid "
                                                                   "ICC profile with 1, 3 or 4 components"))
    metadata = root.get("/Metadata")
    xmp = metadata.get_object().get_data().decode("utf-8", "replace") if metadata is not None else ""
    part = re.search(r"pdfaid:part(?:>|=\")\s*(\d)", xmp)
    if not part or part.group(1) != "3":
        out.append(Finding(document, name, "6.6.4", "fatal", "no XMP pdfaid:part 3 identification"))
    if "/ID" not in reader.trailer:
        out.append(Finding(document, name, "6.1.3", "fatal", "the trailer has no file identifier (ID)"))
    if reader.is_encrypted:
        out.append(Finding(document, name, "6.1.3", "fatal", "the file is encrypted"))
    font: Any
    for number, page in enumerate(reader.pages, start=1):
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for key, font in fonts.items():
            font = font.get_object()
            descriptors = [font.get("/FontDescriptor")]
            for child in font.get("/DescendantFonts") or []:
                descriptors.append(child.get_object().get("/FontDescriptor"))
            descriptors = [d.get_object() for d in descriptors if d is not None]
            if not any(any(f in d for f in ("/FontFile", "/FontFile2", "/FontFile3")) for d in descriptors):
                out.append(Finding(document, name, "6.2.11.4.1", "fatal",
                                   f"page {number}: font {key} ({font.get('/BaseFont')}) is not embedded"))
    associated = [a.get_object() for a in (root.get("/AF") or [])]
    if not associated or any("/AFRelationship" not in a for a in associated):
        out.append(Finding(document, name, "6.8", "fatal", "the embedded file is not an associated file (AF) "
                                                             "with an AFRelationship"))
    return out
