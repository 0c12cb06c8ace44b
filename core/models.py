"""Every table of the kernel, imported in one place for Alembic and the schema test."""

from core.accounts import Invite, Organisation, RecoveryCode, User, UserRole
from core.audit import AuditEvent
from core.deployment import DeploymentChange, DeploymentSetting, DeploymentState
from core.jobs import JobRun
from core.keyring import UserKey
from core.legal_pages import LegalPage
from core.mail import MailOutbox
from core.notifications import Notice, NotificationPreference
from core.server_keys import ServerKey
from core.sessions import StaffSession

__all__ = ["AuditEvent", "DeploymentChange", "DeploymentSetting", "DeploymentState",
           "Invite", "JobRun", "LegalPage", "MailOutbox", "Notice", "NotificationPreference",
           "Organisation", "RecoveryCode", "ServerKey",
           "StaffSession", "User", "UserKey", "UserRole"]
