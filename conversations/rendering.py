"""A message's content as its readers see it, for the moderators' admin.

Mentions (`[Name](twist-mention://42)`) become the user's current name,
Markdown links and bare http(s) URLs become links, line breaks stay, and
everything else is escaped; nh3 then cleans the result against a small
allow-list, so no markup a poster wrote ever reaches a moderator's browser.
"""

import re
from html import escape

import nh3

from accounts.models import User

TOKENS = re.compile(
    r"\[(?P<mention>[^\]]*)\]\(twist-mention://(?P<user>\d+)\)"
    r"|\[(?P<label>[^\]]+)\]\((?P<target>https?://[^\s)]+)\)"
    r"|(?P<url>https?://[^\s<>\"')\]]+)"
)
MENTION_IDS = re.compile(r"\(twist-mention://(\d+)\)")


def mentioned_names(contents) -> dict[int, str]:
    """The names of every user the contents mention, in one query."""
    ids = {int(pk) for content in contents for pk in MENTION_IDS.findall(content or "")}
    if not ids:
        return {}
    users = User.objects.filter(pk__in=ids).only(
        "username", "display_name", "first_name", "last_name"
    )
    return {user.pk: user.name for user in users}


def render_message(content: str, names: dict[int, str]) -> str:
    """Safe HTML of a message's content; `names` from `mentioned_names`."""
    parts, position = [], 0
    for match in TOKENS.finditer(content or ""):
        parts.append(escape(content[position : match.start()]))
        position = match.end()
        if match["user"]:
            name = names.get(int(match["user"])) or match["mention"]
            parts.append(f'<span class="mention">@{escape(name)}</span>')
        elif match["target"]:
            parts.append(f'<a href="{escape(match["target"])}">{escape(match["label"])}</a>')
        else:
            # A sentence's final punctuation is not part of the URL it ends with.
            url = match["url"].rstrip(".,;:!?")
            position -= len(match["url"]) - len(url)
            parts.append(f'<a href="{escape(url)}">{escape(url)}</a>')
    parts.append(escape((content or "")[position:]))
    html = "".join(parts).replace("\n", "<br>")
    return nh3.clean(
        html,
        tags={"a", "br", "span"},
        attributes={"a": {"href"}, "span": {"class"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )
