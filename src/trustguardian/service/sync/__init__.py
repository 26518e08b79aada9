"""The company's systems: their webhooks and where each stands in receiving our events."""
