"""Engage: may we contact this person? Single checks, campaign lists, contact policies, the links
sent to people and what they do through them.
"""
