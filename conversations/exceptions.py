"""Domain errors: what went wrong, never how HTTP says it.

Each API adapter maps these to its own wire format in one exception handler
(`campaigns/api/errors.py`, `workspaces/api/errors.py`).
"""


class ParleyError(Exception):
    """Base of every domain error."""

    default_message = "Parley error"

    def __init__(self, message: str | None = None, *, field: str | None = None):
        self.message = message or self.default_message
        self.field = field
        super().__init__(self.message)


class NotFound(ParleyError):
    """Missing, deleted, or not visible to the actor: the same answer for all three."""

    resource = "resource"
    default_message = "Not found"

    def __init__(self, message: str | None = None, *, field: str | None = None, object_id=None):
        super().__init__(message, field=field)
        self.object_id = object_id


class CampaignNotFound(NotFound):
    resource = "campaign"


class WorkspaceNotFound(NotFound):
    resource = "workspace"


class ConversationNotFound(NotFound):
    resource = "conversation"


class MessageNotFound(NotFound):
    resource = "message"


class ParticipantNotFound(NotFound):
    resource = "participant"


class UserNotFound(NotFound):
    """A referenced user is not a member of the conversation's campaign or workspace."""

    resource = "user"


class CharacterNotFound(NotFound):
    """A referenced character is not a character of the conversation's campaign."""

    resource = "character"


class PermissionDenied(ParleyError):
    """The actor can see the object but may not do this to it."""

    default_message = "This action is unauthorized."


class ConversationClosed(PermissionDenied):
    default_message = "The conversation is closed."


class AccountSuspended(PermissionDenied):
    """A moderator suspended the actor: they still read, and write nothing."""

    default_message = "This account is suspended."


class InvalidArgument(ParleyError):
    """A value is well-formed but not acceptable (e.g. an index outside the conversation)."""

    default_message = "Invalid argument value"


class AlreadyParticipant(InvalidArgument):
    default_message = "Already a participant of this conversation."


class UnsupportedReaction(InvalidArgument):
    """Not exactly one emoji (workspace-api-extras.md §2.2)."""

    default_message = "Not supported reaction"


class AttachmentIdTaken(ParleyError):
    """An upload reuses an `attachment_id` that names another file (§4.1)."""

    default_message = "Already found"


class InvalidDateRange(InvalidArgument):
    """A search's `date_from` is after its `date_to` (§3.2)."""

    default_message = "Invalid date range"


class UploadFailed(ParleyError):
    """The file could not be stored (§4.1)."""

    default_message = "Upload failed"
