"""What every receiver shares: the error that says whether to retry, and one HTTP client.

Retry rules follow the receivers' own advice (PagerDuty, Slack, Opsgenie): timeouts,
connection errors, 429 and 5xx are worth retrying; any other 4xx means the request itself is
wrong and sending it again cannot help.
"""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from typing import Any

import aiohttp

from escalation.model import Delivery
from escalation.plan import ReceiverConfig

ALL_KINDS = frozenset({"trigger", "escalation", "reminder", "acknowledge", "resolve", "test"})
MAX_RETRY_AFTER_S = 300.0


class DeliveryError(Exception):
    def __init__(self, message: str, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class Http:
    """One aiohttp session per engine, opened on first use inside the running loop."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers={"User-Agent": "crisiswatch"})
        return self._session

    async def post_json(
        self, url: str, payload: dict[str, Any], timeout: float, headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> str:
        """POST and return the response text; a ``DeliveryError`` for anything but 2xx."""
        data = body if body is not None else json.dumps(payload, ensure_ascii=False).encode()
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        try:
            async with self.session().post(
                url, data=data, headers=hdrs, timeout=aiohttp.ClientTimeout(total=timeout)
            ) as resp:
                text = await resp.text(errors="replace")
                if 200 <= resp.status < 300:
                    return text
                raise _http_error(resp.status, text, resp.headers.get("Retry-After"))
        except TimeoutError:
            raise DeliveryError(f"timed out after {timeout:g} s", retryable=True) from None
        except aiohttp.ClientError as exc:
            raise DeliveryError(f"connection failed: {type(exc).__name__}: {exc}", retryable=True) from None

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
            await asyncio.sleep(0)


def _http_error(status: int, text: str, retry_after: str | None) -> DeliveryError:
    snippet = " ".join(text.split())[:200]
    message = f"HTTP {status}" + (f": {snippet}" if snippet else "")
    if status == 429:
        try:
            wait = min(MAX_RETRY_AFTER_S, max(0.0, float(retry_after))) if retry_after else None
        except ValueError:
            wait = None
        return DeliveryError(message, retryable=True, retry_after=wait)
    return DeliveryError(message, retryable=status >= 500 or status == 408)


class Receiver(ABC):
    """Sends one delivery; raises ``DeliveryError`` when it did not get through."""

    kinds: frozenset[str] = ALL_KINDS

    def __init__(self, config: ReceiverConfig, http: Http) -> None:
        self.config = config
        self.http = http

    @property
    def name(self) -> str:
        return self.config.name

    def handles(self, kind: str) -> bool:
        if kind == "resolve" and not self.config.send_resolved:
            return False
        return kind in self.kinds

    @abstractmethod
    async def send(self, delivery: Delivery, timeout: float) -> None: ...

    async def close(self) -> None:
        return None
