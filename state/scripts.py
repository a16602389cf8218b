"""Server-side helpers that turn hundreds of small writes per batch into one command.

redis-py spends several µs packing each command; a batch of 2,000 mentions touches hundreds
of per-minute sets and counters, so grouping them is most of the cost of writing state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import redis

# ARGV holds one group per key: the number of members, then the members.
_SADD_MANY = """
local at = 1
for _, key in ipairs(KEYS) do
  local n = tonumber(ARGV[at])
  at = at + 1
  local last = at + n - 1
  for first = at, last, 4000 do
    redis.call('SADD', key, unpack(ARGV, first, math.min(first + 3999, last)))
  end
  at = last + 1
end
return #KEYS
"""

# ARGV holds one group per key: the number of fields, then field, increment, field, increment...
_HINCRBY_MANY = """
local at = 1
for _, key in ipairs(KEYS) do
  local n = tonumber(ARGV[at])
  at = at + 1
  for i = at, at + 2 * n - 1, 2 do
    redis.call('HINCRBY', key, ARGV[i], ARGV[i + 1])
  end
  at = at + 2 * n
end
return #KEYS
"""


class BatchScripts:
    """The scripts registered on one client; call them on a pipeline to keep one round trip."""

    def __init__(self, client: redis.Redis) -> None:
        self._sadd = client.register_script(_SADD_MANY)
        self._hincrby = client.register_script(_HINCRBY_MANY)

    def sadd_many(self, pipe: redis.client.Pipeline, sets: Mapping[str, Sequence[str]]) -> None:
        if not sets:
            return
        args: list[str | int] = []
        for members in sets.values():
            args.append(len(members))
            args.extend(members)
        self._sadd(keys=list(sets), args=args, client=pipe)

    def hincrby_many(self, pipe: redis.client.Pipeline, counters: Mapping[str, Iterable[tuple[str, int]]]) -> None:
        if not counters:
            return
        args: list[str | int] = []
        for pairs in counters.values():
            flat = [x for pair in pairs for x in pair]
            args.append(len(flat) // 2)
            args.extend(flat)
        self._hincrby(keys=list(counters), args=args, client=pipe)
