"""Facturae signed as FACe and Spanish receivers require: an enveloped XAdES-EPES signature made with
the company's certificate (a PKCS#12 file, ``.p12`` / ``.pfx``) under the Facturae signature policy v3.1.

The signature (**signxml**'s XAdES signer) carries, in its signed properties:

- SigningTime, and SigningCertificate (the certificate's SHA-512 digest, its issuer and serial number);
- SignaturePolicyIdentifier: the policy v3.1 (:data:`POLICY_URL`, and :data:`POLICY_DIGEST`, the SHA-1
  digest of the policy document as AutoFirma and the other Facturae signers declare it) — what makes it EPES;
- SignerRole ``emisor`` (the invoice's issuer signs);
- DataObjectFormat of the signed invoice: "Factura electrónica", the Facturae OID, ``text/xml``.

RSA with SHA-256, digests SHA-512, inclusive C14N 1.0; the certificate is in KeyInfo (signed too).
The signature is the last child of ``Facturae``, where the Facturae 3.2.2 XSD puts ``ds:Signature``.

:func:`verify_facturae` checks a signed file: every reference digest and the signature value with the
certificate it carries (or one given), the certificate digest of SigningCertificate, the policy id and
digest. It does not decide whether the certificate is trusted (a qualified certificate from a listed
authority, not revoked): FACe and the receivers' platforms do that.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from lxml import etree

from ...model.problems import Problem, ValidationError

with warnings.catch_warnings():  # signxml's type hints name DSA keys: cryptography warns "DSA is deprecated"
    warnings.filterwarnings("ignore", message="DSA is deprecated")
    from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, methods
    from signxml.exceptions import InvalidInput, InvalidSignature
    from signxml.util import ds_tag, xades_tag
    from signxml.xades import (
        XAdESDataObjectFormat,
        XAdESSignatureConfiguration,
        XAdESSignaturePolicy,
        XAdESSigner,
        XAdESVerifier,
    )

POLICY_URL = "http://www.facturae.es/politica_de_firma_formato_facturae/politica_de_firma_formato_facturae_v3_1.pdf"
"""SigPolicyId Identifier of the Facturae signature policy v3.1."""
POLICY_DESCRIPTION = "Política de Firma FacturaE v3.1"
POLICY_DIGEST = "Ohixl6upD6av8N7pEvDABhEL6hM="
"""SigPolicyHash: the SHA-1 digest (base64) of the policy document, as AutoFirma and Facturae-PHP declare it."""
ROLE = "emisor"
"""SignerRole ClaimedRole: the policy's roles are emisor (supplier), receptor (customer) and tercero."""
FACTURAE_OID = "urn:oid:1.2.840.10003.5.109.10"
"""DataObjectFormat ObjectIdentifier of a Facturae invoice (OIDAsURN)."""
DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"


class CertificateError(ValueError):
    """The certificate file cannot sign: unreadable, wrong password, no RSA key, expired or not yet valid."""


class SignatureError(ValueError):
    """A Facturae signature that does not verify, or is not the XAdES-EPES the policy requires."""


@dataclass(frozen=True)
class Certificate:
    """The company's signing key, its certificate and the chain the PKCS#12 file holds."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def subject(self) -> str:
        return self.cert.subject.rfc4514_string()


@dataclass(frozen=True)
class Verified:
    """What a valid signature says: who signed (the certificate's subject), when, under which policy."""

    subject: str
    serial_number: int
    signing_time: str
    policy: str
    role: str
    not_valid_after: dt.datetime


def load_certificate(data: bytes, password: str | bytes | None, when: dt.datetime | None = None) -> Certificate:
    """The key and certificate of a PKCS#12 file's bytes, checked usable at ``when`` (now): RSA, valid
    then. Raises :class:`CertificateError` saying what is wrong."""
    secret = password.encode("utf-8") if isinstance(password, str) else password
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, secret or None)
    except (ValueError, TypeError) as exc:
        wrong = "the password is wrong or the file is not a PKCS#12 certificate (.p12/.pfx)"
        raise CertificateError(wrong if "password" in str(exc).lower() or "pkcs12" in str(exc).lower()
                               else f"{wrong}: {exc}") from None
    if key is None or cert is None:
        raise CertificateError("the file holds no private key with its certificate")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CertificateError(f"the key is {type(key).__name__.lstrip('_')}, not RSA (Facturae signatures are RSA)")
    when = when or dt.datetime.now(dt.UTC)
    name = cert.subject.rfc4514_string()
    if cert.not_valid_after_utc < when:
        raise CertificateError(f"the certificate of {name} expired on {cert.not_valid_after_utc:%Y-%m-%d}; "
                               "renew it")
    if cert.not_valid_before_utc > when:
        raise CertificateError(f"the certificate of {name} is valid only from {cert.not_valid_before_utc:%Y-%m-%d}")
    return Certificate(key, cert, tuple(extra or ()))


