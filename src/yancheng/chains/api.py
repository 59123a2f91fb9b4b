"""Chains endpoints under /api/v1/chains (mounted by ``yancheng.api.main``): each page family
has its own ``api_<family>.py`` router added here.

Creating writes take an ``Idempotency-Key``; steps that change a row take
``If-Match: "<version>"`` (428 without, 412 when stale)."""

from ninja import Router

from .api_leads import router as leads_router
from .api_map import router as map_router
from .api_meetings import router as meetings_router
from .api_problems import router as problems_router
from .api_registry import router as registry_router
from .api_research import router as research_router
from .api_targets import router as targets_router

router = Router(tags=["chains"])
router.add_router("", research_router)  # first: its /mine before any /{code} route
router.add_router("", map_router)
router.add_router("", targets_router)
router.add_router("", leads_router)
router.add_router("", problems_router)
router.add_router("", meetings_router)
# Keep the registry last: its "/{code}" takes any first path segment.
router.add_router("", registry_router)
