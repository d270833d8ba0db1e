"""What one image costs a worker: time and peak memory of `campaigns.images`. Run by hand (README).

Each image is made here and handed to a fresh process, whose peak resident
memory then is the cost of preparing that image alone.
"""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.campaigns.test_images import png_of_size

ROOT = Path(__file__).resolve().parents[1]

PREPARE = r"""
import os, re, sys, time, django
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
django.setup()
from campaigns.images import ImageRejected, _prepare
def peak_mb():  # this process's high-water resident memory (ru_maxrss outlives exec)
    status = open("/proc/self/status").read()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) // 1024
data = open(sys.argv[1], "rb").read()
before = peak_mb()
start = time.perf_counter()
try:
    _prepare(data, field="image")
    outcome = "accepted"
except ImageRejected as error:
    outcome = error.message
elapsed = time.perf_counter() - start
print(f"{len(data) // 1024:>6} KB {elapsed:6.2f} s  +{peak_mb() - before:>4} MB peak  {outcome}")
"""


def encoded(kind: str, width: int, height: int) -> bytes:
    if kind == "black png":
        return png_of_size(width, height)
    noise = Image.effect_noise((width, height), 32).convert("RGB")
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=70)
    return out.getvalue()


CASES = [
    ("black png", 6300, 6300),
    ("black png", 4096, 4096),
    ("noise jpeg", 4096, 4096),
    ("noise jpeg", 1920, 1080),
]


@pytest.mark.parametrize(("kind", "width", "height"), CASES)
def test_cost_of_one_image(tmp_path, kind, width, height):
    image = tmp_path / "image"
    image.write_bytes(encoded(kind, width, height))
    result = subprocess.run(
        [sys.executable, "-c", PREPARE, str(image)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    print(f"{kind:<10} {width}x{height}: {result.stdout.strip()}")
