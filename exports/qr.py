"""QR codes of resident join links."""

from __future__ import annotations

import io

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from exports.pdf.base import FONTS


def qr_png(url: str, *, box_size: int = 10) -> bytes:
    """PNG of a QR code for the URL (error correction M: survives a creased printed card)."""
    return _png(_qr_image(url, box_size))


def labelled_qr_png(url: str, label: str, *, box_size: int = 10) -> bytes:
    """The QR code with its table written under it, so that a printed PNG says where it goes."""
    code = _qr_image(url, box_size)
    size = code.width // 10
    font = ImageFont.truetype(str(FONTS / "DejaVuSans-Bold.ttf"), size=size)
    while size > 10 and font.getlength(label) > code.width * 0.92:  # a long table name still fits
        size -= 2
        font = font.font_variant(size=size)
    band = code.width // 5
    image = Image.new("RGB", (code.width, code.height + band), "white")
    image.paste(code, (0, 0))
    ImageDraw.Draw(image).text(
        (code.width // 2, code.height + band // 3), label, fill="black", font=font, anchor="mt"
    )
    return _png(image)


def _qr_image(url: str, box_size: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image().get_image().convert("RGB")


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
