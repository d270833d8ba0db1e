"""Rendering outbox rows for one stream's user, at delivery time (events.md §1.3).

A user gets an event iff its audience and role filter admit them and, now,
they may read its subject through their dialect's own selectors; the data is
what that dialect's show endpoint renders for them. A `Batch` shares the
loading and serialising between the streams of one process. Runs in the hub's
ORM threads (sync).
"""

import json
from collections import defaultdict
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


def render(audiences, events) -> list[list[tuple]]:
    """Per audience, `(position, type, text)` per event of its scope: `text` is the frame's
    serialised `data`, `type` None when the event is not for that user (the position moves).

    One `Batch` for all: what several streams share is loaded and serialised once.
    """
    batch = Batch(audiences)
    return [
        [(position, type_, batch.text(data)) for position, type_, data in frames]
        for frames in (frames_for(audience, events, batch) for audience in audiences)
    ]


def frames_for(audience: Audience, events, batch: "Batch | None" = None) -> list[tuple]:
    """`(position, type, data)` per event; `type` None: not for this user (the position moves)."""
    batch = batch or Batch([audience])
    frames = []
    for event in events:
        if getattr(event, audience.dialect + "_id") != audience.scope_id:
            continue
        frame = None
        if event.conversation_id not in audience.removed:
            render_one = _campaign if audience.dialect == "campaign" else _workspace
            frame = render_one(audience, event, batch)
        if frame is not None and frame[0] == "conversation.removed":
            audience.removed.add(event.conversation_id)
        if frame is not None and audience.types and frame[0] not in audience.types:
            frame = None
        frames.append((position_of(event), *(frame or (None, None))))
    return frames


_MISSING = object()


class Batch:
    """One read of the outbox rendered for the streams of this process (events.md §1.3).

    Each subject is loaded once (campaign: per role class; workspace: the message or
    conversation once, plus one query for the local readers' participant rows), and
    each distinct rendering is serialised once, whatever the number of streams.
    """

    def __init__(self, audiences):
        self.done = {}
        self.texts = {}
        self.users = defaultdict(set)  # workspace id -> the users of its local streams
        for audience in audiences:
            if audience.dialect == "workspace":
                self.users[audience.scope_id].add(audience.user.pk)

    def once(self, key, make):
        value = self.done.get(key, _MISSING)
        if value is _MISSING:
            value = self.done[key] = make()
        return value

    def recipients(self, event) -> frozenset:
        """The event's audience as a set, made once (a stream's check is then O(1))."""
        return self.once(("audience", event.pk), lambda: frozenset(event.audience or ()))

    def readers(self, event) -> dict:
        """The local recipients of a workspace event who may read its conversation now."""
        return self.once(
            ("readers", event.pk),
            lambda: selectors.workspace_readers(
                conversation_id=event.conversation_id,
                user_ids=self.users[event.workspace_id] & self.recipients(event),
            ),
        )

    def text(self, data) -> str | None:
        if data is None:
            return None
        key = id(data)
        if key not in self.texts:  # keeps `data` alive, so its id is not reused meanwhile
            self.texts[key] = (data, json.dumps(data, separators=(",", ":"), ensure_ascii=False))
        return self.texts[key][1]


# --- campaign -----------------------------------------------------------------


def _campaign(audience: Audience, event: Event, batch: Batch):
    is_admin = audience.role in ADMINS
    if event.role_filter == Event.RoleFilter.ADMINS and not is_admin:
        return None
    if event.role_filter == Event.RoleFilter.NON_ADMINS and is_admin:
        return None
    data = batch.once(("campaign", event.pk, is_admin), lambda: _campaign_data(audience, event))
    return None if data is None else (event.type, data)


def _campaign_data(audience: Audience, event: Event):
    try:
        return _campaign_object(audience, event)
    except exceptions.NotFound:  # gone, or no longer visible: skipped
        return None


def _campaign_object(audience: Audience, event: Event):
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


def _workspace(audience: Audience, event: Event, batch: Batch):
    user = audience.user
    if user.pk not in batch.recipients(event):
        return None
    snapshot = event.snapshot
    conversation_id = event.conversation_id
    if event.type == "conversation_participant.removed" and snapshot.get("user_id") == user.pk:
        return "conversation.removed", batch.once(
            ("removed", event.pk),
            lambda: {
                "id": conversation_id,
                "workspace_id": event.workspace_id,
                "reason": "removed",
            },
        )
    if event.type == "conversation.deleted":
        return event.type, batch.once(
            ("tombstone", event.pk),
            lambda: {"id": conversation_id, "workspace_id": event.workspace_id},
        )
    if event.type == "conversation_message.removed":
        return event.type, batch.once(
            ("tombstone", event.pk),
            lambda: {
                "id": event.object_id,
                "conversation_id": conversation_id,
                "workspace_id": event.workspace_id,
                "obj_index": snapshot.get("obj_index"),
            },
        )
    if event.type == "conversation_participant.updated":
        return None  # Kanka-only
    if event.type == "conversation.read_updated":  # the actor's own markers: one reader
        try:
            return event.type, _read_state(user, conversation_id)
        except exceptions.NotFound:
            return None
    reader = batch.readers(event).get(user.pk)
    if reader is None:  # not (or no longer) a participant and workspace member
        return None
    if event.type.startswith("conversation_message."):
        data = batch.once(("message", event.pk), lambda: _twist_message(event.object_id))
    else:
        # The user's own state is all that differs: one rendering per distinct state.
        key = ("conversation", event.pk, reader.archived, reader.muted_until)
        data = batch.once(key, lambda: _twist_conversation(batch, event, reader))
    return None if data is None else (event.type, data)


def _twist_message(message_id):
    message = workspace_selectors.message_for_readers(message_id=message_id)
    return None if message is None else twist.TwistMessageOutput(message).data


def _twist_conversation(batch: Batch, event: Event, reader):
    conversation = batch.once(
        ("conversation-row", event.conversation_id),
        lambda: workspace_selectors.conversation_for_readers(conversation_id=event.conversation_id),
    )
    if conversation is None:
        return None
    conversation.my_archived = reader.archived
    conversation.my_muted_until = reader.muted_until
    conversation.my_last_read_obj_index = reader.last_read_obj_index
    return twist.TwistConversationOutput(conversation).data


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
