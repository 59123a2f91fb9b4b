"""隐患排查治理's services: reported (``report``), accepted with its rectification case and
挂牌督办 or rejected, its 重大 report completed, reclassified (``acceptance``), rectified and
verified by someone else (``rectification``)."""

from .acceptance import (
    hazard_accept,
    hazard_complete_report,
    hazard_reclassify,
    hazard_reject,
    missing_report_message,
    supervising_level_for,
)
from .rectification import hazard_submit_evidence, hazard_verify
from .report import hazard_report

__all__ = [
    "hazard_accept",
    "hazard_complete_report",
    "hazard_reclassify",
    "hazard_reject",
    "hazard_report",
    "hazard_submit_evidence",
    "hazard_verify",
    "missing_report_message",
    "supervising_level_for",
]
