"""Collect: consents, notice acknowledgements and their proofs of genuineness, from web forms,
operators, confirmations and imports of a company's past.
"""
