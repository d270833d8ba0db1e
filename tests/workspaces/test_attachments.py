"""attachments/upload, attachment files, and uploads in messages (workspace-api-extras.md §4)."""

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from conversations.models import Attachment, Message
from tests.dbstate import database_snapshot
from tests.workspaces.twist import assert_error, call, conversation

pytestmark = pytest.mark.django_db

KEYS = {
    "attachment_id", "title", "url", "url_type", "file_name", "file_size", "underlying_type",
    "image", "image_width", "image_height", "duration", "upload_state",
}  # fmt: skip


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png(width=64, height=48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(out, format="PNG")
    return out.getvalue()


def _upload(client, headers, data=b"hello", name="notes.txt", content_type="text/plain", **fields):
    part = SimpleUploadedFile(name, data, content_type=content_type)
    return client.post("/api/v3/attachments/upload", {"file": part, **fields}, **headers)


def test_upload_answers_the_attachment_object(client, as_alice, alice):
    response = _upload(client, as_alice, attachment_id="c8f962d3-491b", file_size="999")

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == KEYS
    key = Attachment.objects.get().key
    assert body == {
        "attachment_id": "c8f962d3-491b",
        "title": "notes.txt",
        "url": f"http://testserver/attachments/{key}/notes.txt",
        "url_type": "file",
        "file_name": "notes.txt",
        "file_size": 5,
        "underlying_type": "text/plain",
        "image": None,
        "image_width": None,
        "image_height": None,
        "duration": None,
        "upload_state": "uploaded",
    }
    assert len(key) == 32


def test_an_image_gets_its_dimensions(client, as_alice):
    body = _upload(client, as_alice, _png(), "diagram.png", "image/png").json()

    assert (body["url_type"], body["image_width"], body["image_height"]) == ("image", 64, 48)
    assert body["image"] == body["url"]


def test_an_image_over_the_pixel_limit_is_a_plain_file(client, as_alice, settings):
    settings.MAX_IMAGE_PIXELS = 100

    body = _upload(client, as_alice, _png(), "big.png", "image/png").json()

    assert (body["url_type"], body["image_width"]) == ("file", None)


@pytest.mark.parametrize(
    ("name", "content_type", "data"),
    [
        ("x.svg", "image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("fake.png", "image/png", b"<html>not a png</html>"),
    ],
)
def test_svg_and_fake_images_are_files(client, as_alice, name, content_type, data):
    assert _upload(client, as_alice, data, name, content_type).json()["url_type"] == "file"


def test_the_type_is_guessed_from_the_name_when_not_given(client, as_alice):
    body = _upload(client, as_alice, b"%PDF-1.4", "plan.pdf", "application/octet-stream").json()
    sdk = _upload(
        client, as_alice, _png(), "d.png", "application/octet-stream",
        underlying_type="application/octet-stream",
    ).json()  # fmt: skip

    assert body["underlying_type"] == "application/pdf"
    assert (sdk["underlying_type"], sdk["url_type"]) == ("image/png", "image")


def test_a_retry_with_the_same_id_returns_the_stored_object(client, as_alice):
    first = _upload(client, as_alice, attachment_id="retry-1").json()
    before = database_snapshot()

    again = _upload(client, as_alice, attachment_id="retry-1")

    assert again.json() == first
    assert database_snapshot() == before


def test_another_reuse_of_the_id_is_409(client, as_alice, as_bob):
    _upload(client, as_alice, attachment_id="taken")
    before = database_snapshot()

    assert_error(_upload(client, as_bob, attachment_id="taken"), 409, 131, "Already found")
    assert_error(
        _upload(client, as_alice, b"longer content", attachment_id="taken"),
        409,
        131,
        "Already found",
    )
    assert database_snapshot() == before


def test_a_file_over_the_limit_is_413_and_nothing_is_stored(client, as_alice, settings, tmp_path):
    settings.PARLEY_ATTACHMENT_MAX_BYTES = 10
    before = database_snapshot()

    response = _upload(client, as_alice, b"x" * 11)

    assert_error(response, 413, 205, "Upload is too big in size")
    assert database_snapshot() == before
    assert not (tmp_path / "attachments").exists()


def test_an_empty_file_is_allowed(client, as_alice):
    assert _upload(client, as_alice, b"").json()["file_size"] == 0


def test_the_file_name_is_a_clean_basename(client, as_alice):
    body = _upload(client, as_alice, file_name="../../etc/pass\x00wd").json()

    assert body["file_name"] == "passwd"


@pytest.mark.parametrize("attachment_id", ["", "has space", "x" * 65, "ü"])
def test_a_bad_attachment_id_is_20(client, as_alice, attachment_id):
    response = _upload(client, as_alice, attachment_id=attachment_id)

    assert_error(response, 400, 20, "Invalid argument value")


def test_errors_without_a_file(client, as_alice):
    no_file = client.post("/api/v3/attachments/upload", {"file_name": "x"}, **as_alice)
    json_body = client.post(
        "/api/v3/attachments/upload", "{}", content_type="application/json", **as_alice
    )
    get = client.get("/api/v3/attachments/upload", **as_alice)
    broken = client.post(
        "/api/v3/attachments/upload",
        b"--nope\r\nbroken",
        content_type="multipart/form-data; boundary=",
        **as_alice,
    )

    assert_error(no_file, 400, 19, "Required argument is missing")
    assert_error(json_body, 400, 19, "Required argument is missing")
    assert_error(get, 400, 114, "Bad Request")
    assert_error(broken, 400, 202, "Upload failed")


def test_upload_needs_the_attachments_scope(client, bearer, alice):
    response = _upload(client, bearer(alice, scopes=["messages:write"]))

    assert_error(response, 403, 109, "Forbidden")


def test_a_part_named_file_name_is_accepted(client, as_alice):
    part = SimpleUploadedFile("v2.txt", b"v2", content_type="text/plain")

    response = client.post("/api/v3/attachments/upload", {"file_name": part}, **as_alice)

    assert response.json()["file_name"] == "v2.txt"


# --- the files --------------------------------------------------------------


def _path(body) -> str:
    return body["url"].removeprefix("http://testserver")


def test_a_file_is_served_as_a_download_with_nosniff(client, as_alice):
    body = _upload(client, as_alice, b"<script>alert(1)</script>", "x.html", "text/html").json()

    response = client.get(_path(body))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="x.html"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Length"] == "25"


def test_an_image_is_served_inline_as_itself(client, as_alice):
    body = _upload(client, as_alice, _png(), "d.png", "image/png").json()

    response = client.get(_path(body))

    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_svg_is_never_rendered(client, as_alice):
    body = _upload(client, as_alice, b"<svg/>", "x.svg", "image/svg+xml").json()

    assert client.get(_path(body))["Content-Type"] == "application/octet-stream"


def test_a_name_with_spaces_is_percent_encoded_in_the_url(client, as_alice):
    body = _upload(client, as_alice, file_name="my notes é.txt").json()

    assert body["url"].endswith("/my%20notes%20%C3%A9.txt")
    assert client.get(_path(body)).status_code == 200


def test_an_unknown_key_or_another_name_is_404(client, as_alice):
    _upload(client, as_alice)
    key = Attachment.objects.get().key

    assert client.get(f"/attachments/{key}/other.txt").status_code == 404
    assert client.get(f"/attachments/{'0' * 32}/notes.txt").status_code == 404


# --- uploads in messages ----------------------------------------------------


@pytest.fixture
def chat(workspace, alice, bob):
    return conversation(workspace, alice, bob)


def test_a_message_gets_the_stored_object_whatever_the_client_sent(client, as_alice, chat):
    stored = _upload(client, as_alice, attachment_id="a1").json()
    sent = {"attachment_id": "a1", "url_type": "image", "url": "https://evil.example/x"}

    response = call(
        client, "conversation_messages/add", as_alice, conversation_id=chat.pk, content="see",
        attachments=[sent],
    )  # fmt: skip

    assert response.status_code == 200, response.content
    assert response.json()["attachments"] == [stored]


def test_only_the_uploader_may_attach_an_upload(client, as_alice, as_bob, chat):
    _upload(client, as_alice, attachment_id="mine")
    before = database_snapshot()

    response = call(
        client, "conversation_messages/add", as_bob, conversation_id=chat.pk, content="x",
        attachments=[{"attachment_id": "mine", "url_type": "file"}],
    )  # fmt: skip

    assert_error(response, 403, 109, "Forbidden")
    assert database_snapshot() == before


def test_unknown_ids_are_kept_as_sent(client, as_alice, chat):
    preview = {"attachment_id": "gif-1", "url_type": "image", "url": "https://g.example/a.gif"}

    response = call(
        client, "conversation_messages/add", as_alice, conversation_id=chat.pk, content="x",
        attachments=[preview],
    )  # fmt: skip

    assert response.json()["attachments"] == [preview]


@pytest.mark.parametrize(
    "attachments",
    [
        ["[object Object]"],
        [{"url_type": "file"}],
        [{"attachment_id": "", "url_type": "file"}],
        [{"attachment_id": "a", "url_type": None}],
        [{"attachment_id": "a", "url_type": "file", "file_size": -1}],
        [{"attachment_id": "a", "url_type": "file", "file_size": "12"}],
        [{"attachment_id": "a", "url_type": "file", "title": 3}],
        [{"attachment_id": "a", "url_type": "file", "video_auto_play": "yes"}],
        [{"attachment_id": "a", "url_type": "file"}, {"attachment_id": "a", "url_type": "file"}],
    ],
)
def test_malformed_attachment_objects_are_118(client, as_alice, chat, attachments):
    before = database_snapshot()

    response = call(
        client, "conversation_messages/add", as_alice, conversation_id=chat.pk, content="x",
        attachments=attachments,
    )  # fmt: skip

    assert response.status_code == 400
    assert response.json()["error_code"] == 118
    assert database_snapshot() == before


def test_update_replaces_the_list_and_resolves_uploads(client, as_alice, alice, chat):
    from tests.workspaces.twist import post

    message = post(chat, alice, "x")
    stored = _upload(client, as_alice, attachment_id="u1").json()

    response = call(
        client, "conversation_messages/update", as_alice, id=message.pk,
        attachments=json.dumps([{"attachment_id": "u1", "url_type": "file"}]),
    )  # fmt: skip

    assert response.json()["attachments"] == [stored]
    assert Message.objects.get(pk=message.pk).attachments == [stored]


def test_daily_housekeeping_deletes_only_old_uploads_no_message_holds(
    client, as_alice, chat, tmp_path
):
    held = _upload(client, as_alice, attachment_id="held").json()
    abandoned = _upload(client, as_alice, attachment_id="abandoned").json()
    _upload(client, as_alice, attachment_id="fresh")
    call(
        client, "conversation_messages/add", as_alice, conversation_id=chat.pk, content="see",
        attachments=[{"attachment_id": "held", "url_type": "file"}],
    )  # fmt: skip
    day_ago = timezone.now() - timedelta(hours=25)
    Attachment.objects.exclude(attachment_id="fresh").update(created_at=day_ago)
    Message.objects.update(updated_at=day_ago)
    abandoned_file = tmp_path / "attachments" / abandoned["url"].split("/")[-2]
    assert abandoned_file.exists()

    call_command("purge_removed_messages", stdout=io.StringIO())

    assert set(Attachment.objects.values_list("attachment_id", flat=True)) == {"held", "fresh"}
    assert not abandoned_file.exists()
    assert client.get(abandoned["url"]).status_code == 404
    assert client.get(held["url"]).status_code == 200
