"""gunicorn's settings for Parley in production: `bin/serve` starts it (README "Production").

Binds 127.0.0.1:8000, or 0.0.0.0:$PORT when PORT is set (gunicorn's own rule);
`GUNICORN_CMD_ARGS` overrides anything here.
"""

import multiprocessing
import os

from config.logs import logging_config

# Sync workers: each request is short and holds one database connection.
# WEB_CONCURRENCY is the usual way to size them (a container's CPU share).
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# The slowest request fetches an `image_url` (5 s) and re-encodes it; 30 s
# is far past that, so a worker killed here was stuck, not slow.
timeout = 30
graceful_timeout = 30
keepalive = 5  # behind a load balancer that reuses connections

# Refuse oversized request lines and headers before Django sees them (bodies
# are bounded by Django: DATA_UPLOAD_MAX_MEMORY_SIZE, PARLEY_ATTACHMENT_MAX_BYTES).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# The access log is Parley's own line per request (`parley.request`: request
# id, user id, route, status, duration), written in the same JSON as every
# other line; gunicorn's text access log would only repeat it with less.
accesslog = None
errorlog = "-"
logconfig_dict = logging_config(
    log_format=os.environ.get("LOG_FORMAT", "json"), level=os.environ.get("LOG_LEVEL", "INFO")
)
logconfig_dict["loggers"]["gunicorn.error"] = {"handlers": ["console"], "propagate": False}


def child_exit(server, worker):
    """Prometheus across workers (PROMETHEUS_MULTIPROC_DIR): drop a dead worker's live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
