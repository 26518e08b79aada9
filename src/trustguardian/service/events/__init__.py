"""Privacy events: the subjects they concern, their validation, recording, consent state and the
ledger leaves they are committed by.
"""