CERTIFICATE_KEY = "facturae_certificate"
PASSWORD_KEY = "facturae_certificate_password_env"


def certificate_from_config(path: str, password_env: str, base: Path | None = None,
                            environ: Any = None) -> Certificate | None:
    """The certificate Config ``facturae_certificate`` names (a path; relative to ``base``, the workbook's
    folder), opened with the password in the environment variable ``facturae_certificate_password_env``
    names. None when no certificate is configured. Raises ValidationError (sheet Config) naming the
    setting and what is wrong: nothing may be posted with a certificate that cannot sign."""
    if not str(path or "").strip():
        return None
    environ = os.environ if environ is None else environ
    file = Path(str(path).strip()).expanduser()
    if not file.is_absolute() and base is not None:
        file = Path(base) / file

    def refuse(why: str) -> ValidationError:
        return ValidationError([Problem("Config", f"{CERTIFICATE_KEY} {file}: {why}; nothing was posted (fix "
                                                  "the certificate, or empty the setting to post Facturae "
                                                  "unsigned)")])

    if not file.is_file():
        raise refuse("no such file")
    variable = str(password_env or "").strip()
    if not variable or variable not in environ:
        raise refuse(f"the password is read from the environment variable {variable or '(none)'} "
                     f"({PASSWORD_KEY}), which is not set; set it before posting (never type the password "
                     "in the workbook)")
    try:
        return load_certificate(file.read_bytes(), environ[variable])
    except OSError as exc:
        raise refuse(f"cannot read it ({exc.strerror or exc})") from None
    except CertificateError as exc:
        raise refuse(str(exc)) from None


