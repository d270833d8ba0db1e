"""`/campaigns/{campaign}/conversations[/{id}]`."""

from drf_spectacular.utils import extend_schema_view
from rest_framework.response import Response

from campaigns.api.filters import ConversationFilter, KankaFilterBackend
from campaigns.api.openapi import LIST_ERRORS, crud_schema
from campaigns.api.pagination import ConversationPagination
from campaigns.api.rendering import conversation_data
from campaigns.api.serializers import ConversationInput, ConversationOutput
from campaigns.api.views.base import InCampaignViewSet
from campaigns.api.views.entities import entity_input
from campaigns.services import campaign_conversation_create, campaign_conversation_update
from conversations.models import Conversation
from conversations.selectors import (
    campaign_conversation_row,
    campaign_conversation_row_version,
    campaign_conversation_rows,
    campaign_conversations_of_role,
    campaign_conversations_version,
    conversation_in_campaign,
    conversation_in_campaign_version,
)
from conversations.services import conversation_delete


@extend_schema_view(
    **crud_schema(
        "campaign conversations",
        ConversationOutput,
        ConversationInput,
        list_errors=LIST_ERRORS,
        conditional=True,
    )
)
class ConversationViewSet(InCampaignViewSet):
    """`/campaigns/{campaign}/conversations[/{id}]`: private ones are for admins only (404)."""

    noun = "Conversation"
    queryset = Conversation.objects.none()  # for the schema's filter parameters
    pagination_class = ConversationPagination
    filter_backends = [KankaFilterBackend]
    filterset_class = ConversationFilter

    # The list and the show are conditional (config/conditional.py): their
    # validators are read from the conversations' rows alone. Both render
    # `.values()` rows (hot path: campaigns/api/rendering.py).
    def list(self, request, **kwargs):
        rows = self.filter_queryset(
            campaign_conversations_of_role(campaign=self.campaign, role=self.role)
        )
        if "If-None-Match" in request.headers:
            # Polling: one aggregate over the rows answers the 304.
            self.tag_or_304(lambda: campaign_conversations_version(rows))

        # Otherwise the page carries the same aggregate (no query of its own).
        def validator(page, total):
            if not total:  # the aggregate of no rows
                return None, 0
            if not page:  # no row to carry it: a page past the end
                return campaign_conversations_version(rows)
            return page[0]["rows_changed"], total

        return self.render_rows(
            campaign_conversation_rows(rows, role=self.role),
            lambda row: conversation_data(row, request),
            validator=validator,
        )

    def retrieve(self, request, pk, **kwargs):
        if "If-None-Match" in request.headers:
            # Polling: one lean query answers the 304. Without the header the
            # full row below carries the same values.
            self.tag_or_304(
                lambda: conversation_in_campaign_version(
                    campaign=self.campaign, role=self.role, conversation_id=pk
                )
            )
        row = self._row(pk)
        self.tag_or_304(lambda: campaign_conversation_row_version(row))
        return self._render(row)

    # Create and update render the conversation re-read as the show reads it:
    # the output needs what it loads (tags, participant count).
    def create(self, request, **kwargs):
        fields = entity_input(self, ConversationInput, partial=False)
        created = campaign_conversation_create(
            actor=request.user, role=self.role, campaign=self.campaign, **fields
        )
        return self._render(self._row(created.pk))

    def update(self, request, pk, **kwargs):
        conversation = self._visible(pk)
        fields = entity_input(self, ConversationInput, partial=True)
        campaign_conversation_update(
            actor=request.user, role=self.role, conversation=conversation, **fields
        )
        return self._render(self._row(pk))

    # PATCH is PUT: Kanka's PUT is partial too. (No docstring: the schema would show it.)
    def partial_update(self, request, pk, **kwargs):
        return self.update(request, pk, **kwargs)

    def destroy(self, request, pk, **kwargs):
        conversation = self._visible(pk)
        conversation_delete(actor=request.user, role=self.role, conversation=conversation)
        return self.render_deleted(conversation.pk)

    def _visible(self, pk) -> Conversation:
        return conversation_in_campaign(campaign=self.campaign, role=self.role, conversation_id=pk)

    def _row(self, pk) -> dict:
        return campaign_conversation_row(campaign=self.campaign, role=self.role, conversation_id=pk)

    def _render(self, row: dict) -> Response:
        return Response({"data": conversation_data(row, self.request)})
