"""`/campaigns/{campaign}/tags[/{id}]`."""

from drf_spectacular.utils import extend_schema_view

from campaigns.api.openapi import crud_schema
from campaigns.api.serializers import TagInput, TagOutput
from campaigns.api.views.base import InCampaignViewSet
from campaigns.api.views.entities import entity_input
from campaigns.models import Tag
from campaigns.selectors import tag_in_campaign, tags_of_campaign
from campaigns.services import tag_create, tag_delete, tag_update


@extend_schema_view(**crud_schema("campaign tags", TagOutput, TagInput))
class TagViewSet(InCampaignViewSet):
    """`/campaigns/{campaign}/tags[/{id}]`; `tag_id` is the parent tag."""

    noun = "Tag"
    queryset = Tag.objects.none()

    def list(self, request, **kwargs):
        return self.render_page(tags_of_campaign(campaign=self.campaign, role=self.role), TagOutput)

    def retrieve(self, request, pk, **kwargs):
        return self.render_one(self._visible(pk), TagOutput)

    # Create and update render the tag re-read through the selector: the
    # output needs what it loads (entity, tags).
    def create(self, request, **kwargs):
        fields = entity_input(self, TagInput, partial=False)
        created = tag_create(actor=request.user, role=self.role, campaign=self.campaign, **fields)
        return self.render_one(self._visible(created.pk), TagOutput)

    def update(self, request, pk, **kwargs):
        tag = self._visible(pk)
        fields = entity_input(self, TagInput, partial=True)
        tag_update(actor=request.user, role=self.role, tag=tag, **fields)
        return self.render_one(self._visible(pk), TagOutput)

    # PATCH is PUT: Kanka's PUT is partial too. (No docstring: the schema would show it.)
    def partial_update(self, request, pk, **kwargs):
        return self.update(request, pk, **kwargs)

    def destroy(self, request, pk, **kwargs):
        tag = self._visible(pk)
        tag_delete(actor=request.user, role=self.role, tag=tag)
        return self.render_deleted(tag.pk)

    def _visible(self, pk) -> Tag:
        return tag_in_campaign(campaign=self.campaign, role=self.role, tag_id=pk)
