"""The chains module's writes, a module per page family, imported by module path (this
package re-exports nothing): ``registry`` (who runs a chain, its path, its map and
placements), ``targets``, ``leads``, ``research``, ``problems`` and ``meetings``."""
