"""What a rate-limit check costs in each storage, and what Redis keeps per counted key.

    python bench/rate_limits.py [--calls 2000] [--redis redis://127.0.0.1:6379/0]

For memory:// and the Redis given: the time of one ``RateLimits.hit`` (the API's
anonymous limit, one rule: test + count) over ``--calls`` calls spread across 100
addresses; then Redis's MEMORY USAGE of one address's key after 600 hits (the default
``limit_api_ip`` window full). Prints a table; the bench's keys are removed at the end.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid

import redis

from broadsheet.config import Settings
from broadsheet.web.guard import RateLimits


def _per_call(limits: RateLimits, calls: int) -> float:
    start = time.perf_counter()
    for i in range(calls):
        limits.hit("api_ip", f"10.0.{i % 100}.1")
    return (time.perf_counter() - start) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    prefix = f"bs-bench-{uuid.uuid4().hex}"
    rows = []
    with tempfile.TemporaryDirectory() as data:
        for storage in ("memory://", args.redis):
            settings = Settings(
                data_dir=data,
                rate_limit_storage=storage,
                rate_limit_prefix=prefix,
                limit_api_ip="600/minute",
            )
            rows.append((storage, _per_call(RateLimits(settings), args.calls)))
        full = RateLimits(settings)
        for _ in range(600):
            full.hit("api_ip", "10.9.9.9")
    client = redis.Redis.from_url(args.redis)
    keys = [k for k in client.scan_iter(f"*{prefix}*") if b"10.9.9.9" in k]
    size = sum(client.memory_usage(k) or 0 for k in keys)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    print(f"| storage | µs per hit ({args.calls} calls, 100 addresses) |")
    print("|---|---|")
    for storage, micros in rows:
        print(f"| {storage} | {micros:.0f} |")
    print(f"\nRedis bytes for one address with a full 600/minute window: {size}")
    print(f"that is {size / 600:.1f} bytes per counted request")


if __name__ == "__main__":
    main()
