"""Engage: may we contact this person? Single checks, campaign lists, contact policies, the links
sent to people and what they do through them.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work stay in their modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.engage.admin import (
        add_policy,
        import_register,
        registers_status,
        suppress,
    )
    from trustguardian.service.engage.audience import answer_batch, filter_rows, load_rules
    from trustguardian.service.engage.audience_workers import check_chunk, check_records
    from trustguardian.service.engage.checks import (
        check_contact,
        check_many,
        open_check_log,
        settle_checks,
    )
    from trustguardian.service.engage.links import preferences_link, revoke_link, unsubscribe_links
    from trustguardian.service.engage.lists import (
        change_policy,
        change_register,
        change_suppression,
        list_policies,
        list_registers,
        list_suppression,
        remove_policy,
        remove_register,
        remove_suppression,
    )
    from trustguardian.service.engage.preference_mail import mail_preferences_link
    from trustguardian.service.engage.preference_switches import save_preferences
    from trustguardian.service.engage.preferences import (
        change_preference,
        honour_gpc,
        object_to_marketing,
        preference_centre,
        read_unsubscribe,
        unsubscribe,
    )
    from trustguardian.service.engage.tokens import new_form_token

USE_CASES = {
    "add_policy": "admin",
    "answer_batch": "audience",
    "change_policy": "lists",
    "change_preference": "preferences",
    "change_register": "lists",
    "change_suppression": "lists",
    "check_chunk": "audience_workers",
    "check_contact": "checks",
    "check_many": "checks",
    "check_records": "audience_workers",
    "filter_rows": "audience",
    "honour_gpc": "preferences",
    "import_register": "admin",
    "list_policies": "lists",
    "list_registers": "lists",
    "list_suppression": "lists",
    "load_rules": "audience",
    "mail_preferences_link": "preference_mail",
    "new_form_token": "tokens",
    "object_to_marketing": "preferences",
    "open_check_log": "checks",
    "preference_centre": "preferences",
    "preferences_link": "links",
    "read_unsubscribe": "preferences",
    "registers_status": "admin",
    "remove_policy": "lists",
    "remove_register": "lists",
    "remove_suppression": "lists",
    "revoke_link": "links",
    "save_preferences": "preference_switches",
    "settle_checks": "checks",
    "suppress": "admin",
    "unsubscribe": "preferences",
    "unsubscribe_links": "links",
}
__all__ = [
    "add_policy",
    "answer_batch",
    "change_policy",
    "change_preference",
    "change_register",
    "change_suppression",
    "check_chunk",
    "check_contact",
    "check_many",
    "check_records",
    "filter_rows",
    "honour_gpc",
    "import_register",
    "list_policies",
    "list_registers",
    "list_suppression",
    "load_rules",
    "mail_preferences_link",
    "new_form_token",
    "object_to_marketing",
    "open_check_log",
    "preference_centre",
    "preferences_link",
    "read_unsubscribe",
    "registers_status",
    "remove_policy",
    "remove_register",
    "remove_suppression",
    "revoke_link",
    "save_preferences",
    "settle_checks",
    "suppress",
    "unsubscribe",
    "unsubscribe_links",
]
__getattr__ = lazy(__name__, USE_CASES)