class FacturaeSigner(XAdESSigner):
    """signxml's XAdES signer with what the Facturae policy asks: the SigningCertificate of XAdES 1.3.2
    (digest, issuer and serial number), the signing time given, the ObjectIdentifier of DataObjectFormat."""

    def __init__(self, certificate: Certificate, when: dt.datetime | None = None) -> None:
        super().__init__(signature_policy=policy(), claimed_roles=[ROLE],
                         data_object_format=XAdESDataObjectFormat(Description="Factura electrónica",
                                                                  MimeType="text/xml"),
                         method=methods.enveloped, signature_algorithm=SignatureMethod.RSA_SHA256,
                         digest_algorithm=DigestAlgorithm.SHA512,
                         c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0)
        self.certificate = certificate
        self.when = when

    def add_signing_time(self, signed_signature_properties, sig_root, signing_settings) -> None:
        node = etree.SubElement(signed_signature_properties, xades_tag("SigningTime"), nsmap=self.namespaces)
        node.text = (self.when or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")

    def add_signing_certificate(self, signed_signature_properties, sig_root, signing_settings) -> None:
        cert = self.certificate.cert
        signing = etree.SubElement(signed_signature_properties, xades_tag("SigningCertificate"), nsmap=self.namespaces)
        node = etree.SubElement(signing, xades_tag("Cert"), nsmap=self.namespaces)
        digest = etree.SubElement(node, xades_tag("CertDigest"), nsmap=self.namespaces)
        etree.SubElement(digest, ds_tag("DigestMethod"), nsmap=self.namespaces, Algorithm=self.digest_alg.value)
        value = etree.SubElement(digest, ds_tag("DigestValue"), nsmap=self.namespaces)
        value.text = base64.b64encode(self._get_digest(cert.public_bytes(Encoding.DER),
                                                       algorithm=self.digest_alg)).decode()
        serial = etree.SubElement(node, xades_tag("IssuerSerial"), nsmap=self.namespaces)
        etree.SubElement(serial, ds_tag("X509IssuerName"), nsmap=self.namespaces).text = cert.issuer.rfc4514_string()
        etree.SubElement(serial, ds_tag("X509SerialNumber"), nsmap=self.namespaces).text = str(cert.serial_number)

    def add_data_object_format(self, signed_data_object_properties, sig_root, signing_settings) -> None:
        super().add_data_object_format(signed_data_object_properties, sig_root, signing_settings)
        identifier = etree.Element(xades_tag("ObjectIdentifier"), nsmap=self.namespaces)
        etree.SubElement(identifier, xades_tag("Identifier"), nsmap=self.namespaces,
                         Qualifier="OIDAsURN").text = FACTURAE_OID
        signed_data_object_properties[-1].insert(1, identifier)  # XAdES order: Description, ObjectIdentifier, MimeType


def policy() -> XAdESSignaturePolicy:
    """The Facturae policy v3.1 as signxml's XAdESSignaturePolicy."""
    return XAdESSignaturePolicy(Identifier=POLICY_URL, Description=POLICY_DESCRIPTION,
                                DigestMethod=DigestAlgorithm.SHA1, DigestValue=POLICY_DIGEST)


def _parse(xml: bytes) -> etree._Element:
    """The root of ``xml``, entities and the network refused."""
    root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    if root is None:
        raise SignatureError("not an XML document")
    return root


def sign_facturae(xml: bytes, certificate: Certificate, when: dt.datetime | None = None) -> bytes:
    """``xml`` (a Facturae file) with its enveloped XAdES-EPES signature, as bytes with an XML declaration."""
    root = _parse(xml)
    if root.find(f"{{{DS}}}Signature") is not None:
        raise SignatureError("the file is signed already")
    chain = [certificate.cert, *certificate.chain]
    signer: Any = FacturaeSigner(certificate, when)  # signxml's @wraps on XAdESSigner.sign hides its signature
    signed = signer.sign(root, key=certificate.key, cert=chain)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(signed, encoding="UTF-8")


def verify_facturae(xml: bytes, certificate: x509.Certificate | None = None) -> Verified:
    """Check the signature of a signed Facturae: the reference digests and the signature value with
    ``certificate`` (else the one in KeyInfo), the SigningCertificate digest, the Facturae policy v3.1
    (id and digest), the signed document being the whole Facturae. Raises :class:`SignatureError`."""
    root = _parse(xml)
    signatures = root.findall(f".//{{{DS}}}Signature")
    if len(signatures) != 1 or signatures[0].getparent() is not root:
        raise SignatureError(f"expected one ds:Signature as the last child of Facturae, found {len(signatures)}")
    signature = signatures[0]
    if certificate is None:
        carried = signature.find(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
        if carried is None or not (carried.text or "").strip():
            raise SignatureError("the signature carries no certificate (KeyInfo X509Certificate)")
        certificate = x509.load_der_x509_certificate(base64.b64decode("".join((carried.text or "").split())))
    properties = signature.find(f".//{{{XADES}}}SignedSignatureProperties")
    if properties is None:
        raise SignatureError("not XAdES: no SignedSignatureProperties")
    if properties.find(f"{{{XADES}}}SignaturePolicyIdentifier/{{{XADES}}}SignaturePolicyId") is None:
        raise SignatureError("not XAdES-EPES: no SignaturePolicyIdentifier (the Facturae policy v3.1)")
    try:
        results = XAdESVerifier().verify(
            xml, x509_cert=certificate, expect_signature_policy=policy(),
            expect_config=XAdESSignatureConfiguration(ignore_ambiguous_key_info=True))
    except (InvalidSignature, InvalidInput) as exc:
        raise SignatureError(str(exc) or type(exc).__name__) from None
    if root.tag not in {getattr(r.signed_xml, "tag", None) for r in results}:
        raise SignatureError("the signature does not cover the whole Facturae document")
    role = properties.find(f"{{{XADES}}}SignerRole/{{{XADES}}}ClaimedRoles/{{{XADES}}}ClaimedRole")
    return Verified(certificate.subject.rfc4514_string(), certificate.serial_number,
                    properties.findtext(f"{{{XADES}}}SigningTime") or "", POLICY_URL,
                    "" if role is None else (role.text or ""), certificate.not_valid_after_utc)
