"""Writes of the campaign API: an entity and its child (conversation, character, tag).

Each function is one transaction: the Kanka entity, its child row, its tags
and its image change together or not at all. Conversation rules (who may
create, update, close, make private) stay in `conversations.services` and
`conversations.policy`; characters and tags follow the same rules, with the
entity standing in for the conversation (it has the same `campaign_id` and
`created_by_id`).

References are checked before permissions, so an invalid body is a 422 even
for someone who may not write (Kanka validates before it authorises).
"""

from django.db import transaction

from campaigns.images import PreparedImage, store_image
from campaigns.models import Campaign, Character, Entity, Tag
from campaigns.sanitize import sanitize_entry
from campaigns.selectors import TagNotFound
from conversations import policy
from conversations import services as conversation_services
from conversations.models import Conversation
from conversations.policy import Role
from conversations.services import UNSET
from events import outbox

# --- conversations ---------------------------------------------------------------


@transaction.atomic
def campaign_conversation_create(
    *,
    actor,
    role: Role,
    campaign: Campaign,
    name: str,
    type: str = "",
    entry: str = "",
    target: str = Conversation.Target.MEMBERS,
    is_private: bool = False,
    is_closed: bool = False,
    tag_ids=(),
    image: PreparedImage | None = None,
) -> Conversation:
    """A conversation with its entity, tags and image."""
    tags = _campaign_tags(campaign.pk, tag_ids, role=role)
    entity = _entity_create(
        actor=actor,
        campaign=campaign,
        kind=Entity.Kind.CONVERSATION,
        name=name,
        type=type,
        entry=entry,
        is_private=is_private,
    )
    conversation = conversation_services.conversation_create(
        actor=actor,
        role=role,
        campaign=campaign,
        entity=entity,
        title=name,
        target=target,
        is_private=is_private,
        is_closed=is_closed,
    )
    _entity_update(entity, actor=actor, role=role, tags=tags, image=image, folder="conversations")
    return conversation


@transaction.atomic
def campaign_conversation_update(
    *,
    actor,
    role: Role,
    conversation: Conversation,
    name=UNSET,
    type=UNSET,
    entry=UNSET,
    target=UNSET,
    is_private=UNSET,
    is_closed=UNSET,
    tag_ids=UNSET,
    image=UNSET,
) -> Conversation:
    """Change a conversation and its entity; the conversation's `updated_at` always moves.

    Entity-only changes (entry, type, tags, image) bump it too, so `lastSync`
    sees them (Kanka's quirk §2.5, fixed).
    """
    tags = (
        UNSET if tag_ids is UNSET else _campaign_tags(conversation.campaign_id, tag_ids, role=role)
    )
    before = conversation_services.conversation_change(
        actor=actor,
        role=role,
        conversation=conversation,
        title=name,
        target=target,
        is_private=is_private,
        is_closed=is_closed,
    )
    # Kanka keeps name and privacy on the entity too: mirror the conversation's.
    entity_name = UNSET if conversation.entity.name == conversation.title else conversation.title
    entity_private = (
        UNSET
        if conversation.entity.is_private == conversation.is_private
        else conversation.is_private
    )
    entity_changed = _entity_update(
        conversation.entity,
        actor=actor,
        role=role,
        name=entity_name,
        type=type,
        entry=entry,
        is_private=entity_private,
        tags=tags,
        image=image,
        folder="conversations",
    )
    # One record for both: an entry or tag change is a `conversation.updated` too (events.md §2).
    mirrored = ("name", "is_private")  # the conversation's own fields, compared there
    also = [f for f in entity_changed if f not in mirrored]
    outbox.record(
        conversation, outbox.conversation_changes(before, conversation, also=also), actor=actor
    )
    return conversation


# --- characters -----------------------------------------------------------------


@transaction.atomic
def character_create(
    *,
    actor,
    role: Role,
    campaign: Campaign,
    name: str,
    type: str = "",
    entry: str = "",
    is_private: bool = False,
    tag_ids=(),
    image: PreparedImage | None = None,
    title: str = "",
    age: str = "",
    sex: str = "",
    pronouns: str = "",
    is_dead: bool = False,
) -> Character:
    return _child_create(
        Character,
        Entity.Kind.CHARACTER,
        actor=actor,
        role=role,
        campaign=campaign,
        entity_fields={"name": name, "type": type, "entry": entry, "is_private": is_private},
        tag_ids=tag_ids,
        image=image,
        title=title,
        age=age,
        sex=sex,
        pronouns=pronouns,
        is_dead=is_dead,
    )


