"""The moderators' admin.

Conversations, participants and messages are read-only here: every change
goes through a moderation action (`conversations.moderation`), which calls
the same domain service as the APIs, asks for a reason and records it in the
object's history. So a moderator can never edit a message's content or a
conversation's counters by hand, nor hard-delete a conversation.
"""

from collections import Counter
from datetime import UTC, datetime, time

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.defaultfilters import yesno
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime

from conversations import exceptions, moderation, policy, rendering, search
from conversations.models import Conversation, Mention, Message, Participant, Report
from conversations.rules import is_private_workspace_conversation
from conversations.services.removal import restore_deadline

# The conversation search also looks for a word in this many newest messages:
# a bounded scan until the message search index exists.
MESSAGE_SEARCH_WINDOW = 50_000
MESSAGE_SEARCH_CONVERSATIONS = 500

CONFIRMATION_LISTED = 50


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Recorded in the history, with your name.",
    )


def until_field():
    return forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional: the suspension ends at the start of this day (UTC). "
        "Empty: until lifted.",
    )


class SuspendForm(ReasonForm):
    until = until_field()

    def clean_until(self):
        return _start_of_day(self.cleaned_data["until"])


def _start_of_day(day):
    if day is None:
        return None
    until = datetime.combine(day, time.min, tzinfo=UTC)
    if until <= datetime.now(tz=UTC):
        raise forms.ValidationError("Pick a day in the future.")
    return until


def rendered(message, names) -> str:
    """The message as a reader sees it (safe HTML: rendering.render_message cleans it)."""
    return mark_safe(rendering.render_message(message.content, names))


