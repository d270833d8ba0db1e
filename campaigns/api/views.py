"""The campaign API (Kanka dialect): conversations, participants, messages and what they reference.

Each request goes: authentication (401) → rate limit (429) → the campaign,
then the conversation of a nested URL, resolved once in `initial()` before
the handler (404) → the body validated (422) → the one service, which
authorises (403). That is Kanka's order (campaign-api.md §2.8): an invalid
body is a 422 even for someone who may not write. One exception: an
`image_url` is fetched only for someone who may write at all, so a visitor
cannot make the server download things.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from campaigns import selectors as campaign_selectors
from campaigns import services
from campaigns.api import serializers as s
from campaigns.api.errors import exception_handler
from campaigns.api.filters import ConversationFilter, MessageFilter
from campaigns.api.pagination import ConversationPagination, KankaPagination
from campaigns.api.throttling import CampaignRateThrottle, add_rate_limit_headers
from campaigns.images import ImageRejected, image_from_url
from campaigns.models import Campaign, Character, Tag
from conversations import policy, selectors
from conversations import services as conversation_services
from conversations.models import Conversation, Message, Participant
from conversations.services import UNSET

# --- schema helpers -------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.IntegerField()
    error = serializers.CharField()


class ValidationErrorSerializer(ErrorSerializer):
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


def _envelope(name: str, serializer) -> serializers.Serializer:
    return inline_serializer(name, {"data": serializer})


DELETED = _envelope(
    "KankaDeleted",
    inline_serializer(
        "KankaDeletedData",
        {"id": serializers.IntegerField(), "deleted": serializers.BooleanField()},
    ),
)
ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="No or bad token."),
    404: OpenApiResponse(ErrorSerializer, description="Missing or not visible."),
    429: OpenApiResponse(
        {"type": "array", "items": {"type": "string"}},
        description="Rate limit reached; `Retry-After` says when to retry.",
    ),
}
WRITE_ERRORS = {
    **ERRORS,
    403: OpenApiResponse(ErrorSerializer, description="Not allowed."),
    422: OpenApiResponse(ValidationErrorSerializer, description="Invalid body."),
}
LIST_ERRORS = {
    **ERRORS,
    422: OpenApiResponse(ValidationErrorSerializer, description="Invalid filter."),
}


def _path(*names: str) -> list[OpenApiParameter]:
    return [OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH) for name in names]


def _crud_schema(tag: str, output, input_, *, list_errors=ERRORS, path=("campaign_id",)):
    """extend_schema for each action of a Kanka resource."""
    one = _envelope(f"{output.__name__.removesuffix('Output')}Envelope", output())
    body = {"application/json": input_, "multipart/form-data": input_}
    item = _path(*path, "id")
    write = {200: one, **WRITE_ERRORS}
    return {
        "list": extend_schema(
            tags=[tag], parameters=_path(*path), responses={200: output(many=True), **list_errors}
        ),
        "retrieve": extend_schema(tags=[tag], parameters=item, responses={200: one, **ERRORS}),
        "create": extend_schema(tags=[tag], parameters=_path(*path), request=body, responses=write),
        "update": extend_schema(tags=[tag], parameters=item, request=body, responses=write),
        "partial_update": extend_schema(tags=[tag], parameters=item, request=body, responses=write),
        "destroy": extend_schema(
            tags=[tag], parameters=item, responses={200: DELETED, **WRITE_ERRORS}
        ),
    }


# --- base -------------------------------------------------------------------------------


class CampaignAPIMixin:
    """Kanka's error bodies and rate limit; the campaign resolved up front.

    Renderers are the project's defaults: JSON for clients, the browsable API
    for a logged-in browser.
    """

    throttle_classes = [CampaignRateThrottle]
    # No OPTIONS: Kanka's API has none, and every other method gets the 405 body.
    http_method_names = ["get", "post", "put", "patch", "delete", "head"]
    campaign_scoped = True
    conversation_scoped = False

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.campaign_scoped:
            self.campaign, self.role = selectors.access_campaign(
                user=request.user, campaign_id=kwargs["campaign_id"]
            )
        if self.conversation_scoped:
            self.conversation = selectors.conversation_in_campaign(
                campaign=self.campaign, role=self.role, conversation_id=kwargs["conversation_id"]
            )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_rate_limit_headers(request, response)
        return response

    def validated(self, serializer_class, *, partial: bool = False) -> dict:
        """The body through its input serializer; a bad one is a 422 before any permission check."""
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def render_one(self, instance, serializer_class=None) -> Response:
        serializer_class = serializer_class or self.output_class
        return Response(
            {"data": serializer_class(instance, context={"request": self.request}).data}
        )

    def render_page(self, queryset) -> Response:
        page = self.paginate_queryset(queryset)
        data = self.output_class(page, many=True, context={"request": self.request}).data
        return self.get_paginated_response(data)

    def render_deleted(self, pk) -> Response:
        return Response({"data": {"id": int(pk), "deleted": True}})

    def is_schema_generation(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


class CampaignViewSet(CampaignAPIMixin, GenericViewSet):
    pagination_class = KankaPagination


class EntityViewSet(CampaignViewSet):
    """Create and update of Kanka entities: image upload or URL, tag ids, partial PUT."""

    def entity_fields(self, *, partial: bool) -> dict:
        data = self.validated(self.input_class, partial=partial)
        url = data.pop("image_url", None)
        if data.get("image") is None:
            data.pop("image", None)
            if url:
                policy.require_writer(self.role)
                try:
                    data["image"] = image_from_url(url)
                except ImageRejected as error:
                    raise serializers.ValidationError({error.field: [error.message]}) from None
        if "tags" in data:
            data["tag_ids"] = data.pop("tags")
        return data


# --- conversations ------------------------------------------------------------------

CONVERSATION_SCHEMA = _crud_schema(
    "campaign conversations", s.ConversationOutput, s.ConversationInput, list_errors=LIST_ERRORS
)


class ConversationViewSet(EntityViewSet):
    """`/campaigns/{campaign}/conversations[/{id}]`: private ones are for admins only (404)."""

    queryset = Conversation.objects.none()
    pagination_class = ConversationPagination
    filterset_class = ConversationFilter
    output_class = s.ConversationOutput
    input_class = s.ConversationInput

    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        if self.is_schema_generation():
            return self.queryset
        return selectors.conversations_visible_in_campaign(campaign=self.campaign, role=self.role)

    def visible(self, pk) -> Conversation:
        return selectors.conversation_in_campaign(
            campaign=self.campaign, role=self.role, conversation_id=pk
        )

    @CONVERSATION_SCHEMA["list"]
    def list(self, request, campaign_id):
        return self.render_page(self.filter_queryset(self.get_queryset()))

    @CONVERSATION_SCHEMA["retrieve"]
    def retrieve(self, request, campaign_id, pk):
        return self.render_one(self.visible(pk))

    @CONVERSATION_SCHEMA["create"]
    def create(self, request, campaign_id):
        fields = self.entity_fields(partial=False)
        conversation = services.campaign_conversation_create(
            actor=request.user, role=self.role, campaign=self.campaign, **fields
        )
        return self.render_one(self.visible(conversation.pk))

    @CONVERSATION_SCHEMA["update"]
    def update(self, request, campaign_id, pk):
        conversation = self.visible(pk)
        fields = self.entity_fields(partial=True)
        services.campaign_conversation_update(
            actor=request.user, role=self.role, conversation=conversation, **fields
        )
        return self.render_one(self.visible(pk))

    @CONVERSATION_SCHEMA["partial_update"]
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @CONVERSATION_SCHEMA["destroy"]
    def destroy(self, request, campaign_id, pk):
        conversation = self.visible(pk)
        conversation_services.conversation_delete(
            actor=request.user, role=self.role, conversation=conversation
        )
        return self.render_deleted(conversation.pk)


# --- participants ---------------------------------------------------------------------

PARTICIPANT_SCHEMA = _crud_schema(
    "campaign conversation participants",
    s.ParticipantOutput,
    s.ParticipantInput,
    path=("campaign_id", "conversation_id"),
)


class ParticipantViewSet(CampaignViewSet):
    """`…/conversations/{conversation}/conversation_participants[/{id}]`.

    `conversation_id` comes from the URL; a body value is ignored.
    """

    queryset = Participant.objects.none()
    conversation_scoped = True
    output_class = s.ParticipantOutput

    def get_queryset(self):
        if self.is_schema_generation():
            return self.queryset
        return selectors.participants_of_conversation(conversation=self.conversation)

    def one(self, pk) -> Participant:
        return selectors.participant_in_conversation(
            conversation=self.conversation, participant_id=pk
        )

    @PARTICIPANT_SCHEMA["list"]
    def list(self, request, campaign_id, conversation_id):
        return self.render_page(self.get_queryset())

    @PARTICIPANT_SCHEMA["retrieve"]
    def retrieve(self, request, campaign_id, conversation_id, pk):
        return self.render_one(self.one(pk))

    @PARTICIPANT_SCHEMA["create"]
    def create(self, request, campaign_id, conversation_id):
        data = self.validated(s.ParticipantInput)
        participant = conversation_services.participant_add(
            actor=request.user,
            role=self.role,
            conversation=self.conversation,
            user_id=data.get("user_id"),
            character_id=data.get("character_id"),
        )
        return self.render_one(participant)

    @PARTICIPANT_SCHEMA["update"]
    def update(self, request, campaign_id, conversation_id, pk):
        participant = self.one(pk)
        data = self.validated(s.ParticipantInput, partial=True)
        participant = conversation_services.participant_update(
            actor=request.user,
            role=self.role,
            participant=participant,
            user_id=data.get("user_id", UNSET),
            character_id=data.get("character_id", UNSET),
        )
        return self.render_one(participant)

    @PARTICIPANT_SCHEMA["partial_update"]
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @PARTICIPANT_SCHEMA["destroy"]
    def destroy(self, request, campaign_id, conversation_id, pk):
        participant = self.one(pk)
        conversation_services.participant_remove(
            actor=request.user, role=self.role, participant=participant
        )
        return self.render_deleted(pk)


# --- messages -----------------------------------------------------------------------------

MESSAGE_SCHEMA = _crud_schema(
    "campaign conversation messages",
    s.MessageOutput,
    s.MessageInput,
    list_errors=LIST_ERRORS,
    path=("campaign_id", "conversation_id"),
)


class MessageViewSet(CampaignViewSet):
    """`…/conversations/{conversation}/conversation_messages[/{id}]`.

    Players edit and delete only their own messages; a closed conversation
    takes no new ones (admins excepted).
    """

    queryset = Message.objects.none()
    conversation_scoped = True
    filterset_class = MessageFilter
    output_class = s.MessageOutput

    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        if self.is_schema_generation():
            return self.queryset
        # Posting order: obj_index is allocated under the conversation's lock,
        # in the same order as the ids (the decision table's "id ascending").
        return selectors.messages_of_conversation(conversation=self.conversation)

    def one(self, pk) -> Message:
        return selectors.message_in_conversation(conversation=self.conversation, message_id=pk)

    @MESSAGE_SCHEMA["list"]
    def list(self, request, campaign_id, conversation_id):
        return self.render_page(self.filter_queryset(self.get_queryset()))

    @MESSAGE_SCHEMA["retrieve"]
    def retrieve(self, request, campaign_id, conversation_id, pk):
        return self.render_one(self.one(pk))

    @MESSAGE_SCHEMA["create"]
    def create(self, request, campaign_id, conversation_id):
        data = self.validated(s.MessageInput)
        message = conversation_services.message_add(
            actor=request.user,
            role=self.role,
            conversation=self.conversation,
            content=data["message"],
            author_user_id=data.get("user_id"),
            author_character_id=data.get("character_id"),
        )
        return self.render_one(message)

    @MESSAGE_SCHEMA["update"]
    def update(self, request, campaign_id, conversation_id, pk):
        message = self.one(pk)
        data = self.validated(s.MessageInput, partial=True)
        message = conversation_services.message_update(
            actor=request.user,
            role=self.role,
            message=message,
            content=data.get("message", UNSET),
            author_user_id=data.get("user_id", UNSET),
            author_character_id=data.get("character_id", UNSET),
        )
        return self.render_one(message)

    @MESSAGE_SCHEMA["partial_update"]
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @MESSAGE_SCHEMA["destroy"]
    def destroy(self, request, campaign_id, conversation_id, pk):
        message = self.one(pk)
        conversation_services.message_remove(actor=request.user, role=self.role, message=message)
        return self.render_deleted(pk)


# --- characters and tags ------------------------------------------------------------------

CHARACTER_SCHEMA = _crud_schema("campaign characters", s.CharacterOutput, s.CharacterInput)


class CharacterViewSet(EntityViewSet):
    """`/campaigns/{campaign}/characters[/{id}]`, shaped like conversations."""

    queryset = Character.objects.none()
    output_class = s.CharacterOutput
    input_class = s.CharacterInput

    def get_queryset(self):
        if self.is_schema_generation():
            return self.queryset
        return selectors.characters_of_campaign(campaign=self.campaign, role=self.role)

    def visible(self, pk) -> Character:
        return campaign_selectors.character_in_campaign(
            campaign=self.campaign, role=self.role, character_id=pk
        )

    @CHARACTER_SCHEMA["list"]
    def list(self, request, campaign_id):
        return self.render_page(self.get_queryset())

    @CHARACTER_SCHEMA["retrieve"]
    def retrieve(self, request, campaign_id, pk):
        return self.render_one(self.visible(pk))

    @CHARACTER_SCHEMA["create"]
    def create(self, request, campaign_id):
        fields = self.entity_fields(partial=False)
        character = services.character_create(
            actor=request.user, role=self.role, campaign=self.campaign, **fields
        )
        return self.render_one(self.visible(character.pk))

    @CHARACTER_SCHEMA["update"]
    def update(self, request, campaign_id, pk):
        character = self.visible(pk)
        fields = self.entity_fields(partial=True)
        services.character_update(actor=request.user, role=self.role, character=character, **fields)
        return self.render_one(self.visible(pk))

    @CHARACTER_SCHEMA["partial_update"]
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @CHARACTER_SCHEMA["destroy"]
    def destroy(self, request, campaign_id, pk):
        character = self.visible(pk)
        services.character_delete(actor=request.user, role=self.role, character=character)
        return self.render_deleted(pk)


TAG_SCHEMA = _crud_schema("campaign tags", s.TagOutput, s.TagInput)


class TagViewSet(EntityViewSet):
    """`/campaigns/{campaign}/tags[/{id}]`; `tag_id` is the parent tag."""

    queryset = Tag.objects.none()
    output_class = s.TagOutput
    input_class = s.TagInput

    def get_queryset(self):
        if self.is_schema_generation():
            return self.queryset
        return campaign_selectors.tags_of_campaign(campaign=self.campaign, role=self.role)

    def visible(self, pk) -> Tag:
        return campaign_selectors.tag_in_campaign(campaign=self.campaign, role=self.role, tag_id=pk)

    def tag_fields(self, *, partial: bool) -> dict:
        fields = self.entity_fields(partial=partial)
        if "tag_id" in fields:
            fields["parent_id"] = fields.pop("tag_id")
        return fields

    @TAG_SCHEMA["list"]
    def list(self, request, campaign_id):
        return self.render_page(self.get_queryset())

    @TAG_SCHEMA["retrieve"]
    def retrieve(self, request, campaign_id, pk):
        return self.render_one(self.visible(pk))

    @TAG_SCHEMA["create"]
    def create(self, request, campaign_id):
        fields = self.tag_fields(partial=False)
        tag = services.tag_create(
            actor=request.user, role=self.role, campaign=self.campaign, **fields
        )
        return self.render_one(self.visible(tag.pk))

    @TAG_SCHEMA["update"]
    def update(self, request, campaign_id, pk):
        tag = self.visible(pk)
        fields = self.tag_fields(partial=True)
        services.tag_update(actor=request.user, role=self.role, tag=tag, **fields)
        return self.render_one(self.visible(pk))

    @TAG_SCHEMA["partial_update"]
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @TAG_SCHEMA["destroy"]
    def destroy(self, request, campaign_id, pk):
        tag = self.visible(pk)
        services.tag_delete(actor=request.user, role=self.role, tag=tag)
        return self.render_deleted(pk)


# --- profile and campaigns ---------------------------------------------------------------------


class CampaignListViewSet(CampaignViewSet):
    """`/campaigns` (the caller's campaigns) and `/campaigns/{id}` (members; anyone if public)."""

    queryset = Campaign.objects.none()
    campaign_scoped = False
    output_class = s.CampaignOutput

    @extend_schema(tags=["campaigns"], responses={200: s.CampaignOutput(many=True), **ERRORS})
    def list(self, request):
        return self.render_page(selectors.campaigns_of_user(user=request.user))

    @extend_schema(
        tags=["campaigns"],
        parameters=_path("campaign_id"),
        responses={200: _envelope("CampaignEnvelope", s.CampaignOutput()), **ERRORS},
    )
    def retrieve(self, request, campaign_id):
        campaign, _ = selectors.access_campaign(user=request.user, campaign_id=campaign_id)
        return self.render_one(campaign)


class ProfileView(CampaignAPIMixin, GenericAPIView):
    """`/profile`: who the token belongs to, and their rate limit."""

    campaign_scoped = False

    @extend_schema(
        tags=["campaigns"],
        responses={200: _envelope("ProfileEnvelope", s.ProfileOutput()), **ERRORS},
    )
    def get(self, request):
        return self.render_one(request.user, s.ProfileOutput)
