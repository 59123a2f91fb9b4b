"""A checkpoint when a process that writes records stops (SPEC §2.4): the web server's
workers and the task worker sign the chain's head on their way out, so the records of their
last seconds are anchored and not left to the next start."""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger("yancheng.audit")


def checkpoint_at_shutdown(process: str) -> int | None:
    """Sign the head if it is not signed yet; never raises (a process must be able to stop).
    Returns the checkpoint's seq, or None when there was nothing to sign or it failed."""
    from .services import audit_checkpoint_create

    try:
        checkpoint = audit_checkpoint_create()
    except Exception:
        logger.exception("audit checkpoint at shutdown of %s failed", process)
        return None
    if checkpoint is None:
        return None
    logger.info("audit checkpoint at seq %s taken at shutdown of %s", checkpoint.seq, process)
    return checkpoint.seq


# --- gunicorn (`yancheng serve` in production passes this module as its config) ---------------


def worker_exit(server: Any, worker: Any) -> None:
    """gunicorn's hook, in each web worker as it exits (SIGTERM, SIGINT, max-requests)."""
    checkpoint_at_shutdown(f"web worker {getattr(worker, 'pid', '')}".strip())
