"""search, search/conversation (and search/thread's refusal), workspace-api-extras.md §3.

Both endpoints run `conversations.search`: the same visibility, matching
rule and keyset cursor; they differ in scope (a workspace or one
conversation) and in what they render.
"""

from datetime import UTC, datetime, time, timedelta

from rest_framework import serializers

from conversations import exceptions, search
from conversations.selectors import access_workspace_conversation
from workspaces import selectors as workspace_selectors
from workspaces.api.errors import Code, TwistError
from workspaces.api.extras import TwistExtrasView
from workspaces.api.params import IntListField, TwistBooleanField, TwistIntegerField
from workspaces.api.serializers import clamped_limit, limit_field
from workspaces.api.timestamps import MAX_TS, TimestampField, from_ts

SEARCH_LIMIT = (50, 100)  # (default, maximum) of search
CONVERSATION_SEARCH_LIMIT = (100, 500)  # (default, maximum) of search/conversation
SCOPE = "search:read"


# --- input ------------------------------------------------------------------


class _SearchInput(serializers.Serializer):
    query = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    limit = limit_field()
    cursor = serializers.CharField(required=False, help_text="`next_cursor_mark` of a page.")
    cursor_mark = serializers.CharField(required=False, help_text="Alias of cursor.")
    bounds = SEARCH_LIMIT

    def validate(self, attrs):
        attrs["limit"] = clamped_limit(attrs.get("limit"), self.bounds)
        attrs["after"] = _decoded_cursor(attrs.get("cursor") or attrs.get("cursor_mark"))
        attrs["terms"] = self._terms(attrs)
        return attrs

    def _terms(self, attrs) -> list[str]:
        if "query" not in attrs:
            raise serializers.ValidationError({"query": "Required."}, code="required")
        terms = search.search_terms(attrs["query"])
        if not terms:
            raise serializers.ValidationError({"query": "No word to search."}, code="invalid")
        return terms


def _decoded_cursor(cursor: str | None) -> search.Key | None:
    if not cursor:
        return None
    try:
        return search.Key.decode(cursor)
    except search.BadCursor:
        raise serializers.ValidationError({"cursor": "Unknown cursor."}, code="invalid") from None


def _day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


class TwistSearchInput(_SearchInput):
    workspace_id = TwistIntegerField()
    mention_self = TwistBooleanField(required=False, default=False)
    author_ids = IntListField(required=False)
    from_user_id = TwistIntegerField(required=False, help_text="One author (Doist's CLI).")
    to_user_id = TwistIntegerField(required=False)
    conversation_ids = IntListField(required=False)
    date_from = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    date_to = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    after_ts = TwistIntegerField(required=False, min_value=0, max_value=MAX_TS)
    before_ts = TwistIntegerField(required=False, min_value=0, max_value=MAX_TS)
    type = serializers.ChoiceField(choices=["all", "messages"], required=False)

    def _terms(self, attrs) -> list[str]:
        if attrs["mention_self"]:
            return search.search_terms(attrs.get("query", ""))
        return super()._terms(attrs)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        date_from, date_to = attrs.get("date_from"), attrs.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise exceptions.InvalidDateRange(field="date_from")
        authors = attrs.get("author_ids")
        if attrs.get("from_user_id") is not None:
            authors = [*(authors or []), attrs["from_user_id"]]
        attrs["authors"] = authors
        starts = [_day_start(date_from)] if date_from else []
        ends = [_day_start(date_to) + timedelta(days=1)] if date_to else []
        if attrs.get("after_ts") is not None:
            starts.append(from_ts(attrs["after_ts"]))
        if attrs.get("before_ts") is not None:
            ends.append(from_ts(attrs["before_ts"]))
        attrs["posted_from"] = max(starts, default=None)
        attrs["posted_before"] = min(ends, default=None)
        return attrs


class TwistConversationSearchInput(_SearchInput):
    conversation_id = TwistIntegerField()
    bounds = CONVERSATION_SEARCH_LIMIT


# --- output -----------------------------------------------------------------


