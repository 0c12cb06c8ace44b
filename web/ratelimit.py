"""Rate limits keyed by a keyed hash of the client address, kept in memory only and never logged.

The key is random per process and replaced every day, so yesterday's buckets cannot be linked to
today's, and nothing on disk can be turned back into an address."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from typing import Any


class RateLimiter:
    def __init__(self, *, limit: int, window_seconds: float, clock: Any = time.monotonic) -> None:
        self.limit = limit
        self.window = window_seconds
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()
        self._key = secrets.token_bytes(32)
        self._key_born = clock()

    def identity(self, client_address: str) -> str:
        if self._clock() - self._key_born > 86_400:
            self._key, self._key_born = secrets.token_bytes(32), self._clock()
            self._hits.clear()
        return hmac.new(self._key, client_address.encode(), hashlib.sha256).hexdigest()[:32]

    def hit(self, identity: str) -> bool:
        """Count one event; False when the identity is over its limit."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(identity, deque())
            while hits and now - hits[0] > self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 100_000:  # bound memory under a flood of distinct addresses
                self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] <= self.window}
            return True

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

    def blocked(self, identity: str) -> bool:
        now = self._clock()
        with self._lock:
            hits = self._hits.get(identity) or deque()
            return len([h for h in hits if now - h <= self.window]) >= self.limit


def client_address(scope: Any) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RedisRateLimiter:
    """The same limits shared by every worker process through Redis (fixed windows).

    Bucket names are keyed hashes under a key derived from the server secret and the day, so all
    workers agree on them while Redis never sees an address. Run Redis without persistence."""

    def __init__(self, redis_url: str, secret: bytes, *, name: str, limit: int, window_seconds: int) -> None:
        import redis
        self._redis = redis.Redis.from_url(redis_url)
        self._secret = secret
        self.name = name
        self.limit = limit
        self.window = window_seconds

    def identity(self, client_address: str) -> str:
        day = time.strftime("%Y-%m-%d", time.gmtime())
        key = hmac.new(self._secret, f"ratelimit/{day}".encode(), hashlib.sha256).digest()
        return hmac.new(key, client_address.encode(), hashlib.sha256).hexdigest()[:32]

    def _key(self, identity: str) -> str:
        return f"vorort:rl:{self.name}:{identity}:{int(time.time()) // self.window}"

    def hit(self, identity: str) -> bool:
        key = self._key(identity)
        pipe = self._redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, self.window)
        count = pipe.execute()[0]
        return int(count) <= self.limit

    def blocked(self, identity: str) -> bool:
        value = self._redis.get(self._key(identity))
        return value is not None and int(value) >= self.limit

    def reset(self) -> None:
        for key in self._redis.scan_iter(f"vorort:rl:{self.name}:*"):
            self._redis.delete(key)


def make_limiter(settings: Any, secret: bytes, *, name: str, limit: int, window_seconds: int) -> Any:
    """In memory for one process; in Redis when VORORT_REDIS_URL is set (several workers)."""
    if settings.redis_url:
        return RedisRateLimiter(settings.redis_url, secret, name=name, limit=limit, window_seconds=window_seconds)
    return RateLimiter(limit=limit, window_seconds=window_seconds)
