"""The body of a Kanka entity (conversation, character, tag), with an image upload or URL."""

from rest_framework import serializers

from campaigns.images import ImageRejected, image_from_url
from conversations import policy
from conversations.policy import Role


def entity_input(view, serializer_class, *, partial: bool) -> dict:
    """The validated body (422 first), with an `image_url` fetched into `image` unless one was sent.

    The URL is fetched only for someone who may write at all, so a visitor
    cannot make the server download things.
    """
    data = view.validated(serializer_class, partial=partial)
    url = data.pop("image_url", None)
    if data.get("image") is None:
        data.pop("image", None)
        if url:
            data["image"] = _fetched(url, view.role)
    return data


def _fetched(url: str, role: Role):
    policy.require_writer(role)
    try:
        return image_from_url(url)
    except ImageRejected as error:
        raise serializers.ValidationError({error.field: [error.message]}) from None
