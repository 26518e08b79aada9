"""Request and response models for the registry (`XCreate`, `XUpdate`, `XRead`)."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt

from trustguardian.domain.registry import (
    Channel,
    LegalBasis,
    Nature,
    Notice,
    NoticeVersion,
    ProofType,
    Purpose,
    PurposeContent,
    PurposeLabel,
    PurposeVersion,
    RecordStatus,
    Touchpoint,
    TouchpointKind,
    TouchpointStatus,
    Transfer,
)

Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$", examples=["newsletter-web"])]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Label = Annotated[str, Field(min_length=1, max_length=100)]
LongText = Annotated[str, Field(max_length=20_000)]
NoticeText = Annotated[str, Field(min_length=1, max_length=500_000)]

T = TypeVar("T")


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageRead(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null at the end."
    )


class TouchpointCreate(Input):
    key: Key
    name: Name
    kind: TouchpointKind
    channel: Channel
    nature: Nature
    owner: Annotated[str, Field(max_length=200)] = ""
    systems: Annotated[list[Label], Field(max_length=50)] = []
    purposes: Annotated[list[Key], Field(max_length=100)] = []
    notice_key: Key | None = None
    required_proofs: list[ProofType] = []
    description: LongText = ""


class TouchpointUpdate(Input):
    name: Name | None = None
    channel: Channel | None = None
    nature: Nature | None = None
    owner: Annotated[str, Field(max_length=200)] | None = None
    systems: Annotated[list[Label], Field(max_length=50)] | None = None
    purposes: Annotated[list[Key], Field(max_length=100)] | None = None
    notice_key: Key | None = None
    clear_notice: StrictBool = False
    required_proofs: list[ProofType] | None = None
    status: TouchpointStatus | None = None
    description: LongText | None = None


class TouchpointRead(BaseModel):
    key: str
    name: str
    kind: TouchpointKind
    channel: Channel
    nature: Nature
    owner: str
    systems: list[str]
    purposes: list[str]
    notice_key: str | None
    required_proofs: list[ProofType]
    status: TouchpointStatus
    description: str
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @classmethod
    def of(cls, tp: Touchpoint) -> TouchpointRead:
        return cls(
            key=tp.key,
            name=tp.name,
            kind=tp.kind,
            channel=tp.channel,
            nature=tp.nature,
            owner=tp.owner,
            systems=list(tp.systems),
            purposes=list(tp.purposes),
            notice_key=tp.notice_key,
            required_proofs=list(tp.required_proofs),
            status=tp.status,
            description=tp.description,
            created_at=tp.created_at,
            updated_at=tp.updated_at,
        )


class TransferIO(Input):
    """A transfer outside the EEA (GDPR chapter V)."""

    recipient: Name
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$", examples=["US"])]
    safeguard: str = Field(
        description="adequacy, scc, bcr, code_of_conduct, certification, derogation"
    )


class PurposeLabelIO(Input):
    """The purpose's name and description in one language."""

    language: Annotated[
        str,
        Field(
            min_length=2,
            max_length=16,
            examples=["it", "en"],
            description="A BCP 47 language tag such as it or en-GB.",
        ),
    ]
    name: Name = Field(description="The purpose's name in this language.")
    description: LongText = Field(default="", description="Its description in this language.")


class PurposeUpdate(Input):
    """A purpose's content; saving a different content makes a new version."""

    name: Name
    description: LongText = ""
    legal_basis: LegalBasis
    channels: Annotated[list[Channel], Field(min_length=1)]
    controller: Name
    retention_days: Annotated[StrictInt, Field(ge=1, le=36_500)]
    consent_lifetime_days: Annotated[StrictInt, Field(ge=1, le=36_500)] | None = None
    marketing: StrictBool = False
    analogous_products: StrictBool = Field(
        default=False,
        description="Offers of products analogous to those bought (soft spam, art. 130(4)).",
    )
    recipients: list[Name] = Field(default=[], description="Named third parties (art. 30(1)(d)).")
    transfers: list[TransferIO] = []
    data_categories: list[Name] = []
    subject_categories: list[Name] = []
    retention: LongText = Field(default="", description="How the retention period is counted.")
    defence_retention_days: Annotated[StrictInt, Field(ge=1, le=36_500)] | None = None
    labels: list[PurposeLabelIO] = Field(
        default=[], description="The name and description per language; `name` is the default."
    )

    def content(self) -> PurposeContent:
        return PurposeContent(
            name=self.name,
            description=self.description,
            legal_basis=self.legal_basis,
            channels=tuple(dict.fromkeys(self.channels)),
            controller=self.controller,
            retention_days=self.retention_days,
            consent_lifetime_days=self.consent_lifetime_days,
            marketing=self.marketing,
            analogous_products=self.analogous_products,
            recipients=tuple(self.recipients),
            transfers=tuple(Transfer(**t.model_dump()) for t in self.transfers),
            data_categories=tuple(self.data_categories),
            subject_categories=tuple(self.subject_categories),
            retention=self.retention,
            defence_retention_days=self.defence_retention_days,
            labels=tuple(PurposeLabel(**x.model_dump()) for x in self.labels),
        )


