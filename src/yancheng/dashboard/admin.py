"""Admin pages: read-only views of the dashboard's data. Writes go through the pages and
their services (snapshots, formula, 红黄榜, 争资), so every change has its audit record."""

from __future__ import annotations

from django.contrib import admin

from yancheng.core.kit.admin import ReadOnlyAdmin

from .models import FundsWon, RankingFormula, RankingSnapshot, RedYellowEntry


@admin.register(RankingFormula)
class RankingFormulaAdmin(ReadOnlyAdmin):
    list_display = ("name", "w_investment", "w_nodes", "w_cases", "w_satisfaction", "w_attracted", "w_won",
                    "w_escalations", "is_active", "updated_at")


@admin.register(RankingSnapshot)
class RankingSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("month", "kind", "version", "created_by", "created_at")
    list_filter = ("kind",)


@admin.register(RedYellowEntry)
class RedYellowEntryAdmin(ReadOnlyAdmin):
    list_display = ("board", "project", "month", "deadline", "status")
    list_filter = ("board", "status")


@admin.register(FundsWon)
class FundsWonAdmin(ReadOnlyAdmin):
    list_display = ("month", "region", "organisation", "title", "amount")
