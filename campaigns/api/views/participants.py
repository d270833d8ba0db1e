"""`…/conversations/{conversation}/conversation_participants[/{id}]`."""

from drf_spectacular.utils import extend_schema_view

from campaigns.api.openapi import crud_schema
from campaigns.api.rendering import participant_data
from campaigns.api.serializers import ParticipantInput, ParticipantOutput
from campaigns.api.views.base import InConversationViewSet
from conversations.models import Participant
from conversations.selectors import campaign_participant_rows, participant_in_conversation
from conversations.services import (
    UNSET,
    participant_add,
    participant_remove,
    participant_update,
)


@extend_schema_view(
    **crud_schema(
        "campaign conversation participants",
        ParticipantOutput,
        ParticipantInput,
        path=("campaign_id", "conversation_id"),
        conditional=True,
    )
)
class ParticipantViewSet(InConversationViewSet):
    """`…/conversations/{conversation}/conversation_participants[/{id}]`.

    `conversation_id` comes from the URL; a body value is ignored.
    """

    noun = "Participant"
    queryset = Participant.objects.none()

    def list(self, request, **kwargs):
        # Hot path: `.values()` rows through rendering.participant_data.
        queryset = campaign_participant_rows(conversation=self.conversation)
        return self.render_rows(queryset, participant_data)

    def retrieve(self, request, pk, **kwargs):
        return self.render_one(self._one(pk), ParticipantOutput)

    def create(self, request, **kwargs):
        data = self.validated(ParticipantInput)
        participant = participant_add(
            actor=request.user,
            role=self.role,
            conversation=self.conversation,
            user_id=data.get("user_id"),
            character_id=data.get("character_id"),
        )
        return self.render_one(participant, ParticipantOutput)

    def update(self, request, pk, **kwargs):
        participant = self._one(pk)
        data = self.validated(ParticipantInput, partial=True)
        participant = participant_update(
            actor=request.user,
            role=self.role,
            participant=participant,
            user_id=data.get("user_id", UNSET),
            character_id=data.get("character_id", UNSET),
        )
        return self.render_one(participant, ParticipantOutput)

    # PATCH is PUT: Kanka's PUT is partial too. (No docstring: the schema would show it.)
    def partial_update(self, request, pk, **kwargs):
        return self.update(request, pk, **kwargs)

    def destroy(self, request, pk, **kwargs):
        participant = self._one(pk)
        participant_remove(actor=request.user, role=self.role, participant=participant)
        return self.render_deleted(pk)

    def _one(self, pk) -> Participant:
        return participant_in_conversation(conversation=self.conversation, participant_id=pk)
