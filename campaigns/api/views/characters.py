"""`/campaigns/{campaign}/characters[/{id}]`."""

from drf_spectacular.utils import extend_schema_view

from campaigns.api.openapi import crud_schema
from campaigns.api.serializers import CharacterInput, CharacterOutput
from campaigns.api.views.base import InCampaignViewSet
from campaigns.api.views.entities import entity_input
from campaigns.models import Character
from campaigns.selectors import character_in_campaign, characters_of_campaign
from campaigns.services import character_create, character_delete, character_update


@extend_schema_view(**crud_schema("campaign characters", CharacterOutput, CharacterInput))
class CharacterViewSet(InCampaignViewSet):
    """`/campaigns/{campaign}/characters[/{id}]`, shaped like conversations."""

    noun = "Character"
    queryset = Character.objects.none()

    def list(self, request, **kwargs):
        queryset = characters_of_campaign(campaign=self.campaign, role=self.role)
        return self.render_page(queryset, CharacterOutput)

    def retrieve(self, request, pk, **kwargs):
        return self.render_one(self._visible(pk), CharacterOutput)

    # Create and update render the character re-read through the selector:
    # the output needs what it loads (entity, tags).
    def create(self, request, **kwargs):
        fields = entity_input(self, CharacterInput, partial=False)
        created = character_create(
            actor=request.user, role=self.role, campaign=self.campaign, **fields
        )
        return self.render_one(self._visible(created.pk), CharacterOutput)

    def update(self, request, pk, **kwargs):
        character = self._visible(pk)
        fields = entity_input(self, CharacterInput, partial=True)
        character_update(actor=request.user, role=self.role, character=character, **fields)
        return self.render_one(self._visible(pk), CharacterOutput)

    # PATCH is PUT: Kanka's PUT is partial too. (No docstring: the schema would show it.)
    def partial_update(self, request, pk, **kwargs):
        return self.update(request, pk, **kwargs)

    def destroy(self, request, pk, **kwargs):
        character = self._visible(pk)
        character_delete(actor=request.user, role=self.role, character=character)
        return self.render_deleted(character.pk)

    def _visible(self, pk) -> Character:
        return character_in_campaign(campaign=self.campaign, role=self.role, character_id=pk)
