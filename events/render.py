"""Rendering outbox rows for one stream's user, at delivery time (events.md §1.3).

A user gets an event iff its audience and role filter admit them and, now,
they may read its subject through their dialect's own selectors; the data is
what that dialect's show endpoint renders for them. Campaign renderings are
shared by every stream of the same role class (admins, others) through
`cache`, one per batch. Runs in the hub's ORM threads (sync).
"""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from campaigns.api import serializers as kanka
from conversations import exceptions, selectors
from conversations.models import Mention, Participant
from conversations.policy import ADMINS
from events.models import Event
from events.outbox import position_of
from workspaces import selectors as workspace_selectors
from workspaces.api import serializers as twist


@dataclass(eq=False)
class Audience:
    """Who a stream renders for: set by the stream's auth, read by the hub."""

    dialect: str  # "campaign" or "workspace"
    user: object
    scope_id: int
    role: object
    request: object = None  # for absolute media URLs in the campaign data
    campaign: object = None
    types: frozenset | None = None
    removed: set = field(default_factory=set)  # conversations it lost access to

    @property
    def scope_filter(self) -> dict:
        key = "campaign_id" if self.dialect == "campaign" else "workspace_id"
        return {key: self.scope_id}


def frames_for(audience: Audience, events, cache: dict) -> list[tuple]:
    """`(position, type, data)` per event; `type` None: not for this user (the position moves)."""
    frames = []
    for event in events:
        if getattr(event, audience.dialect + "_id") != audience.scope_id:
            continue
        frame = None
        if event.conversation_id not in audience.removed:
            render = _campaign if audience.dialect == "campaign" else _workspace
            frame = render(audience, event, cache)
        if frame is not None and frame[0] == "conversation.removed":
            audience.removed.add(event.conversation_id)
        if frame is not None and audience.types and frame[0] not in audience.types:
            frame = None
        frames.append((position_of(event), *(frame or (None, None))))
    return frames


# --- campaign -----------------------------------------------------------------


def _campaign(audience: Audience, event: Event, cache: dict):
    is_admin = audience.role in ADMINS
    if event.role_filter == Event.RoleFilter.ADMINS and not is_admin:
        return None
    if event.role_filter == Event.RoleFilter.NON_ADMINS and is_admin:
        return None
    key = (event.pk, is_admin)
    if key not in cache:
        try:
            cache[key] = _campaign_data(audience, event)
        except exceptions.NotFound:  # gone, or no longer visible: skipped
            cache[key] = None
    data = cache[key]
    return None if data is None else (event.type, data)


def _campaign_data(audience: Audience, event: Event):
    snapshot = event.snapshot
    conversation_id = event.conversation_id
    if event.type == "conversation.deleted":
        return {"id": conversation_id, "entity_id": snapshot.get("entity_id")}
    if event.type == "conversation.removed":
        return {"id": conversation_id, "entity_id": snapshot.get("entity_id"), "reason": "private"}
    if event.type == "conversation_participant.removed":
        return {
            "id": event.object_id,
            "conversation_id": conversation_id,
            "character_id": snapshot.get("character_id"),
            "user_id": snapshot.get("user_id"),
        }
    if event.type == "conversation_message.removed":
        return {"id": event.object_id, "conversation_id": conversation_id}
    if event.type in ("conversation.state_updated", "conversation.read_updated"):
        return None  # workspace-only types
    conversation = selectors.conversation_in_campaign(
        campaign=audience.campaign, role=audience.role, conversation_id=conversation_id
    )
    context = {"request": audience.request}
    if event.type.startswith("conversation."):
        return kanka.ConversationOutput(conversation, context=context).data
    if event.type.startswith("conversation_participant."):
        participant = selectors.participant_in_conversation(
            conversation=conversation, participant_id=event.object_id
        )
        return kanka.ParticipantOutput(participant, context=context).data
    message = selectors.message_in_conversation(
        conversation=conversation, message_id=event.object_id
    )
    return kanka.MessageOutput(message, context=context).data


# --- workspace ----------------------------------------------------------------


def _workspace(audience: Audience, event: Event, cache: dict):
    user = audience.user
    if user.pk not in (event.audience or ()):
        return None
    snapshot = event.snapshot
    conversation_id = event.conversation_id
    if event.type == "conversation.deleted":
        return event.type, {"id": conversation_id, "workspace_id": event.workspace_id}
    if event.type == "conversation_message.removed":
        return event.type, {
            "id": event.object_id,
            "conversation_id": conversation_id,
            "workspace_id": event.workspace_id,
            "obj_index": snapshot.get("obj_index"),
        }
    if event.type == "conversation_participant.removed" and snapshot.get("user_id") == user.pk:
        return "conversation.removed", {
            "id": conversation_id,
            "workspace_id": event.workspace_id,
            "reason": "removed",
        }
    if event.type == "conversation_participant.updated":
        return None  # Kanka-only
    try:
        if event.type.startswith("conversation_message."):
            message = workspace_selectors.message_for_output(user=user, message_id=event.object_id)
            return event.type, twist.TwistMessageOutput(message).data
        if event.type == "conversation.read_updated":
            return event.type, _read_state(user, conversation_id)
        conversation = workspace_selectors.conversation_for_output(
            user=user, conversation_id=conversation_id
        )
    except exceptions.NotFound:
        return None
    return event.type, twist.TwistConversationOutput(conversation).data


def _read_state(user, conversation_id) -> dict:
    mentioned = Mention.objects.filter(
        user=user,
        message__conversation=OuterRef("conversation"),
        message__obj_index__gt=OuterRef("last_read_obj_index"),
    )
    row = (
        Participant.objects.filter(user=user, conversation_id=conversation_id)
        .annotate(direct_mention=Exists(mentioned))
        .values("last_read_obj_index", "conversation__last_obj_index", "direct_mention")
        .first()
    )
    if row is None:
        raise exceptions.ConversationNotFound(object_id=conversation_id)
    last_read, last = row["last_read_obj_index"], row["conversation__last_obj_index"]
    return {
        "conversation_id": conversation_id,
        "last_read_obj_index": last_read,
        "last_obj_index": last,
        "unread": last > last_read,
        "direct_mention": bool(row["direct_mention"]),
    }
