"""Hot path: the campaign API's conversations, messages and participants as plain dicts.

The exact wire format of ConversationOutput, MessageOutput and
ParticipantOutput (same keys in the same order, same values and types, both
`CAMPAIGN_API_DATETIME_FORMAT`s), built from the `.values()` rows of
conversations/selectors.py without DRF's per-field machinery: on a page of 45
conversations that machinery cost more than the query. The serializers stay
the OpenAPI schema's source and render the writes and the events;
tests/campaigns/test_rendering.py holds both renderings equal.
"""

from campaigns.api.fields import kanka_datetime, media_url, thumb_path
from campaigns.api.targets import TARGET_IDS


def _tag_ids(text: str | None) -> list[int]:
    """`campaign_conversation_rows`' comma-separated tag ids, in id order like the prefetch."""
    return sorted(int(pk) for pk in text.split(",")) if text else []


def conversation_data(row: dict, request) -> dict:
    """ConversationOutput of a `campaign_conversation_rows` row."""
    image = row["entity__image"]
    target = row["target"]
    return {
        "id": row["id"],
        "name": row["title"],
        "entry": row["entity__entry"] or None,
        "image": image or None,
        "image_full": media_url(request, image) if image else None,
        "image_thumb": media_url(request, thumb_path(image)) if image else None,
        "is_private": row["is_private"],
        "entity_id": row["entity_id"],
        "tags": _tag_ids(row["tag_ids"]),
        "created_at": kanka_datetime(row["created_at"]),
        "created_by": row["created_by_id"],
        "updated_at": kanka_datetime(row["updated_at"]),
        "updated_by": row["updated_by_id"],
        "type": row["entity__type"] or None,
        "target": target,
        "participants": row["participant_count"],
        "messages": row["message_count"],
        "target_id": TARGET_IDS[target],
        "is_closed": row["is_closed"],
    }


def message_data(row: dict) -> dict:
    """MessageOutput of a `campaign_message_rows` row."""
    return {
        "conversation_id": row["conversation_id"],
        "created_by": row["created_by_id"],
        "character_id": row["author_character_id"],
        "user_id": row["author_user_id"],
        "message": row["content"],
        "id": row["id"],
        "created_at": kanka_datetime(row["created_at"]),
        "updated_at": kanka_datetime(row["updated_at"]),
    }


def participant_data(row: dict) -> dict:
    """ParticipantOutput of a `campaign_participant_rows` row."""
    return {
        "conversation_id": row["conversation_id"],
        "created_by": row["created_by_id"],
        "character_id": row["character_id"],
        "user_id": row["user_id"],
        "id": row["id"],
    }
