"""Endpoints of 企业赋码保护 under /api/v1/inspections (registered by ``yancheng.api.main``);
each side contributes its own router. Like the other apps' routers these modules may not
import ``yancheng.api`` (it sits above the apps)."""

from ninja import Router

from . import api_department, api_enterprise, api_inspector, api_supervisor

router = Router(tags=["inspections"])
router.add_router("", api_inspector.router)
router.add_router("", api_department.router)
router.add_router("", api_enterprise.router)
router.add_router("", api_supervisor.router)
