"""gunicorn settings for the `ckan` service (the image's default command)."""
import os

chdir = "/srv/app"
bind = "0.0.0.0:5000"
# Sync workers, one CKAN app each; WEB_CONCURRENCY (set in docker-compose.yml) sizes the pool.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Large uploads and slow DCAT/CSV exports need more than gunicorn's default 30 s.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# No preloading: every worker opens its own database and Redis connections after the fork.
preload_app = False
worker_tmp_dir = "/dev/shm"
accesslog = "-"
errorlog = "-"
