"""Review notifications by e-mail: a draft waits for review, was published, was sent back.

Sent through SMTP only when the instance configures it (settings.MailSettings, from
CASEBASE_SMTP_*); otherwise nothing is sent and nothing is recorded. The caller sends
after the library's transaction has committed, so mail never holds a database
transaction or a lock open, and a failing mail server cannot undo a publish: the
failure is logged and recorded in the audit log ('notify.failed'), a sent notice as
'notify.sent'.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Callable

from indexer.library.accounts import User
from indexer.library.drafts import Draft, Revision, may_publish
from indexer.settings import MailSettings

log = logging.getLogger(__name__)
Audit = Callable[[str | None, str, str | None, dict], None]
SUBMITTED, PUBLISHED, SENT_BACK = "submitted", "published", "sent_back"


@dataclass(frozen=True)
class Notice:
    """One e-mail about one draft, to users by name (their addresses come from MailSettings)."""

    event: str
    actor: str
    target: str  # "case:alpha-town", as the audit log names documents
    recipients: tuple[str, ...]
    subject: str
    body: str


def _about(draft: Draft) -> str:
    return f"{draft.kind} '{draft.doc_id}'"


def _link_line(link: str | None) -> str:
    return f"\n\nOpen it: {link}" if link else ""


def submitted_notice(draft: Draft, actor: str, reviewers: list[User], single_maintainer: bool = False,
                     link: str | None = None) -> Notice:
    """To every reviewer who may publish `draft`: it waits for review.

    >>> draft = Draft(3, "case", "alpha-town", "", "new", "erin", "Fix lesson 1", "open", 0, 0, ("erin",))
    >>> notice = submitted_notice(draft, "erin", [User("rita", "reviewer"), User("erin", "reviewer")])
    >>> notice.recipients, notice.subject
    (('rita',), "Review requested: case 'alpha-town' (draft 3)")
    """
    recipients = tuple(user.name for user in reviewers if may_publish(user, draft, single_maintainer))
    message = f"\n\nTheir message: {draft.message}" if draft.message else ""
    return Notice(SUBMITTED, actor, f"{draft.kind}:{draft.doc_id}", recipients,
                  f"Review requested: {_about(draft)} (draft {draft.id})",
                  f"{actor} saved draft {draft.id} of {_about(draft)}; it waits for a review.{message}"
                  f"{_link_line(link)}")


def published_notice(draft: Draft, revision: Revision, link: str | None = None) -> Notice:
    """To everyone who changed `draft` (but the reviewer): it is published."""
    recipients = tuple(name for name in draft.contributors if name != revision.reviewer)
    message = f"\n\nTheir message: {revision.reviewer_message}" if revision.reviewer_message else ""
    return Notice(PUBLISHED, revision.reviewer, f"{draft.kind}:{draft.doc_id}", recipients,
                  f"Published: {_about(draft)}",
                  f"{revision.reviewer} published your draft {draft.id} of {_about(draft)} as revision "
                  f"{revision.id}.{message}{_link_line(link)}")


def sent_back_notice(draft: Draft, link: str | None = None) -> Notice:
    """To the draft's author: a reviewer sent it back, with their note."""
    reviewer = draft.sent_back_by or ""
    return Notice(SENT_BACK, reviewer, f"{draft.kind}:{draft.doc_id}", (draft.author,),
                  f"Sent back: {_about(draft)} (draft {draft.id})",
                  f"{reviewer} sent draft {draft.id} of {_about(draft)} back to you:\n\n{draft.sent_back_note}\n\n"
                  f"Saving it again submits it for review again.{_link_line(link)}")


class Notifier:
    """Sends notices through the configured SMTP server (none configured: sends nothing).

    `users()` lists the accounts (for the reviewers); `audit(actor, action, target,
    detail)` records what was sent or why it was not; `ssl_context` is for STARTTLS
    (default: the system's trusted certificates)."""

    def __init__(self, mail: MailSettings | None, users: Callable[[], list[User]], audit: Audit,
                 single_maintainer: bool = False, ssl_context: ssl.SSLContext | None = None):
        self.mail = mail
        self._users = users
        self._audit = audit
        self._single_maintainer = single_maintainer
        self._ssl_context = ssl_context

    @property
    def configured(self) -> bool:
        """True when an SMTP server is configured."""
        return self.mail is not None

    def submitted(self, draft: Draft, actor: str, link: str | None = None) -> bool:
        """Tell the reviewers who may publish `draft` that it waits for them."""
        if not self.configured:
            return False
        reviewers = [user for user in self._users() if user.can("reviewer")]
        return self.send(submitted_notice(draft, actor, reviewers, self._single_maintainer, link))

    def published(self, draft: Draft, revision: Revision, link: str | None = None) -> bool:
        """Tell the draft's contributors it is published."""
        return self.send(published_notice(draft, revision, link)) if self.configured else False

    def sent_back(self, draft: Draft, link: str | None = None) -> bool:
        """Tell the draft's author a reviewer sent it back."""
        return self.send(sent_back_notice(draft, link)) if self.configured else False

    def send(self, notice: Notice) -> bool:
        """Send `notice` to the recipients that have an address; True when the server
        took it. A failure is logged and audited, never raised: the edit it is about
        has happened."""
        if self.mail is None:
            return False
        addressed = {name: self.mail.address_of(name) for name in notice.recipients}
        to = sorted({address for address in addressed.values() if address})
        if not to:
            log.info("notification %s of %s: no recipient has an e-mail address", notice.event, notice.target)
            return False
        message = EmailMessage()
        message["From"] = self.mail.sender
        message["To"] = ", ".join(to)
        message["Subject"] = f"[Cluster Casebase] {notice.subject}"
        message.set_content(notice.body)
        detail = {"event": notice.event, "to": sorted(name for name, address in addressed.items() if address)}
        try:
            self._deliver(message)
        except (smtplib.SMTPException, OSError) as error:
            log.warning("could not send the %s notification of %s through %s:%s: %s", notice.event,
                        notice.target, self.mail.host, self.mail.port, error)
            self._audit(notice.actor, "notify.failed", notice.target, {**detail, "error": str(error)})
            return False
        self._audit(notice.actor, "notify.sent", notice.target, detail)
        return True

    def _deliver(self, message: EmailMessage) -> None:
        mail = self.mail
        assert mail is not None  # send() checked
        with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout) as server:
            if mail.starttls:
                server.starttls(context=self._ssl_context or ssl.create_default_context())
            if mail.user:
                server.login(mail.user, mail.password or "")
            server.send_message(message)
