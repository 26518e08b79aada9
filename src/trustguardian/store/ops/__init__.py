"""The instance's own records: its binding, signing-key register, backups, probes and
time-stamps."""
