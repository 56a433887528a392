"""The board's events reach the screens in the order of their ids, whichever process published them
(staff/live.py). A board that reconnects asks for what came after the last id it saw: an older event
published after a newer one would be skipped both by the catch-up and by the live stream."""

import itertools
import json
import threading
import time
import uuid

import redis

from staff import live

PUBLISHERS, EVENTS_EACH = 4, 150


def test_events_published_at_once_by_several_writers_arrive_in_the_order_of_their_ids(settings):
    settings.CELERY_INSTANCE = f"test-order-{uuid.uuid4().hex}"
    settings.LIVE_KEEP = 10_000
    live._client = None  # a client of its own, with this test's keys
    operation = 1
    listener = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    pubsub = listener.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(live.channel(operation))
    start = threading.Barrier(PUBLISHERS)

    def publisher(n):
        start.wait()
        for i in range(EVENTS_EACH):
            live.publish([{"kind": "assignment", "pk": n * 1000 + i, "action": "changed", "operation": operation}])

    threads = [threading.Thread(target=publisher, args=(n,)) for n in range(PUBLISHERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ids, deadline = [], time.monotonic() + 10
        while len(ids) < PUBLISHERS * EVENTS_EACH:
            assert time.monotonic() < deadline, f"only {len(ids)} of {PUBLISHERS * EVENTS_EACH} events arrived"
            message = pubsub.get_message(timeout=1)  # None for the subscription's own confirmation too
            if message is not None:
                ids.append(live.id_key(json.loads(message["data"])["id"]))
        stored = [live.id_key(event_id) for event_id, _fields in listener.xrange(live.stream_key(operation))]
    finally:
        pubsub.close()
        listener.delete(live.stream_key(operation))
        listener.close()
        live._client = None

    inversions = sum(1 for a, b in itertools.pairwise(ids) if b <= a)
    assert inversions == 0, f"{inversions} events arrived after a newer one"
    assert ids == stored
