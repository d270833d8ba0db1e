"""DRF's browsable API for both dialects, as a browser explorer of the real responses.

DRF builds the browsable page's HTML forms from the view's serializer. Our
views have separate input and output serializers (and the RPC views none
that DRF knows about), so the generated forms would be wrong or fail; this
renderer keeps the page, the response and a plain raw-body form (content
type + content) for trying writes, and drops the generated forms.
"""

from django import forms
from rest_framework.renderers import BrowsableAPIRenderer


class RawBodyForm(forms.Form):
    _content_type = forms.CharField(
        label="Media type", initial="application/json", widget=forms.TextInput()
    )
    _content = forms.CharField(label="Content", required=False, widget=forms.Textarea())


class ParleyBrowsableAPIRenderer(BrowsableAPIRenderer):
    def get_rendered_html_form(self, data, view, method, request):
        return None

    def get_raw_data_form(self, data, view, method, request):
        if method not in view.allowed_methods or method in ("GET", "HEAD", "OPTIONS"):
            return None
        return RawBodyForm()
