"""API of the department side of 企业赋码保护 (mounted under /api/v1/inspections/ by `api.py`)."""

from ninja import Router

router = Router(tags=["inspections"])