def removal_note(message) -> str:
    who = message.removed_by.username if message.removed_by else "a moderator"
    when = date_format(localtime(message.removed_at), "DATETIME_FORMAT")
    until = date_format(localtime(restore_deadline(message)), "DATE_FORMAT")
    return f"Removed by {who} on {when}: {message.removal_reason} (restorable until {until})"


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """View-only for everyone, superusers included: changes are moderation actions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        return policy.is_moderator(request.user)


def _safe_next(request):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def confirm_with_reason(
    modeladmin,
    request,
    queryset,
    *,
    action,
    question,
    done,
    perform,
    describe,
    form_class=ReasonForm,
):
    """Ask for a required reason on an intermediate page, then run `perform(objects, reason)`.

    The page re-posts the selection to the same action, as Django's own
    delete confirmation does. `next` (from the conversation page) says where
    to go back to afterwards. A `form_class` with more fields passes them to
    `perform` as keywords.
    """
    form = form_class(request.POST if "confirm" in request.POST else None)
    if form.is_valid():
        extra = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        try:
            count = perform(queryset, form.cleaned_data["reason"], **extra)
        except exceptions.ParleyError as error:
            # Each object is its own transaction: what came before stays done.
            modeladmin.message_user(request, f"Stopped: {error.message}", messages.ERROR)
        else:
            modeladmin.message_user(request, done.format(count=count), messages.SUCCESS)
        target = _safe_next(request)
        return HttpResponseRedirect(target) if target else None
    shown = list(queryset[:CONFIRMATION_LISTED])
    total = queryset.count() if len(shown) == CONFIRMATION_LISTED else len(shown)
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": question,
        "question": question,
        "opts": opts,
        "app_label": opts.app_label,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected_ids": queryset.values_list("pk", flat=True),
        "shown": [describe(obj) for obj in shown],
        "more": total - len(shown),
        "form": form,
        "next": _safe_next(request) or "",
    }
    return TemplateResponse(request, "admin/conversations/moderation_confirmation.html", context)


class ChoiceFilter(admin.SimpleListFilter):
    """A list filter whose every choice is one `Q`: `options = {value: (label, Q)}`."""

    options: dict = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.options.items()]

    def queryset(self, request, queryset):
        if self.value() in self.options:
            return queryset.filter(self.options[self.value()][1])
        return queryset


class ScopeFilter(ChoiceFilter):
    title = "scope"
    parameter_name = "scope"
    options = {
        "campaign": ("Campaign", Q(campaign__isnull=False)),
        "workspace": ("Workspace", Q(workspace__isnull=False)),
    }


class DeletedFilter(ChoiceFilter):
    title = "deleted"
    parameter_name = "deleted"
    options = {
        "yes": ("Yes", Q(deleted_at__isnull=False)),
        "no": ("No", Q(deleted_at__isnull=True)),
    }


class PrivacyFilter(ChoiceFilter):
    """What "private" means in each scope, worded as each API means it."""

    title = "privacy"
    parameter_name = "privacy"
    options = {
        "campaign_private": (
            "Campaign: private (admins only)",
            Q(campaign__isnull=False, is_private=True),
        ),
        "direct": (
            "Workspace: direct message (private)",
            Q(workspace__isnull=False, participant_total=2),
        ),
    }


def privacy_label(conversation, participant_count: int) -> str:
    """The word each API uses: Kanka's `is_private`, Twist's `private` (a two-person DM)."""
    if conversation.campaign_id:
        return "Private (campaign admins only)" if conversation.is_private else "—"
    if is_private_workspace_conversation(participant_count):
        return "Direct message (private)"
    return "—"


def _describe_conversation(conversation):
    return f"{conversation} ({_scope_label(conversation)})"


def _scope_label(conversation):
    if conversation.campaign_id:
        return f"Campaign: {conversation.campaign.name}"
    return f"Workspace: {conversation.workspace.name}"


class LiveConversationsColumn:
    """A campaign's or workspace's `conversations` column: its live conversations, linked.

    The count is annotated on the list's own query, not counted once per row;
    the link opens the moderators' conversation list filtered by
    `conversations_lookup` (e.g. "campaign__id__exact").
    """

    conversations_lookup = ""

    def get_queryset(self, request):
        live = Q(conversations__deleted_at__isnull=True)
        return (
            super()
            .get_queryset(request)
            .annotate(conversation_total=Count("conversations", filter=live))
        )

    @admin.display(description="conversations", ordering="conversation_total")
    def conversations(self, obj):
        url = reverse("admin:conversations_conversation_changelist")
        return format_html(
            '<a href="{}?{}={}">{}</a>',
            url,
            self.conversations_lookup,
            obj.pk,
            obj.conversation_total,
        )


def _conversation_action(name, description, question, done, run):
    """An admin action that asks for a reason, then runs `run(moderator, conversations, reason)`."""

    @admin.action(description=description, permissions=["moderate"])
    def action(modeladmin, request, queryset):
        return confirm_with_reason(
            modeladmin,
            request,
            queryset.select_related("campaign", "workspace"),
            action=name,
            question=question,
            done=done,
            perform=lambda objs, reason: run(
                moderator=request.user, conversations=objs, reason=reason
            ),
            describe=_describe_conversation,
        )

    action.__name__ = name
    return action


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyModelAdmin):
    list_display = (
        "__str__",
        "scope",
        "participants",
        "messages",
        "last_activity",
        "privacy",
        "state",
    )
    list_select_related = ("campaign", "workspace")
    list_filter = (ScopeFilter, PrivacyFilter, "is_closed", DeletedFilter)
    search_fields = (
        "title",
        "participants__user__username",
        "participants__user__display_name",
        "participants__character__entity__name",
    )
    search_help_text = (
        "Title, a participant's name, or words of a message (on SQLite only the "
        f"newest {MESSAGE_SEARCH_WINDOW:,} messages are searched)."
    )
    readonly_fields = ("privacy",)
    ordering = ("-last_activity_at", "-id")
    actions = ("close", "reopen", "soft_delete", "restore")
    fieldsets = (
        (None, {"fields": ("title", "campaign", "workspace", "entity", "target")}),
        ("State", {"fields": ("privacy", "is_closed", "deleted_at", "deleted_by")}),
        (
            "Counters",
            {"fields": ("message_count", "last_obj_index", "last_activity_at")},
        ),
        ("History", {"fields": ("created_by", "created_at", "updated_by", "updated_at")}),
    )

    def get_queryset(self, request):
        # One COUNT per page, in the list's own query, never one per row. Distinct:
        # a search on participant names joins participants again, multiplying rows.
        return (
            super()
            .get_queryset(request)
            .annotate(participant_total=Count("participants", distinct=True))
        )

    @admin.display(description="scope")
    def scope(self, obj):
        return _scope_label(obj)

    @admin.display(description="private")
    def privacy(self, obj):
        return privacy_label(obj, obj.participant_total)

    # Short headers and dates: the list stays readable at 1,400 px with the sidebar.
    @admin.display(description="messages", ordering="message_count")
    def messages(self, obj):
        return obj.message_count

    @admin.display(description="last activity", ordering="last_activity_at")
    def last_activity(self, obj):
        return localtime(obj.last_activity_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description="state", ordering="deleted_at")
    def state(self, obj):
        if obj.deleted_at is not None:
            return "deleted"
        return "closed" if obj.is_closed else "open"

    def get_search_results(self, request, queryset, search_term):
        """Also conversations with a message having every word of the term (conversations.search).

        Indexed on PostgreSQL; on SQLite a scan of the newest MESSAGE_SEARCH_WINDOW
        messages. At most MESSAGE_SEARCH_CONVERSATIONS matches; removed messages
        are not searched.
        """
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        in_messages = search.conversation_ids_with_words(
            search_term, limit=MESSAGE_SEARCH_CONVERSATIONS, window=MESSAGE_SEARCH_WINDOW
        )
        if in_messages:
            base = self.get_queryset(request)
            queryset = queryset | base.filter(pk__in=in_messages)
        return queryset, may_have_duplicates

    @admin.display(description="participants", ordering="participant_total")
    def participants(self, obj):
        return obj.participant_total

    close = _conversation_action(
        "close",
        "Close selected conversations",
        "Close these conversations?",
        "Closed {count} conversation(s).",
        lambda **kw: moderation.conversations_set_closed(closed=True, **kw),
    )
    reopen = _conversation_action(
        "reopen",
        "Reopen selected conversations",
        "Reopen these conversations?",
        "Reopened {count} conversation(s).",
        lambda **kw: moderation.conversations_set_closed(closed=False, **kw),
    )
    soft_delete = _conversation_action(
        "soft_delete",
        "Delete selected conversations (restorable)",
        "Delete these conversations? They can be restored.",
        "Deleted {count} conversation(s).",
        moderation.conversations_delete,
    )
    restore = _conversation_action(
        "restore",
        "Restore selected deleted conversations",
        "Restore these conversations?",
        "Restored {count} conversation(s).",
        moderation.conversations_restore,
    )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._windows(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _windows(self, request, conversation):
        """The page's participants and messages: bounded windows chosen by query keys.

        Both render through one template (`_window.html`): a table a moderator
        selects rows of, posting them to the participant or message action.
        """
        messages_rows, has_older, has_newer = moderation.messages_window(
            conversation,
            before=_int_param(request, "messages_before"),
            after=_int_param(request, "messages_after"),
        )
        participant_rows, more_participants = moderation.participants_window(
            conversation, after=_int_param(request, "participants_after")
        )
        names = rendering.mentioned_names(m.content for m in messages_rows)
        context = {
            "can_moderate": policy.is_moderator(request.user),
            "message_rows": [
                {
                    "message": m,
                    "pk": m.pk,
                    "label": f"message {m.obj_index}",
                    "removed": m.is_removed,
                    "cells": [
                        (m.obj_index, reverse("admin:conversations_message_change", args=[m.pk])),
                        (moderation.message_author_label(m), None),
                        (_posted(m), None),
                        (rendered(m, names), None),
                        (removal_note(m) if m.is_removed else "", None),
                    ],
                }
                for m in messages_rows
            ],
            "older_messages_key": messages_rows[-1].obj_index if has_older else None,
            "newer_messages_key": messages_rows[0].obj_index if has_newer else None,
            "participant_rows": [
                {
                    "participant": p,
                    "pk": p.pk,
                    "label": moderation.participant_label(p),
                    "cells": [
                        (moderation.participant_label(p), None),
                        (_participant_kind(p), None),
                        (p.last_read_obj_index, None),
                        (yesno(p.archived), None),
                    ],
                }
                for p in participant_rows
            ],
            "next_participants_key": participant_rows[-1].pk if more_participants else None,
        }
        participants_pager = []
        if _int_param(request, "participants_after") is not None:
            participants_pager.append(("First participants", "?"))
        if context["next_participants_key"] is not None:
            participants_pager.append(
                ("More participants →", f"?participants_after={context['next_participants_key']}")
            )
        messages_pager = []
        if context["newer_messages_key"] is not None:
            messages_pager += [
                ("Newest", "?"),
                ("← Newer", f"?messages_after={context['newer_messages_key']}"),
            ]
        if context["older_messages_key"] is not None:
            messages_pager.append(("Older →", f"?messages_before={context['older_messages_key']}"))
        context["windows"] = [
            {
                "box_id": "conversation-participants",
                "title": "Participants",
                "form_action": reverse("admin:conversations_participant_changelist"),
                "buttons": [("remove_participants", "Remove selected participants…")],
                "columns": ("Participant", "Kind", "Last read", "Archived"),
                "rows": context["participant_rows"],
                "empty": "No participants.",
                "pager": participants_pager,
            },
            {
                "box_id": "conversation-messages",
                "title": f"Messages (newest first, {conversation.message_count} in all)",
                "form_action": reverse("admin:conversations_message_changelist"),
                "buttons": [
                    ("remove_messages", "Remove selected messages…"),
                    ("restore_messages", "Restore selected removed messages…"),
                ],
                "columns": ("#", "Author", "Posted", "Message", "Removed"),
                "rows": context["message_rows"],
                "empty": "No messages.",
                "pager": messages_pager,
            },
        ]
        return context


def _posted(message):
    posted = date_format(localtime(message.created_at), "DATETIME_FORMAT")
    return f"{posted} (edited)" if message.edited_at else posted


def _int_param(request, name):
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _participant_kind(participant):
    return "user" if participant.user_id else "character"


@admin.register(Participant)
class ParticipantAdmin(ReadOnlyModelAdmin):
    list_display = ("name", "kind", "conversation", "last_read_obj_index", "archived")
    list_select_related = ("user", "character__entity", "conversation")
    search_fields = (
        "user__username",
        "user__display_name",
        "character__entity__name",
        "conversation__title",
    )
    actions = ("remove_participants",)
    fields = (
        "conversation",
        "user",
        "character",
        "last_read_obj_index",
        "muted_until",
        "archived",
        "created_by",
        "created_at",
    )

    @admin.display(description="participant")
    def name(self, obj):
        return moderation.participant_label(obj)

    @admin.display(description="kind")
    def kind(self, obj):
        return _participant_kind(obj)

    @admin.action(description="Remove selected participants", permissions=["moderate"])
    def remove_participants(self, request, queryset):
        queryset = queryset.select_related("conversation", "user", "character__entity")
        return confirm_with_reason(
            self,
            request,
            queryset,
            action="remove_participants",
            question="Remove these participants from their conversations?",
            done="Removed {count} participant(s).",
            perform=lambda objs, reason: moderation.participants_remove(
                moderator=request.user, participants=objs, reason=reason
            ),
            describe=lambda p: f"{moderation.participant_label(p)} in {p.conversation}",
        )


class RemovedFilter(ChoiceFilter):
    title = "removed by a moderator"
    parameter_name = "removed"
    options = {
        "yes": ("Yes", Q(removed_at__isnull=False)),
        "no": ("No", Q(removed_at__isnull=True)),
    }


MESSAGE_JOINS = ("conversation", "created_by", "author_user", "author_character__entity")


@admin.register(Message)
class MessageAdmin(ReadOnlyModelAdmin):
    """Every message, removed ones too (marked): moderators restore them from here."""

    list_display = (
        "__str__",
        "excerpt",
        "author",
        "created_by",
        "conversation",
        "created_at",
        "removed",
    )
    list_filter = (RemovedFilter,)
    # What the list and `_describe_message` read; the actions' querysets come from
    # `get_queryset`, so a confirmation page is joined once too.
    list_select_related = MESSAGE_JOINS
    search_fields = (
        "content",
        "created_by__username",
        "created_by__display_name",
        "author_user__username",
        "author_user__display_name",
        "author_character__entity__name",
    )
    ordering = ("-created_at", "-id")
    actions = ("remove_messages", "restore_messages")
    readonly_fields = ("as_readers_see_it", "removal")
    fields = (
        "conversation",
        "obj_index",
        "as_readers_see_it",
        "content",
        "removal",
        "author_user",
        "author_character",
        "created_by",
        "created_at",
        "edited_at",
        "version",
        "attachments",
    )

    def get_queryset(self, request):
        return Message.all_objects.select_related(*self.list_select_related).order_by(
            *self.ordering
        )

    @admin.display(description="content")
    def excerpt(self, obj):
        return Truncator(obj.content).chars(80)

    @admin.display(description="removed", boolean=True, ordering="removed_at")
    def removed(self, obj):
        return obj.is_removed

    @admin.display(description="as readers see it")
    def as_readers_see_it(self, obj):
        return rendered(obj, rendering.mentioned_names([obj.content]))

    @admin.display(description="removal")
    def removal(self, obj):
        return removal_note(obj) if obj.is_removed else "—"

    @admin.display(description="author")
    def author(self, obj):
        return moderation.message_author_label(obj)

    @admin.action(description="Remove selected messages", permissions=["moderate"])
    def remove_messages(self, request, queryset):
        return confirm_with_reason(
            self,
            request,
            queryset,
            action="remove_messages",
            question=(
                "Remove these messages? Every API stops showing them; they can be restored "
                f"for {settings.MODERATION_RETENTION_DAYS} days."
            ),
            done="Removed {count} message(s).",
            perform=lambda objs, reason: moderation.messages_remove(
                moderator=request.user, messages=objs, reason=reason
            ),
            describe=_describe_message,
        )

    @admin.action(description="Restore selected removed messages", permissions=["moderate"])
    def restore_messages(self, request, queryset):
        return confirm_with_reason(
            self,
            request,
            queryset,
            action="restore_messages",
            question="Restore these messages? Every API shows them again, in their place.",
            done="Restored {count} message(s).",
            perform=lambda objs, reason: moderation.messages_restore(
                moderator=request.user, messages=objs, reason=reason
            ),
            describe=_describe_message,
        )


def _describe_message(m):
    return (
        f"#{m.obj_index} in {m.conversation} by {moderation.message_author_label(m)}: "
        f"{Truncator(m.content).chars(80)}"
    )


@admin.register(Mention)
class MentionAdmin(ReadOnlyModelAdmin):
    list_display = ("message", "user")
    list_select_related = ("message", "user")


class QueueActionForm(forms.Form):
    """One click on the queue: what to do with a reported message, and why."""

    ACTIONS = {
        "remove": "Remove the message",
        "dismiss": "Dismiss the reports",
        "remove_author": "Remove the author from the conversation",
        "suspend_author": "Suspend the author",
    }

    message = forms.IntegerField(min_value=1)
    action = forms.ChoiceField(choices=list(ACTIONS.items()))
    reason = forms.CharField(max_length=500)
    until = until_field()

    def clean_until(self):
        return _start_of_day(self.cleaned_data["until"])


def _prefilled_reason(message) -> str:
    """The queue's reason, ready to submit: the most given reason and how many reported it."""
    reasons = Counter(report.get_reason_display() for report in message.open_reports)
    top = reasons.most_common(1)[0][0]
    count = len(message.open_reports)
    return f"{top} (reported by {count} user{'s' if count != 1 else ''})"


