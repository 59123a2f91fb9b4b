"""Inspection plans, joint inspections and the enterprise's preferred slots (SPEC §4).

- Plans: a department files an annual plan (month empty) and, as needed, monthly plans
  (enterprise or class of enterprises, month and window, item, legal basis). Annual plans
  are due by the end of March (无锡 practice: published "每年3月底前"); a late filing is
  shown on the page, never refused.
- Amendments: a filed annual plan does not change. What it misses goes into the monthly
  plan of the month concerned; a filed monthly plan takes further entries (an amendment,
  audited as such and matched at once) but never loses one — a filed entry may already be
  part of a joint proposal, carry the enterprise's preferred slots, or be named by a
  registration. Entries are removed only while their plan is a draft.
- Joint inspections (联合检查, "进一次门、查多项事", 《优化营商环境条例》第五十四条): filed
  entries of different departments for the same enterprise whose windows overlap are
  proposed as one `JointProposal` (window = the overlap). Matching runs on every filing
  and as a daily job, and is idempotent: an entry that is in a proposal — whatever became
  of it — is never proposed again, so a declined proposal keeps its entries (its status
  tells the registration side that they go ahead separately).
- Preferred slots (双向预约, 龙华): for an announced entry of a filed plan, the enterprise's
  own users pick up to three half-days inside the window, on working days, not in the
  past. Unannounced checks (双随机) have none.

Every write: permission first (refusals audited by `require`), one transaction with the
row locked, the change, its audit record, notifications in the same transaction (they are
delivered on commit).

One module per concern; import from the module that holds the thing (this package
re-exports nothing): `common` (limits, links, small helpers), `access` (who sees what),
`plans` (plans, entries, filing, the yearly summary), `joint` (matching, answers, the daily
job) and `slots` (the enterprise's preferred half-days)."""
