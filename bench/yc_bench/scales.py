"""How much data each scale holds. "province" is the issue's target: 14 cities, 1,000,000
cases, 100,000 projects, 200,000 enterprises, 5,000,000 audit records and 2,000,000
inspection registrations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    cities: int  # Hengyang first (the real demo city), then generated ones of the same shape
    enterprises: int
    enterprise_user_share: float  # share of enterprises with a login of their own
    projects: int
    cases: int
    notifications: int
    audit: int  # total audit records wanted (the services' own records count too)
    inspections: int
    span_days: int  # how far back the history reaches
    county_count: int = 10  # counties of each generated city (Hengyang has its 12)

    def describe(self) -> str:
        return (
            f"{self.name}: {self.cities} cities, {self.enterprises:,} enterprises, {self.projects:,} projects, "
            f"{self.cases:,} cases, {self.notifications:,} notifications, {self.audit:,} audit records"
            + (f", {self.inspections:,} inspections" if self.inspections else "")
        )


SCALES: dict[str, Scale] = {
    "smoke": Scale("smoke", cities=1, enterprises=120, enterprise_user_share=0.5, projects=30, cases=300,
                   notifications=300, audit=1_500, inspections=600, span_days=120),
    "town": Scale("town", cities=1, enterprises=4_000, enterprise_user_share=0.2, projects=2_000, cases=20_000,
                  notifications=20_000, audit=100_000, inspections=40_000, span_days=365),
    "city": Scale("city", cities=1, enterprises=20_000, enterprise_user_share=0.1, projects=10_000, cases=100_000,
                  notifications=100_000, audit=500_000, inspections=200_000, span_days=730),
    "province": Scale("province", cities=14, enterprises=200_000, enterprise_user_share=0.1, projects=100_000,
                      cases=1_000_000, notifications=1_000_000, audit=5_000_000, inspections=2_000_000,
                      span_days=730),
}
