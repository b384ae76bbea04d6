"""Photos of field fiches (facilitation.adapters.photos): only the pixels survive the re-encoding. Each
output is read marker by marker, so that no metadata segment can hide from the test."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image, PngImagePlugin

from facilitation.adapters.photos import prepare_photo
from facilitation.domain.errors import InvalidInput

SECRETS = (b"Dupont", b"Lilas", b"secret-xmp", b"commentaire-prive", b"photoshop-irb", b"icc-maison")
XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b"<rdf:RDF><rdf:Description>secret-xmp Chez Mme Dupont</rdf:Description></rdf:RDF></x:xmpmeta>"
    b'<?xpacket end="w"?>'
)


def segments(jpeg: bytes) -> list[tuple[int, bytes]]:
    """The JPEG's marker segments up to the picture data (start of scan), as (marker, payload)."""
    assert jpeg[:2] == b"\xff\xd8", "not a JPEG"
    found, position = [], 2
    while True:
        assert jpeg[position] == 0xFF, f"no marker at byte {position}"
        marker = jpeg[position + 1]
        (length,) = struct.unpack(">H", jpeg[position + 2 : position + 4])
        found.append((marker, jpeg[position + 4 : position + 2 + length]))
        if marker == 0xDA:  # start of scan: pixels follow
            return found
        position += 2 + length


def pictures_in(jpeg: bytes) -> int:
    """How many JPEG pictures the bytes hold (a multi-picture file holds several)."""
    return jpeg.count(b"\xff\xd8\xff")


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010E] = "Chez Mme Dupont, 12 rue des Lilas"  # ImageDescription
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 0.0), 3: "E", 4: (4.0, 50.0, 0.0)}  # GPSInfo
    return exif


def with_app13(jpeg: bytes) -> bytes:
    """The JPEG with a Photoshop (IPTC) APP13 segment right after its start marker."""
    payload = b"Photoshop 3.0\x00photoshop-irb Dupont"
    return jpeg[:2] + b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def planted_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "teal").save(
        out,
        "JPEG",
        exif=exif_with_gps(),
        xmp=XMP,
        comment=b"commentaire-prive Dupont",
        icc_profile=b"icc-maison" * 20,
        dpi=(300, 300),
    )
    data = with_app13(out.getvalue())
    present = {marker for marker, _ in segments(data)}
    assert {0xE1, 0xE2, 0xED, 0xFE} <= present  # the file really carries EXIF/XMP, ICC, IPTC, COM
    return data


def planted_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "commentaire-prive Dupont")
    info.add_text("Author", "Mme Dupont")
    info.add_itxt("XML:com.adobe.xmp", XMP.decode())
    out = io.BytesIO()
    Image.new("RGBA", (320, 240), (0, 128, 128, 255)).save(out, "PNG", pnginfo=info, exif=exif_with_gps())
    data = out.getvalue()
    assert b"tEXt" in data and b"iTXt" in data and b"eXIf" in data
    return data


def planted_webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "teal").save(out, "WEBP", exif=exif_with_gps(), xmp=XMP)
    data = out.getvalue()
    assert b"EXIF" in data and b"XMP " in data
    return data


def planted_mpo() -> bytes:
    """A multi-picture JPEG as some phones take: the photo, then a second (depth, 3-D) picture."""
    out = io.BytesIO()
    first = Image.new("RGB", (320, 240), (200, 30, 30))
    second = Image.new("RGB", (320, 240), (30, 30, 200))
    first.save(out, "MPO", save_all=True, append_images=[second], exif=exif_with_gps(), comment=b"Dupont")
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).format == "MPO" and pictures_in(data) == 2
    return data


@pytest.mark.parametrize(
    "make", [planted_jpeg, planted_png, planted_webp, planted_mpo], ids=["JPEG", "PNG", "WebP", "MPO"]
)
def test_only_the_pixels_survive(make):
    photo = prepare_photo(make(), "photo")
    found = segments(photo)
    # Left: the JFIF header, quantisation and Huffman tables, the frame; no APP1–APP15, no comment.
    markers = {marker for marker, _ in found}
    assert markers <= {0xE0, 0xDB, 0xC4, 0xC0, 0xC2, 0xDD, 0xDA}, sorted(hex(m) for m in markers)
    assert all(payload.startswith(b"JFIF\x00") for marker, payload in found if marker == 0xE0)
    assert not any(secret in photo for secret in SECRETS)
    assert pictures_in(photo) == 1
    with Image.open(io.BytesIO(photo)) as image:
        assert image.format == "JPEG" and not image.getexif() and "dpi" not in image.info


def test_a_multi_picture_jpeg_keeps_its_first_picture():
    with Image.open(io.BytesIO(prepare_photo(planted_mpo(), "relief.jpg"))) as image:
        red, _, blue = image.convert("RGB").getpixel((160, 120))
    assert red > 150 and blue < 80  # the red first picture, not the blue second one


def test_an_image_of_another_format_is_refused_in_french():
    out = io.BytesIO()
    Image.new("RGB", (40, 40)).save(out, "GIF")
    with pytest.raises(InvalidInput) as refused:
        prepare_photo(out.getvalue(), "anim.gif")
    assert refused.value.message == "« anim.gif » n'est pas une photo JPEG, PNG ou WebP (format GIF)."
