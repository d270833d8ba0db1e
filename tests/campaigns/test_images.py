"""Entity images: multipart upload and `image_url`, re-encoded with Pillow, with thumbnails."""

import base64
import io
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from PIL import Image, ImageFile

from campaigns.models import Entity
from conversations.models import Conversation
from tests.hostile import SLOW_BODY_BYTES, CountingListener, HostileServer


def png_bytes(size=(400, 300), colour="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def png_of_size(width: int, height: int) -> bytes:
    """A valid black PNG, built row by row: 6300x6300 is ~115 KB, ~120 MB once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\0" * (1 + width * 3)
    stream = zlib.compressobj(9)
    idat = b"".join(stream.compress(row) for _ in range(height)) + stream.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


class ImageServer(str):
    """The server's base URL, which also knows the paths it was asked for."""

    def __new__(cls, url: str, requested: list[str]):
        server = super().__new__(cls, url)
        server.requested = requested
        return server


@pytest.fixture(scope="module")
def image_server():
    """A local HTTP server: `/image.png` is a PNG, `/text` is not an image, `/big` is large."""
    payloads = {
        "/image.png": png_bytes(),
        "/text": b"just text",
        "/big": b"x" * 4096,
    }
    requested = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requested.append(self.path)
            body = payloads.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield ImageServer(f"http://127.0.0.1:{server.server_address[1]}", requested)
    server.shutdown()
    server.server_close()


def test_multipart_upload_is_re_encoded_with_a_thumbnail(api, settings, campaign, admin):
    response = api(
        "post",
        f"campaigns/{campaign.pk}/conversations",
        admin,
        multipart={"name": "Pictured", "image": upload("photo.png", png_bytes())},
    )

    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["image"].startswith("conversations/")
    assert data["image"].endswith(".png")
    stem = data["image"].removesuffix(".png")
    assert data["image_full"] == f"http://testserver/media/{data['image']}"
    assert data["image_thumb"] == f"http://testserver/media/{stem}_thumb.png"
    assert stored_files(settings) == [data["image"], f"{stem}_thumb.png"]
    with Image.open(settings.MEDIA_ROOT / f"{stem}_thumb.png") as thumb:
        assert thumb.size == (200, 150)
    with Image.open(settings.MEDIA_ROOT / data["image"]) as full:
        assert full.size == (400, 300)


def test_upload_on_update_replaces_the_image(api, settings, campaign, admin, conversation):
    response = api(
        "put",
        f"campaigns/{campaign.pk}/conversations/{conversation.pk}",
        admin,
        multipart={"image": upload("p.png", png_bytes())},
    )

    assert response.status_code == 200
    conversation.entity.refresh_from_db()
    assert response.json()["data"]["image"] == conversation.entity.image != ""


def test_a_file_that_is_not_an_image_is_422_and_stores_nothing(api, settings, campaign, admin):
    response = api(
        "post",
        f"campaigns/{campaign.pk}/conversations",
        admin,
        multipart={"name": "X", "image": upload("evil.png", b"<?php echo 1; ?>")},
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "error": "The image must be an image.",
        "fields": {"image": ["The image must be an image."]},
    }
    assert stored_files(settings) == []
    assert not Conversation.objects.exists()


def test_an_oversized_upload_is_422_and_stores_nothing(api, settings, campaign, admin):
    settings.MAX_UPLOAD_SIZE = 1024

    response = api(
        "post",
        f"campaigns/{campaign.pk}/characters",
        admin,
        multipart={"name": "X", "image": upload("big.png", png_bytes((600, 600)) + b"\0" * 2048)},
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "image": ["The image may not be greater than 1 kilobytes."]
    }
    assert stored_files(settings) == []
    assert not Entity.objects.exists()


@pytest.fixture
def decoded(monkeypatch):
    """Counts the images Pillow decodes."""
    loads = []
    load = ImageFile.ImageFile.load

    def counting_load(image):
        loads.append(image.size)
        return load(image)

    monkeypatch.setattr(ImageFile.ImageFile, "load", counting_load)
    return loads


def test_a_6300_by_6300_png_is_refused_before_decoding(api, settings, campaign, admin, decoded):
    """A 115 KB decompression bomb: ~120 MB and seconds of work had it been decoded."""
    message = "The image has invalid image dimensions."

    response = api(
        "post",
        f"campaigns/{campaign.pk}/conversations",
        admin,
        multipart={"name": "Bomb", "image": upload("bomb.png", png_of_size(6300, 6300))},
    )

    assert response.status_code == 422
    assert response.json() == {"code": 422, "error": message, "fields": {"image": [message]}}
    assert decoded == []
    assert stored_files(settings) == []
    assert not Conversation.objects.exists()


@pytest.mark.parametrize(("size", "accepted"), [((400, 300), True), ((401, 300), False)])
def test_max_image_pixels_is_the_largest_accepted_image(
    api, settings, campaign, admin, decoded, size, accepted
):
    settings.MAX_IMAGE_PIXELS = 400 * 300

    response = api(
        "post",
        f"campaigns/{campaign.pk}/characters",
        admin,
        multipart={"name": "Hero", "image": upload("hero.png", png_of_size(*size))},
    )

    if accepted:
        assert response.status_code == 200, response.json()
        assert len(stored_files(settings)) == 2
    else:
        assert response.status_code == 422
        assert response.json()["fields"] == {"image": ["The image has invalid image dimensions."]}
        assert decoded == []
        assert stored_files(settings) == []
        assert not Entity.objects.exists()


def test_pillow_refuses_what_is_far_over_the_limit_whoever_opens_it(settings):
    assert Image.MAX_IMAGE_PIXELS == settings.MAX_IMAGE_PIXELS

    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(png_of_size(6300, 6300)))


