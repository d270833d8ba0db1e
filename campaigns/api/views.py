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
    extend_schema_view,
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
            self.campaign, self.role = campaign_selectors.access_campaign(
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
    # The browsable API's page title: "Conversations", or "Conversation 3" on
    # a URL that has the `detail_kwarg`.
    noun = ""
    detail_kwarg = "pk"

    def get_view_name(self) -> str:
        pk = getattr(self, "kwargs", {}).get(self.detail_kwarg)
        return f"{self.noun}s" if pk is None else f"{self.noun} {pk}"


class ResourceViewSet(CampaignViewSet):
    """A Kanka resource: pages of `get_queryset()`, one object by `one(pk)` (404 if not visible).

    PATCH is PUT: Kanka's PUT is partial too.
    """

    def one(self, pk):
        raise NotImplementedError

    def list(self, request, **kwargs):
        return self.render_page(self.filter_queryset(self.get_queryset()))

    def retrieve(self, request, pk, **kwargs):
        return self.render_one(self.one(pk))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)


class EntityViewSet(ResourceViewSet):
    """Kanka entities of the campaign (conversations, characters, tags), by selectors and services.

    Create and update take an image upload or URL and tag ids. The selectors
    and services take the object by its own name (`tag=`, `tag_id=`), which
    `entity` gives.
    """

    entity: str
    select_all = select_one = None
    create_service = update_service = delete_service = None

    def get_queryset(self):
        if self.is_schema_generation():
            return self.queryset
        return self.select_all(campaign=self.campaign, role=self.role)

    def one(self, pk):
        return self.select_one(campaign=self.campaign, role=self.role, **{f"{self.entity}_id": pk})

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

    # Create and update render the object re-read through the selector: the
    # output needs what it loads (tags, counts), and the caller's view of it.
    def create(self, request, **kwargs):
        fields = self.entity_fields(partial=False)
        created = self.create_service(
            actor=request.user, role=self.role, campaign=self.campaign, **fields
        )
        return self.render_one(self.one(created.pk))

    def update(self, request, pk, **kwargs):
        instance = self.one(pk)
        fields = self.entity_fields(partial=True)
        self.update_service(actor=request.user, role=self.role, **{self.entity: instance}, **fields)
        return self.render_one(self.one(pk))

    def destroy(self, request, pk, **kwargs):
        instance = self.one(pk)
        self.delete_service(actor=request.user, role=self.role, **{self.entity: instance})
        return self.render_deleted(instance.pk)


# --- conversations ------------------------------------------------------------------


@extend_schema_view(
    **_crud_schema(
        "campaign conversations",
        s.ConversationOutput,
        s.ConversationInput,
        list_errors=LIST_ERRORS,
    )
)
class ConversationViewSet(EntityViewSet):
    """`/campaigns/{campaign}/conversations[/{id}]`: private ones are for admins only (404)."""

    noun = "Conversation"
    queryset = Conversation.objects.none()
    pagination_class = ConversationPagination
    filterset_class = ConversationFilter
    output_class = s.ConversationOutput
    input_class = s.ConversationInput

    filter_backends = [DjangoFilterBackend]

    entity = "conversation"
    select_all = staticmethod(selectors.conversations_visible_in_campaign)
    select_one = staticmethod(selectors.conversation_in_campaign)
    create_service = staticmethod(services.campaign_conversation_create)
    update_service = staticmethod(services.campaign_conversation_update)
    delete_service = staticmethod(conversation_services.conversation_delete)


# --- participants ---------------------------------------------------------------------


@extend_schema_view(
    **_crud_schema(
        "campaign conversation participants",
        s.ParticipantOutput,
        s.ParticipantInput,
        path=("campaign_id", "conversation_id"),
    )
)
class ParticipantViewSet(ResourceViewSet):
    """`…/conversations/{conversation}/conversation_participants[/{id}]`.

    `conversation_id` comes from the URL; a body value is ignored.
    """

    noun = "Participant"
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

    def create(self, request, **kwargs):
        data = self.validated(s.ParticipantInput)
        participant = conversation_services.participant_add(
            actor=request.user,
            role=self.role,
            conversation=self.conversation,
            user_id=data.get("user_id"),
            character_id=data.get("character_id"),
        )
        return self.render_one(participant)

    def update(self, request, pk, **kwargs):
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

    def destroy(self, request, pk, **kwargs):
        participant = self.one(pk)
        conversation_services.participant_remove(
            actor=request.user, role=self.role, participant=participant
        )
        return self.render_deleted(pk)


# --- messages -----------------------------------------------------------------------------


@extend_schema_view(
    **_crud_schema(
        "campaign conversation messages",
        s.MessageOutput,
        s.MessageInput,
        list_errors=LIST_ERRORS,
        path=("campaign_id", "conversation_id"),
    )
)
class MessageViewSet(ResourceViewSet):
    """`…/conversations/{conversation}/conversation_messages[/{id}]`.

    Players edit and delete only their own messages; a closed conversation
    takes no new ones (admins excepted).
    """

    noun = "Message"
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

    def create(self, request, **kwargs):
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

    def update(self, request, pk, **kwargs):
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

    def destroy(self, request, pk, **kwargs):
        message = self.one(pk)
        conversation_services.message_remove(actor=request.user, role=self.role, message=message)
        return self.render_deleted(pk)


# --- characters and tags ------------------------------------------------------------------


@extend_schema_view(**_crud_schema("campaign characters", s.CharacterOutput, s.CharacterInput))
class CharacterViewSet(EntityViewSet):
    """`/campaigns/{campaign}/characters[/{id}]`, shaped like conversations."""

    noun = "Character"
    queryset = Character.objects.none()
    output_class = s.CharacterOutput
    input_class = s.CharacterInput

    entity = "character"
    select_all = staticmethod(campaign_selectors.characters_of_campaign)
    select_one = staticmethod(campaign_selectors.character_in_campaign)
    create_service = staticmethod(services.character_create)
    update_service = staticmethod(services.character_update)
    delete_service = staticmethod(services.character_delete)


@extend_schema_view(**_crud_schema("campaign tags", s.TagOutput, s.TagInput))
class TagViewSet(EntityViewSet):
    """`/campaigns/{campaign}/tags[/{id}]`; `tag_id` is the parent tag."""

    noun = "Tag"
    queryset = Tag.objects.none()
    output_class = s.TagOutput
    input_class = s.TagInput

    entity = "tag"
    select_all = staticmethod(campaign_selectors.tags_of_campaign)
    select_one = staticmethod(campaign_selectors.tag_in_campaign)
    create_service = staticmethod(services.tag_create)
    update_service = staticmethod(services.tag_update)
    delete_service = staticmethod(services.tag_delete)

    def entity_fields(self, *, partial: bool) -> dict:
        fields = super().entity_fields(partial=partial)
        if "tag_id" in fields:
            fields["parent_id"] = fields.pop("tag_id")
        return fields


# --- profile and campaigns ---------------------------------------------------------------------


class CampaignListViewSet(CampaignViewSet):
    """`/campaigns` (the caller's campaigns) and `/campaigns/{id}` (members; anyone if public)."""

    noun = "Campaign"
    detail_kwarg = "campaign_id"
    queryset = Campaign.objects.none()
    campaign_scoped = False
    output_class = s.CampaignOutput

    @extend_schema(tags=["campaigns"], responses={200: s.CampaignOutput(many=True), **ERRORS})
    def list(self, request):
        return self.render_page(campaign_selectors.campaigns_of_user(user=request.user))

    @extend_schema(
        tags=["campaigns"],
        parameters=_path("campaign_id"),
        responses={200: _envelope("CampaignEnvelope", s.CampaignOutput()), **ERRORS},
    )
    def retrieve(self, request, campaign_id):
        campaign, _ = campaign_selectors.access_campaign(user=request.user, campaign_id=campaign_id)
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
