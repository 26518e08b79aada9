"""`trustguardian requests fulfil|lift`: fulfilling a request with its effect, and lifting a
restriction; the helpers other rights commands share."""

from __future__ import annotations

import typer

from trustguardian.cli.common import JSON, console, context, print_json, table
from trustguardian.service.rights.effects import identifiers_from, lift_restriction
from trustguardian.service.rights.erasure import SystemToErase
from trustguardian.service.rights.fulfil import fulfil_request

__all__ = ["ACTOR", "erasure_systems", "fulfil", "identifiers_from", "lift"]

ACTOR = typer.Option("cli", "--actor", help="Who acts (recorded as the operator proof).")


def fulfil(
    typer_ctx: typer.Context,
    request_id: str,
    outcome: str | None = typer.Option(None, "--outcome"),
    purpose: list[str] | None = typer.Option(
        None, "--purpose", help="Restriction: a purpose to hold (repeat; none: all of them)."
    ),
    email: str | None = typer.Option(
        None, "--email", help="Rectification: the corrected e-mail address."
    ),
    phone: str | None = typer.Option(
        None, "--phone", help="Rectification: the corrected phone number."
    ),
    actor: str = ACTOR,
    as_json: bool = JSON,
) -> None:
    """Fulfil a request with its effect: an objection withdraws, a restriction holds purposes
    until lifted, a rectification replaces identifiers, erasure shreds, access and portability
    mail a one-time download link."""
    done = fulfil_request(
        context(typer_ctx),
        request_id=request_id,
        actor=actor,
        outcome=outcome,
        purposes=purpose or None,
        identifiers=identifiers_from(email, phone),
    )
    if as_json:
        systems = done.erasure.systems if done.erasure else ()
        print_json(
            {
                "id": done.request.id,
                "status": done.request.status.value,
                "withdrawn": list(done.withdrawn),
                "held": [h.purpose or "*" for h in done.holds],
                "systems_to_erase": [{"key": s.key, "name": s.name} for s in systems],
            }
        )
        return
    console.print(f"Request {done.request.id}: {done.request.status.value}.")
    if done.withdrawn:
        console.print("Withdrawn: " + ", ".join(done.withdrawn))
    if done.holds:
        console.print(
            "Held until lifted: " + ", ".join(h.purpose or "every purpose" for h in done.holds)
        )
    if done.erasure:
        erasure_systems(done.erasure.systems)


def lift(
    typer_ctx: typer.Context,
    request_id: str,
    reason: str | None = typer.Option(None, "--reason", help="Told to the person."),
    actor: str = ACTOR,
) -> None:
    """Lift a restriction (art. 18(3)): the person is told, checks and sync resume."""
    holds = lift_restriction(context(typer_ctx), request_id=request_id, actor=actor, reason=reason)
    console.print(f"Restriction of request {request_id} lifted ({len(holds)} hold(s)).")


def erasure_systems(systems: tuple[SystemToErase, ...]) -> None:
    """Prints the connected systems that must erase the person too."""
    table(
        "Connected systems that must erase too",
        ["system", "name", "why"],
        [(s.key, s.name, "; ".join(s.reasons)) for s in systems],
    )
