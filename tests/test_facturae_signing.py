"""Issue 28, signing: Facturae signed XAdES-EPES (Facturae signature policy v3.1) with the company's
certificate, a PKCS#12 file whose password comes from an environment variable. Each test makes its own
self-signed certificate with **cryptography** (no CA, nothing shipped), signs a Facturae built as billing
builds it, and checks the signature with it: it verifies, it is EPES under the Facturae policy, the file
still validates against the Facturae 3.2.2 XSD, any change to the invoice breaks it; ``invoice --post``
signs when Config names the certificate and refuses to post, writing nothing, when it cannot sign."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from lxml import etree

import otc_xl
from otc_xl.billing.einvoices import xades
from otc_xl.billing.einvoices.check import check_document
from otc_xl.model.problems import ValidationError
from test_billing import line
from test_einvoice_receivers import BUYERS, SPAIN, documents

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = Path(otc_xl.__file__).resolve().parent / "billing" / "einvoices" / "schemas" / "Facturaev3_2_2.xsd"
NS = {"ds": xades.DS, "xades": xades.XADES}
PASSWORD = "s3cret pass"
POLICY_URL = "http://www.facturae.es/politica_de_firma_formato_facturae/politica_de_firma_formato_facturae_v3_1.pdf"
POLICY_SHA1 = "Ohixl6upD6av8N7pEvDABhEL6hM="
"""The policy v3.1's SHA-1 digest as AutoFirma (the Spanish government's signer) and Facturae-PHP declare it."""


def make_certificate(folder: Path, password: str = PASSWORD, days: int = 365, born: int = -1, key=None,
                     name: str = "p12") -> tuple[Path, x509.Certificate]:
    """A self-signed certificate valid from ``born`` to ``days`` days from now, with its key, in a PKCS#12."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "ES"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Iberia Components S.L."),
                         x509.NameAttribute(NameOID.SERIAL_NUMBER, "VATES-B86412574"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "Iberia Components test seal")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now + dt.timedelta(days=born))
            .not_valid_after(now + dt.timedelta(days=days)).sign(key, hashes.SHA256()))
    path = folder / f"{name}.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"seal", key, cert, None, serialization.BestAvailableEncryption(password.encode())))
    return path, cert


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> tuple[Path, x509.Certificate, xades.Certificate]:
    path, cert = make_certificate(tmp_path_factory.mktemp("certificate"))
    return path, cert, xades.load_certificate(path.read_bytes(), PASSWORD)


def facturae(credit: bool = False) -> bytes:
    """The Facturae of an invoice (or of its credit note) to a Spanish company, as posting builds it."""
    rows = [line("SO-1", 1, "C1", 3, 120.0, "S", 21.0), line("SO-1", 2, "C1", 7.5, 10.3333, "AA", 10.0, discount=5)]
    _, out = documents(rows, BUYERS["ES"], SPAIN)
    doc, files = out[0]
    if credit:
        log = pd.DataFrame([{"invoice_id": doc["invoice_id"], "doc_type": "INV", "order_id": "SO-1", "order_line": n,
                             "quantity": q} for n, q in ((1, 3), (2, 7.5))])
        _, out = documents([dict(rows[0], returned_quantity=1.0), rows[1]], BUYERS["ES"], SPAIN, log=log)
        doc, files = out[0]
        assert doc["doc_type"] == "CRN"
    return next(b for n, b in files.items() if n.endswith(".xml"))


def test_the_signature_verifies_with_the_certificate_and_only_with_it(company, tmp_path):
    _, cert, certificate = company
    signed = xades.sign_facturae(facturae(), certificate)
    found = xades.verify_facturae(signed, cert)
    assert found.subject == cert.subject.rfc4514_string() and found.serial_number == cert.serial_number
    assert found.role == "emisor" and found.policy == POLICY_URL
    assert xades.verify_facturae(signed).serial_number == cert.serial_number  # with the certificate it carries
    _, other = make_certificate(tmp_path, name="other")
    with pytest.raises(xades.SignatureError):
        xades.verify_facturae(signed, other)


