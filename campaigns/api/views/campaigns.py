"""`/campaigns[/{id}]` and `/profile`: the caller's campaigns, one campaign, the caller."""

from drf_spectacular.utils import extend_schema

from campaigns.api.openapi import ERRORS, envelope, path_ids
from campaigns.api.serializers import CampaignOutput, ProfileOutput
from campaigns.api.views.base import KankaView, KankaViewSet
from campaigns.models import Campaign
from campaigns.selectors import access_campaign, campaigns_of_user


class CampaignReadViewSet(KankaViewSet):
    """`/campaigns` (the caller's campaigns) and `/campaigns/{id}` (members; anyone if public)."""

    noun = "Campaign"
    detail_kwarg = "campaign_id"
    queryset = Campaign.objects.none()

    @extend_schema(tags=["campaigns"], responses={200: CampaignOutput(many=True), **ERRORS})
    def list(self, request):
        return self.render_page(campaigns_of_user(user=request.user), CampaignOutput)

    @extend_schema(
        tags=["campaigns"],
        parameters=path_ids("campaign_id"),
        responses={200: envelope("CampaignEnvelope", CampaignOutput()), **ERRORS},
    )
    def retrieve(self, request, campaign_id):
        campaign, _ = access_campaign(user=request.user, campaign_id=campaign_id)
        return self.render_one(campaign, CampaignOutput)


class ProfileView(KankaView):
    """`/profile`: who the token belongs to, and their rate limit."""

    @extend_schema(
        tags=["campaigns"],
        responses={200: envelope("ProfileEnvelope", ProfileOutput()), **ERRORS},
    )
    def get(self, request):
        return self.render_one(request.user, ProfileOutput)