@admin.register(Report)
class ReportAdmin(ReadOnlyModelAdmin):
    """The reports queue: open reports grouped by message, one click per action.

    The changelist is the queue (`report_queue`: most reported first); each
    report's own page and history stay Django's read-only ones.
    """

    list_display = ("__str__", "reporter", "status", "created_at")
    list_select_related = ("reporter",)
    fields = (
        "message",
        "reporter",
        "reason",
        "text",
        "status",
        "created_at",
        "updated_at",
        "resolved_at",
        "resolved_by",
        "resolution",
    )

    def get_urls(self):
        act = path(
            "act/",
            self.admin_site.admin_view(self.act_view),
            name="conversations_report_act",
        )
        return [act, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        page = _int_param(request, "page") or 1
        rows, has_more = moderation.report_queue(page=page)
        names = rendering.mentioned_names(m.content for row in rows for m in row.context)
        items = [
            {
                "message": row,
                "count": row.open_count,
                "reasons": Counter(r.get_reason_display() for r in row.open_reports).most_common(),
                "reports": row.open_reports,
                "scope": _scope_label(row.conversation),
                "privacy": row.conversation.is_private and row.conversation.campaign_id,
                "author": moderation.message_author_label(row),
                "context": [
                    {
                        "obj_index": m.obj_index,
                        "author": moderation.message_author_label(m),
                        "posted": _posted(m),
                        "html": rendered(m, names),
                        "reported": m.pk == row.pk,
                    }
                    for m in row.context
                ],
                "reason": _prefilled_reason(row),
            }
            for row in rows
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": "Reports",
            "opts": self.model._meta,
            "items": items,
            "page": page,
            "has_more": has_more,
            "can_moderate": policy.is_moderator(request.user),
            "can_suspend": request.user.has_perm("accounts.suspend_user"),
            "actions": QueueActionForm.ACTIONS,
        }
        return TemplateResponse(request, "admin/conversations/report/queue.html", context)

    def act_view(self, request):
        """Run one queue action on a message; every open report of it is resolved with it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not policy.is_moderator(request.user):
            raise PermissionDenied
        back = reverse("admin:conversations_report_changelist")
        form = QueueActionForm(request.POST)
        if not form.is_valid():
            errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            self.message_user(request, f"Nothing done: {errors}", messages.ERROR)
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        message = Message.objects.select_related(*MESSAGE_JOINS).filter(pk=data["message"]).first()
        if message is None:
            self.message_user(request, "Nothing done: that message is gone.", messages.ERROR)
            return HttpResponseRedirect(back)
        run = {
            "remove": lambda: moderation.messages_remove(
                moderator=request.user, messages=[message], reason=data["reason"]
            ),
            "dismiss": lambda: moderation.reports_dismiss(
                moderator=request.user, message=message, reason=data["reason"]
            ),
            "remove_author": lambda: moderation.author_remove_from_conversation(
                moderator=request.user, message=message, reason=data["reason"]
            ),
            "suspend_author": lambda: moderation.author_suspend(
                moderator=request.user, message=message, reason=data["reason"], until=data["until"]
            ),
        }[data["action"]]
        try:
            run()
        except exceptions.ParleyError as error:
            self.message_user(request, f"Nothing done: {error.message}", messages.ERROR)
        else:
            done = QueueActionForm.ACTIONS[data["action"]]
            self.message_user(
                request, f"{done}: done (message #{message.obj_index}).", messages.SUCCESS
            )
        return HttpResponseRedirect(back)
