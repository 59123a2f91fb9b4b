"""A fixed-window limit on anonymous attempts (the public pages: the petitions' 查询码 box,
the public hazard report): per client address and for everybody, counted in Django's cache
(configure a shared one with several app servers). The address is hashed: the cache keeps no
list of who asked."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Throttle:
    """``name`` ("petitions.query") names the counters; each limit is read from its setting
    when asked, else the default."""

    name: str
    window_setting: str
    ip_setting: str
    global_setting: str
    window_default: int = 600
    ip_default: int = 10
    global_default: int = 1000

    def window(self) -> int:
        return max(1, int(getattr(settings, self.window_setting, self.window_default)))

    def ip_limit(self) -> int:
        return max(1, int(getattr(settings, self.ip_setting, self.ip_default)))

    def global_limit(self) -> int:
        return max(1, int(getattr(settings, self.global_setting, self.global_default)))

    def _bucket(self) -> int:
        return int(time.time() // self.window())

    def _ip_key(self, ip: str, bucket: int) -> str:
        hashed = hashlib.sha256(f"{self.name}:{ip}".encode()).hexdigest()[:32]
        return f"{self.name.replace('.', ':')}:ip:{hashed}:{bucket}"

    def _global_key(self, bucket: int) -> str:
        return f"{self.name.replace('.', ':')}:all:{bucket}"

    def _count(self, key: str) -> int:
        """Add one to the counter ``key`` (created for two windows) and return it."""
        cache.add(key, 0, timeout=2 * self.window())
        try:
            return int(cache.incr(key))
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=2 * self.window())
            return 1

    def allowed(self, ip: str) -> bool:
        """Count one attempt from ``ip`` and from everybody; whether it may go on."""
        bucket = self._bucket()
        mine = self._count(self._ip_key(ip or "-", bucket))
        everyone = self._count(self._global_key(bucket))
        return mine <= self.ip_limit() and everyone <= self.global_limit()

    def retry_after(self) -> int:
        """Seconds until the current window ends (the 429's Retry-After)."""
        return max(1, int(self.window() - time.time() % self.window()))
