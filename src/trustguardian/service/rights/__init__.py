"""Right: rights requests within their legal deadlines, what fulfilling each one does, erasure and
complaints.
"""
