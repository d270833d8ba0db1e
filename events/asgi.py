"""The event streams (Server-Sent Events) as a small async ASGI app (events.md §3).

Not a Django view: under ASGI Django runs each request's sync middleware on a
thread of its own, and a stream would pin that thread and its database
connection for an hour. Here a stream is one asyncio task: its auth and its
renders run briefly on the hub's ORM threads; the waiting holds nothing.
`Router` sends the stream paths here, everything else to Django, and starts
the hub on `lifespan` startup.
"""

import asyncio
import contextlib
import io
import json
import re
import time
from types import SimpleNamespace
from urllib.parse import parse_qs

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.core.handlers.asgi import ASGIRequest

from accounts.authentication import BEARER_CHALLENGE, token_has_scope
from accounts.tokens import access_token_lookup
from campaigns.api.errors import (
    MISSING_TOKEN,
    UNAUTHENTICATED,
    not_found_message,
    throttled_body,
)
from campaigns.api.throttling import CampaignRateThrottle
from conversations import exceptions
from events import embedded, outbox
from events import hub as hubs
from events.render import Audience, render
from workspaces.api.errors import Code, error_body
from workspaces.api.throttling import WorkspaceRateThrottle

CAMPAIGN_PATH = re.compile(r"^/api/1\.0/campaigns/(?P<campaign>[^/]+)/events/?$")
WORKSPACE_PATH = re.compile(r"^/api/v[13]/events/?$")
REPLAY_PAGE = 100
BODY_LIMIT = 64 * 1024


def is_stream_path(path: str) -> bool:
    return bool(CAMPAIGN_PATH.match(path) or WORKSPACE_PATH.match(path))


class Router:
    """`config.asgi.application`: streams here, the rest to Django; lifespan starts the hub."""

    def __init__(self, django_app):
        self.django_app = django_app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if scope["type"] == "http" and is_stream_path(scope["path"]):
            return await StreamRequest(scope, receive, send).run()
        return await self.django_app(scope, receive, send)

    async def _lifespan(self, receive, send):
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await hubs.start()
                    if settings.PARLEY_INPROCESS_WORKER:
                        embedded.start()
                except Exception as error:
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if settings.PARLEY_INPROCESS_WORKER:
                    embedded.stop()
                await hubs.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return


class StreamError(Exception):
    """A refusal before any stream byte: a status and the dialect's JSON body."""

    def __init__(self, status: int, body, headers=()):
        self.status, self.body, self.headers = status, body, list(headers)


