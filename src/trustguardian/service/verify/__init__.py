"""Verification: every leaf, tree node, checkpoint, consent state and piece of evidence,
from genesis.
"""