@transaction.atomic
def character_update(
    *,
    actor,
    role: Role,
    character: Character,
    name=UNSET,
    type=UNSET,
    entry=UNSET,
    is_private=UNSET,
    tag_ids=UNSET,
    image=UNSET,
    title=UNSET,
    age=UNSET,
    sex=UNSET,
    pronouns=UNSET,
    is_dead=UNSET,
) -> Character:
    return _child_update(
        character,
        actor=actor,
        role=role,
        entity_fields={"name": name, "type": type, "entry": entry, "is_private": is_private},
        tag_ids=tag_ids,
        image=image,
        title=title,
        age=age,
        sex=sex,
        pronouns=pronouns,
        is_dead=is_dead,
    )


@transaction.atomic
def character_delete(*, actor, role: Role, character: Character) -> None:
    """Delete for good; its participant rows go too, messages keep their text without author."""
    policy.require_can_delete(role, character.entity, actor)
    conversation_services.conversations_touch(
        conversations=Conversation.objects.filter(participants__character=character)
    )
    character.entity.delete()


# --- tags -----------------------------------------------------------------------


@transaction.atomic
def tag_create(
    *,
    actor,
    role: Role,
    campaign: Campaign,
    name: str,
    type: str = "",
    entry: str = "",
    is_private: bool = False,
    tag_ids=(),
    image: PreparedImage | None = None,
    colour: str = "",
    parent_id=None,
) -> Tag:
    return _child_create(
        Tag,
        Entity.Kind.TAG,
        actor=actor,
        role=role,
        campaign=campaign,
        entity_fields={"name": name, "type": type, "entry": entry, "is_private": is_private},
        tag_ids=tag_ids,
        image=image,
        colour=colour,
        parent=_parent_tag(campaign.pk, parent_id, tag=None, role=role),
    )


@transaction.atomic
def tag_update(
    *,
    actor,
    role: Role,
    tag: Tag,
    name=UNSET,
    type=UNSET,
    entry=UNSET,
    is_private=UNSET,
    tag_ids=UNSET,
    image=UNSET,
    colour=UNSET,
    parent_id=UNSET,
) -> Tag:
    parent = (
        UNSET if parent_id is UNSET else _parent_tag(tag.campaign_id, parent_id, tag=tag, role=role)
    )
    privacy_changes = is_private is not UNSET and bool(is_private) != tag.entity.is_private
    tag = _child_update(
        tag,
        actor=actor,
        role=role,
        entity_fields={"name": name, "type": type, "entry": entry, "is_private": is_private},
        tag_ids=tag_ids,
        image=image,
        colour=colour,
        parent=parent,
    )
    if privacy_changes:
        # Who sees the tag changes the tag ids its conversations render (and
        # their conditional GET's validator): bump them, as tag_delete does.
        conversation_services.conversations_touch(
            conversations=Conversation.objects.filter(entity__tags=tag)
        )
    return tag


@transaction.atomic
def tag_delete(*, actor, role: Role, tag: Tag) -> None:
    """Delete for good; entities tagged with it lose the tag, child tags lose their parent."""
    policy.require_can_delete(role, tag.entity, actor)
    conversation_services.conversations_touch(
        conversations=Conversation.objects.filter(entity__tags=tag)
    )
    tag.entity.delete()


# --- helpers --------------------------------------------------------------------

# Where each kind's images go under MEDIA_ROOT.
FOLDERS = {Entity.Kind.CHARACTER: "characters", Entity.Kind.TAG: "tags"}


def _child_create(model, kind, *, actor, role, campaign, entity_fields, tag_ids, image, **fields):
    """A character or tag: its entity, then the child row with `fields`, then tags and image.

    References (tags, a parent already resolved by the caller) are checked
    before the permission, as Kanka validates before it authorises.
    """
    tags = _campaign_tags(campaign.pk, tag_ids, role=role)
    policy.require_can_create(role, is_private=entity_fields["is_private"])
    entity = _entity_create(actor=actor, campaign=campaign, kind=kind, **entity_fields)
    child = model.objects.create(campaign=campaign, entity=entity, **fields)
    _entity_update(entity, actor=actor, role=role, tags=tags, image=image, folder=FOLDERS[kind])
    return child


