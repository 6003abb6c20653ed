"""Letters, statements and e-mail drafts: language choice, Babel formatting, autoescape, template
overrides, .eml headers, and PDF rendering in a real office program."""

import datetime as dt
import email
import subprocess
from email import policy

import pandas as pd
import pytest

from conftest import needs_writer, soffice
from otc_xl.collecting import DunningLevel, DunningPolicy, dunning_run
from otc_xl.collecting.statements import statement_lines
from otc_xl.letters import dunning_letters, email_draft, statements
from otc_xl.letters.formatting import long_date, money, short_date
from test_collections import AS_OF, customers, items

POLICY = DunningPolicy((DunningLevel(1, 1), DunningLevel(2, 15, fee=10.0, interest_rate=0.10)), grace_days=0)


def reminded(customer_ids, days_ago=15, level=1):
    """A DunningHistory with one notice per customer (its letter produced) ``days_ago`` days before AS_OF."""
    return pd.DataFrame({"dunned_on": pd.Timestamp(AS_OF) - pd.Timedelta(days=days_ago),
                         "customer_id": list(customer_ids), "invoice_id": [f"INV-{c}" for c in customer_ids],
                         "level": level, "currency": "EUR", "open_amount": 1234.56, "fee": 0.0, "interest": 0.0,
                         "letter": [f"{c}_EUR_dunning.html" for c in customer_ids]})


def letters_for(master, frame=None, **kwargs):
    """The second notices (a reminder went out 15 days ago) to the customers of ``master``."""
    frame = frame if frame is not None else items(*[(f"INV-{c}", c, 20, 1234.56) for c in master["customer_id"]])
    result = dunning_run(frame, master, AS_OF, POLICY, reminded(master["customer_id"]))
    return {d.customer_id: d for d in dunning_letters(result, master, AS_OF, company="Acme Iberia", **kwargs)}


@pytest.mark.parametrize("lang, amount, long", [
    ("es", "1.234,56\xa0€", "31 de diciembre de 2026"), ("it", "1.234,56\xa0€", "31 dicembre 2026"),
    ("fr", "1\u202f234,56\xa0€", "31 décembre 2026"), ("en", "€1,234.56", "31 December 2026"),
    ("de", "1.234,56\xa0€", "31. Dezember 2026"), ("ro", "1.234,56\xa0EUR", "31 decembrie 2026")])
def test_formatting_per_locale(lang, amount, long):
    assert money(1234.56, "EUR", lang) == amount
    assert long_date(dt.date(2026, 12, 31), lang) == long
    assert short_date(dt.date(2026, 1, 5), lang) in ("05/01/2026", "05.01.2026")


def test_each_language_gets_its_own_letter_and_tone():
    master = customers(("C1", "es"), ("C2", "it"), ("C3", "fr"), ("C4", "en"), ("C5", "de"), ("C6", "ro"))
    docs = letters_for(master)
    expected = {"C1": ("Segundo aviso de pago", "1.251,32"), "C2": ("Secondo sollecito", "1.251,32"),
                "C3": ("Deuxième relance", "1\u202f251,32"), "C4": ("Second reminder", "1,251.32"),
                "C5": ("2. Mahnung", "1.251,32"), "C6": ("A doua notificare", "1.251,32")}
    for customer, (subject, total) in expected.items():  # 1,234.56 + fee 10 + interest 6.76 (10 %, 20 days)
        doc = docs[customer]
        assert doc.subject.startswith(subject) and f"Name {customer}" in doc.subject
        assert total in doc.html and "INV-" + customer in doc.html
    assert "Estimados señores" in docs["C1"].html and "10/11/2026" in docs["C1"].html  # due date, short format
    assert "7 de diciembre de 2026" in docs["C1"].html  # pay by, long format
    assert "Acme Iberia" in docs["C1"].html


def test_language_fallback_is_english():
    docs = letters_for(customers(("C1", "pt"), ("C2", "")), default_language="en")
    assert docs["C1"].language == "pt" and docs["C1"].subject.startswith("Second reminder")
    assert docs["C2"].subject.startswith("Second reminder")


def test_autoescape_shows_markup_as_text():
    master = customers(("C1", "en"))
    master.loc[0, "customer_name"] = '<script>alert("x")</script> & Sons'
    master.loc[0, "contact"] = "<b>Bob</b>"
    html = letters_for(master)["C1"].html
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Sons" in html
    assert "<b>Bob</b>" not in html and "&lt;b&gt;Bob&lt;/b&gt;" in html


def test_templates_folder_overrides_one_file(tmp_path):
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "dunning.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block subject %}Aviso de {{ company }}{% endblock %}'
        '{% block content %}<p>Debe {{ notice.total_due | money }}.</p>{% endblock %}', encoding="utf-8")
    docs = letters_for(customers(("C1", "es"), ("C2", "it")), templates_folder=str(tmp_path))
    assert docs["C1"].subject == "Aviso de Acme Iberia" and "Debe 1.251,32" in docs["C1"].html
    assert docs["C2"].subject.startswith("Secondo sollecito")  # other languages keep the built-in templates


