"""Pages printed on the terminal: the default receiver, so a trial run shows who would be paged."""

from __future__ import annotations

import sys

from escalation.model import Delivery
from escalation.receivers.base import Receiver


class ConsoleReceiver(Receiver):
    async def send(self, delivery: Delivery, timeout: float) -> None:
        m = delivery.message
        target = sys.stderr if self.config.options.get("stream") == "stderr" else sys.stdout
        level = f" L{m.level}" if m.level else ""
        print(f"  → page {m.kind.upper()}{level} [{self.name}] {m.title}" + (f"  {m.link}" if m.link else ""),
              file=target, flush=True)
