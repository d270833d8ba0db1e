"""Uploaded images are served by the application (DEBUG off too), only as the image they are."""

import io

import pytest
from PIL import Image

from tests.campaigns.test_images import png_bytes, upload

FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}


def encoded(image_format: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "teal").save(out, format=image_format)
    return out.getvalue()


def plant(settings, name: str, content: bytes) -> str:
    """A file put under MEDIA_ROOT by something other than Parley."""
    path = settings.MEDIA_ROOT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return f"/media/{name}"


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.mark.parametrize(("image_format", "content_type"), FORMATS.items())
def test_an_uploaded_image_and_its_thumbnail_are_served_as_their_type(
    api, client, settings, campaign, admin, image_format, content_type
):
    created = api(
        "post",
        f"campaigns/{campaign.pk}/characters",
        admin,
        multipart={"name": "Hero", "image": upload("hero", encoded(image_format))},
    )
    assert created.status_code == 200, created.json()
    data = created.json()["data"]

    for url, size in [(data["image_full"], (300, 200)), (data["image_thumb"], (200, 133))]:
        response = client.get(url.removeprefix("http://testserver"))

        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
        with Image.open(io.BytesIO(b"".join(response.streaming_content))) as served:
            assert (served.format, served.size) == (image_format, size)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("conversations/page.html", b"<html><script>alert(1)</script></html>"),
        ("conversations/logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
        ("conversations/fake.png", b"<html><script>alert(1)</script></html>"),
        ("conversations/gif-named.png", encoded("GIF")),
        ("conversations/image.PNG", png_bytes()),
        ("image.png", png_bytes()),
        ("conversations/deep/image.png", png_bytes()),
    ],
)
def test_anything_but_a_stored_image_is_404(client, settings, name, content):
    url = plant(settings, name, content)

    response = client.get(url)

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("image/")


def test_a_missing_image_is_404(client):
    assert client.get("/media/conversations/nothing.png").status_code == 404


def test_no_path_leaves_media_root(client, settings, tmp_path):
    (tmp_path / "outside.png").write_bytes(png_bytes())

    for url in ["/media/../outside.png", "/media/conversations/..%2F..%2Foutside.png"]:
        assert client.get(url).status_code == 404


def test_media_only_answers_get_and_head(client, settings):
    url = plant(settings, "conversations/image.png", png_bytes())

    head, get = client.head(url), client.get(url)

    assert (head.status_code, get.status_code) == (200, 200)
    assert head["Content-Type"] == get["Content-Type"] == "image/png"
    assert head["Content-Length"] == get["Content-Length"] == str(len(png_bytes()))
    assert client.post(url).status_code == 405