def test_eml_is_a_parsable_draft_with_the_right_headers():
    master = customers(("C1", "fr"))
    master.loc[0, "customer_name"] = "Société Générale\r\nBcc: evil@example.com"
    doc = letters_for(master)["C1"]
    raw = email_draft(doc, sender="Recouvrement <ar@acme.example>",
                      sent_on=dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC))
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["To"] == "ap@c1.example" and message["From"] == "Recouvrement <ar@acme.example>"
    assert message["Subject"].startswith("Deuxième relance – Société Générale Bcc: evil@example.com")
    assert message["Bcc"] is None and message["X-Unsent"] == "1" and message["Content-Language"] == "fr"
    assert message.get_content_type() == "text/html"
    body = message.get_content()
    assert "INV-C1" in body and "1\u202f251,32" in body


def test_eml_without_a_valid_address_leaves_to_empty():
    master = customers(("C1", "en"))
    master.loc[0, "email"] = "not an address"
    raw = email_draft(letters_for(master)["C1"])
    assert email.message_from_bytes(raw, policy=policy.default)["To"] is None


def test_statement_document_in_the_customers_language():
    frame = items(("A", "C1", 40, 300.0), ("B", "C1", -5, 200.0))
    receipts = pd.DataFrame({"customer_id": ["C1"], "payment_id": ["PAY-9"], "payment_date": [pd.Timestamp(AS_OF)],
                             "currency": ["EUR"], "amount": [120.0]})
    lines = statement_lines(frame, AS_OF, receipts)
    (doc,) = statements(lines, customers(("C1", "it")), AS_OF, ["Current", "1-30", "31-60", "Over 60"])
    assert doc.subject == "Estratto conto – Name C1 (EUR)"
    for text in ("Saldo iniziale", "Saldo finale", "380,00\xa0€", "PAY-9", "Non scaduto", "31-60"):
        assert text in doc.html, text


def pdf_text(html_path, outdir):
    from pypdf import PdfReader

    subprocess.run([soffice(), f"-env:UserInstallation=file://{outdir}/lo_profile", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(outdir), str(html_path)],
                   capture_output=True, text=True, timeout=180, check=True)
    pdf = outdir / (html_path.stem + ".pdf")
    assert pdf.exists(), "LibreOffice wrote no PDF (is libreoffice-writer-nogui installed?)"
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages)


@needs_writer
@pytest.mark.parametrize("lang, phrases", [
    ("es", ["Segundo aviso de pago", "Estimados señores", "1.251,32 €", "7 de diciembre de 2026", "Atentamente"]),
    ("it", ["Secondo sollecito di pagamento", "1.251,32 €", "7 dicembre 2026", "Distinti saluti"]),
    ("fr", ["Deuxième relance", "Madame, Monsieur", "7 décembre 2026", "Frais de relance"]),
    ("en", ["Second reminder", "Dear Sir or Madam", "€1,251.32", "7 December 2026", "Yours faithfully"]),
    ("de", ["2. Mahnung", "Sehr geehrte Damen und Herren", "1.251,32 €", "7. Dezember 2026", "Mahngebühr"]),
])
def test_letter_renders_to_pdf_with_its_text(lang, phrases, tmp_path):
    doc = letters_for(customers(("C1", lang)))["C1"]
    html = tmp_path / f"{doc.stem}.html"
    html.write_text(doc.html, encoding="utf-8")
    text = pdf_text(html, tmp_path).replace("\u202f", " ").replace("\xa0", " ")
    for phrase in phrases:
        assert phrase.replace("\xa0", " ") in text, (phrase, text[:500])
    assert "INV-C1" in text and "Name C1" in text


def test_a_customer_without_collector_is_told_whom_to_contact():
    """No Collector typed (a one-person AR team): the letters name the company's contact (Config
    company_contact_name), never "contact  so that" / "Please let  know"."""
    master = customers(("C1", "en"), ("C2", "de"))
    master["collector"] = ""
    frame = items(("INV-C1", "C1", 20, 1234.56), ("INV-C2", "C2", 20, 99.0))
    frame["collector"] = ""
    result = dunning_run(frame, master, AS_OF, POLICY, reminded(master["customer_id"]))
    docs = {d.customer_id: d for d in dunning_letters(result, master, AS_OF, company="Acme Iberia",
                                                       contact="Erika Muster")}
    assert "contact\nErika Muster so that we can resolve it" in docs["C1"].html
    assert "wenden Sie sich an\nErika Muster." in docs["C2"].html
    assert "Erika Muster<br>Acme Iberia" in docs["C1"].html
    lines = statement_lines(frame, AS_OF)
    by_customer = {d.customer_id: d for d in statements(lines, master, AS_OF, ["Current", "1-30", "31-60", "Over 60"],
                                                        company="Acme Iberia", contact="Erika Muster")}
    assert "Please let Erika Muster know of any difference" in by_customer["C1"].html
    with_collector = letters_for(customers(("C3", "en")), contact="Erika Muster")["C3"].html
    assert "contact\nAna so that" in with_collector and "Erika Muster" not in with_collector
