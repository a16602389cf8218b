"""Generic webhook: the page as JSON, signed so the receiver can tell it came from here.

Headers: ``X-Crisiswatch-Delivery`` (the page's dedup id: a receiver that stores it can drop a
re-send after a crash), ``X-Crisiswatch-Timestamp`` (epoch s) and ``X-Crisiswatch-Signature:
sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the shared secret>``; the timestamp inside
the signature lets the receiver refuse replays of an old request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import asdict
from typing import Any

from detectors.events import iso_utc
from escalation.model import Delivery
from escalation.receivers.base import Receiver

SIGNATURE_HEADER = "X-Crisiswatch-Signature"
TIMESTAMP_HEADER = "X-Crisiswatch-Timestamp"
DELIVERY_HEADER = "X-Crisiswatch-Delivery"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_body(delivery: Delivery) -> dict[str, Any]:
    m = asdict(delivery.message)
    m["at"] = iso_utc(m["at"]) if m["at"] else None
    m["opened_at"] = iso_utc(m["opened_at"]) if m["opened_at"] else None
    return {"version": 1, "delivery_id": delivery.id, "kind": m.pop("kind"), "test": m.pop("test"), "page": m}


class WebhookReceiver(Receiver):
    async def send(self, delivery: Delivery, timeout: float) -> None:
        body = json.dumps(webhook_body(delivery), ensure_ascii=False, separators=(",", ":")).encode()
        stamp = str(int(time.time()))
        headers = {str(k): str(v) for k, v in (self.config.options.get("headers") or {}).items()}
        headers |= {DELIVERY_HEADER: delivery.id, TIMESTAMP_HEADER: stamp}
        if self.config.secrets.get("secret"):
            headers[SIGNATURE_HEADER] = sign(self.config.secrets["secret"], stamp, body)
        await self.http.post_json(self.config.secrets["url"], {}, timeout, headers, body=body)
