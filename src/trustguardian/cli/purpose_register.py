"""`trustguardian purposes register KEY`: what the art. 30 register says of a purpose."""

from __future__ import annotations

import typer

from trustguardian.cli.common import console, context
from trustguardian.cli.registry import purposes
from trustguardian.domain.registry import SAFEGUARDS, Transfer
from trustguardian.service.registry import purposes as purpose_service


def _transfer(value: str) -> Transfer:
    parts = [p.strip() for p in value.rsplit(":", 2)]
    if len(parts) != 3:
        raise typer.BadParameter(
            f"write RECIPIENT:COUNTRY:SAFEGUARD (safeguard one of {', '.join(SAFEGUARDS)})",
            param_hint="--transfer",
        )
    return Transfer(recipient=parts[0], country=parts[1].upper(), safeguard=parts[2].lower())


@purposes.command("register")
def purpose_register(
    typer_ctx: typer.Context,
    key: str,
    recipient: list[str] = typer.Option(
        [], "--recipient", help="A named third party the data goes to (repeat)."
    ),
    transfer: list[str] = typer.Option(
        [],
        "--transfer",
        help="A transfer outside the EEA: RECIPIENT:COUNTRY:SAFEGUARD, e.g. "
        "'Mailer Inc.:US:scc' (repeat).",
    ),
    data_category: list[str] = typer.Option(
        [], "--data-category", help="A category of personal data (repeat)."
    ),
    subject_category: list[str] = typer.Option(
        [], "--subject-category", help="A category of data subjects (repeat)."
    ),
    retention: str = typer.Option("", "--retention", help="How the retention is counted."),
) -> None:
    """State a purpose's recipients, transfers, categories and retention (a new version)."""
    purpose = purpose_service.set_register_fields(
        context(typer_ctx),
        key=key,
        recipients=recipient,
        transfers=[_transfer(t) for t in transfer],
        data_categories=data_category,
        subject_categories=subject_category,
        retention=retention,
    )
    console.print(f"Purpose [bold]{key}[/] is at version {purpose.current.version}.")


@purposes.command("defence-retention")
def purpose_defence_retention(
    typer_ctx: typer.Context,
    key: str,
    days: int = typer.Argument(
        ..., min=0, help="Days the proofs of consent outlive an erasure; 0 keeps none."
    ),
) -> None:
    """Set how long a purpose's proofs of consent are kept for legal defence after an erasure."""
    purpose = purpose_service.set_defence_retention(context(typer_ctx), key=key, days=days or None)
    console.print(f"Purpose [bold]{key}[/] is at version {purpose.current.version}.")
