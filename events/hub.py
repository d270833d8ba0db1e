"""One hub per server process: reads the outbox once, fans frames out to its streams.

Streams are asyncio tasks holding no thread and no database connection; the
hub's ORM work runs on a small pool (PARLEY_EVENTS_DB_THREADS, each thread one
connection). It wakes on this process's commits, on PostgreSQL NOTIFY or Redis
pub/sub from other servers, and at the latest after the safety-net poll.
"""

import asyncio
import contextlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from django.conf import settings
from django.db import connection

from events import outbox, render, wakeup

logger = logging.getLogger(__name__)

HUB_PAGE = 500
QUEUE_LIMIT = 256


def _in_thread(fn, *args, **kwargs):
    """Run ORM code on a hub thread, replacing its connection if it broke.

    With PostgreSQL's pool the connection goes back to it after each job, so the
    hub's threads hold none between jobs and requests get the whole pool.
    """
    if connection.connection is not None and not connection.is_usable():
        connection.close()
    try:
        return fn(*args, **kwargs)
    finally:
        if getattr(connection, "pool", None) is not None:
            connection.close()


def _close_connection(barrier: threading.Barrier) -> None:
    barrier.wait(timeout=5)  # one call per pool thread
    connection.close()


class Hub:
    def __init__(self):
        self.streams: set = set()
        self.position = (0, 0)
        self.threads = settings.PARLEY_EVENTS_DB_THREADS
        self.executor = ThreadPoolExecutor(self.threads, thread_name_prefix="events-db")
        self.loop = None
        self.wake = None
        self.tasks = []

    async def db(self, fn, *args, **kwargs):
        job = partial(_in_thread, fn, *args, **kwargs)
        return await self.loop.run_in_executor(self.executor, job)

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.wake = asyncio.Event()
        try:
            self.position = await self.db(outbox.head_position)
        except Exception:  # not migrated yet, database down: the API must still start
            logger.exception("Event hub could not read the outbox; retrying")
            self.position = None
        wakeup.register_local(self.poke)
        self.tasks.append(asyncio.create_task(self._run()))
        listener = {"postgres": self._listen_postgres, "redis": self._listen_redis}.get(
            wakeup.mode()
        )
        if listener is not None:
            self.tasks.append(asyncio.create_task(listener()))

    async def stop(self) -> None:
        wakeup.unregister_local(self.poke)
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        barrier = threading.Barrier(self.threads)
        futures = [self.executor.submit(_close_connection, barrier) for _ in range(self.threads)]
        for future in futures:
            with contextlib.suppress(Exception):
                await asyncio.wrap_future(future)
        self.executor.shutdown(wait=False)

    def poke(self) -> None:
        """Thread-safe: something committed in this process."""
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.wake.set)

    def add(self, stream) -> tuple[int, int] | None:
        """Register a stream before it reads the outbox; the hub's position (None: unknown)."""
        self.streams.add(stream)
        return self.position

    def discard(self, stream) -> None:
        self.streams.discard(stream)

    async def _run(self) -> None:
        # While committed rows wait behind an older running transaction (PostgreSQL's
        # watermark, outbox.events_after), look again soon rather than at the next poll.
        held_back = 0.0
        while True:
            timeout = held_back or settings.PARLEY_EVENTS_POLL_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), timeout)
            self.wake.clear()
            try:
                pending = await self._drain()
            except Exception:  # a database hiccup: the next wake-up or poll retries
                logger.exception("Event hub failed to read the outbox")
                await asyncio.sleep(min(1.0, settings.PARLEY_EVENTS_POLL_SECONDS))
                continue
            held_back = min(max(held_back * 2, 0.02), 0.5) if pending else 0.0

    async def _drain(self) -> bool:
        """Deliver every readable event; True if some are still held back."""
        if self.position is None:
            self.position = await self.db(outbox.head_position)
        while True:
            events = await self.db(outbox.events_after, self.position, limit=HUB_PAGE)
            if not events:
                return await self.db(outbox.has_pending, self.position)
            streams = list(self.streams)
            if streams:
                audiences = [stream.audience for stream in streams]
                batches = await self.db(render.render, audiences, events)
                for stream, frames in zip(streams, batches, strict=True):
                    stream.offer(frames)
            # Only once rendered: a failed read or render is retried, not lost.
            self.position = outbox.position_of(events[-1])
            if len(events) < HUB_PAGE:
                return await self.db(outbox.has_pending, self.position)

    async def _listen_postgres(self) -> None:
        import psycopg

        db = settings.DATABASES["default"]
        params = {
            "dbname": db["NAME"],
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
        }
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    autocommit=True, **{k: v for k, v in params.items() if v}
                )
                async with conn:
                    await conn.execute(f"LISTEN {outbox.NOTIFY_CHANNEL}")
                    self.wake.set()  # whatever was missed while not listening
                    async for _ in conn.notifies():
                        self.wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("LISTEN connection lost; polling until it is back", exc_info=True)
                await asyncio.sleep(2)

    async def _listen_redis(self) -> None:
        import redis.asyncio as aioredis

        while True:
            try:
                client = aioredis.Redis.from_url(settings.REDIS_URL)
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(wakeup.REDIS_CHANNEL)
                    self.wake.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self.wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Redis subscription lost; polling until it is back", exc_info=True)
                await asyncio.sleep(2)


_hub: Hub | None = None


def current() -> Hub | None:
    return _hub


async def start() -> Hub:
    global _hub
    if _hub is None:
        _hub = Hub()
        await _hub.start()
    return _hub


async def stop() -> None:
    global _hub
    if _hub is not None:
        hub, _hub = _hub, None
        await hub.stop()
