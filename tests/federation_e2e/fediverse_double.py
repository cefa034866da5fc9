"""A fediverse account on loopback built with bovine, a library nobody here wrote.

It plays a Mastodon or Mobilizon user, « ada »: bovine generates her RSA key, finds the
village with bovine's WebFinger lookup, sends a Follow (and an Undo, a Join) with bovine's
signed POST, reads the outbox with bovine's signed GET, and checks every activity the
village delivers to her inbox with bovine's HTTP-signature checker, which fetches the
village's key itself. The aiohttp server runs in its own thread and event loop.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from typing import Any

import aiohttp
from aiohttp import web
from bovine.clients.lookup_account import lookup_with_webfinger
from bovine.clients.signed_http import SignedHttpClient
from bovine.crypto import build_validate_http_signature_raw, generate_rsa_public_private_key
from bovine.crypto.types import CryptographicIdentifier


class FediverseDouble:
    def __init__(self, port: int) -> None:
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.actor_id = f"{self.origin}/users/ada"
        self.key_id = f"{self.actor_id}#main-key"
        self.public_pem, self.private_pem = generate_rsa_public_private_key()
        self.received: list[dict[str, Any]] = []  # activities whose signature bovine accepted
        self.refused: list[str] = []  # paths of deliveries whose signature bovine refused
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner: web.AppRunner | None = None

    # -- the server side ---------------------------------------------------------------

    def actor_document(self) -> dict[str, Any]:
        return {
            "@context": ["https://www.w3.org/ns/activitystreams",
                         "https://w3id.org/security/v1"],
            "id": self.actor_id, "type": "Person", "preferredUsername": "ada",
            "inbox": f"{self.actor_id}/inbox", "outbox": f"{self.actor_id}/outbox",
            "endpoints": {"sharedInbox": f"{self.origin}/inbox"},
            "publicKey": {"id": self.key_id, "owner": self.actor_id,
                          "publicKeyPem": self.public_pem},
        }

    async def _actor(self, request: web.Request) -> web.Response:
        return web.json_response(self.actor_document(), content_type="application/activity+json")

    async def _retrieve_key(self, key_id: str) -> CryptographicIdentifier | None:
        async with aiohttp.ClientSession() as session, session.get(
                key_id.split("#")[0], headers={"accept": "application/activity+json"}) as got:
            data = json.loads(await got.text())
        return CryptographicIdentifier.from_public_key(data["publicKey"])

    async def _inbox(self, request: web.Request) -> web.Response:
        body = await request.read()

        async def read_body() -> bytes:
            return body

        validate = build_validate_http_signature_raw(self._retrieve_key)
        owner = await validate("post", str(request.url), request.headers, read_body)
        if owner is None:
            self.refused.append(request.path)
            return web.Response(status=401)
        activity = json.loads(body)
        activity["_signed_by"] = owner
        activity["_inbox"] = request.path
        self.received.append(activity)
        return web.Response(status=202)

    def start(self) -> None:
        app = web.Application()
        app.router.add_get("/users/ada", self._actor)
        app.router.add_post("/users/ada/inbox", self._inbox)
        app.router.add_post("/inbox", self._inbox)
        self.thread.start()
        self.runner = web.AppRunner(app, access_log=None)
        self.run(self.runner.setup())
        self.run(web.TCPSite(self.runner, "127.0.0.1", self.port).start())

    def stop(self) -> None:
        if self.runner is not None:
            self.run(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    # -- the client side (bovine) ------------------------------------------------------

    def lookup(self, origin: str, handle: str) -> str | None:
        async def go() -> str | None:
            async with aiohttp.ClientSession() as session:
                found: str | None = await lookup_with_webfinger(
                    session, f"{origin}/.well-known/webfinger", {"resource": f"acct:{handle}"})
                return found
        result: str | None = self.run(go())
        return result

    def get(self, url: str) -> tuple[int, dict[str, Any] | None]:
        async def go() -> tuple[int, dict[str, Any] | None]:
            async with aiohttp.ClientSession() as session:
                client = SignedHttpClient(session, self.key_id, self.private_pem)
                response = await client.get(url)
                text = await response.text()
                response.release()
                return response.status, json.loads(text) if text else None
        result: tuple[int, dict[str, Any] | None] = self.run(go())
        return result

    def post(self, inbox: str, activity: dict[str, Any]) -> int:
        async def go() -> int:
            async with aiohttp.ClientSession() as session:
                client = SignedHttpClient(session, self.key_id, self.private_pem)
                response = await client.post(inbox, json.dumps(activity))
                await response.read()
                response.release()
                return int(response.status)
        result: int = self.run(go())
        return result

    def follow(self, inbox: str, group: str) -> tuple[int, str]:
        follow_id = f"{self.actor_id}/follows/{uuid.uuid4()}"
        status = self.post(inbox, {"@context": "https://www.w3.org/ns/activitystreams",
                                   "id": follow_id, "type": "Follow", "actor": self.actor_id,
                                   "object": group})
        return status, follow_id
