"""Concurrent writers for the PostgreSQL concurrency tests."""

import threading

from django.db import connection


def together(work, threads: int = 8) -> list:
    """work(n) in `threads` threads released at once; their results, in thread order.

    Each thread closes its own database connection; the first error raised in a
    thread is raised again here, in the test's thread.
    """
    barrier = threading.Barrier(threads)
    results, errors = [None] * threads, []

    def target(n):
        try:
            barrier.wait()
            results[n] = work(n)
        except Exception as error:  # raised again below
            errors.append(error)
        finally:
            connection.close()

    started = [threading.Thread(target=target, args=(n,)) for n in range(threads)]
    for thread in started:
        thread.start()
    for thread in started:
        thread.join()
    if errors:
        raise errors[0]
    return results
