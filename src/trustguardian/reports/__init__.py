"""Evidence for Legal: dossiers, inspection reports, the register of processing, exports."""
