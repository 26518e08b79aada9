"""Collect: consents, notice acknowledgements and their proofs of genuineness, from web forms,
operators, confirmations and imports of a company's past.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work stay in their modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.collect.admin import (
        authenticate_publishable,
        configure,
        create_publishable_key,
        get_settings,
        list_publishable_keys,
        revoke_publishable_key,
    )
    from trustguardian.service.collect.confirm_requests import code_mac, deliver
    from trustguardian.service.collect.confirmations import (
        confirm_code,
        confirm_link,
        get_request,
        open_link,
        request_for_events,
    )
    from trustguardian.service.collect.in_person import record_in_person
    from trustguardian.service.collect.legacy_import import import_consents
    from trustguardian.service.collect.operator import operator_choices
    from trustguardian.service.collect.proofs import read_proof
    from trustguardian.service.collect.source_file import list_sources, rebuild_source
    from trustguardian.service.collect.web_capture import capture

USE_CASES = {
    "authenticate_publishable": "admin",
    "capture": "web_capture",
    "code_mac": "confirm_requests",
    "configure": "admin",
    "confirm_code": "confirmations",
    "confirm_link": "confirmations",
    "create_publishable_key": "admin",
    "deliver": "confirm_requests",
    "get_request": "confirmations",
    "get_settings": "admin",
    "import_consents": "legacy_import",
    "list_publishable_keys": "admin",
    "list_sources": "source_file",
    "open_link": "confirmations",
    "operator_choices": "operator",
    "read_proof": "proofs",
    "rebuild_source": "source_file",
    "record_in_person": "in_person",
    "request_for_events": "confirmations",
    "revoke_publishable_key": "admin",
}
__all__ = [
    "authenticate_publishable",
    "capture",
    "code_mac",
    "configure",
    "confirm_code",
    "confirm_link",
    "create_publishable_key",
    "deliver",
    "get_request",
    "get_settings",
    "import_consents",
    "list_publishable_keys",
    "list_sources",
    "open_link",
    "operator_choices",
    "read_proof",
    "rebuild_source",
    "record_in_person",
    "request_for_events",
    "revoke_publishable_key",
]
__getattr__ = lazy(__name__, USE_CASES)
