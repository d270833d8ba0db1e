"""Laravel's LengthAwarePaginator envelope: `data, links, meta, sync` (campaign-api.md §2.4).

Deviations, all additions: `?per_page=N` (1 to 100); page links keep the
request's other query parameters (filters, `lastSync`, `per_page`), where
Laravel drops them and clients re-append them (same values, same result).
"""

import math
from functools import cached_property
from urllib.parse import urlencode

from django.utils import timezone
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from campaigns.api.fields import iso
from conversations.selectors import count_of_rows


class KankaPagination(BasePagination):
    page_size = 15
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None, *, total: int | None = None):
        """The page's rows; `total`, when the caller already knows it, saves counting."""
        self.request = request
        self.per_page = self._per_page(request)
        self.page = self._page(request)
        offset = (self.page - 1) * self.per_page
        rows, self.total = self.page_rows(queryset, offset, self.per_page, total)
        self.count_on_page = len(rows)
        return rows

    def page_rows(self, queryset, offset: int, limit: int, total: int | None) -> tuple[list, int]:
        """The rows and the total in one query: the rows' COUNT rides along with the page.

        Only a page past the end (no row to carry the total) counts separately.
        """
        if total is not None:
            return (list(queryset[offset : offset + limit]) if offset < total else []), total
        rows = list(queryset.annotate(page_total=count_of_rows(queryset))[offset : offset + limit])
        if rows:
            first = rows[0]
            return rows, first["page_total"] if isinstance(first, dict) else first.page_total
        return [], queryset.count() if offset else 0

    def get_paginated_response(self, data):
        last_page = max(1, math.ceil(self.total / self.per_page))
        first = (self.page - 1) * self.per_page + 1 if self.count_on_page else None
        to = first + self.count_on_page - 1 if first is not None else None
        path = self._path
        prev_page = self.page - 1 if self.page > 1 else None
        next_page = self.page + 1 if self.page < last_page else None
        return Response(
            {
                "data": data,
                "links": {
                    "first": self._url(1),
                    "last": self._url(last_page),
                    "prev": self._url(prev_page),
                    "next": self._url(next_page),
                },
                "meta": {
                    "current_page": self.page,
                    "from": first,
                    "last_page": last_page,
                    "links": self._meta_links(last_page, prev_page, next_page),
                    "path": path,
                    "per_page": self.per_page,
                    "to": to,
                    "total": self.total,
                },
                "sync": iso(timezone.now()),
            }
        )

    def _meta_links(self, last_page, prev_page, next_page) -> list[dict]:
        links = [{"url": self._url(prev_page), "label": "&laquo; Previous", "active": False}]
        shown = None
        for n in self._window(last_page):
            if shown is not None and n > shown + 1:
                links.append({"url": None, "label": "...", "active": False})
            links.append({"url": self._url(n), "label": str(n), "active": n == self.page})
            shown = n
        links.append({"url": self._url(next_page), "label": "Next &raquo;", "active": False})
        return links

    def _window(self, last_page: int) -> list[int]:
        """Laravel's UrlWindow: the first and last two pages and three either side of the current.

        Built from those three ranges, never by walking every page (a
        conversation of 100,000 messages has 6,667 of them).
        """
        pages = {
            *range(1, min(2, last_page) + 1),
            *range(max(1, last_page - 1), last_page + 1),
            *range(max(1, self.page - 3), min(last_page, self.page + 3) + 1),
        }
        return sorted(pages)

    def _url(self, page: int | None) -> str | None:
        if page is None:
            return None
        return f"{self._link_prefix}{urlencode([('page', page)])}"

    @cached_property
    def _path(self) -> str:
        return self.request.build_absolute_uri(self.request.path)

    @cached_property
    def _link_prefix(self) -> str:
        """Every page link but its `page`: built once, not once per link (about a dozen)."""
        params = [(k, v) for k, values in self.request.query_params.lists() for v in values]
        kept = urlencode([(k, v) for k, v in params if k != "page"])
        return f"{self._path}?{kept}&" if kept else f"{self._path}?"

    def _page(self, request) -> int:
        """Laravel treats a missing or malformed page as page 1."""
        try:
            page = int(request.query_params.get("page", 1))
        except (TypeError, ValueError):
            return 1
        return page if page >= 1 else 1

    def _per_page(self, request) -> int:
        raw = request.query_params.get("per_page")
        if raw is None:
            return self.page_size
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if not 1 <= value <= self.max_page_size:
            raise serializers.ValidationError(
                {"per_page": [f"The per page must be between 1 and {self.max_page_size}."]}
            )
        return value

    def get_paginated_response_schema(self, schema):
        url = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "properties": {
                "data": schema,
                "links": {
                    "type": "object",
                    "properties": dict.fromkeys(("first", "last", "prev", "next"), url),
                },
                "meta": {
                    "type": "object",
                    "properties": {
                        "current_page": {"type": "integer"},
                        "from": {"type": "integer", "nullable": True},
                        "last_page": {"type": "integer"},
                        "links": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "url": url,
                                    "label": {"type": "string"},
                                    "active": {"type": "boolean"},
                                },
                            },
                        },
                        "path": {"type": "string", "format": "uri"},
                        "per_page": {"type": "integer"},
                        "to": {"type": "integer", "nullable": True},
                        "total": {"type": "integer"},
                    },
                },
                "sync": {"type": "string", "example": "2020-12-24T19:17:42.207577Z"},
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 1},
                "description": "1-based page number.",
            },
            {
                "name": "per_page",
                "required": False,
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
                "description": f"Page size (default {self.page_size}); a Parley addition.",
            },
        ]


