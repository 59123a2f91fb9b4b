"""The supervisor's side of 企业赋码保护 (SPEC §4; 司法局 行政执法监督 / 营商环境办): the rules
(the policy, the cap matrix, exemption reasons, quiet periods), handling alerts, the
per-department dashboard and the monthly 通报 notice. One module per concern; import from
the module that holds the thing (this package re-exports nothing):

- `access`: who works where (a supervisor's region; the alerts and quiet periods it sees);
- `periods`: reporting periods (month, quarter, year, range) and their day bounds;
- `cleaning`, `params`: checking values given to the services; reading list filters, links;
- `policy`: the city's inspection policy (fields, If-Match version, update);
- `caps`: the cap matrix; `exemptions`: exemption reasons; `quiet_periods`: 宁静期;
- `alerts`: handling an alert;
- `registrations`: the registrations a supervisor sees, with their filters;
- `dashboard`: the per-department figures; `lists`: the alert and complaint lists behind them;
- `monthly_report`: telling the supervisors the monthly 通报 is ready (a periodic job).

Writes are services (permission → transaction with the row locked → change → audit).
The city's rules (policy, cap matrix, exemption reasons) belong to the city-level
supervisor (`inspections.manage_city_rules`); a county's supervisor works in its own region
only: its quiet periods, its alerts, its registrations.

Reads are set-based: the dashboard is a handful of grouped queries whatever the number of
departments (no query per row). Ratings are read as the supervisor may: per department over
the period's whole ended months, each department-month only from five ratings on
(`ratings.monthly_figures`) — a `Rating` row names no enterprise, and no figure here dates one.

Anchors: 国办发〔2024〕54号 (annual caps, joint inspections counted once, alerts on
repeated and high-frequency checks), 衡政办发〔2025〕6号 (grades A–D; grade A: no proactive
inspection in a year), 深府规〔2025〕6号 (back-fill within 10 natural days)."""
