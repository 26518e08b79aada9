"""Pure domain model: registry, subjects, privacy events and the rules over them (stdlib only)."""
