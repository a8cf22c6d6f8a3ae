"""Concurrent changes on PostgreSQL, where rows are really locked."""

import threading

import pytest
from django.db import connection, connections

from designer import services
from designer.errors import DraftConflict, NothingToPublish
from tests.designer.documents import valid_document

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs DATABASE_URL of PostgreSQL"
    ),
]


def run_together(count, work):
    """Run ``work(i)`` in ``count`` threads at once; return results or errors."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # reported to the test, not lost in the thread
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_of_concurrent_publishes_of_one_draft_exactly_one_wins(script, publisher):
    results = run_together(
        6, lambda i: services.script_publish(script=script, author=publisher).number
    )
    assert [r for r in results if not isinstance(r, NothingToPublish)] == [1]
    assert script.versions.filter(number__isnull=False).count() == 1


def test_of_concurrent_saves_from_one_revision_exactly_one_wins(script, author):
    def save(i):
        document = {**valid_document(), "start": "offer"} if i else valid_document()
        return services.draft_save(
            script=script, document=document, author=author, base_revision=1
        ).revision

    results = run_together(5, save)
    assert [r for r in results if not isinstance(r, DraftConflict)] == [2]
    assert all(r.current_revision == 2 for r in results if isinstance(r, DraftConflict))
