"""The operator HTTP endpoint: list incidents, acknowledge and resolve, for the wall or a bot.

Every route but ``/healthz`` needs ``Authorization: Bearer <CRISISWATCH_OPERATOR_TOKEN>``;
without a configured token nothing is allowed, so a forgotten variable never opens the door.

    GET  /api/incidents[?all=1]         open incidents (all with ?all=1), newest first
    GET  /api/incidents/{id}
    POST /api/incidents/{id}/ack        {"by": "maria"}
    POST /api/incidents/{id}/resolve    {"by": "maria"}
"""

from __future__ import annotations

import asyncio
import hmac
from typing import Any

import redis
from aiohttp import web

from escalation.lifecycle import acknowledge, find_incident, list_incidents, resolve
from escalation.notify import receiver_health
from state.keys import Keys

CLIENT: web.AppKey[redis.Redis] = web.AppKey("client", redis.Redis)
KEYS: web.AppKey[Keys] = web.AppKey("keys", Keys)
TOKEN: web.AppKey[str] = web.AppKey("token", str)


def _authorized(request: web.Request) -> bool:
    expected = request.app[TOKEN]
    header = request.headers.get("Authorization", "")
    given = header[7:] if header.startswith("Bearer ") else ""
    return bool(expected and given) and hmac.compare_digest(given.encode(), expected.encode())


@web.middleware
async def _auth(request: web.Request, handler: Any) -> web.StreamResponse:
    if request.path != "/healthz" and not _authorized(request):
        return web.json_response({"error": "missing or wrong bearer token"}, status=401,
                                 headers={"WWW-Authenticate": 'Bearer realm="crisiswatch"'})
    return await handler(request)


async def _list(request: web.Request) -> web.Response:
    everything = request.query.get("all") in ("1", "true", "yes")
    incidents = await asyncio.to_thread(list_incidents, request.app[CLIENT], request.app[KEYS], not everything)
    health = await asyncio.to_thread(receiver_health, request.app[CLIENT], request.app[KEYS])
    return web.json_response({"incidents": [i.to_json() for i in incidents], "receivers": health})


async def _one(request: web.Request) -> web.Response:
    try:
        incident = await asyncio.to_thread(find_incident, request.app[CLIENT], request.app[KEYS],
                                           request.match_info["incident_id"])
    except KeyError:
        return web.json_response({"error": "no such incident"}, status=404)
    except LookupError as exc:
        return web.json_response({"error": str(exc)}, status=409)
    return web.json_response(incident.to_json())


def _action(kind: str) -> Any:
    async def act(request: web.Request) -> web.Response:
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError:
            return web.json_response({"error": "body must be JSON like {\"by\": \"name\"}"}, status=400)
        by = str((body or {}).get("by") or "").strip()
        if kind == "ack" and not by:
            return web.json_response({"error": "say who acknowledges: {\"by\": \"name\"}"}, status=400)
        client, keys = request.app[CLIENT], request.app[KEYS]
        try:
            found = await asyncio.to_thread(find_incident, client, keys, request.match_info["incident_id"])
            fn = acknowledge if kind == "ack" else resolve
            incident = await asyncio.to_thread(fn, client, keys, found.incident_id, by or None)
        except KeyError:
            return web.json_response({"error": "no such incident"}, status=404)
        except LookupError as exc:
            return web.json_response({"error": str(exc)}, status=409)
        return web.json_response(incident.to_json())

    return act


async def _health(_request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


def build_app(client: redis.Redis, keys: Keys, token: str | None) -> web.Application:
    app = web.Application(middlewares=[_auth])
    app[CLIENT], app[KEYS], app[TOKEN] = client, keys, token or ""
    app.router.add_get("/healthz", _health)
    app.router.add_get("/api/incidents", _list)
    app.router.add_get("/api/incidents/{incident_id}", _one)
    app.router.add_post("/api/incidents/{incident_id}/ack", _action("ack"))
    app.router.add_post("/api/incidents/{incident_id}/resolve", _action("resolve"))
    return app
