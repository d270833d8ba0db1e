"""`config.outbound.public_fetch`: the only way Parley fetches a URL a client chose.

The local servers live on 127.0.0.1, so these fetches pass `allow_private`
(as `IMAGE_URL_ALLOW_PRIVATE` does in tests); every other rule must hold
regardless. No timing is asserted: the slow sender proves the deadline by
how few bytes it got out before Parley hung up.
"""

import base64
import socket

import pytest

from config import outbound
from tests.hostile import SLOW_BODY_BYTES, CountingListener, HostileServer, png_bytes


@pytest.fixture(scope="module")
def host():
    with HostileServer() as server:
        yield server


@pytest.fixture
def ftp():
    with CountingListener() as listener:
        yield listener


def fetch(url, **overrides):
    options = {"max_bytes": 1 << 20, "deadline": 5.0, "allow_private": True, **overrides}
    return outbound.public_fetch(url, **options)


def test_a_public_image_is_fetched(host):
    fetched = fetch(f"{host.url}/image.png")

    assert fetched.content == png_bytes()
    assert fetched.url == f"{host.url}/image.png"


def test_redirects_are_followed_over_http(host):
    fetched = fetch(f"{host.url}/redirect?to=/image.png")

    assert fetched.content == png_bytes()
    assert fetched.url == f"{host.url}/image.png"


def test_a_redirect_to_ftp_never_connects(host, ftp):
    with pytest.raises(outbound.RedirectRefused):
        fetch(f"{host.url}/redirect?to=ftp://127.0.0.1:{ftp.port}/image.png")

    assert ftp.connections == 0


def test_a_redirect_to_a_local_file_is_refused(host, tmp_path):
    image = tmp_path / "secret.png"
    image.write_bytes(png_bytes())

    with pytest.raises(outbound.RedirectRefused):
        fetch(f"{host.url}/redirect?to=file://{image}")


def test_a_redirect_to_a_data_url_is_refused(host):
    data = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()

    with pytest.raises(outbound.RedirectRefused):
        fetch(f"{host.url}/redirect?to={data}")


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/x.png", "file:///etc/passwd", "data:,x", "http:///x", "http://h:99999/"],
)
def test_an_unusable_url_is_refused_before_any_connection(url):
    with pytest.raises(outbound.InvalidURL):
        fetch(url)


def test_an_https_only_fetch_refuses_http(host):
    with pytest.raises(outbound.InvalidURL):
        fetch(f"{host.url}/image.png", schemes=("https",))

    assert f"{host.url}/image.png" not in host.requested


def test_without_redirects_a_redirect_is_refused(host):
    host.requested.clear()

    with pytest.raises(outbound.RedirectRefused):
        fetch(f"{host.url}/redirect?to=/image.png", max_redirects=0)

    assert "/image.png" not in host.requested


def test_a_redirect_loop_ends(host):
    with pytest.raises(outbound.RedirectRefused):
        fetch(f"{host.url}/loop", max_redirects=3)


def test_a_private_address_is_refused_without_connecting(host):
    host.requested.clear()

    with pytest.raises(outbound.NotPublic):
        fetch(f"{host.url}/image.png", allow_private=False)

    assert host.requested == []


def test_the_address_check_runs_again_on_every_redirect(host, monkeypatch):
    """The first hop is allowed (127.0.0.1 treated as public here); the redirect's host is not."""
    monkeypatch.setattr(outbound, "is_public_address", lambda address: address == "127.0.0.1")
    port = host.url.rsplit(":", 1)[1]

    with pytest.raises(outbound.NotPublic):
        fetch(f"{host.url}/redirect?to=http://127.0.0.2:{port}/image.png", allow_private=False)


def test_the_connection_goes_to_the_address_that_was_checked(host, monkeypatch):
    """DNS rebinding: a second lookup would answer a private address; there is none."""
    port = int(host.url.rsplit(":", 1)[1])
    answers = [[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]]
    lookups = []

    def rebinding_dns(name, *args, **kwargs):
        lookups.append(name)
        return (
            answers[0]
            if len(lookups) == 1
            else [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port))]
        )

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    monkeypatch.setattr(outbound, "is_public_address", lambda address: address == "127.0.0.1")

    fetched = fetch(f"http://images.example:{port}/image.png", allow_private=False)

    assert fetched.content == png_bytes()
    assert lookups == ["images.example"]


def test_a_name_answering_a_private_address_beside_a_public_one_is_refused(host, monkeypatch):
    """All addresses must be public: the private one is not merely skipped."""
    host.requested.clear()
    port = int(host.url.rsplit(":", 1)[1])
    mixed = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: mixed)
    monkeypatch.setattr(outbound, "is_public_address", lambda address: address == "127.0.0.1")

    with pytest.raises(outbound.NotPublic):
        fetch(f"http://images.example:{port}/image.png", allow_private=False)

    assert host.requested == []


@pytest.mark.parametrize("path", ["/slow-body", "/slow-headers"])
def test_a_slow_sender_is_cut_off_at_the_deadline(host, path):
    with pytest.raises(outbound.DeadlineExceeded):
        fetch(f"{host.url}{path}", deadline=1.5)

    # A per-read timeout would have waited for every byte (one a second).
    assert host.sent[path] < SLOW_BODY_BYTES / 3


def test_a_slow_sender_is_cut_off_even_when_private_addresses_are_allowed(host):
    """The test setting lifts only the address check."""
    with pytest.raises(outbound.DeadlineExceeded):
        fetch(f"{host.url}/slow-body", deadline=1.0, allow_private=True)


@pytest.mark.parametrize("path", ["/stream?bytes=5000", "/redirect?to=/stream%3Fbytes%3D5000"])
def test_a_body_over_the_byte_cap_is_refused(host, path):
    with pytest.raises(outbound.TooLarge):
        fetch(f"{host.url}{path}", max_bytes=4096)


def test_a_declared_length_over_the_byte_cap_is_refused_before_reading(host):
    with pytest.raises(outbound.TooLarge):
        fetch(f"{host.url}/image.png", max_bytes=10)


def test_a_body_at_the_byte_cap_is_accepted(host):
    assert fetch(f"{host.url}/stream?bytes=4096", max_bytes=4096).content == b"x" * 4096


def test_an_http_error_status_is_a_fetch_error(host):
    with pytest.raises(outbound.FetchError):
        fetch(f"{host.url}/missing")


def test_a_closed_port_is_a_fetch_error(ftp):
    port = ftp.port
    ftp.__exit__()

    with pytest.raises(outbound.FetchError):
        fetch(f"http://127.0.0.1:{port}/x.png")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::127.0.0.1", False),
        ("2002:7f00:1::", False),
        ("64:ff9b::a00:1", False),
        ("64:ff9b::5db8:d70e", True),
    ],
)
def test_which_addresses_are_public(address, public):
    assert outbound.is_public_address(address) is public
