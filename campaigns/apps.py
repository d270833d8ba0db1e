from django.apps import AppConfig
from django.conf import settings


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Campaigns"

    def ready(self):
        from PIL import Image

        # Pillow refuses to open an image of more than twice this many pixels
        # (DecompressionBombError), whoever opens it; campaigns.images refuses
        # anything over the limit itself, on the header, before decoding.
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_PIXELS