def test_it_is_xades_epes_under_the_facturae_policy_v3_1(company):
    _, cert, certificate = company
    signed = xades.sign_facturae(facturae(), certificate)
    root = etree.fromstring(signed)
    signatures = root.findall(".//ds:Signature", NS)
    assert len(signatures) == 1 and root[-1] is signatures[0]  # enveloped: the last child of Facturae
    sig = signatures[0]
    assert sig.find("ds:SignedInfo/ds:SignatureMethod", NS).get("Algorithm") == \
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    props = sig.find("ds:Object/xades:QualifyingProperties/xades:SignedProperties/xades:SignedSignatureProperties",
                     NS)
    assert props is not None
    policy = props.find("xades:SignaturePolicyIdentifier/xades:SignaturePolicyId", NS)
    assert policy.findtext("xades:SigPolicyId/xades:Identifier", namespaces=NS) == POLICY_URL
    assert policy.find("xades:SigPolicyHash/ds:DigestMethod", NS).get("Algorithm") == \
        "http://www.w3.org/2000/09/xmldsig#sha1"
    assert policy.findtext("xades:SigPolicyHash/ds:DigestValue", namespaces=NS) == POLICY_SHA1
    signing = props.find("xades:SigningCertificate/xades:Cert", NS)
    method = signing.find("xades:CertDigest/ds:DigestMethod", NS).get("Algorithm")
    assert method == "http://www.w3.org/2001/04/xmlenc#sha512"
    der = cert.public_bytes(serialization.Encoding.DER)
    assert signing.findtext("xades:CertDigest/ds:DigestValue", namespaces=NS) == \
        base64.b64encode(hashlib.sha512(der).digest()).decode()
    assert signing.findtext("xades:IssuerSerial/ds:X509SerialNumber", namespaces=NS) == str(cert.serial_number)
    assert props.findtext("xades:SignerRole/xades:ClaimedRoles/xades:ClaimedRole", namespaces=NS) == "emisor"
    when = dt.datetime.fromisoformat(props.findtext("xades:SigningTime", namespaces=NS))
    assert abs(when - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    fmt = sig.find(".//xades:SignedDataObjectProperties/xades:DataObjectFormat", NS)
    whole = [r for r in sig.findall("ds:SignedInfo/ds:Reference", NS) if r.get("URI") == ""]
    assert len(whole) == 1 and fmt.get("ObjectReference") == f"#{whole[0].get('Id')}"  # the whole invoice
    assert [t.get("Algorithm") for t in whole[0].findall("ds:Transforms/ds:Transform", NS)][0] == \
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    assert fmt.findtext("xades:MimeType", namespaces=NS) == "text/xml"
    assert fmt.findtext("xades:ObjectIdentifier/xades:Identifier", namespaces=NS) == "urn:oid:1.2.840.10003.5.109.10"
    signed_refs = {r.get("URI") for r in sig.findall("ds:SignedInfo/ds:Reference", NS)}
    assert f"#{sig.find('ds:Object/xades:QualifyingProperties/xades:SignedProperties', NS).get('Id')}" in signed_refs
    assert f"#{sig.find('ds:KeyInfo', NS).get('Id')}" in signed_refs  # the certificate is signed too


@pytest.mark.parametrize("credit", [False, True], ids=["invoice", "credit note"])
def test_the_signed_file_still_validates_against_the_facturae_xsd(company, credit):
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    unsigned = facturae(credit)
    signed = xades.sign_facturae(unsigned, company[2])
    assert schema.validate(etree.fromstring(signed)), str(schema.error_log)
    assert signed.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    report = check_document("signed.xml", signed)  # what invoice --check says of it
    assert report.fatal == [] and "XAdES-EPES signature (Facturae policy v3.1) verified" in report.ran
    assert [f.rule for f in check_document("unsigned.xml", unsigned).fatal] == ["SIGNATURE"]


def test_changing_one_amount_or_a_signed_property_breaks_the_signature(company):
    signed = xades.sign_facturae(facturae(), company[2])
    total = etree.fromstring(signed).findtext(".//InvoiceTotals/InvoiceTotal")
    assert total and signed.count(f"<InvoiceTotal>{total}</InvoiceTotal>".encode()) == 1
    tampered = signed.replace(f"<InvoiceTotal>{total}</InvoiceTotal>".encode(),
                              f"<InvoiceTotal>{float(total) + 1:.2f}</InvoiceTotal>".encode())
    with pytest.raises(xades.SignatureError, match="[Dd]igest"):
        xades.verify_facturae(tampered, company[1])
    report = check_document("tampered.xml", tampered)
    assert [f.rule for f in report.fatal] == ["SIGNATURE"] and "does not verify" in report.fatal[0].message
    role = signed.replace(b">emisor<", b">receptor<")
    assert role != signed
    with pytest.raises(xades.SignatureError):
        xades.verify_facturae(role, company[1])
    policy = signed.replace(POLICY_SHA1.encode(), base64.b64encode(b"\0" * 20))
    with pytest.raises(xades.SignatureError):
        xades.verify_facturae(policy, company[1])


def test_a_signature_without_the_facturae_policy_is_not_accepted(company):
    signed = xades.sign_facturae(facturae(), company[2])
    root = etree.fromstring(signed)
    policy = root.find(".//xades:SignaturePolicyIdentifier", NS)
    policy.getparent().remove(policy)
    with pytest.raises(xades.SignatureError, match="EPES"):
        xades.verify_facturae(etree.tostring(root), company[1])


def test_certificates_that_cannot_sign_are_refused_saying_why(tmp_path):
    path, _ = make_certificate(tmp_path)
    with pytest.raises(xades.CertificateError, match="password is wrong"):
        xades.load_certificate(path.read_bytes(), "not the password")
    expired, _ = make_certificate(tmp_path, days=-1, born=-400, name="expired")
    with pytest.raises(xades.CertificateError, match="expired on"):
        xades.load_certificate(expired.read_bytes(), PASSWORD)
    future, _ = make_certificate(tmp_path, born=10, name="future")
    with pytest.raises(xades.CertificateError, match="valid only from"):
        xades.load_certificate(future.read_bytes(), PASSWORD)
    ecdsa, _ = make_certificate(tmp_path, key=ec.generate_private_key(ec.SECP256R1()), name="ec")
    with pytest.raises(xades.CertificateError, match="not RSA"):
        xades.load_certificate(ecdsa.read_bytes(), PASSWORD)
    with pytest.raises(xades.CertificateError, match="not a PKCS#12"):
        xades.load_certificate(b"not a certificate", PASSWORD)
    env = {"OTC_XL_FACTURAE_PASSWORD": PASSWORD}
    assert xades.certificate_from_config("", "OTC_XL_FACTURAE_PASSWORD", environ=env) is None  # not configured
    assert xades.certificate_from_config(path.name, "OTC_XL_FACTURAE_PASSWORD", tmp_path, env) is not None
    cases = [(tmp_path / "missing.p12", env, "no such file"), (path, {}, "OTC_XL_FACTURAE_PASSWORD"),
             (path, {"OTC_XL_FACTURAE_PASSWORD": "wrong"}, "password is wrong"), (expired, env, "expired")]
    for file, environ, why in cases:
        with pytest.raises(ValidationError) as refused:
            xades.certificate_from_config(str(file), "OTC_XL_FACTURAE_PASSWORD", environ=environ)
        said = str(refused.value.problems[0])
        assert refused.value.problems[0].sheet == "Config" and "facturae_certificate" in said and why in said, said


def test_the_password_setting_names_a_variable_never_holds_a_password():
    from otc_xl.config import Config, _apply

    config, problems = _apply({"facturae_certificate": "seal.p12", "facturae_certificate_password_env": "MY_PW"},
                              Config(), "Config")
    assert problems == [] and config.facturae_certificate == "seal.p12"
    assert config.facturae_certificate_password_env == "MY_PW"
    assert Config().facturae_certificate_password_env == "OTC_XL_FACTURAE_PASSWORD"
    config, problems = _apply({"facturae_certificate_password_env": "hunter2 !"}, Config(), "Config")
    assert len(problems) == 1 and "environment variable" in problems[0].message
    assert "hunter2" not in problems[0].message and config.facturae_certificate_password_env == \
        "OTC_XL_FACTURAE_PASSWORD"


# ---------------------------------------------------------------------------- invoice --post


def _post(tmp_path: Path, certificate: Path, environ: dict[str, str]):
    book = tmp_path / "book.xlsx"
    shutil.copy(ROOT / "workbooks" / "otc_demo.xlsx", book)
    settings = tmp_path / "signing.toml"
    settings.write_text(f'facturae_certificate = "{certificate.as_posix()}"\n'
                        'facturae_certificate_password_env = "OTC_TEST_SEAL_PASSWORD"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "OTC_TEST_SEAL_PASSWORD"} | environ
    done = subprocess.run([sys.executable, "-m", "otc_xl.cli", "invoice", str(book), "--post", "--files",
                           str(tmp_path / "docs"), "--as-of", "2026-11-30", "--config", str(settings)],
                          capture_output=True, text=True, env=env)
    return book, tmp_path / "docs", done


@pytest.mark.e2e  # a whole CLI flow on the demo: run by .ci/run (pytest -m "")
def test_post_signs_the_facturae_files_and_drops_the_unsigned_marks(company, tmp_path):
    path, cert, _ = company
    book, docs, done = _post(tmp_path, path, {"OTC_TEST_SEAL_PASSWORD": PASSWORD})
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 0, said
    log = otc_xl.read_workbook(book).records["billing_log"].drop_duplicates("invoice_id")
    spanish = log.loc[log["format"] == "facturae"]
    assert len(spanish) == 3
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    for r in spanish.itertuples():
        xml = (docs / f"{r.invoice_id}.xml").read_bytes()
        assert xades.verify_facturae(xml, cert).serial_number == cert.serial_number
        assert schema.validate(etree.fromstring(xml)), str(schema.error_log)
        mail = email.message_from_bytes((docs / f"{r.customer_id}_EUR_invoices.eml").read_bytes(),
                                        policy=email.policy.default)
        assert "UNSIGNED" not in mail["Subject"] and r.invoice_id in mail["Subject"]
        attached = {a.get_filename(): a.get_content() for a in mail.iter_attachments()}
        assert attached[f"{r.invoice_id}.xml"] in (xml, xml.decode())  # the signed file is the one sent
    assert "NOT signed" not in said and "UNSIGNED" not in said
    assert "3 Facturae file(s) signed XAdES-EPES (policy v3.1) by" in said
    checked = subprocess.run([sys.executable, "-m", "otc_xl.cli", "invoice", str(book), "--check", "--files",
                              str(docs), "--as-of", "2026-11-30"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    checks = pd.read_excel(book, sheet_name="InvoiceChecks", engine="calamine")
    assert checks.loc[checks["format"] == "facturae", "fatal"].tolist() == [0, 0, 0]


@pytest.mark.parametrize("problem", ["wrong password", "no password variable", "expired", "missing file"])
def test_post_is_refused_with_nothing_written_when_the_certificate_cannot_sign(tmp_path, problem):
    path, _ = make_certificate(tmp_path, days=-1, born=-400) if problem == "expired" else make_certificate(tmp_path)
    environ = {"no password variable": {}, "wrong password": {"OTC_TEST_SEAL_PASSWORD": "nope"}}.get(
        problem, {"OTC_TEST_SEAL_PASSWORD": PASSWORD})
    if problem == "missing file":
        path = tmp_path / "gone.p12"
    book, docs, done = _post(tmp_path, path, environ)
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 1, said
    assert "Traceback" not in said and "facturae_certificate" in said and "nothing was posted" in said
    why = {"wrong password": "password is wrong", "no password variable": "OTC_TEST_SEAL_PASSWORD",
           "expired": "expired on", "missing file": "no such file"}[problem]
    assert why in said, said
    assert book.read_bytes() == (ROOT / "workbooks" / "otc_demo.xlsx").read_bytes() and not docs.exists()


@pytest.mark.e2e  # a whole CLI flow on the demo: run by .ci/run (pytest -m "")
def test_a_certificate_named_on_the_config_sheet_is_found_beside_the_workbook(tmp_path):
    """The Config sheet names the file relative to the workbook's folder, as a user types it."""
    import openpyxl

    path, cert = make_certificate(tmp_path, name="seal")
    book = tmp_path / "book.xlsx"
    shutil.copy(ROOT / "workbooks" / "otc_demo.xlsx", book)
    wb = openpyxl.load_workbook(book)
    ws = wb["Config"]
    for row in ws.iter_rows():
        if row[0].value == "facturae_certificate":
            row[1].value = path.name
    wb.save(book)
    env = {k: v for k, v in os.environ.items() if k != "OTC_XL_FACTURAE_PASSWORD"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()  # the working directory is not the workbook's folder
    done = subprocess.run([sys.executable, "-m", "otc_xl.cli", "invoice", str(book), "--post", "--as-of",
                           "2026-11-30"], capture_output=True, text=True, cwd=elsewhere,
                          env=env | {"OTC_XL_FACTURAE_PASSWORD": PASSWORD, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0, done.stdout + done.stderr
    written = sorted((tmp_path / "book_letters").rglob("FV-*.xml"))
    facturae_files = [p for p in written if b"Facturae" in p.read_bytes()[:400]]
    assert len(facturae_files) == 3
    for p in facturae_files:
        assert xades.verify_facturae(p.read_bytes(), cert).serial_number == cert.serial_number
