"""Running the instance: its keys and the database they are bound to, rotation, backups, readiness,
trusted time, metrics and production checks.
"""
