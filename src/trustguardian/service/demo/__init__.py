"""A realistic demo company and its history."""
