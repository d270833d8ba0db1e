"""What every campaign-API handler shares: Kanka's errors and rate limit, the parent, rendering."""

from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.viewsets import ViewSetMixin

from campaigns import selectors
from campaigns.api.errors import exception_handler
from campaigns.api.pagination import KankaPagination
from campaigns.api.throttling import CampaignRateThrottle, add_rate_limit_headers
from config.conditional import NotModified, etag_of, is_conditional, matches
from conversations.selectors import campaign_conversation_version


class KankaView(GenericAPIView):
    """Kanka's error bodies, rate limit and methods, and the three shapes of an answer.

    Renderers are the project's defaults: JSON for clients, the browsable API
    for a logged-in browser.
    """

    throttle_classes = [CampaignRateThrottle]
    # No OPTIONS: Kanka's API has none, and every other method gets the 405 body.
    http_method_names = ["get", "post", "put", "patch", "delete", "head"]
    pagination_class = KankaPagination

    def get_exception_handler(self):
        return exception_handler

    def handle_exception(self, exc):
        if isinstance(exc, NotModified):
            return exc.response()
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_rate_limit_headers(request, response)
        etag = getattr(self, "etag", None)
        if etag is not None and response.status_code == 200:
            response["ETag"] = etag
        return response

    def tag_or_304(self, validator) -> None:
        """Tag this read's answer with `validator()`; a matching `If-None-Match` is a 304 now.

        `validator` is called only for a conditional read (a JSON GET or HEAD).
        The tag also covers the action and the caller's role (what they may see).
        """
        if is_conditional(self.request):
            self.etag = etag_of(self.request, self.action, self.role, *validator())
            if matches(self.request, self.etag):
                raise NotModified(self.etag)

    def validated(self, serializer_class, *, partial: bool = False) -> dict:
        """The body through its input serializer; a bad one is a 422 before any permission check."""
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def render_one(self, instance, serializer_class) -> Response:
        data = serializer_class(instance, context={"request": self.request}).data
        return Response({"data": data})

    def render_page(self, queryset, serializer_class, *, total: int | None = None) -> Response:
        """One page in Kanka's envelope; `total` when the caller already knows it (no COUNT)."""
        page = self.paginator.paginate_queryset(queryset, self.request, self, total=total)
        data = serializer_class(page, many=True, context={"request": self.request}).data
        return self.get_paginated_response(data)

    def render_rows(self, queryset, render, *, total: int | None = None, validator=None):
        """Hot path: `render_page` for a `.values()` queryset, each row through `render(row)`
        (campaigns/api/rendering.py) instead of a serializer.

        `validator(page, total)`: the answer's validator, read from the page's rows.
        """
        page = self.paginator.paginate_queryset(queryset, self.request, self, total=total)
        if validator is not None:
            self.tag_or_304(lambda: validator(page, self.paginator.total))
        return self.get_paginated_response([render(row) for row in page])

    def render_deleted(self, pk) -> Response:
        return Response({"data": {"id": int(pk), "deleted": True}})


class KankaViewSet(ViewSetMixin, KankaView):
    """A resource's list route and detail route (`pk`), as `urls.py` maps them."""

    # The browsable API's page title: "Conversations", or "Conversation 3" on
    # a URL that has the `detail_kwarg`.
    noun = ""
    detail_kwarg = "pk"

    def get_view_name(self) -> str:
        pk = getattr(self, "kwargs", {}).get(self.detail_kwarg)
        return f"{self.noun}s" if pk is None else f"{self.noun} {pk}"


class InCampaignViewSet(KankaViewSet):
    """Resources under `/campaigns/{campaign_id}`: `self.campaign`, `self.role` resolved first."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.campaign, self.role = selectors.access_campaign(
            user=request.user, campaign_id=kwargs["campaign_id"]
        )


class InConversationViewSet(KankaViewSet):
    """Resources under `…/conversations/{conversation_id}`: `self.conversation` and `self.role`.

    The conversation is loaded lean (its row and campaign, one query): its
    children's handlers render neither its tags nor its counts. Its reads
    load only the columns they use (`to_read`).

    Its reads (`conditional_actions`) are conditional: every change to a
    conversation's messages or participants moves its `updated_at` (and the
    counters), so the row the access check loaded is the validator, and a
    matching `If-None-Match` is a 304 before the list or show is read.
    """

    conditional_actions = ("list", "retrieve")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.conversation, self.role = selectors.access_campaign_conversation(
            user=request.user,
            campaign_id=kwargs["campaign_id"],
            conversation_id=kwargs["conversation_id"],
            to_read=self.action in self.conditional_actions,
        )
        if self.action in self.conditional_actions:
            self.tag_or_304(lambda: campaign_conversation_version(self.conversation))
