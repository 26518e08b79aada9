"""Trust Guardian: consent and privacy-event platform with a tamper-evident ledger."""

__version__ = "0.1.0"