class PurposeCreate(PurposeUpdate):
    key: Key


class PurposeVersionRead(BaseModel):
    key: str
    version: int
    name: str
    description: str
    legal_basis: LegalBasis
    legal_basis_dpv: str = Field(description="The W3C DPV term for the legal basis.")
    channels: list[Channel]
    controller: str
    retention_days: int
    consent_lifetime_days: int | None
    marketing: bool
    analogous_products: bool
    recipients: list[str]
    transfers: list[TransferIO]
    data_categories: list[str]
    subject_categories: list[str]
    retention: str
    defence_retention_days: int | None
    labels: list[PurposeLabelIO] = Field(
        description="The name and description per language, sorted by language."
    )
    created_at: AwareDatetime

    @classmethod
    def of(cls, v: PurposeVersion) -> PurposeVersionRead:
        c = v.content
        return cls(
            key=v.key,
            version=v.version,
            name=c.name,
            description=c.description,
            legal_basis=c.legal_basis,
            legal_basis_dpv=c.legal_basis.dpv,
            channels=list(c.channels),
            controller=c.controller,
            retention_days=c.retention_days,
            consent_lifetime_days=c.consent_lifetime_days,
            marketing=c.marketing,
            analogous_products=c.analogous_products,
            recipients=list(c.recipients),
            transfers=[TransferIO(**vars(t)) for t in c.transfers],
            data_categories=list(c.data_categories),
            subject_categories=list(c.subject_categories),
            retention=c.retention,
            defence_retention_days=c.defence_retention_days,
            labels=[PurposeLabelIO(**vars(x)) for x in c.labels],
            created_at=v.created_at,
        )


class PurposeRead(BaseModel):
    key: str
    status: RecordStatus
    current: PurposeVersionRead

    @classmethod
    def of(cls, p: Purpose) -> PurposeRead:
        return cls(key=p.key, status=p.status, current=PurposeVersionRead.of(p.current))


class NoticeCreate(Input):
    key: Key
    language: Annotated[str, Field(min_length=2, max_length=16, examples=["it", "en"])]
    title: Name
    text: NoticeText | None = Field(
        default=None, description="With a text, version 1 is published at once."
    )
    effective_from: AwareDatetime | None = None


class NoticeVersionCreate(Input):
    text: NoticeText
    effective_from: AwareDatetime | None = None
    publish: StrictBool = True


class NoticeVersionUpdate(Input):
    text: NoticeText
    effective_from: AwareDatetime | None = None


class NoticeVersionRead(BaseModel):
    key: str
    version: int
    text: str
    sha256: str
    effective_from: AwareDatetime
    published_at: AwareDatetime | None
    created_at: AwareDatetime

    @classmethod
    def of(cls, v: NoticeVersion) -> NoticeVersionRead:
        return cls(
            key=v.key,
            version=v.version,
            text=v.text,
            sha256=v.sha256,
            effective_from=v.effective_from,
            published_at=v.published_at,
            created_at=v.created_at,
        )


class NoticeRead(BaseModel):
    key: str
    language: str
    title: str
    status: RecordStatus
    created_at: AwareDatetime
    versions: list[NoticeVersionRead] | None = None

    @classmethod
    def of(cls, n: Notice, versions: list[NoticeVersion] | None = None) -> NoticeRead:
        return cls(
            key=n.key,
            language=n.language,
            title=n.title,
            status=n.status,
            created_at=n.created_at,
            versions=None if versions is None else [NoticeVersionRead.of(v) for v in versions],
        )
