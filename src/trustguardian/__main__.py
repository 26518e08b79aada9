"""`python -m trustguardian`."""

from trustguardian.cli import main

main()