def test_image_url_is_fetched_and_re_encoded(api, settings, campaign, admin, image_server):
    settings.IMAGE_URL_ALLOW_PRIVATE = True

    response = api(
        "post",
        f"campaigns/{campaign.pk}/conversations",
        admin,
        {"name": "From URL", "image_url": f"{image_server}/image.png"},
    )

    assert response.status_code == 200, response.json()
    data = response.json()["data"]
    assert data["image"].endswith(".png")
    assert len(stored_files(settings)) == 2


def test_image_url_on_a_private_address_is_422(api, settings, campaign, admin, image_server):
    settings.IMAGE_URL_ALLOW_PRIVATE = False

    response = api(
        "post",
        f"campaigns/{campaign.pk}/conversations",
        admin,
        {"name": "SSRF", "image_url": f"{image_server}/image.png"},
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "error": "The image url must point to a public address.",
        "fields": {"image_url": ["The image url must point to a public address."]},
    }
    assert stored_files(settings) == []
    assert not Conversation.objects.exists()


@pytest.mark.parametrize(
    "url", ["http://localhost/x.png", "http://[::1]/x.png", "http://169.254.169.254/latest"]
)
def test_loopback_and_link_local_urls_are_refused(api, settings, campaign, admin, url):
    settings.IMAGE_URL_ALLOW_PRIVATE = False

    response = api("post", f"campaigns/{campaign.pk}/tags", admin, {"name": "T", "image_url": url})

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "image_url": ["The image url must point to a public address."]
    }


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/text", "The image url must be an image."),
        ("/missing", "The image url could not be downloaded."),
        ("/big", "The image url may not be greater than 1 kilobytes."),
    ],
)
def test_image_url_that_is_no_usable_image_is_422(
    api, settings, campaign, admin, image_server, path, message
):
    settings.IMAGE_URL_ALLOW_PRIVATE = True
    settings.MAX_UPLOAD_SIZE = 1024

    response = api(
        "post",
        f"campaigns/{campaign.pk}/conversations",
        admin,
        {"name": "X", "image_url": f"{image_server}{path}"},
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"image_url": [message]}
    assert stored_files(settings) == []


def test_a_visitor_cannot_make_the_server_fetch_a_url(
    api, settings, campaign, stranger, image_server
):
    settings.IMAGE_URL_ALLOW_PRIVATE = True
    campaign.is_public = True
    campaign.save()
    image_server.requested.clear()

    response = api(
        "post",
        f"campaigns/{campaign.pk}/conversations",
        stranger,
        {"name": "X", "image_url": f"{image_server}/image.png"},
    )

    assert response.status_code == 403
    assert image_server.requested == []
    assert stored_files(settings) == []


@pytest.fixture(scope="module")
def hostile_host():
    with HostileServer() as server:
        yield server


@pytest.mark.parametrize("scheme", ["ftp", "file", "data"])
def test_image_url_redirecting_to_another_scheme_is_422_and_reaches_nothing(
    api, settings, campaign, admin, hostile_host, tmp_path, scheme
):
    """IMAGE_URL_ALLOW_PRIVATE lifts only the address check: the scheme rule holds on every hop."""
    settings.IMAGE_URL_ALLOW_PRIVATE = True
    (tmp_path / "local.png").write_bytes(png_bytes())
    with CountingListener() as ftp:
        target = {
            "ftp": f"ftp://127.0.0.1:{ftp.port}/image.png",
            "file": f"file://{tmp_path / 'local.png'}",
            "data": "data:image/png;base64," + base64.b64encode(png_bytes()).decode(),
        }[scheme]

        response = api(
            "post",
            f"campaigns/{campaign.pk}/conversations",
            admin,
            {"name": "X", "image_url": f"{hostile_host.url}/redirect?to={quote(target)}"},
        )

        assert ftp.connections == 0
    assert response.status_code == 422
    assert response.json()["fields"] == {"image_url": ["The image url could not be downloaded."]}
    assert stored_files(settings) == []
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("path", ["/slow-body", "/slow-headers"])
def test_image_url_from_a_slow_sender_is_422_at_the_deadline(
    api, settings, campaign, admin, hostile_host, path
):
    settings.IMAGE_URL_ALLOW_PRIVATE = True
    settings.IMAGE_URL_DEADLINE = 1.5

    response = api(
        "post",
        f"campaigns/{campaign.pk}/conversations",
        admin,
        {"name": "X", "image_url": f"{hostile_host.url}{path}"},
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"image_url": ["The image url could not be downloaded."]}
    # One byte a second: a per-read timeout would have let every byte through.
    assert hostile_host.sent[path] < SLOW_BODY_BYTES / 3
    assert stored_files(settings) == []
    assert not Conversation.objects.exists()
