"""The campaign API (Kanka dialect): one module per resource, a small base in `base.py`.

Each request goes: authentication (401) → rate limit (429) → the campaign,
then the conversation of a nested URL, resolved once in `initial()` before
the handler (404) → the body validated (422) → the one service, which
authorises (403). That is Kanka's order (campaign-api.md §2.8): an invalid
body is a 422 even for someone who may not write. One exception: an
`image_url` is fetched only for someone who may write at all, so a visitor
cannot make the server download things.
"""