class TwistSearchItemOutput(serializers.Serializer):
    """One matching message; `id` names its conversation (not unique per item)."""

    id = serializers.SerializerMethodField()
    type = serializers.SerializerMethodField()
    snippet = serializers.SerializerMethodField()
    snippet_creator_id = serializers.IntegerField(source="created_by_id", allow_null=True)
    snippet_last_updated_ts = TimestampField(source="created_at")
    conversation_id = serializers.IntegerField()
    message_id = serializers.IntegerField(source="id")
    title = serializers.SerializerMethodField()

    def get_id(self, message) -> str:
        return f"conversation_{message.conversation_id}"

    def get_type(self, message) -> str:
        return "conversation"

    def get_snippet(self, message) -> str:
        return search.snippet(search.searchable_text(message.content), self.context["terms"])

    def get_title(self, message) -> str | None:
        return message.conversation.title or None


class TwistSearchOutput(serializers.Serializer):
    items = TwistSearchItemOutput(many=True)
    has_more = serializers.BooleanField()
    next_cursor_mark = serializers.CharField(allow_null=True)
    is_plan_restricted = serializers.BooleanField()


class TwistConversationSearchOutput(serializers.Serializer):
    message_ids = serializers.ListField(child=serializers.IntegerField())
    has_more = serializers.BooleanField()
    next_cursor_mark = serializers.CharField(allow_null=True)


def _cursor_mark(page: search.SearchPage) -> str | None:
    return page.next_key.encode() if page.next_key else None


# --- methods ----------------------------------------------------------------


class Search(TwistExtrasView):
    """Messages of the caller's conversations in a workspace whose words start with every
    query word, newest first; page on with `cursor` = `next_cursor_mark`."""

    scope = SCOPE
    out_of_scope = ("channel_ids", "title")
    input_serializer = TwistSearchInput
    output_serializer = TwistSearchOutput

    def refuse(self, params):
        super().refuse(params)
        if isinstance(params.get("type"), str) and params["type"].strip().lower() == "threads":
            raise TwistError(Code.INVALID_ARGUMENT, extra={"argument": "type"})

    def perform(self, request, params):
        workspace, _ = workspace_selectors.access_workspace(
            user=request.user, workspace_id=params["workspace_id"]
        )
        candidates = search.search_candidates(
            user=request.user,
            workspace=workspace,
            mention_self=params["mention_self"],
            author_ids=params["authors"],
            to_user_id=params.get("to_user_id"),
            conversation_ids=params.get("conversation_ids"),
            posted_from=params["posted_from"],
            posted_before=params["posted_before"],
        )
        page = search.search_messages(
            candidates=candidates,
            terms=params["terms"],
            after=params["after"],
            limit=params["limit"],
        )
        items = TwistSearchItemOutput(page.messages, many=True, context=params).data
        return {
            "items": items,
            "has_more": page.has_more,
            "next_cursor_mark": _cursor_mark(page),
            "is_plan_restricted": False,
        }


class SearchConversation(TwistExtrasView):
    """Ids of one conversation's messages matching every query word, newest first."""

    scope = SCOPE
    out_of_scope = ("thread_id",)
    input_serializer = TwistConversationSearchInput
    output_serializer = TwistConversationSearchOutput

    def perform(self, request, params):
        conversation, _ = access_workspace_conversation(
            user=request.user, conversation_id=params["conversation_id"]
        )
        candidates = search.search_candidates(
            user=request.user, workspace=conversation.workspace_id, conversation=conversation
        )
        page = search.search_messages(
            candidates=candidates,
            terms=params["terms"],
            after=params["after"],
            limit=params["limit"],
        )
        return {
            "message_ids": [message.pk for message in page.messages],
            "has_more": page.has_more,
            "next_cursor_mark": _cursor_mark(page),
        }


class SearchThread(TwistExtrasView):
    """Threads are out of scope: always 400 code 20, `argument: "thread_id"`."""

    scope = SCOPE
    output_serializer = TwistConversationSearchOutput

    def perform(self, request, params):
        raise TwistError(Code.INVALID_ARGUMENT, extra={"argument": "thread_id"})
