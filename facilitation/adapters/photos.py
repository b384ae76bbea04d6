"""Photos attached to a fiche: checked, turned upright, shrunk and re-encoded without metadata.

Only the pixels are kept: EXIF (a phone's photo can carry the GPS position of a resident's home),
XMP, ICC profiles, comments and every other metadata segment or chunk are left behind, and a
multi-picture JPEG (MPO: what some phones take) keeps its first picture. A size and pixel bound
refuses decompression bombs.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

from facilitation.domain.errors import InvalidInput

MAX_PHOTOS = 4
MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo is already more than any phone takes
LONGEST_SIDE = 1600
# MPO: a JPEG followed by more pictures (3-D or depth shots); its first picture is the photo.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}


def prepare_photo(data: bytes, name: str = "photo") -> bytes:
    """A JPEG of at most LONGEST_SIDE pixels, upright, with no metadata; InvalidInput otherwise."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(f"La photo « {name} » dépasse 8 Mo : envoyez-la en plus petit.")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ACCEPTED_FORMATS:
                raise InvalidInput(
                    f"« {name} » n'est pas une photo JPEG, PNG ou WebP (format {image.format})."
                )
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInput(f"La photo « {name} » est trop grande (plus de 40 millions de pixels).")
            upright = ImageOps.exif_transpose(image).convert("RGB")
            upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            # A new image from the pixels alone: Pillow would write back some of what it read (a
            # JPEG or PNG comment) from the info an image carries along.
            pixels = Image.frombytes("RGB", upright.size, upright.tobytes())
            out = io.BytesIO()
            pixels.save(out, format="JPEG", quality=82, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise InvalidInput(f"« {name} » n'est pas une photo lisible (JPEG, PNG ou WebP).") from None


def prepare_photos(files: list[tuple[str, bytes]]) -> list[bytes]:
    """Every attached photo prepared, at most MAX_PHOTOS; the first bad one refuses them all."""
    if len(files) > MAX_PHOTOS:
        raise InvalidInput(f"Quatre photos au plus par fiche ({len(files)} jointes).")
    return [prepare_photo(data, name) for name, data in files]


# JPEG markers that carry no metadata: start of frame (C0–CF but C4, C8, CC are tables), Huffman and
# arithmetic tables, quantisation tables, restart interval, and APP0 (the JFIF header Pillow writes).
_PIXEL_MARKERS = {*range(0xC0, 0xD0), 0xDB, 0xDD, 0xE0}


def has_metadata(data: bytes) -> bool:
    """True unless `data` is a JPEG whose segments before the picture are only the ones prepare_photo
    writes: an EXIF, XMP or ICC segment (APP1–APP15) or a comment makes it True, and so does
    anything that is not a well-formed JPEG."""
    if not data.startswith(b"\xff\xd8"):
        return True
    offset = 2
    while offset + 4 <= len(data):
        if data[offset] != 0xFF:
            return True
        marker = data[offset + 1]
        if marker == 0xDA:  # start of scan: the pixels follow, no metadata segment after them counts
            return False
        if marker not in _PIXEL_MARKERS:
            return True
        offset += 2 + int.from_bytes(data[offset + 2 : offset + 4], "big")
    return True
