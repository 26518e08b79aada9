"""Console admin forms: reading posted fields with clear per-field errors, and showing a form
again, with what was typed and what was wrong, when a use case refuses it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from trustguardian.domain.errors import DomainError, FieldError, InvalidInput
from trustguardian.problems import status_of
from trustguardian.service.access.users import Session
from trustguardian.web.console.core import CsrfSession, render

E = TypeVar("E", bound=StrEnum)
MAX_FIELD = 20_000


async def posted(request: Request) -> FormData:
    """The posted form (Starlette keeps it, so the CSRF check read the same one)."""
    return await request.form()


Posted = Annotated[FormData, Depends(posted)]


class Fields:
    """Reads a posted form's fields, gathering every error before refusing once."""

    def __init__(self, form: FormData) -> None:
        self.form = form
        self.errors: list[FieldError] = []

    def text(self, name: str, *, required: bool = True, limit: int = 200) -> str:
        value = str(self.form.get(name) or "").replace("\r\n", "\n").strip()
        if required and not value:
            self.errors.append(FieldError(name, "must not be empty"))
        elif len(value) > limit:
            self.errors.append(FieldError(name, f"at most {limit} characters"))
        return value

    def optional(self, name: str, *, limit: int = 200) -> str | None:
        return self.text(name, required=False, limit=limit) or None

    def lines(self, name: str) -> list[str]:
        """A textarea's non-empty lines."""
        text = self.text(name, required=False, limit=MAX_FIELD)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def flag(self, name: str) -> bool:
        return self.form.get(name) is not None

    def number(self, name: str) -> int:
        """A whole number (0 stands in for a wrong one: `check` refuses before it is used)."""
        found = self.optional_number(name)
        if found is None and not any(e.loc == name for e in self.errors):
            self.errors.append(FieldError(name, "must not be empty"))
        return found or 0

    def optional_number(self, name: str) -> int | None:
        value = self.text(name, required=False, limit=12)
        if not value:
            return None
        try:
            return int(value)
        except ValueError:
            self.errors.append(FieldError(name, "a whole number"))
            return None

    def choice(self, name: str, kind: type[E]) -> E:
        """One of an enum's values (its first stands in for a wrong one: `check` refuses)."""
        value = self.text(name)
        if value in kind.__members__.values():
            return kind(value)
        if value:
            self.errors.append(FieldError(name, f"one of {', '.join(kind)}"))
        return next(iter(kind))

    def choices(self, name: str, kind: type[E]) -> list[E]:
        values = [str(v) for v in self.form.getlist(name)]
        wrong = [v for v in values if v not in kind.__members__.values()]
        if wrong:
            self.errors.append(FieldError(name, f"not one of {', '.join(kind)}: {wrong}"))
        return [kind(v) for v in values if v not in wrong]

    def keys(self, name: str) -> list[str]:
        """Ticked checkboxes naming registry keys."""
        return [str(v).strip() for v in self.form.getlist(name) if str(v).strip()]

    def ticked(self, name: str, what: str) -> None:
        """Refuses at once unless a box confirming `what` was ticked."""
        if not self.flag(name):
            raise InvalidInput(f"confirm that {what}", errors=[FieldError(name, "tick the box")])

    def check(self) -> None:
        """Refuses the form if any field was wrong."""
        if self.errors:
            raise InvalidInput("the form has mistakes: see each field", errors=self.errors)


Outcome = Response | str  # a page to show, or the path to go to next (303)


@dataclass(frozen=True)
class Submission:
    """A posted admin form, its session's CSRF token checked: what every admin POST handler
    needs to run its change and, when a use case refuses it, show the form again."""

    request: Request
    session: Session
    form: FormData

    def run(
        self, template: str, page: Mapping[str, Any], action: Callable[[Fields], Outcome]
    ) -> Response:
        """Runs `action` on the form's fields; when refused, `template` comes back with `page`,
        the error and what was typed (nothing was written: every use case checks first)."""
        try:
            outcome = action(Fields(self.form))
        except DomainError as exc:
            typed = {k: str(v) for k, v in self.form.multi_items() if k != "password"}
            ticked = {k: [str(v) for v in self.form.getlist(k)] for k in typed}
            return render(
                self.request,
                template,
                status=status_of(exc),
                session=self.session,
                error=exc,
                typed=typed,
                ticked=ticked,
                **page,
            )
        return RedirectResponse(outcome, status_code=303) if isinstance(outcome, str) else outcome

    def click(
        self, template: str, page: Mapping[str, Any], change: Callable[[], object], then: str
    ) -> Response:
        """A form with no fields (disable, revoke, ...): runs the change, then goes to `then`."""

        def action(_: Fields) -> str:
            change()
            return then

        return self.run(template, page, action)

    def show(self, template: str, **values: Any) -> HTMLResponse:
        """A page after the change (a secret shown once, a count): no error, nothing typed."""
        return show(self.request, self.session, template, **values)


def submission(request: Request, session: CsrfSession, form: Posted) -> Submission:
    return Submission(request, session, form)


Submitted = Annotated[Submission, Depends(submission)]


def show(request: Request, session: Session, template: str, **values: Any) -> HTMLResponse:
    """An admin form as first shown: no error, nothing typed yet."""
    return render(request, template, session=session, error=None, typed={}, ticked={}, **values)
