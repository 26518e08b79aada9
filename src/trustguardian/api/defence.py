"""Router for legal defence: an erased subject's defence copy, opened for a DPO by an admin key.

The key says which system asks; the body names the DPO (a console user with the DPO's
permission) and the reason. The opening is logged and recorded in the ledger before the proofs
are sent.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from trustguardian.api.auth import get_context, require
from trustguardian.api.schemas import Input
from trustguardian.domain.access import ApiKey, Scope
from trustguardian.service.access.access_log import api_reader
from trustguardian.service.context import Context
from trustguardian.service.defence.reading import REASON_MAX, open_defence_copy

router = APIRouter(prefix="/v1", tags=["subjects"])
Ctx = Annotated[Context, Depends(get_context)]
Admin = Annotated[ApiKey, Depends(require(Scope.ADMIN))]


class DefenceOpen(Input):
    by: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="The DPO's console username: the opening is logged under it."
    )
    reason: Annotated[str, Field(min_length=1, max_length=REASON_MAX)] = Field(
        description="Why the proofs are needed (the claim); the ledger keeps its hash."
    )


class DefenceCopyRead(BaseModel):
    subject_id: str
    read_id: str = Field(description="The opening's id in the ledger (`defence_read`).")
    retain_until: str = Field(description="When the copy is destroyed unless a hold stands.")
    purposes: list[str]
    events: list[dict[str, Any]] = Field(
        description="The events kept, each with its proofs and whether they match the ledger."
    )


@router.post("/subjects/{subject_id}/defence-copy/open", operation_id="openDefenceCopy")
def open_copy(subject_id: str, body: DefenceOpen, ctx: Ctx, key: Admin) -> DefenceCopyRead:
    """Opens an erased subject's proofs kept for legal defence (the DPO only; logged)."""
    opened = open_defence_copy(
        ctx, subject_id=subject_id, by=body.by, reason=body.reason, via=api_reader(key)
    )
    return DefenceCopyRead.model_validate(opened.as_json())
