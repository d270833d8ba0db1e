"""DRF's browsable API for both dialects, as a browser explorer of the real responses.

DRF builds the browsable page's HTML forms from the view's serializer. Our
views have separate input and output serializers (and the RPC views none
that DRF knows about), so the generated forms would be wrong or fail; this
renderer keeps the page, the response and a plain raw-body form (content
type + content) for trying writes, and drops the generated forms.

Page titles and breadcrumbs are the views' `get_view_name()`; descriptions
are their docstrings, rendered here. Nothing here touches a JSON response.
"""

import re

from django import forms
from django.urls import Resolver404, get_script_prefix, resolve
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from rest_framework import status
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.reverse import preserve_builtin_query_params

CODE_SPAN = re.compile(r"`([^`]+)`")
CODE_HTML = r"<code>\1</code>"


class RawBodyForm(forms.Form):
    _content_type = forms.CharField(
        label="Media type", initial="application/json", widget=forms.TextInput()
    )
    _content = forms.CharField(label="Content", required=False, widget=forms.Textarea())


class ParleyBrowsableAPIRenderer(BrowsableAPIRenderer):
    def get_rendered_html_form(self, data, view, method, request):
        return None

    def get_filter_form(self, data, view, request):
        # DRF takes any list body for a list page and asks the view for its
        # queryset; Kanka's 429 body is a list too, on views without one.
        response = getattr(view, "response", None)
        if response is not None and not status.is_success(response.status_code):
            return None
        return super().get_filter_form(data, view, request)

    def get_raw_data_form(self, data, view, method, request):
        if method not in view.allowed_methods or method in ("GET", "HEAD", "OPTIONS"):
            return None
        return RawBodyForm()

    def get_description(self, view, status_code):
        # DRF renders the docstring with the `markdown` package when installed,
        # else as escaped text with its backticks; ours use only paragraphs
        # and code spans, so those are rendered here.
        if status_code in (status.HTTP_401_UNAUTHORIZED, status.HTTP_403_FORBIDDEN):
            return ""
        return docstring_html(view.get_view_description())

    def get_breadcrumbs(self, request):
        """The browsable pages on the way to this one, root first, each with its view's name.

        DRF's own names each page by a bare instance of its view; here the
        instance gets the URL's arguments (so a detail page reads
        "Conversation 3"), the current page is named by the view that answers
        it, and views that never render HTML (the dialects' JSON-only "not
        found" catch-alls) are no page to go back to.
        """
        current = request.parser_context.get("view")
        prefix = get_script_prefix().rstrip("/")
        crumbs, previous = [], None
        for path in _path_and_parents(request.path_info):
            try:
                match = resolve(path)
            except Resolver404:
                continue
            cls = getattr(match.func, "cls", None)  # set by DRF's as_view() only
            renderers = getattr(cls, "renderer_classes", ())
            if not any(issubclass(renderer, BrowsableAPIRenderer) for renderer in renderers):
                continue
            if match.func is previous:
                continue
            previous = match.func
            if path == request.path_info and current is not None:
                view = current
            else:
                view = cls(**match.func.initkwargs)
                view.args, view.kwargs = match.args, match.kwargs
            crumbs.append(
                (view.get_view_name(), preserve_builtin_query_params(prefix + path, request))
            )
        return crumbs


def docstring_html(text: str) -> SafeString:
    """Paragraphs (blank-line separated, hard wraps joined) with `code` spans as <code>."""
    paragraphs = (" ".join(paragraph.split()) for paragraph in text.strip().split("\n\n"))
    return mark_safe(
        "".join(
            f"<p>{CODE_SPAN.sub(CODE_HTML, escape(paragraph))}</p>"
            for paragraph in paragraphs
            if paragraph
        )
    )


def _path_and_parents(path: str) -> list[str]:
    """`/a/b` → `/`, `/a`, `/a/`, `/a/b`: every URL DRF's breadcrumbs try, root first."""
    paths = []
    while path:
        paths.append(path)
        path = path.rstrip("/") if path.endswith("/") else path[: path.rfind("/") + 1]
    return paths[::-1]
