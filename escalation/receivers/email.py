"""E-mail over SMTP (stdlib smtplib in a worker thread, so the event loop never blocks).

4xx SMTP replies and connection problems are retried; 5xx replies (unknown mailbox, relaying
denied) are not. Acknowledgements are not mailed: the mail goes to people who are not on call.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage

from escalation.model import Delivery
from escalation.receivers.base import DeliveryError, Receiver


def build_email(delivery: Delivery, sender: str, to: list[str]) -> EmailMessage:
    m = delivery.message
    mail = EmailMessage()
    mail["Subject"] = f"[crisiswatch] {m.title}"
    mail["From"] = sender
    mail["To"] = ", ".join(to)
    mail["X-Crisiswatch-Delivery"] = delivery.id
    mail["X-Crisiswatch-Incident"] = m.incident_id
    mail.set_content(m.text + "\n")
    return mail


class EmailReceiver(Receiver):
    kinds = frozenset({"trigger", "escalation", "reminder", "resolve", "test"})

    def _send_sync(self, mail: EmailMessage, to: list[str], timeout: float) -> None:
        opts = self.config.options
        host, port = str(opts["host"]), int(opts.get("port") or (465 if opts.get("ssl") else 25))
        smtp_cls = smtplib.SMTP_SSL if opts.get("ssl") else smtplib.SMTP
        with smtp_cls(host, port, timeout=timeout) as smtp:
            if opts.get("starttls") and not opts.get("ssl"):
                smtp.starttls(context=ssl.create_default_context())
            if opts.get("username"):
                smtp.login(str(opts["username"]), self.config.secrets.get("password", ""))
            smtp.send_message(mail, to_addrs=to)

    async def send(self, delivery: Delivery, timeout: float) -> None:
        to = self.config.options["to"]
        to = [to] if isinstance(to, str) else [str(a) for a in to]
        mail = build_email(delivery, str(self.config.options["from"]), to)
        try:
            await asyncio.wait_for(asyncio.to_thread(self._send_sync, mail, to, timeout), timeout * 3)
        except smtplib.SMTPResponseException as exc:
            raw = exc.smtp_error
            reply = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
            raise DeliveryError(f"SMTP {exc.smtp_code}: {reply}", retryable=400 <= exc.smtp_code < 500) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"SMTP recipients refused: {sorted(exc.recipients)}", retryable=False) from None
        except (TimeoutError, OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP failed: {type(exc).__name__}: {exc}", retryable=True) from None
