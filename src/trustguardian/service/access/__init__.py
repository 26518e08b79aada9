"""Who may act: API keys (hashed, shown once), console users and their sessions, and the log of
reads of a person's data.

Its use cases (each opens its own unit of work) are importable from here; helpers that take
a caller's unit of work stay in their modules.
"""

from typing import TYPE_CHECKING

from trustguardian.service.exports import lazy

if TYPE_CHECKING:
    from trustguardian.service.access.access_log import log_read
    from trustguardian.service.access.api_keys import (
        authenticate,
        create_api_key,
        list_api_keys,
        renew_named_key,
        revoke_api_key,
    )
    from trustguardian.service.access.operator_sessions import (
        end_operator_session,
        open_operator_session,
        operator_session_key,
    )
    from trustguardian.service.access.reach import check_reach
    from trustguardian.service.access.users import (
        create_user,
        disable_user,
        last_verification,
        list_users,
        log_subject_view,
        login,
        logout,
        open_session,
        record_verification,
        set_password,
        set_role,
        unlock_user,
    )

USE_CASES = {
    "authenticate": "api_keys",
    "check_reach": "reach",
    "create_api_key": "api_keys",
    "create_user": "users",
    "disable_user": "users",
    "end_operator_session": "operator_sessions",
    "last_verification": "users",
    "list_api_keys": "api_keys",
    "list_users": "users",
    "log_read": "access_log",
    "log_subject_view": "users",
    "login": "users",
    "logout": "users",
    "open_operator_session": "operator_sessions",
    "open_session": "users",
    "operator_session_key": "operator_sessions",
    "record_verification": "users",
    "renew_named_key": "api_keys",
    "revoke_api_key": "api_keys",
    "set_password": "users",
    "set_role": "users",
    "unlock_user": "users",
}
__all__ = [
    "authenticate",
    "check_reach",
    "create_api_key",
    "create_user",
    "disable_user",
    "end_operator_session",
    "last_verification",
    "list_api_keys",
    "list_users",
    "log_read",
    "log_subject_view",
    "login",
    "logout",
    "open_operator_session",
    "open_session",
    "operator_session_key",
    "record_verification",
    "renew_named_key",
    "revoke_api_key",
    "set_password",
    "set_role",
    "unlock_user",
]
__getattr__ = lazy(__name__, USE_CASES)
