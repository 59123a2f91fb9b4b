"""The kit every module builds on: API plumbing, text rules, form errors, exports, imports and
audited permission checks. One definition each; see ARCHITECTURE.md "Adding a module"."""
