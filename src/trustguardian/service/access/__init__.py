"""Who may act: API keys (hashed, shown once), console users and their sessions, and the log of
reads of a person's data.
"""
