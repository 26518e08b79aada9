"""Real witnesses for tests (trustguardian.witness.local): subprocesses on loopback."""

from trustguardian.witness.local import RunningWitness, free_port, make_witness

__all__ = ["RunningWitness", "free_port", "make_witness"]
