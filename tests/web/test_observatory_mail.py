"""Closing an initiative drafts a case; the reviewers hear of it like any other draft."""

from __future__ import annotations

import socket

from aiosmtpd.controller import Controller

from indexer.settings import MailSettings
from tests.web.observatory_world import build, open_app


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_closing_an_initiative_mails_the_reviewers_its_draft_case(tmp_path, monkeypatch):
    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((sorted(envelope.rcpt_tos), envelope.content.decode()))
            return "250 OK"

    app = open_app(tmp_path)
    world = build(app)
    app.extensions["accounts"].add_user("rita", "reviewer", "a long enough secret")
    casebase = app.extensions["casebase"]
    controller = Controller(Handler(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        monkeypatch.setattr(casebase, "settings", casebase.settings.with_changes(
            mail=MailSettings("127.0.0.1", controller.port, domain="agency.example")))
        closed = world.api("mara").ok("POST", "/api/initiatives/alpha/close", 201)
    finally:
        controller.stop()
    assert [recipients for recipients, _ in received] == [["rita@agency.example"]]
    assert closed["draft"]["url"] in received[0][1]
