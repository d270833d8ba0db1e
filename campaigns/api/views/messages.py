"""`…/conversations/{conversation}/conversation_messages[/{id}]`."""

from django.db import transaction
from drf_spectacular.utils import extend_schema_view

from campaigns.api.filters import KankaFilterBackend, MessageFilter
from campaigns.api.openapi import LIST_ERRORS, crud_schema
from campaigns.api.pagination import MessagePagination
from campaigns.api.rendering import message_data
from campaigns.api.serializers import MessageInput, MessageOutput
from campaigns.api.views.base import InConversationViewSet
from campaigns.selectors import access_campaign_conversation_to_post
from conversations.models import Message
from conversations.selectors import campaign_message_rows, message_in_conversation
from conversations.services import UNSET, message_add, message_remove, message_update


@extend_schema_view(
    **crud_schema(
        "campaign conversation messages",
        MessageOutput,
        MessageInput,
        list_errors=LIST_ERRORS,
        path=("campaign_id", "conversation_id"),
        conditional=True,
    )
)
class MessageViewSet(InConversationViewSet):
    """`…/conversations/{conversation}/conversation_messages[/{id}]`.

    Players edit and delete only their own messages; a closed conversation
    takes no new ones (admins excepted).
    """

    noun = "Message"
    queryset = Message.objects.none()
    pagination_class = MessagePagination
    filter_backends = [KankaFilterBackend]
    filterset_class = MessageFilter

    def list(self, request, **kwargs):
        # Posting order: obj_index is allocated under the conversation's lock,
        # in the same order as the ids (the decision table's "id ascending").
        # Hot path: `.values()` rows through rendering.message_data.
        queryset = campaign_message_rows(conversation=self.conversation)
        # Unfiltered, the total is the counter the conversation keeps: no COUNT(*).
        total = None if "lastSync" in request.query_params else self.conversation.message_count
        return self.render_rows(self.filter_queryset(queryset), message_data, total=total)

    def retrieve(self, request, pk, **kwargs):
        return self.render_one(self._one(pk), MessageOutput)

    def initial(self, request, *args, **kwargs):
        if self.action != "create":
            return super().initial(request, *args, **kwargs)
        # Posting resolves its conversation in `create`, in the write's transaction.
        return super(InConversationViewSet, self).initial(request, *args, **kwargs)

    def create(self, request, campaign_id, conversation_id, **kwargs):
        # Hot path: the access check is the write's lock (one query), then the
        # checks in their usual order: 404s, the body's 422, the role's 403.
        with transaction.atomic():
            self.conversation, self.role = access_campaign_conversation_to_post(
                user=request.user, campaign_id=campaign_id, conversation_id=conversation_id
            )
            data = self.validated(MessageInput)
            message = message_add(
                actor=request.user,
                role=self.role,
                conversation=self.conversation,
                locked=True,
                content=data["message"],
                author_user_id=data.get("user_id"),
                author_character_id=data.get("character_id"),
            )
        return self.render_one(message, MessageOutput)

    def update(self, request, pk, **kwargs):
        message = self._one(pk)
        data = self.validated(MessageInput, partial=True)
        message = message_update(
            actor=request.user,
            role=self.role,
            message=message,
            content=data.get("message", UNSET),
            author_user_id=data.get("user_id", UNSET),
            author_character_id=data.get("character_id", UNSET),
        )
        return self.render_one(message, MessageOutput)

    # PATCH is PUT: Kanka's PUT is partial too. (No docstring: the schema would show it.)
    def partial_update(self, request, pk, **kwargs):
        return self.update(request, pk, **kwargs)

    def destroy(self, request, pk, **kwargs):
        message = self._one(pk)
        message_remove(actor=request.user, role=self.role, message=message)
        return self.render_deleted(pk)

    def _one(self, pk) -> Message:
        return message_in_conversation(conversation=self.conversation, message_id=pk)
