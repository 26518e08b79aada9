"""Accountability: a subject's dossier, the inspection report and the register of processing."""
