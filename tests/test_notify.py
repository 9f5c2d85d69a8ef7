"""Review notifications through a real SMTP server (aiosmtpd on a free loopback port):
who gets which mail, AUTH and STARTTLS, nothing when not configured, and a failing
server that is logged and audited while the publish it reports on stands."""

from __future__ import annotations

import email
import socket
import ssl
import subprocess
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from tests.conftest import render, valid_case

from indexer.library.accounts import User
from indexer.library.editing import Library
from indexer.library.notify import Notifier
from indexer.settings import MailSettings, Settings

USERS = [User("erin", "editor"), User("rita", "reviewer"), User("tom", "reviewer"), User("rob", "reader")]
ADDRESSES = {"CASEBASE_MAIL_DOMAIN": "agency.example", "CASEBASE_MAIL_ADDRESSES": "tom=t.smith@elsewhere.example"}


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.original_content, policy=policy.default)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on loopback; yields (inbox, port)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


class AuditLog:
    def __init__(self):
        self.entries: list[tuple] = []

    def __call__(self, actor, action, target, detail):
        self.entries.append((actor, action, target, detail))


def notifier(port: int, audit, **environ) -> Notifier:
    settings = Settings.from_env(".", environ={"CASEBASE_SMTP_HOST": "127.0.0.1", "CASEBASE_SMTP_PORT": str(port),
                                               "CASEBASE_SMTP_FROM": "casebase@agency.example",
                                               **ADDRESSES, **environ})
    return Notifier(settings.mail, lambda: USERS, audit)


@pytest.fixture
def library(tree, tmp_path):
    tree.case("alpha-town")
    return Library(tree.root, tmp_path / "instance" / "casebase.sqlite3")


def test_a_submitted_draft_mails_the_reviewers_who_may_publish_it(smtp, library):
    inbox, port = smtp
    audit = AuditLog()
    revision, _ = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="Rita's")), revision,
                               "rita", "Lesson 1: make it actionable")
    assert notifier(port, audit).submitted(draft, "rita", link="http://casebase.example/drafts/1")
    [(recipients, message)] = inbox.messages
    assert recipients == ["t.smith@elsewhere.example"]  # not rita: she changed it and may not publish it
    assert message["From"] == "casebase@agency.example"
    assert message["Subject"] == f"[Cluster Casebase] Review requested: case 'alpha-town' (draft {draft.id})"
    body = message.get_content()
    assert "Lesson 1: make it actionable" in body and "http://casebase.example/drafts/1" in body
    assert audit.entries == [("rita", "notify.sent", "case:alpha-town", {"event": "submitted", "to": ["tom"]})]


def test_publish_and_send_back_mail_the_author(smtp, library):
    inbox, port = smtp
    audit = AuditLog()
    mail = notifier(port, audit)
    revision, _ = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="Erin's")), revision,
                               "erin")
    returned = library.send_back(draft.id, User("rita", "reviewer"), "Cite the source of lesson 1")
    assert mail.sent_back(returned)
    again = library.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="Cited")),
                               returned.revision, "erin")
    record = library.publish(again.id, "rita", "Thanks")
    assert mail.published(library.draft(again.id), record)
    assert [(to, m["Subject"].split("] ")[1]) for to, m in inbox.messages] == [
        (["erin@agency.example"], f"Sent back: case 'alpha-town' (draft {draft.id})"),
        (["erin@agency.example"], "Published: case 'alpha-town'")]
    assert "Cite the source of lesson 1" in inbox.messages[0][1].get_content()
    assert f"as revision {record.id}" in inbox.messages[1][1].get_content()
    assert [entry[:2] for entry in audit.entries] == [("rita", "notify.sent"), ("rita", "notify.sent")]


def test_nothing_is_sent_or_recorded_when_no_server_is_configured(smtp, library):
    inbox, _ = smtp
    audit = AuditLog()
    settings = Settings.from_env(".", environ=ADDRESSES)
    assert settings.mail is None
    quiet = Notifier(settings.mail, lambda: USERS, audit)
    revision, _ = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="Quiet")), revision, "erin")
    assert not quiet.submitted(draft, "erin")
    assert inbox.messages == [] and audit.entries == []


def test_a_failing_server_is_logged_and_audited_and_the_publish_stands(library, tree, caplog):
    audit = AuditLog()
    revision, _ = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="Stands")), revision,
                               "erin")
    record = library.publish(draft.id, "rita")
    nobody_listens = free_port()
    assert not notifier(nobody_listens, audit, CASEBASE_SMTP_TIMEOUT="2").published(library.draft(draft.id), record)
    [(actor, action, target, detail)] = audit.entries
    assert (actor, action, target, detail["event"], detail["to"]) == ("rita", "notify.failed", "case:alpha-town",
                                                                      "published", ["erin"])
    assert detail["error"] and "could not send the published notification" in caplog.text
    assert "Stands" in (tree.root / "cases" / "alpha-town.md").read_text()
    assert library.history("case", "alpha-town")[0] == record


def test_auth_over_starttls(tmp_path, library):
    """The configured user signs in after STARTTLS (the server refuses AUTH before it)."""
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(certificate)], check=True, capture_output=True)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(certificate, key)
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode(), session.ssl is not None))
        return AuthResult(success=auth_data.password == b"mail secret")

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=server_tls,
                            require_starttls=True, authenticator=authenticate, auth_require_tls=True)
    controller.start()
    try:
        settings = Settings.from_env(".", environ={
            "CASEBASE_SMTP_HOST": "127.0.0.1", "CASEBASE_SMTP_PORT": str(controller.port),
            "CASEBASE_SMTP_STARTTLS": "yes", "CASEBASE_SMTP_USER": "casebase",
            "CASEBASE_SMTP_PASSWORD": "mail secret", **ADDRESSES})
        client_tls = ssl.create_default_context(cafile=str(certificate))
        audit = AuditLog()
        mail = Notifier(settings.mail, lambda: USERS, audit, ssl_context=client_tls)
        revision, _ = library.published("case", "alpha-town")
        draft = library.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="Over TLS")),
                                   revision, "erin")
        assert mail.submitted(draft, "erin")
        assert logins == [("casebase", "mail secret", True)]
        assert sorted(inbox.messages[0][0]) == ["rita@agency.example", "t.smith@elsewhere.example"]
        # A wrong password is refused by the server: audited, not raised.
        wrong = Notifier(MailSettings(**{**settings.mail.__dict__, "password": "wrong"}), lambda: USERS, audit,
                         ssl_context=client_tls)
        assert not wrong.submitted(draft, "erin")
        assert [entry[1] for entry in audit.entries] == ["notify.sent", "notify.failed"]
    finally:
        controller.stop()


def test_mail_settings_name_a_bad_port():
    from indexer.errors import InvalidInput

    with pytest.raises(InvalidInput, match="CASEBASE_SMTP_PORT"):
        Settings.from_env(".", environ={"CASEBASE_SMTP_HOST": "mail", "CASEBASE_SMTP_PORT": "twenty-five"})
