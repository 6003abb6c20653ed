"""Issue 28: customers' VAT numbers checked by VIES (otc-xl vat-check). VIES itself is not reachable
here: a local server answers as the Commission's REST service documents it (valid with name, address
and consultation number; invalid with "---"; the error codes), so what is verified is our side — the
request, every kind of answer, a network that is down — not the Commission's service."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from otc_xl.billing.vat_register import to_ask, vat_checks
from otc_xl.cli import main
from otc_xl.io.vies import ViesAnswer, ViesClient

REGISTER = {
    ("DE", "123456788"): {"valid": True, "name": "MUSTER HANDELS GMBH", "address": "HAUPTSTR. 1\n10115 BERLIN"},
    ("FR", "40303265045"): {"valid": False, "name": "---", "address": "---"},
    ("BE", "0411905847"): {"valid": True, "name": "SOCIETE TOUT AUTRE SA", "address": "RUE ROYALE 1"},
    ("ES", "B86412574"): {"valid": True, "name": "IBERIA COMPONENTS SL", "address": "CALLE DE ALCALA 120 MADRID"},
}
DOWN = {("IT", "01234560017"): "MS_UNAVAILABLE"}


class _Vies(BaseHTTPRequestHandler):
    asked: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).asked.append(body)
        key = (body["countryCode"], body["vatNumber"])
        if self.path != "/rest-api/check-vat-number":
            self._reply(404, {})
        elif key in DOWN:
            self._reply(500, {"actionSucceed": False, "errorWrappers": [{"error": DOWN[key]}]})
        else:
            known = REGISTER.get(key, {"valid": False, "name": "---", "address": "---"})
            consultation = "WAPIAAAAZ" + body["vatNumber"][-4:] if body.get("requesterNumber") else ""
            self._reply(200, {"countryCode": key[0], "vatNumber": key[1], "requestDate": "2026-12-06T10:00:00.000Z",
                              "requestIdentifier": consultation, **known})

    def _reply(self, status: int, data: dict) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *_):
        pass


@pytest.fixture
def vies(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Vies)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Vies.asked = []
    url = f"http://127.0.0.1:{server.server_port}/rest-api"
    monkeypatch.setenv("OTC_VIES_URL", url)
    yield url
    server.shutdown()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_each_kind_of_answer(vies):
    client = ViesClient(requester=("ES", "B86412574"))
    registered = client.check("DE", "123456788")
    assert registered == ViesAnswer("registered", "MUSTER HANDELS GMBH", "HAUPTSTR. 1 10115 BERLIN", "WAPIAAAAZ6788",
                                    "2026-12-06")
    assert client.check("FR", "40303265045") == ViesAnswer("not registered", consultation="WAPIAAAAZ5045",
                                                           checked_on="2026-12-06")
    down = client.check("IT", "01234560017")
    assert down.status == "not checked" and "member state's register is not answering" in down.reason
    assert _Vies.asked[0] == {"countryCode": "DE", "vatNumber": "123456788", "requesterMemberStateCode": "ES",
                              "requesterNumber": "B86412574"}
    assert ViesClient().check("DE", "123456788").consultation == ""  # no requester: no consultation number


def test_no_network_says_not_checked_and_stops_asking():
    client = ViesClient(url=f"http://127.0.0.1:{closed_port()}/rest-api", timeout=2)
    started = time.monotonic()
    answers = [client.check("DE", "123456788") for _ in range(50)]
    assert time.monotonic() - started < 10
    assert {a.status for a in answers} == {"not checked"}
    assert "could not be reached" in answers[0].reason and answers[2].reason.startswith("not asked: VIES could not")


def _one_reply(raw: bytes) -> tuple[str, threading.Thread]:
    """A server that answers every request with ``raw`` bytes as they are (a proxy's page, a garbled line)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve():
        with listener:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(raw)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/rest-api", thread


@pytest.mark.parametrize("raw,said", [
    (b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n[\"valid\"]", "JSON that is not an answer"),
    (b"SSH-2.0-OpenSSH_9.6\r\n", "could not be reached"),
])
def test_an_answer_that_is_not_vies_says_not_checked_never_a_traceback(raw, said):
    # before: a JSON list raised AttributeError, a garbled status line http.client.BadStatusLine, out of vat-check
    url, thread = _one_reply(raw)
    answer = ViesClient(url=url, timeout=5).check("DE", "123456788")
    assert answer.status == "not checked" and said in answer.reason, answer
    thread.join(5)


def customers(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["customer_id", "customer_name", "country", "vat_id"])
    frame["source_row"] = range(2, len(frame) + 2)
    frame.attrs.update(sheet="Customers", excel_columns={"vat_id": 4})
    return frame


def test_table_says_per_number_what_digits_and_vies_say():
    master = customers(("C1", "Muster Handels GmbH", "DE", "DE 123 456 788"), ("C2", "Atelier Lumière", "FR",
                       "FR40303265045"), ("C3", "Wrong Digits AG", "DE", "DE123456789"),
                       ("C4", "Zürich Holding", "CH", "CHE-116.281.710 MWST"), ("C5", "Bruxelles Import", "BE",
                       "BE0411905847"), ("C6", "Muster Handels GmbH Filiale", "DE", "DE123456788"),
                       ("C7", "No Number", "ES", ""))
    keys = to_ask(master, "ESB86412574", "ES")
    assert keys == [("ES", "B86412574"), ("DE", "123456788"), ("FR", "40303265045"), ("BE", "0411905847")]
    answers = {("ES", "B86412574"): ViesAnswer("registered", "IBERIA COMPONENTS SL"),
               ("DE", "123456788"): ViesAnswer("registered", "MUSTER HANDELS GMBH", consultation="W1"),
               ("FR", "40303265045"): ViesAnswer("not registered", checked_on="2026-12-06"),
               ("BE", "0411905847"): ViesAnswer("registered", "SOCIETE TOUT AUTRE SA")}
    table, problems = vat_checks(master, answers, "ESB86412574", "ES", "Iberia Components S.L.")
    rows = table.set_index("customer_id")
    assert list(rows.index) == ["(company)", "C1", "C2", "C3", "C4", "C5", "C6"]
    assert rows.loc["C1", "vies"] == "registered" and rows.loc["C1", "name_match"] == 100
    assert rows.loc["C1", "consultation"] == "W1"
    assert rows.loc["C2", "vies"] == "not registered" and "no VAT-exempt" in rows.loc["C2", "note"]
    assert rows.loc["C3", "check_digits"].startswith("wrong") and rows.loc["C3", "vies"].startswith("not asked (fix")
    assert "not an EU member state" in rows.loc["C4", "vies"]
    assert rows.loc["C5", "name_match"] < 70 and "another name" in rows.loc["C5", "note"]
    assert [str(p) for p in problems] == [
        "Customers!D3: customer C2: VIES says FR40303265045 is not registered (answer of 2026-12-06)",
        "Customers!D6: customer C5: VIES says BE0411905847 is registered to 'SOCIETE TOUT AUTRE SA', not to "
        "'Bruxelles Import' (answer of today)"]


def test_vat_check_command(vies, make_book, tmp_path):
    book = make_book({"Customers": [["Kunden-Nr.", "Name", "Land", "USt-IdNr."],
                                    ["C1", "Muster Handels GmbH", "DE", "DE123456788"],
                                    ["C2", "Atelier Lumière", "FR", "FR40303265045"],
                                    ["C3", "Componenti Srl", "IT", "IT01234560017"],
                                    ["C4", "Muster (same number)", "DE", "DE123456788"]],
                      "Config": [["Setting", "Value"], ["company_vat_id", "ESB86412574"],
                                 ["company_country", "ES"]]})
    before = book.read_bytes()
    out = tmp_path / "vat.xlsx"
    result = CliRunner().invoke(main, ["vat-check", str(book), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert book.read_bytes() == before
    assert len(_Vies.asked) == 4  # the company and three numbers: C4's is C1's, asked once
    text = " ".join(result.output.split())
    assert "Customers!D3: customer C2: VIES says FR40303265045 is not registered" in text
    assert "3 registered, 1 not registered, 1 not checked" in text, text
    assert "company_vat_id" not in text  # the company's own number is registered
    ws = openpyxl.load_workbook(out)["VatChecks"]
    rows = [r for r in ws.iter_rows(values_only=True) if r and r[0] in ("(company)", "C1", "C2", "C3", "C4")]
    head = next(r for r in ws.iter_rows(values_only=True) if r and r[0] == "customer_id")
    got = {r[0]: dict(zip(head, r)) for r in rows}
    assert got["C1"]["vies"] == "registered" and got["C1"]["consultation"] == "WAPIAAAAZ6788"
    assert got["C1"]["checked_on"] == "2026-12-06" and got["C4"]["vies"] == "registered"
    assert got["C1"]["name_match"] == 100 and got["C1"]["vies_name"] == "MUSTER HANDELS GMBH"
    assert got["C3"]["vies"] == "not checked" and "not answering" in got["C3"]["note"]
    assert got["C2"]["vies"] == "not registered"


def test_vat_check_without_network_changes_nothing_and_says_so(make_book, tmp_path, monkeypatch):
    monkeypatch.setenv("OTC_VIES_URL", f"http://127.0.0.1:{closed_port()}/rest-api")
    book = make_book({"Customers": [["Customer No.", "Customer name", "Country", "VAT number"],
                                    ["C1", "@SUM(1+1)*cmd", "DE", "DE123456788"]]})
    result = CliRunner().invoke(main, ["vat-check", str(book), "--out", str(tmp_path / "v.xlsx")])
    assert result.exit_code == 0, result.output
    assert "could not be reached" in " ".join(result.output.split())
    ws = openpyxl.load_workbook(tmp_path / "v.xlsx")["VatChecks"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == "@SUM(1+1)*cmd"]
    assert cells and all(c.data_type == "s" for c in cells)  # a customer's name never becomes a formula
