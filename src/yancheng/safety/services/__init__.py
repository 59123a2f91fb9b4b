"""The safety module's writes, a module per subject, imported by module path (this package
re-exports nothing): ``hazards`` (report to 销号), ``registry``, ``checks``; ``common`` holds
what they share."""