def _child_update(child, *, actor, role, entity_fields, tag_ids, image, **fields):
    """Change a character or tag: the given child `fields`, then its entity (UNSET: untouched)."""
    tags = UNSET if tag_ids is UNSET else _campaign_tags(child.campaign_id, tag_ids, role=role)
    _require_can_update(role, child.entity, actor, entity_fields["is_private"])
    changed = [field for field, value in fields.items() if value is not UNSET]
    for field in changed:
        setattr(child, field, fields[field])
    if changed:
        child.save(update_fields=changed)
    _entity_update(
        child.entity,
        actor=actor,
        role=role,
        tags=tags,
        image=image,
        folder=FOLDERS[child.entity.kind],
        **entity_fields,
    )
    return child


def _entity_create(*, actor, campaign, kind, name, type, entry, is_private) -> Entity:
    return Entity.objects.create(
        campaign=campaign,
        kind=kind,
        name=name,
        type=type or "",
        entry=sanitize_entry(entry),
        is_private=bool(is_private),
        created_by=actor,
        updated_by=actor,
    )


def _entity_update(
    entity: Entity,
    *,
    actor,
    role: Role,
    folder: str,
    name=UNSET,
    type=UNSET,
    entry=UNSET,
    is_private=UNSET,
    tags=UNSET,
    image=UNSET,
) -> list[str]:
    """Apply the given entity fields; the image is written last, once every check passed.

    Returns the fields whose value changed (`tags`: the set the actor sees).
    """
    changes = {
        "name": name,
        "type": type if type is UNSET else (type or ""),
        "entry": entry if entry is UNSET else sanitize_entry(entry),
        "is_private": is_private if is_private is UNSET else bool(is_private),
    }
    if image is not UNSET and image is not None:
        changes["image"] = store_image(image, folder=folder)
    changed = [field for field, value in changes.items() if value is not UNSET]
    differs = [f for f in changed if f == "image" or getattr(entity, f) != changes[f]]
    for field in changed:
        setattr(entity, field, changes[field])
    if tags is not UNSET:
        if _visible_tag_ids(entity, role) != {tag.pk for tag in tags}:
            differs.append("tags")
        # The set replaces the tags the actor sees; private ones they cannot see stay.
        hidden = entity.tags.exclude(pk__in=Tag.objects.visible_to(role).values("pk"))
        entity.tags.set([*tags, *hidden])
    entity.updated_by = actor
    entity.save(update_fields=[*changed, "updated_by", "updated_at"])
    return differs


def _visible_tag_ids(entity: Entity, role: Role) -> set[int]:
    """The entity's tags the role sees: from the selectors' prefetch (`tag_list`) if loaded."""
    if hasattr(entity, "tag_list"):
        return {tag.pk for tag in entity.tag_list}
    return set(
        entity.tags.filter(pk__in=Tag.objects.visible_to(role).values("pk")).values_list(
            "pk", flat=True
        )
    )


def _require_can_update(role: Role, entity: Entity, actor, is_private) -> None:
    sets_private = is_private is not UNSET and bool(is_private) != entity.is_private
    policy.require_can_update(role, entity, actor, sets_private=sets_private)


def _visible_tags(campaign_id: int, role: Role):
    return Tag.objects.filter(campaign_id=campaign_id).visible_to(role)


def _campaign_tags(campaign_id: int, tag_ids, *, role: Role) -> list[Tag]:
    """The campaign's tags with these ids that `role` may see; any other id is a 422 on `tags`."""
    wanted = list(dict.fromkeys(int(pk) for pk in tag_ids or ()))
    tags = list(_visible_tags(campaign_id, role).filter(pk__in=wanted))
    if len(tags) != len(wanted):
        missing = sorted(set(wanted) - {t.pk for t in tags})
        raise TagNotFound(field="tags", object_id=missing[0])
    return tags


def _parent_tag(campaign_id: int, parent_id, *, tag: Tag | None, role: Role) -> Tag | None:
    """A parent `role` may see in the same campaign, neither the tag itself nor a descendant."""
    if parent_id is None:
        return None
    parent = _visible_tags(campaign_id, role).filter(pk=parent_id).first()
    ancestor = parent
    while tag is not None and ancestor is not None:
        if ancestor.pk == tag.pk:
            parent = None
            break
        ancestor = ancestor.parent
    if parent is None:
        raise TagNotFound(field="tag_id", object_id=parent_id)
    return parent
