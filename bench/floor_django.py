"""The framework's floor: each route returns the rows its Parley endpoint returns, with one
`.values()` query (posting: lock, insert, counters), as plain JSON. Bench only, never the app.

Run by bench/http.py: `gunicorn --pythonpath bench,. floor_django:application`
with DJANGO_SETTINGS_MODULE=floor_django_settings.
"""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()  # sets Django up before the models are imported

from django.db import transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils import timezone  # noqa: E402

from conversations.models import Conversation, Message, Participant  # noqa: E402

MESSAGE = ("id", "conversation_id", "created_by_id", "content", "obj_index", "created_at")
CONVERSATION = ("id", "title", "message_count", "last_obj_index", "last_activity_at")


def _int(request, name, default=0):
    return int(request.GET.get(name, default))


def conversations(request):
    rows = (
        Conversation.objects.filter(
            workspace_id=_int(request, "workspace"),
            participants__user_id=_int(request, "user"),
            deleted_at__isnull=True,
        )
        .order_by("-last_activity_at", "-id")
        .values(*CONVERSATION)[: _int(request, "limit", 50)]
    )
    return JsonResponse(list(rows), safe=False)


def messages(request):
    ordering = "obj_index" if request.GET.get("order") == "asc" else "-obj_index"
    rows = (
        Message.objects.filter(conversation_id=_int(request, "conversation"))
        .order_by(ordering)
        .values(*MESSAGE)[: _int(request, "limit", 50)]
    )
    return JsonResponse(list(rows), safe=False)


def unread(request):
    rows = (
        Participant.objects.filter(
            user_id=_int(request, "user"),
            unread=True,
            conversation__workspace_id=_int(request, "workspace"),
        )
        .order_by("-conversation__last_activity_at")
        .values("conversation_id", "conversation__last_obj_index")
    )
    return JsonResponse(list(rows), safe=False)


def campaign_conversations(request):
    rows = (
        Conversation.objects.filter(campaign_id=_int(request, "campaign"), deleted_at__isnull=True)
        .order_by("id")
        .values(*CONVERSATION)[:15]
    )
    return JsonResponse(list(rows), safe=False)


def campaign_messages(request):
    """A page by its first `obj_index` (gap-free here): the floor needs no OFFSET."""
    start = (_int(request, "page", 1) - 1) * 15
    rows = (
        Message.objects.filter(conversation_id=_int(request, "conversation"), obj_index__gte=start)
        .order_by("obj_index")
        .values(*MESSAGE)[:15]
    )
    return JsonResponse(list(rows), safe=False)


@transaction.atomic
def post(request):
    conversation_id = _int(request, "conversation")
    last = (
        Conversation.objects.select_for_update()
        .values_list("last_obj_index", flat=True)
        .get(pk=conversation_id)
    )
    now = timezone.now()
    message = Message.objects.create(
        conversation_id=conversation_id,
        obj_index=last + 1,
        content=request.body.decode(),
        created_by_id=_int(request, "user"),
        created_at=now,
        updated_at=now,
    )
    Conversation.objects.filter(pk=conversation_id).update(
        message_count=F("message_count") + 1,
        last_obj_index=message.obj_index,
        last_message_id=message.pk,
        last_activity_at=now,
        updated_at=now,
    )
    return JsonResponse({"id": message.pk, "obj_index": message.obj_index})


urlpatterns = [
    path("conversations", conversations),
    path("messages", messages),
    path("unread", unread),
    path("campaign_conversations", campaign_conversations),
    path("campaign_messages", campaign_messages),
    path("post", post),
]
