"""Query lookups the ORM lacks (registered on import)."""

from __future__ import annotations

from typing import Any

from django.db.models import Field, Lookup


@Field.register_lookup
class AnyOfSubquery(Lookup):
    """``field__any_of=<queryset of one column>`` means ``field IN (subquery)``.

    PostgreSQL gets it written ``field = ANY(ARRAY(subquery))``: the subquery then runs
    once, first, and the planner can OR the condition with other indexed ones (a
    BitmapOr). An ``IN (subquery)`` inside an OR is a filter applied to every row the rest
    of the query reads — for a unit's inbox at province scale, every open case."""

    lookup_name = "any_of"
    prepare_rhs = False

    def _sides(self, compiler: Any, connection: Any) -> tuple[str, str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return lhs, rhs, (*lhs_params, *rhs_params)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} IN {rhs}", params

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, rhs, params = self._sides(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", params
