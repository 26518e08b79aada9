"""Router for subjects. Identifiers travel in bodies only, never in URLs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import AwareDatetime, BaseModel, Field

from trustguardian.api.auth import confine, get_context, require
from trustguardian.api.schemas import Input
from trustguardian.domain.access import ApiKey, Reach, Scope
from trustguardian.domain.errors import NotFound
from trustguardian.domain.subjects import Identifier, IdentifierKind
from trustguardian.service.access.access_log import api_reader, log_read
from trustguardian.service.context import Context
from trustguardian.service.events import subjects
from trustguardian.service.events.identifiers import normalise

router = APIRouter(prefix="/v1", tags=["subjects"])
Ctx = Annotated[Context, Depends(get_context)]
Finder = Annotated[ApiKey, Depends(require(Scope.SUBJECTS_READ))]
Reader = Annotated[ApiKey, Depends(require(Scope.SUBJECTS_READ, Reach.SUBJECT))]
# A subject made on its own has no event yet, so no touchpoint: only an unbound key makes one.
Creator = Annotated[ApiKey, Depends(require(Scope.SUBJECTS_WRITE, Reach.UNBOUND))]
Writer = Annotated[ApiKey, Depends(require(Scope.SUBJECTS_WRITE, Reach.SUBJECT))]


class IdentifierIn(Input):
    kind: IdentifierKind
    value: Annotated[str, Field(min_length=1, max_length=320)]
    system: Annotated[str, Field(max_length=64)] | None = Field(
        default=None, description="The company system an `external` id comes from, e.g. `crm`."
    )


class IdentifiersIn(Input):
    identifiers: Annotated[list[IdentifierIn], Field(min_length=1, max_length=20)]


class LookupIn(Input):
    identifier: IdentifierIn


class IdentifierRead(BaseModel):
    kind: IdentifierKind
    system: str | None
    value: str | None = Field(description="Null once the subject has been erased.")


class SubjectRead(BaseModel):
    id: str
    created_at: AwareDatetime
    erased_at: AwareDatetime | None
    identifiers: list[IdentifierRead]

    @classmethod
    def of(cls, view: subjects.SubjectView) -> SubjectRead:
        return cls(
            id=view.subject.id,
            created_at=view.subject.created_at,
            erased_at=view.subject.shredded_at,
            identifiers=[
                IdentifierRead(kind=i.kind, system=i.system, value=i.value)
                for i in view.identifiers
            ],
        )


def to_identifiers(
    ctx: Context, items: list[IdentifierIn], loc: str = "identifiers"
) -> list[Identifier]:
    """Normalises identifiers from a request, naming the bad one."""
    region = ctx.settings.default_phone_region
    return [
        normalise(i.kind, i.value, system=i.system, region=region, loc=f"{loc}.{n}")
        for n, i in enumerate(items)
    ]


@router.post("/subjects", operation_id="createSubject", status_code=status.HTTP_201_CREATED)
def create_subject(body: IdentifiersIn, ctx: Ctx, _: Creator) -> SubjectRead:
    """Registers a subject known by these identifiers."""
    return SubjectRead.of(
        subjects.create_subject(ctx, identifiers=to_identifiers(ctx, body.identifiers))
    )


@router.post("/subjects/lookup", operation_id="lookupSubject")
def lookup_subject(body: LookupIn, ctx: Ctx, key: Finder) -> SubjectRead:
    """Finds the subject an identifier belongs to (the identifier stays out of the URL)."""
    [identifier] = to_identifiers(ctx, [body.identifier], loc="identifier")
    view = subjects.find_subject(ctx, identifier=identifier)
    try:
        confine(ctx, key, Reach.SUBJECT, [view.subject.id])
    except NotFound:  # answered as an unknown identifier, never naming the subject's id
        raise NotFound("no subject has this identifier") from None
    log_read(ctx, reader=api_reader(key), subject_id=view.subject.id, what="subject (lookup)")
    return SubjectRead.of(view)


@router.get("/subjects/{subject_id}", operation_id="getSubject")
def get_subject(subject_id: str, ctx: Ctx, key: Reader) -> SubjectRead:
    """Gets a subject by its pseudonymous id (the read is logged: it shows the identifiers)."""
    view = subjects.get_subject(ctx, subject_id=subject_id)
    log_read(ctx, reader=api_reader(key), subject_id=view.subject.id, what="subject")
    return SubjectRead.of(view)


@router.post("/subjects/{subject_id}/identifiers", operation_id="addSubjectIdentifiers")
def add_identifiers(subject_id: str, body: IdentifiersIn, ctx: Ctx, _: Writer) -> SubjectRead:
    """Links more identifiers to a subject."""
    return SubjectRead.of(
        subjects.add_identifiers(
            ctx, subject_id=subject_id, identifiers=to_identifiers(ctx, body.identifiers)
        )
    )
