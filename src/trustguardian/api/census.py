"""Routes of the census examination: run the rules, read the findings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, Field

from trustguardian.api.auth import get_context, require
from trustguardian.domain.access import ApiKey, Reach, Scope
from trustguardian.domain.registry import TouchpointStatus
from trustguardian.domain.risk import Severity
from trustguardian.service.context import Context
from trustguardian.service.registry import census, securing

router = APIRouter(prefix="/v1", tags=["census"])
Ctx = Annotated[Context, Depends(get_context)]
Reader = Annotated[ApiKey, Depends(require(Scope.REGISTRY_READ, Reach.TOUCHPOINT))]
SharedWriter = Annotated[ApiKey, Depends(require(Scope.REGISTRY_WRITE, Reach.UNBOUND))]


class FindingRead(BaseModel):
    id: str
    rule: str
    severity: Severity
    target: str
    message: str
    fix: str
    first_found_at: AwareDatetime
    last_found_at: AwareDatetime
    resolved_at: AwareDatetime | None

    @classmethod
    def of(cls, f: census.StoredFinding) -> FindingRead:
        return cls(**vars(f))


class FindingsRead(BaseModel):
    touchpoint: str
    status: TouchpointStatus
    examined_at: AwareDatetime | None
    findings: list[FindingRead]

    @classmethod
    def of(
        cls, key: str, status: str, at: datetime | None, found: list[census.StoredFinding]
    ) -> FindingsRead:
        return cls(
            touchpoint=key,
            status=status,
            examined_at=at,
            findings=[FindingRead.of(f) for f in found],
        )


@router.get("/touchpoints/{key}/findings", operation_id="getTouchpointFindings")
def get_findings(
    key: str,
    ctx: Ctx,
    _: Reader,
    include_resolved: Annotated[bool, Query()] = False,
) -> FindingsRead:
    """The findings of a touchpoint's latest examinations (open ones unless asked)."""
    tp, at, found = census.touchpoint_findings(ctx, key=key, include_resolved=include_resolved)
    return FindingsRead.of(tp.key, tp.status.value, at, found)


@router.post("/touchpoints/{key}/examine", operation_id="examineTouchpoint")
def examine_one(key: str, ctx: Ctx, _: SharedWriter) -> FindingsRead:
    """Examines one touchpoint now and returns its open findings and new status."""
    [result] = census.examine_touchpoints(ctx, key=key)
    return FindingsRead.of(key, result.touchpoint.status.value, result.examined_at, result.findings)


@router.post("/census/examine", operation_id="examineCensus")
def examine_all(ctx: Ctx, _: SharedWriter) -> list[FindingsRead]:
    """Examines every live touchpoint now."""
    return [
        FindingsRead.of(r.touchpoint.key, r.touchpoint.status.value, r.examined_at, r.findings)
        for r in census.examine_touchpoints(ctx)
    ]


class SignOffCreate(BaseModel):
    by: str = Field(description="The console user who signs the touchpoint off.")
    note: str = Field(description="Why it is secured: what was checked.")


class SignOffRead(BaseModel):
    seq: int = Field(description="The index of the sign-off's leaf in the ledger.")
    touchpoint: str
    status: TouchpointStatus
    actor: str = Field(description="The console user who signed, as `user:<name> (<role>)`.")
    note: str = Field(description="Why the touchpoint is secured, as the user wrote it.")
    signed_at: AwareDatetime
    examined_at: AwareDatetime


@router.post("/touchpoints/{key}/secure", operation_id="secureTouchpoint")
def secure(key: str, body: SignOffCreate, ctx: Ctx, _: SharedWriter) -> SignOffRead:
    """Signs an examined touchpoint off as secured (409 with an open high-severity finding)."""
    tp, s = securing.secure_touchpoint(ctx, key=key, by=body.by, note=body.note)
    return SignOffRead(
        seq=s.seq,
        touchpoint=tp.key,
        status=tp.status,
        actor=s.actor,
        note=s.note,
        signed_at=s.signed_at,
        examined_at=s.examined_at,
    )
