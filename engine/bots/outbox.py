"""Local-first messaging: what a bot sends when no server or channel is configured.

E-mail goes through SMTP when ``email-server`` is set, otherwise it is written to the drive
folder ``outbox/`` as ``.eml`` files (BASIC.md §9.5); drafts go to ``outbox/drafts/``;
hand-offs to a human are appended to ``outbox/handoffs.jsonl``. Channels, SMS and templates
need a configured provider and otherwise raise ``ServiceError`` naming what is missing.
"""

from __future__ import annotations

import json
import smtplib
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from engine.basic import values
from engine.basic.errors import BasicTimeoutError, ServiceError
from engine.basic.host import DriveService
from engine.basic.limits import config_number

FileSender = Callable[[str, str | None], None]


def recipients(to: Any) -> list[str]:
    items = to if type(to) is list else values.text(to).split(",")
    return [values.text(i).strip() for i in items if values.text(i).strip()]


class LocalMessaging:
    def __init__(self, drive: DriveService, config: Mapping[str, str],
                 send_to_user: FileSender | None = None) -> None:
        self.drive = drive
        self.config = config
        self.send_to_user = send_to_user

    def _message(self, to: Any, subject: str, body: str, account: str | None) -> EmailMessage:
        message = EmailMessage()
        sender = account or self.config.get("email-from") or "bot@localhost"
        message["From"] = sender
        message["To"] = ", ".join(recipients(to))
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid()
        message.set_content(body)
        return message

    def send_mail(self, to: Any, subject: str, body: str, attachments: Sequence[str],
                  account: str | None) -> None:
        message = self._message(to, subject, body, account)
        for path in attachments:
            data = self.drive.read_bytes(path)
            message.add_attachment(data, maintype="application", subtype="octet-stream",
                                   filename=path.rsplit("/", 1)[-1])
        server = self.config.get("email-server")
        if server:
            self._smtp(server, message)
            return
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        self.drive.write(f"outbox/{stamp}-{uuid.uuid4().hex[:8]}.eml", message.as_bytes())

    def _smtp(self, server: str, message: EmailMessage) -> None:
        port = int(self.config.get("email-port", "587"))
        timeout = config_number(self.config, "email-timeout", 30.0, 0.001)  # per wait
        try:
            with smtplib.SMTP(server, port, timeout=timeout) as smtp:
                if port != 25:
                    smtp.starttls()
                user = self.config.get("email-user")
                if user:
                    smtp.login(user, self.config.get("email-pass", ""))
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:
            # smtplib reports a read that timed out as "disconnected": look at the cause
            if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
                raise BasicTimeoutError(f"the mail server {server}:{port} did not answer "
                                        f"within {timeout:g} s") from None
            raise ServiceError(f"sending mail through {server}:{port} failed: {error}") from None

    def create_draft(self, to: Any, subject: str, body: str) -> Any:
        draft_id = uuid.uuid4().hex[:12]
        message = self._message(to, subject, body, None)
        self.drive.write(f"outbox/drafts/{draft_id}.eml", message.as_bytes())
        return draft_id

    def talk_to(self, channel: str, to: str, message: str) -> None:
        if channel == "email":
            self.send_mail(to, self.config.get("bot-name", "Message"), message, [], None)
            return
        raise ServiceError(f"the {channel} channel is not configured")

    def send_sms(self, to: str, message: str, priority: Any, provider: Any) -> None:
        raise ServiceError("no SMS provider is configured (sms-provider)")

    def send_file(self, to: str | None, path: str, caption: str | None) -> None:
        if to is None and self.send_to_user is not None:
            self.send_to_user(path, caption)
            return
        raise ServiceError("sending files needs a configured channel")

    def send_template(self, name: str, to: str, variables: Any) -> None:
        raise ServiceError("message templates need a configured WhatsApp or e-mail channel")

    def transfer_to_human(self, department: str, priority: str, reason: Any) -> None:
        entry = {"at": datetime.now().isoformat(timespec="seconds"), "department": department,
                 "priority": priority, "reason": reason}
        self.drive.append_line("outbox/handoffs.jsonl", json.dumps(entry))