class ConversationPagination(KankaPagination):
    """Past page 1, the page's ids first (the campaign's live-conversations index), then the rows.

    A row's participant count and tag ids are subqueries: under a plain OFFSET
    PostgreSQL computes them for every skipped row too (the last of 2,000
    conversations: ~10 ms of SQL against ~0.7 ms for page 1).
    """

    page_size = 45

    def page_rows(self, queryset, offset: int, limit: int, total: int | None) -> tuple[list, int]:
        if not offset:
            return super().page_rows(queryset, offset, limit, total)
        keys = queryset.values("pk")[offset : offset + limit]
        page = queryset.filter(pk__in=keys).annotate(page_total=count_of_rows(queryset))
        rows = list(page)
        if rows:
            return rows, rows[0]["page_total"]
        return [], queryset.count()


class MessagePagination(KankaPagination):
    """Messages from the nearer end, by a deferred join when that end is far.

    A page nearer the end walks the (conversation, obj_index) index backwards
    from it, so the last page skips nothing. Within `deferred_join_from` rows
    of an end the page is one plain query. Further in, the page's `obj_index`
    values come first, from the index, and only those rows are then read: a
    plain OFFSET would read every skipped row whole (the middle of 100,000
    messages: ~50 ms against ~70 ms). A filtered list (no `total` known)
    pages from the start with its COUNT riding along, or counts first for a
    page deeper than `deferred_join_from`.
    """

    # Below this many skipped rows the deferred join's second query plan costs
    # more (~1 ms of compiling) than the skipped rows do (~0.5 µs each).
    deferred_join_from = 1000

    def page_rows(self, queryset, offset: int, limit: int, total: int | None) -> tuple[list, int]:
        if total is None:
            if offset < self.deferred_join_from:
                # A filtered list (lastSync): from the start, its total riding along.
                return super().page_rows(queryset, offset, limit, None)
            total = queryset.count()
        if offset >= total:
            return [], total
        limit = min(limit, total - offset)
        from_end = total - offset - limit
        ordered, skip = (queryset.reverse(), from_end) if from_end < offset else (queryset, offset)
        if skip < self.deferred_join_from:
            rows = list(ordered[skip : skip + limit])
            return (rows if ordered is queryset else rows[::-1]), total
        keys = ordered.values("obj_index")[skip : skip + limit]
        return list(queryset.filter(obj_index__in=keys)), total
