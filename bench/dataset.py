"""The data set of issue 14, generated in SQL (INSERT … SELECT generate_series): minutes, not hours.

A workspace of 200 members: the heavy user is in 10,000 two-person
conversations, the light user in 100 (50 unread each, half of them with a
mention), 1,000 more between others, and one conversation of 1,000,000
messages. A campaign of 200 members with 2,000 conversations, one of them
with 100,000 messages. Message counts scale with `scale`; conversation
counts do not (they are cheap and they are what get_unread is about).
"""

import time

from django.db import connection, transaction

from accounts.tokens import personal_token_create

MEMBERS = 200
HEAVY_CONVERSATIONS = 10_000
LIGHT_CONVERSATIONS = 100
OTHER_CONVERSATIONS = 1_000
UNREAD = 50
CAMPAIGN_CONVERSATIONS = 2_000
POST_TARGETS = 8  # "separate conversations": one per client at concurrency 8


_clock = [time.perf_counter()]


def _step(label):
    """Print how long the step since the last one took."""
    now = time.perf_counter()
    print(f"  {label}: {now - _clock[0]:.1f} s", flush=True)
    _clock[0] = now


def _one(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _run(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _conversations(kind, count, *, workspace=None, campaign=None):
    """`count` conversations titled `kind:n`, one message each; their ids in n order."""
    if campaign is not None:
        _run(
            "INSERT INTO campaigns_entity (kind, name, type, entry, is_private, image, created_at,"
            " updated_at, campaign_id) SELECT 'conversation', %s || ':' || n, '', '', false, '',"
            " now(), now(), %s FROM generate_series(0, %s - 1) n",
            [kind, campaign, count],
        )
    entity = "(SELECT min(id) FROM campaigns_entity) + n" if campaign is not None else "NULL"
    _run(
        "INSERT INTO conversations_conversation (title, target, is_private, is_closed,"
        " message_count, last_obj_index, recent_creator_ids, last_activity_at, created_at,"
        " updated_at, campaign_id, workspace_id, entity_id)"
        " SELECT %(kind)s || ':' || n, 'members', false, false, 0, -1, '[]',"
        " now() - make_interval(secs => %(count)s - n), now(), now(), %(campaign)s,"
        f" %(workspace)s, {entity} FROM generate_series(0, %(count)s - 1) n",
        {"kind": kind, "count": count, "campaign": campaign, "workspace": workspace},
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM conversations_conversation WHERE title LIKE %s"
            " ORDER BY split_part(title, ':', 2)::int",
            [f"{kind}:%"],
        )
        return [row[0] for row in cursor.fetchall()]


def _pairs(conversation_ids, user_ids):
    """One participant row per (conversation_ids[i], user_ids[i])."""
    _run(
        "INSERT INTO conversations_participant (last_read_obj_index, archived, created_at,"
        " updated_at, conversation_id, user_id, unread)"
        " SELECT -1, false, now(), now(), c, u, false"
        " FROM unnest(%s::bigint[], %s::bigint[]) t(c, u)",
        [conversation_ids, user_ids],
    )


def _participants(conversation_ids, user_ids, *, unread_of=None, unread=0):
    """`user_ids[i]` takes part in every conversation; `unread_of` has the first `unread` unread."""
    _run(
        "INSERT INTO conversations_participant (last_read_obj_index, archived, created_at,"
        " updated_at, conversation_id, user_id, unread)"
        " SELECT -1, false, now(), now(), c, u, false"
        " FROM unnest(%s::bigint[]) c, unnest(%s::bigint[]) u",
        [conversation_ids, user_ids],
    )
    if unread_of is not None:
        # The newest `unread` conversations stay unread for `unread_of`.
        _run(
            "UPDATE conversations_participant SET unread = true WHERE user_id = %s"
            " AND conversation_id = ANY(%s)",
            [unread_of, conversation_ids[-unread:]],
        )


def _messages(conversation_id, count, authors):
    """`count` messages, authors in turn; the conversation's counters follow."""
    _run(
        "INSERT INTO conversations_message (obj_index, content, attachments, actions,"
        " direct_group_mentions, removal_reason, created_at, updated_at, version,"
        " conversation_id, created_by_id, author_user_id)"
        " SELECT i, 'Message ' || i || ' of a long conversation, with some words in it.',"
        " '[]', '[]', '[]', '', now() - make_interval(secs => %(count)s - i),"
        " now() - make_interval(secs => %(count)s - i), 0, %(c)s, a.author, NULL"
        " FROM generate_series(0, %(count)s - 1) i"
        " JOIN LATERAL (SELECT (%(authors)s::bigint[])[1 + i %% %(n)s] AS author) a ON true",
        {"count": count, "c": conversation_id, "authors": authors, "n": len(authors)},
    )


def _one_message_each(conversation_ids, author_ids):
    """Message 0 in each conversation, by `author_ids[i]`."""
    _run(
        "INSERT INTO conversations_message (obj_index, content, attachments, actions,"
        " direct_group_mentions, removal_reason, created_at, updated_at, version,"
        " conversation_id, created_by_id)"
        " SELECT 0, 'Hello there', '[]', '[]', '[]', '', c.last_activity_at, c.last_activity_at, 0,"
        " c.id, t.author FROM unnest(%s::bigint[], %s::bigint[]) t(id, author)"
        " JOIN conversations_conversation c ON c.id = t.id",
        [conversation_ids, author_ids],
    )


def _finish_counters():
    """Counters and read markers as the services would have left them."""
    _run(
        "UPDATE conversations_conversation c SET message_count = m.n, last_obj_index = m.last,"
        " last_message_id = m.last_id, recent_creator_ids = to_jsonb(ARRAY[m.creator])"
        " FROM (SELECT conversation_id, count(*) n, max(obj_index) last,"
        "       (array_agg(id ORDER BY obj_index DESC))[1] last_id,"
        "       (array_agg(created_by_id ORDER BY obj_index DESC))[1] creator"
        "       FROM conversations_message GROUP BY conversation_id) m"
        " WHERE m.conversation_id = c.id"
    )
    # Read up to the end unless marked unread above.
    _run(
        "UPDATE conversations_participant p SET last_read_obj_index = CASE WHEN p.unread"
        " THEN c.last_obj_index - 1 ELSE c.last_obj_index END"
        " FROM conversations_conversation c WHERE c.id = p.conversation_id"
    )
    _run("UPDATE conversations_participant SET unread = false WHERE unread AND user_id IS NULL")


def _mentions(user_id, conversation_ids):
    _run(
        "INSERT INTO conversations_mention (message_id, user_id)"
        " SELECT c.last_message_id, %s FROM conversations_conversation c"
        " JOIN unnest(%s::bigint[]) ids(id) ON ids.id = c.id",
        [user_id, conversation_ids],
    )


@transaction.atomic
def generate(*, scale: float) -> dict:
    """Build the data set in an empty, migrated database; return the ids and tokens it needs."""
    from accounts.models import User
    from campaigns.models import Campaign, CampaignMember
    from workspaces.models import Workspace, WorkspaceMember

    _clock[0] = time.perf_counter()
    users = User.objects.bulk_create(
        User(username=f"bench{n}", display_name=f"Bench {n}", password="!") for n in range(MEMBERS)
    )
    ids = [u.pk for u in users]
    heavy, light, kanka = ids[0], ids[1], ids[2]
    workspace = Workspace.objects.create(name="Bench workspace", creator=users[0])
    WorkspaceMember.objects.bulk_create(
        WorkspaceMember(workspace=workspace, user=u, role="member") for u in users
    )
    campaign = Campaign.objects.create(name="Bench campaign")
    CampaignMember.objects.bulk_create(
        CampaignMember(campaign=campaign, user=u, role="admin" if u.pk == kanka else "player")
        for u in users
    )
    others = ids[3:]

    def partner(n):
        return others[n % len(others)]

    _step("users, workspace, campaign")
    heavy_ids = _conversations("heavy", HEAVY_CONVERSATIONS, workspace=workspace.pk)
    light_ids = _conversations("light", LIGHT_CONVERSATIONS, workspace=workspace.pk)
    other_ids = _conversations("other", OTHER_CONVERSATIONS, workspace=workspace.pk)
    for reader, conversations in ((heavy, heavy_ids), (light, light_ids)):
        _participants(conversations, [reader], unread_of=reader, unread=UNREAD)
        partners = [partner(n) for n in range(len(conversations))]
        _pairs(conversations, partners)
        _one_message_each(conversations, partners)
    partners = [partner(n) for n in range(len(other_ids))]
    _pairs(other_ids, partners)
    _pairs(other_ids, [partner(n + 1) for n in range(len(other_ids))])
    _one_message_each(other_ids, partners)

    _step("workspace conversations")
    big, *post_ids = _conversations("big", 1 + POST_TARGETS, workspace=workspace.pk)
    _participants([big, *post_ids], [heavy])
    _pairs([big, *post_ids], [partner(n) for n in range(1 + POST_TARGETS)])
    _messages(big, max(100, int(1_000_000 * scale)), [partner(0), heavy])
    for conversation in post_ids:
        _messages(conversation, 10, [heavy])

    _step("the long conversation")
    campaign_ids = _conversations("campaign", CAMPAIGN_CONVERSATIONS, campaign=campaign.pk)
    _participants(campaign_ids, [kanka])
    partners = [partner(n) for n in range(len(campaign_ids))]
    _pairs(campaign_ids, partners)
    _one_message_each(campaign_ids[1:], partners[1:])
    kanka_big = campaign_ids[0]
    _messages(kanka_big, max(100, int(100_000 * scale)), [kanka, partner(0)])

    _step("campaign conversations")
    _finish_counters()
    _step("counters")
    # Half of each reader's unread conversations mention them.
    _mentions(heavy, heavy_ids[-UNREAD:][::2])
    _mentions(light, light_ids[-UNREAD:][::2])
    _run("ANALYZE")
    _step("mentions, ANALYZE")
    return {
        "scale": scale,
        "workspace": workspace.pk,
        "campaign": campaign.pk,
        "heavy": heavy,
        "light": light,
        "kanka": kanka,
        "big": big,
        "big_messages": _one(
            "SELECT message_count FROM conversations_conversation WHERE id = %s", [big]
        )[0],
        "post_targets": post_ids,
        "kanka_big": kanka_big,
        # Kanka posting goes elsewhere, so the pages read stay where they were.
        "kanka_post_target": campaign_ids[1],
        "kanka_big_messages": _one(
            "SELECT message_count FROM conversations_conversation WHERE id = %s", [kanka_big]
        )[0],
        "tokens": {
            name: personal_token_create(user=User.objects.get(pk=pk), name="bench")
            for name, pk in (("heavy", heavy), ("light", light), ("kanka", kanka))
        },
    }
