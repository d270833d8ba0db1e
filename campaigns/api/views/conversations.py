"""`/campaigns/{campaign}/conversations[/{id}]`."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_view

from campaigns.api.filters import ConversationFilter
from campaigns.api.openapi import LIST_ERRORS, crud_schema
from campaigns.api.pagination import ConversationPagination
from campaigns.api.serializers import ConversationInput, ConversationOutput
from campaigns.api.views.base import InCampaignViewSet
from campaigns.api.views.entities import entity_input
from campaigns.services import campaign_conversation_create, campaign_conversation_update
from conversations.models import Conversation
from conversations.selectors import conversation_in_campaign, conversations_visible_in_campaign
from conversations.services import conversation_delete


@extend_schema_view(
    **crud_schema(
        "campaign conversations", ConversationOutput, ConversationInput, list_errors=LIST_ERRORS
    )
)
class ConversationViewSet(InCampaignViewSet):
    """`/campaigns/{campaign}/conversations[/{id}]`: private ones are for admins only (404)."""

    noun = "Conversation"
    queryset = Conversation.objects.none()  # for the schema's filter parameters
    pagination_class = ConversationPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ConversationFilter

    def list(self, request, **kwargs):
        queryset = conversations_visible_in_campaign(campaign=self.campaign, role=self.role)
        return self.render_page(self.filter_queryset(queryset), ConversationOutput)

    def retrieve(self, request, pk, **kwargs):
        return self.render_one(self._visible(pk), ConversationOutput)

    # Create and update render the conversation re-read through the selector:
    # the output needs what it loads (tags, participant count).
    def create(self, request, **kwargs):
        fields = entity_input(self, ConversationInput, partial=False)
        created = campaign_conversation_create(
            actor=request.user, role=self.role, campaign=self.campaign, **fields
        )
        return self.render_one(self._visible(created.pk), ConversationOutput)

    def update(self, request, pk, **kwargs):
        conversation = self._visible(pk)
        fields = entity_input(self, ConversationInput, partial=True)
        campaign_conversation_update(
            actor=request.user, role=self.role, conversation=conversation, **fields
        )
        return self.render_one(self._visible(pk), ConversationOutput)

    # PATCH is PUT: Kanka's PUT is partial too. (No docstring: the schema would show it.)
    def partial_update(self, request, pk, **kwargs):
        return self.update(request, pk, **kwargs)

    def destroy(self, request, pk, **kwargs):
        conversation = self._visible(pk)
        conversation_delete(actor=request.user, role=self.role, conversation=conversation)
        return self.render_deleted(conversation.pk)

    def _visible(self, pk) -> Conversation:
        return conversation_in_campaign(campaign=self.campaign, role=self.role, conversation_id=pk)
