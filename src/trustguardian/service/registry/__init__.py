"""The registry: the census of touchpoints, purposes and privacy notices, versioned forever.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work stay in their modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.registry.census import (
        all_open_findings,
        examine_touchpoints,
        touchpoint_findings,
    )
    from trustguardian.service.registry.genesis import enter_registry_genesis
    from trustguardian.service.registry.notices import (
        add_notice_version,
        create_notice,
        get_notice,
        import_historical_notice,
        list_notices,
        notice_in_force,
        notice_version,
        publish_notice_version,
        retire_notice,
        update_notice_draft,
    )
    from trustguardian.service.registry.purpose_flags import sale_sharing_purposes, set_sale_sharing
    from trustguardian.service.registry.purposes import (
        create_purpose,
        get_purpose,
        list_purposes,
        purpose_version,
        purpose_versions,
        retire_purpose,
        revise_purpose,
        set_defence_retention,
        set_register_fields,
    )
    from trustguardian.service.registry.securing import secure_touchpoint, touchpoint_signoffs
    from trustguardian.service.registry.touchpoints import (
        create_touchpoint,
        get_touchpoint,
        list_touchpoints,
        retire_touchpoint,
        update_touchpoint,
    )

USE_CASES = {
    "add_notice_version": "notices",
    "all_open_findings": "census",
    "create_notice": "notices",
    "create_purpose": "purposes",
    "create_touchpoint": "touchpoints",
    "enter_registry_genesis": "genesis",
    "examine_touchpoints": "census",
    "get_notice": "notices",
    "get_purpose": "purposes",
    "get_touchpoint": "touchpoints",
    "import_historical_notice": "notices",
    "list_notices": "notices",
    "list_purposes": "purposes",
    "list_touchpoints": "touchpoints",
    "notice_in_force": "notices",
    "notice_version": "notices",
    "publish_notice_version": "notices",
    "purpose_version": "purposes",
    "purpose_versions": "purposes",
    "retire_notice": "notices",
    "retire_purpose": "purposes",
    "retire_touchpoint": "touchpoints",
    "revise_purpose": "purposes",
    "sale_sharing_purposes": "purpose_flags",
    "secure_touchpoint": "securing",
    "set_defence_retention": "purposes",
    "set_register_fields": "purposes",
    "set_sale_sharing": "purpose_flags",
    "touchpoint_findings": "census",
    "touchpoint_signoffs": "securing",
    "update_notice_draft": "notices",
    "update_touchpoint": "touchpoints",
}
__all__ = [
    "add_notice_version",
    "all_open_findings",
    "create_notice",
    "create_purpose",
    "create_touchpoint",
    "enter_registry_genesis",
    "examine_touchpoints",
    "get_notice",
    "get_purpose",
    "get_touchpoint",
    "import_historical_notice",
    "list_notices",
    "list_purposes",
    "list_touchpoints",
    "notice_in_force",
    "notice_version",
    "publish_notice_version",
    "purpose_version",
    "purpose_versions",
    "retire_notice",
    "retire_purpose",
    "retire_touchpoint",
    "revise_purpose",
    "sale_sharing_purposes",
    "secure_touchpoint",
    "set_defence_retention",
    "set_register_fields",
    "set_sale_sharing",
    "touchpoint_findings",
    "touchpoint_signoffs",
    "update_notice_draft",
    "update_touchpoint",
]
__getattr__ = lazy(__name__, USE_CASES)