class StreamRequest:
    def __init__(self, scope, receive, send):
        self.scope, self.receive, self.send = scope, receive, send
        match = CAMPAIGN_PATH.match(scope["path"])
        self.dialect = "campaign" if match else "workspace"
        self.campaign_ref = match["campaign"] if match else None
        self.headers = {k.decode("latin-1").lower(): v for k, v in scope.get("headers", [])}
        self.closed = asyncio.Event()
        self.queue: asyncio.Queue = asyncio.Queue()
        self.overflowed = False
        self.audience = None
        self.rate = None  # the rate limit's count, once counted
        self.position = (0, 0)
        self.announced = (0, 0)  # the last position sent as an `id:`

    # --- errors in each dialect ------------------------------------------------

    def _kanka(self, status, message, headers=()):
        return StreamError(status, {"code": status, "error": message}, headers)

    def _twist(self, code: Code, **extra):
        body = error_body(code)
        body["error_extra"] = extra
        return StreamError(code.status, body)

    def _parley_twist(self, status: int, string: str, headers=()):
        body = error_body(Code.INTERNAL_ERROR) | {"error_code": status, "error_string": string}
        return StreamError(status, body, headers)

    def too_many(self) -> StreamError:
        limit = settings.PARLEY_EVENTS_MAX_STREAMS_PER_USER
        headers = [(b"retry-after", b"30")]
        if self.dialect == "campaign":
            return self._kanka(429, f"Too many open event streams (limit {limit}).", headers)
        return self._parley_twist(429, "Too many open event streams", headers)

    def invalid(self, argument: str) -> StreamError:
        if self.dialect == "campaign":
            message = f"The {argument} is invalid."
            body = {"code": 422, "error": message, "fields": {argument: [message]}}
            return StreamError(422, body)
        return self._twist(Code.INVALID_ARGUMENT, argument=argument)

    # --- the request -------------------------------------------------------------

    async def run(self):
        try:
            params = await self._params()
            hub = hubs.current()
            if hub is None:
                raise self._not_served()
            cursor, types = self._cursor_and_types(params)
            self.audience = await hub.db(self._authorise, params)
            self.audience.types = types
            if len(hub.streams) >= settings.PARLEY_EVENTS_MAX_STREAMS_PER_PROCESS:
                raise self.too_many()
            if not await hub.db(_take_slot, self.audience.user.pk):
                raise self.too_many()
        except StreamError as error:
            return await self._refuse(error)
        try:
            await self._stream(hub, cursor)
        finally:
            hub.discard(self)
            await hub.db(_release_slot, self.audience.user.pk)

    def _not_served(self) -> StreamError:
        if self.dialect == "campaign":
            return self._kanka(501, "Event streams need the ASGI server.")
        return self._parley_twist(501, "Event streams need the ASGI server")

    async def _params(self) -> dict:
        method = self.scope["method"]
        allowed = ("GET", "HEAD") if self.dialect == "campaign" else ("GET", "POST")
        if method not in allowed:
            if self.dialect == "campaign":
                route = self.scope["path"].removeprefix("/api/")
                raise self._kanka(
                    405,
                    f"The {method} method is not supported for route {route}. "
                    "Supported methods: GET, HEAD.",
                )
            raise self._twist(Code.BAD_REQUEST)
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        params = {k: v[-1] for k, v in query.items()}
        if method == "POST":  # the workspace dialect merges body and query (§3.3)
            body = b""
            while True:
                message = await self.receive()
                body += message.get("body", b"")
                if len(body) > BODY_LIMIT:
                    raise self._twist(Code.UPLOAD_TOO_BIG)
                if not message.get("more_body"):
                    break
            params |= _body_params(body, self.headers.get("content-type", b""))
        return params

    def _cursor_and_types(self, params):
        raw = self.headers.get("last-event-id")
        raw = raw.decode("latin-1") if raw is not None else params.get("since")
        cursor = None
        if raw is not None and raw != "":
            cursor = outbox.parse_cursor(str(raw))
            if cursor is None:
                raise self.invalid("since")
        types = None
        if params.get("types"):
            types = frozenset(t.strip() for t in str(params["types"]).split(",") if t.strip())
            if not types <= set(outbox.TYPES):
                raise self.invalid("types")
        return cursor, types

    def _authorise(self, params) -> Audience:
        """Bearer only (events.md decision table): no cookie, no token in the URL."""
        parts = self.headers.get("authorization", b"").split()
        if not parts or parts[0].lower() != b"bearer":
            if self.dialect == "campaign":
                raise self._kanka(
                    401, MISSING_TOKEN, [(b"www-authenticate", BEARER_CHALLENGE.encode())]
                )
            raise self._twist(Code.NOT_LOGGED_IN)
        token = None
        if len(parts) == 2:
            with contextlib.suppress(UnicodeDecodeError):
                token = access_token_lookup(parts[1].decode("utf-8"))
        if token is None or token.user is None or not token.is_valid() or not token.user.is_active:
            if self.dialect == "campaign":
                challenge = f'{BEARER_CHALLENGE}, error="invalid_token"'.encode()
                raise self._kanka(401, UNAUTHENTICATED, [(b"www-authenticate", challenge)])
            raise self._twist(Code.INVALID_TOKEN)
        self.token = token
        if self.dialect == "workspace" and not token_has_scope(token, "messages:read"):
            raise self._twist(Code.FORBIDDEN)
        self._count_request(token)
        return self._access(token.user, params)

    def _count_request(self, token) -> None:
        """Opening a stream is one request of the dialect's rate limit (events.md §3.1).

        The dialect's own throttle, with its keys and counters: after the token and
        scope checks (a 401 is never counted), before the scope's lookup, as in
        the REST/RPC views (Kanka: 401, then 429, then 404).
        """
        throttle = CampaignRateThrottle() if self.dialect == "campaign" else WorkspaceRateThrottle()
        caller = SimpleNamespace(user=token.user, auth=token)
        allowed = throttle.allow_request(caller, None)
        self.rate = caller.rate_limit
        if allowed:
            return
        retry = [(b"retry-after", str(self.rate.reset_in).encode())]
        if self.dialect == "campaign":
            raise StreamError(429, throttled_body(self.rate.limit), retry)
        raise StreamError(429, error_body(Code.TOO_MANY_REQUESTS), retry)

    def _rate_headers(self) -> list:
        """Kanka's `X-RateLimit-*` on every counted answer (the workspace API sends none)."""
        if self.dialect != "campaign" or self.rate is None:
            return []
        return [
            (b"x-ratelimit-limit", str(self.rate.limit).encode()),
            (b"x-ratelimit-remaining", str(self.rate.remaining).encode()),
        ]

    def _access(self, user, params) -> Audience:
        if self.dialect == "campaign":
            from campaigns.selectors import access_campaign

            try:
                campaign, role = access_campaign(user=user, campaign_id=self.campaign_ref)
            except exceptions.NotFound as error:
                raise self._kanka(404, not_found_message(error)) from None
            request = ASGIRequest(self.scope, io.BytesIO(b""))
            return Audience("campaign", user, campaign.pk, role, request=request, campaign=campaign)
        from workspaces.selectors import access_workspace

        workspace_id = params.get("workspace_id")
        if workspace_id in (None, ""):
            raise self._twist(Code.MISSING_ARGUMENT, argument="workspace_id")
        try:
            workspace, role = access_workspace(user=user, workspace_id=str(workspace_id))
        except exceptions.NotFound:
            raise self._twist(Code.WORKSPACE_NOT_FOUND) from None
        return Audience("workspace", user, workspace.pk, role)

    def _recheck(self) -> str | None:
        """Every PARLEY_EVENTS_REAUTH_SECONDS: a closing reason, or None to go on."""
        try:
            self.token.refresh_from_db()
        except ObjectDoesNotExist:  # revoked
            return "token_expired"
        if not self.token.is_valid() or not self.token.user.is_active:
            return "token_expired"
        try:
            audience = self._access(self.token.user, {"workspace_id": self.audience.scope_id})
        except StreamError:
            return "access_revoked"
        self.audience.role = audience.role
        return None

    async def _refuse(self, error: StreamError):
        body = json.dumps(error.body).encode()
        headers = [(b"content-type", b"application/json"), *error.headers, *self._rate_headers()]
        await self.send({"type": "http.response.start", "status": error.status, "headers": headers})
        await self.send({"type": "http.response.body", "body": body})

    # --- streaming ----------------------------------------------------------------

    def offer(self, frames) -> None:
        """From the hub: this stream's frames of a batch (≤ QUEUE_LIMIT queued, else replay)."""
        if self.overflowed:
            return
        if self.queue.qsize() >= hubs.QUEUE_LIMIT:
            self.overflowed = True
            return
        self.queue.put_nowait(frames)

    async def _write(self, text: str) -> None:
        await self.send({"type": "http.response.body", "body": text.encode(), "more_body": True})

    async def _frame(self, position, type_, data) -> None:
        """A frame of the stream's own (`stream.*`); events come serialised from the hub."""
        await self._framed(position, type_, json.dumps(data, separators=(",", ":")))

    async def _framed(self, position, type_, text: str) -> None:
        await self._write(self._block(position, type_, text))

    def _block(self, position, type_, text: str) -> str:
        self.announced = self.position = position
        return f"id: {outbox.format_cursor(position)}\nevent: {type_}\ndata: {text}\n\n"

    async def _deliver(self, frames) -> None:
        """A batch's frames in one write."""
        blocks = []
        for position, type_, text in frames:
            if position <= self.position:
                continue  # already sent (replay and live overlap)
            if type_ is None:
                self.position = position
            else:
                blocks.append(self._block(position, type_, text))
        if blocks:
            await self._write("".join(blocks))

    async def _stream(self, hub, cursor) -> None:
        position = hub.add(self) or await hub.db(outbox.head_position)
        await self.send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                    (b"x-accel-buffering", b"no"),
                    *self._rate_headers(),
                ],
            }
        )
        if self.scope["method"] == "HEAD":
            return await self.send({"type": "http.response.body", "body": b""})
        watcher = asyncio.create_task(self._watch_disconnect())
        try:
            await self._write(f"retry: {settings.PARLEY_EVENTS_RETRY_MS}\n\n")
            self.position = position if cursor is None else cursor
            if cursor is not None:
                await self._resume(hub, cursor)
            await self._frame(
                self.position,
                "stream.ready",
                {
                    "cursor": outbox.format_cursor(self.position),
                    "heartbeat_seconds": settings.PARLEY_EVENTS_HEARTBEAT_SECONDS,
                    "retention_days": settings.PARLEY_EVENTS_RETENTION_DAYS,
                },
            )
            reason = await self._live(hub)
            if reason:
                await self._frame(self.position, "stream.closed", {"reason": reason})
            await self.send({"type": "http.response.body", "body": b""})
        except OSError:
            pass  # the client went away mid-write
        finally:
            watcher.cancel()

    async def _resume(self, hub, cursor) -> None:
        head = await hub.db(outbox.head_position)
        pruned = await hub.db(outbox.pruned_through)
        reason = None
        if cursor[1] < pruned:
            reason = "cursor_expired"
        elif cursor > head:
            reason = "cursor_unknown"
        if reason:
            self.position = head
            await self._frame(
                head, "stream.reset", {"reason": reason, "cursor": outbox.format_cursor(head)}
            )
            return
        await self._replay(hub)

    async def _replay(self, hub) -> None:
        while True:
            events = await hub.db(
                outbox.events_after, self.position, limit=REPLAY_PAGE, **self.audience.scope_filter
            )
            if not events:
                return
            (frames,) = await hub.db(render, [self.audience], events)
            await self._deliver(frames)
            self.position = max(self.position, outbox.position_of(events[-1]))
            if len(events) < REPLAY_PAGE:
                return

    async def _live(self, hub) -> str | None:
        started = time.monotonic()
        checked = started
        heartbeat = settings.PARLEY_EVENTS_HEARTBEAT_SECONDS
        while not self.closed.is_set():
            now = time.monotonic()
            if now - started >= settings.PARLEY_EVENTS_MAX_STREAM_SECONDS:
                return "max_duration"
            if now - checked >= settings.PARLEY_EVENTS_REAUTH_SECONDS:
                checked = now
                reason = await hub.db(self._recheck)
                if reason:
                    return reason
            if self.overflowed:
                self.overflowed = False
                while not self.queue.empty():
                    self.queue.get_nowait()
                await self._replay(hub)
            wait = min(heartbeat, settings.PARLEY_EVENTS_MAX_STREAM_SECONDS - (now - started))
            try:
                # A timeout scope, not wait_for: no task per wait (1,000 streams wake per event).
                async with asyncio.timeout(max(wait, 0.01)):
                    frames = await self.queue.get()
            except TimeoutError:
                await self._heartbeat()
                continue
            if frames is None:  # the client went away (_watch_disconnect)
                return None
            await self._deliver(frames)
        return None

    async def _heartbeat(self) -> None:
        if self.position != self.announced:
            # A bare id sets the client's last event id without firing an event (§3.2).
            self.announced = self.position
            await self._write(f"id: {outbox.format_cursor(self.position)}\n\n")
        await self._write(": keepalive\n\n")

    async def _watch_disconnect(self) -> None:
        while True:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                self.closed.set()
                self.queue.put_nowait(None)
                return


def _body_params(body: bytes, content_type: bytes) -> dict:
    if not body:
        return {}
    if content_type.startswith(b"application/json"):
        with contextlib.suppress(ValueError):
            data = json.loads(body)
            if isinstance(data, dict):
                return data
        return {}
    return {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}


def _slot_key(user_id) -> str:
    return f"parley:event-streams:{user_id}"


def _take_slot(user_id) -> bool:
    """One of the user's PARLEY_EVENTS_MAX_STREAMS_PER_USER streams (in the cache)."""
    key = _slot_key(user_id)
    cache.add(key, 0, timeout=settings.PARLEY_EVENTS_MAX_STREAM_SECONDS + 60)
    if cache.incr(key) > settings.PARLEY_EVENTS_MAX_STREAMS_PER_USER:
        cache.decr(key)
        return False
    return True


def _release_slot(user_id) -> None:
    with contextlib.suppress(ValueError):
        cache.decr(_slot_key(user_id))
