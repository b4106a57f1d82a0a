"""The server's response cache: bounded in bytes (keys and bodies) and in entries, LRU."""

from __future__ import annotations

from nablab.interfaces.web.cache import ResponseCache


def test_the_cache_is_bounded_by_the_bytes_of_its_keys_and_bodies():
    cache = ResponseCache(max_entries=1000, max_bytes=10_000)
    for i in range(50):
        cache.put(ResponseCache.key("lab", {"text": "x y", "at": {"x": i}}), 200, b"b" * 900)
    stats = cache.stats()
    assert stats["bytes"] <= 10_000 and stats["max_bytes"] == 10_000
    key = ResponseCache.key("lab", {"text": "x y", "at": {"x": 49}})
    assert stats["size"] == 10_000 // (len(key) + 900)  # keys count: fewer than 10000 // 900
    assert stats["evictions"] == 50 - stats["size"]  # it says it is full
    assert cache.get(key) is not None  # the newest are kept
    assert cache.get(ResponseCache.key("lab", {"text": "x y", "at": {"x": 0}})) is None


def test_the_entry_bound_evicts_the_least_recently_used():
    cache = ResponseCache(max_entries=2, max_bytes=10_000)
    cache.put("a", 200, b"1")
    cache.put("b", 200, b"2")
    assert cache.get("a") is not None  # a is now the most recently used
    cache.put("c", 200, b"3")
    assert cache.get("b") is None and cache.get("a") is not None and cache.get("c") is not None
    assert cache.stats()["evictions"] == 1 and cache.stats()["bytes"] == 4


def test_replacing_an_entry_keeps_the_byte_count_exact():
    cache = ResponseCache(max_entries=10, max_bytes=10_000)
    cache.put("k", 200, b"x" * 100)
    cache.put("k", 422, b"y" * 10)
    assert cache.stats()["bytes"] == 1 + 10 and len(cache) == 1
    assert cache.get("k").status == 422
