"""The delivery log in the admin (events.md §4.7): webhooks and their deliveries."""

from django.contrib import admin

from events import webhooks
from events.models import Webhook, WebhookDelivery


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "url",
        "campaign_id",
        "workspace_id",
        "is_active",
        "disabled_reason",
        "consecutive_failures",
        "created_by",
        "last_success_at",
        "last_failure_at",
    )
    list_filter = ("is_active", "disabled_reason")
    search_fields = ("url",)
    readonly_fields = ("consecutive_failures", "last_success_at", "last_failure_at", "created_at")
    raw_id_fields = ("created_by",)
    actions = ("enable", "disable", "test")

    @admin.action(description="Enable (zeroes the failures)")
    def enable(self, request, queryset):
        for webhook in queryset:
            webhooks.webhook_update(webhook=webhook, is_active=True)

    @admin.action(description="Disable")
    def disable(self, request, queryset):
        for webhook in queryset:
            webhooks.webhook_update(webhook=webhook, is_active=False)

    @admin.action(description="Send a test ping")
    def test(self, request, queryset):
        for webhook in queryset:
            webhooks.webhook_ping(webhook=webhook)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "webhook",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("status", "event_type")
    list_select_related = ("webhook",)
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ("redeliver",)

    @admin.action(description="Redeliver")
    def redeliver(self, request, queryset):
        for delivery in queryset:
            webhooks.redeliver(delivery=delivery)

    def has_add_permission(self, request):
        return False
