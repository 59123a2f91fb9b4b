"""Safety endpoints under /api/v1/safety (mounted by ``yancheng.api.main``): the registry,
checks and hazards, each family in its own ``api_<family>.py`` router added here.

Creating writes take an ``Idempotency-Key``; steps that change a row take
``If-Match: "<version>"`` (428 without, 412 when stale)."""

from ninja import Router

from .api_hazards import router as hazards_router

router = Router(tags=["safety"])
router.add_router("", hazards_router)
