"""Background jobs in tests: through the real Redis queue, run in the test's own process.

`ckan jobs worker` forks a work horse per job and loads CKAN's environment again in it (2.4-3.1 s a job on the
project's machine); that was most of the suite's time. `run_jobs()` takes the same jobs off the same queue with
CKAN's own worker class (its session clean-up, its logging, IForkObserver) on rq's SimpleWorker, which performs
each job in this process: the real job functions on the real database and DataStore, without the fork. One test
(tests/loader/test_load.py, the first) keeps the real forking `ckan jobs worker`.

A job that raises fails the test that ran it (the forking worker only logged it), unless the test says it expects
that job to fail.
"""
from __future__ import annotations

import signal
import traceback
from typing import Any

import rq
from ckan.lib import jobs

SQL_WORDS = ("CREATE TABLE", "psycopg2", "ProgrammingError", "Traceback", "sqlalchemy")


class InProcessWorker(jobs.Worker, rq.SimpleWorker):
    """CKAN's worker without the fork; remembers what it ran and what raised, and whether it was interrupted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ran: list[str] = []
        self.failures: list[str] = []
        self.interrupted = False

    def _install_signal_handlers(self) -> None:
        # rq's warm shutdown (the job running finishes, no other starts), remembered so that run_jobs stops the
        # suite afterwards: rq's own handlers would swallow Ctrl-C and SIGTERM.
        def stop(signum: int, frame: Any) -> None:
            self.interrupted = True
            self._stop_requested = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)

    def perform_job(self, job: Any, *args: Any, **kwargs: Any) -> bool:
        self.ran.append(job.func_name.rsplit(".", 1)[-1])
        return super().perform_job(job, *args, **kwargs)

    def handle_exception(self, job: Any, *exc_info: Any) -> None:
        self.failures.append(f"{job.func_name}: {''.join(traceback.format_exception(*exc_info))}")
        return super().handle_exception(job, *exc_info)


def run_jobs(queues: list[str] | None = None, expect_failures: bool = False) -> list[str]:
    """Runs every job queued on CKAN's default queue (or ``queues``), and the jobs they queue, until none is left;
    the names of the functions run, in order."""
    # The worker's SIGINT/SIGTERM handlers stay for its run only; they are put back as they were.
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    worker = InProcessWorker(queues)
    try:
        worker.work(burst=True, logging_level="WARNING")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if worker.interrupted:
        raise KeyboardInterrupt
    if worker.failures and not expect_failures:
        raise AssertionError("background jobs raised:\n" + "\n".join(worker.failures))
    return worker.ran


# The name the DataStore tests have used for it.
run_jobs_here = run_jobs
