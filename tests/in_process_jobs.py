"""Background jobs run in the test's own process (the real job functions, real database and DataStore), without
the forking worker's start-up per job, and the texts no page or stored message may show."""
from __future__ import annotations

from ckan.lib import jobs

SQL_WORDS = ("CREATE TABLE", "psycopg2", "ProgrammingError", "Traceback", "sqlalchemy")


def run_jobs_here() -> list[str]:
    """Run every queued job (and the jobs they queue) in this process; the names of the functions run."""
    queue, ran = jobs.get_queue(), []
    while queue.jobs:
        for job in queue.jobs:
            queue.remove(job)
            ran.append(job.func_name.rsplit(".", 1)[-1])
            job.func(*job.args, **job.kwargs)
    return ran
