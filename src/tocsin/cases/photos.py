"""A person's photo, made safe to keep: its type read from its bytes, its size capped, and its
metadata (EXIF, GPS position, camera, comments, XMP) dropped by re-encoding the pixels alone.

A phone photo of a survivor carries where and when it was taken; kept as uploaded, it would
leak the shelter's location to whoever later sees the file. Pillow (installed with matplotlib)
decodes the image, which also proves it is one; the pixels are turned the right way up (the
EXIF orientation is applied, since it is about to be dropped) and written to a new file of the
same type with nothing else. Decompression bombs (a small file claiming a huge image) are
refused before decoding.
"""

from __future__ import annotations

import io
import logging
import warnings
from typing import Final

from PIL import Image, ImageOps, UnidentifiedImageError

from tocsin.cases.fields import MAX_PHOTO_BYTES
from tocsin.errors import InputError

__all__ = ["MAX_PHOTO_PIXELS", "clean_photo"]

MAX_PHOTO_PIXELS: Final = 40_000_000
"""Largest image accepted (pixels): 40 MP covers any phone camera."""

_TYPES: Final = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class _NoTagValues(logging.Filter):
    """Pillow's EXIF parser logs every tag *with its value* at DEBUG (camera owner, GPS
    position): dropped, so that a debug log never holds what is being stripped."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


for _name in ("PIL.TiffImagePlugin", "PIL.Image", "PIL.PngImagePlugin"):
    logging.getLogger(_name).addFilter(_NoTagValues())


def clean_photo(data: bytes) -> tuple[bytes, str]:
    """``data`` re-encoded without metadata, and its media type; InputError (field ``photo``)
    for anything that is not a JPEG, PNG or WebP image of at most `MAX_PHOTO_BYTES`."""
    if len(data) > MAX_PHOTO_BYTES:
        raise InputError(
            f"the photo has more than {MAX_PHOTO_BYTES:,} bytes; send a smaller one", field="photo"
        )
    if not data:
        raise InputError("the photo is empty", field="photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(_TYPES)) as image:
                kind = image.format or ""
                width, height = image.size
                if width * height > MAX_PHOTO_PIXELS:
                    raise InputError(
                        f"the photo is {width}×{height} pixels, at most "
                        f"{MAX_PHOTO_PIXELS:,} in all",
                        field="photo",
                    )
                image.load()
                upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InputError("a photo is a JPEG, PNG or WebP image", field="photo") from None
    except (OSError, SyntaxError, ValueError):  # truncated or corrupt image data
        raise InputError("the photo's image data is damaged", field="photo") from None
    if kind not in _TYPES:
        raise InputError("a photo is a JPEG, PNG or WebP image", field="photo")
    mode = (
        "RGBA" if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info else "RGB"
    )
    if kind == "JPEG":
        mode = "RGB"
    pixels = upright.convert(mode)
    bare = Image.frombytes(mode, pixels.size, pixels.tobytes())  # pixels only: no info, no EXIF
    out = io.BytesIO()
    if kind == "JPEG":
        bare.save(out, format="JPEG", quality=90)
    elif kind == "PNG":
        bare.save(out, format="PNG", optimize=True)
    else:
        bare.save(out, format="WEBP", quality=90)
    cleaned = out.getvalue()
    if len(cleaned) > MAX_PHOTO_BYTES:
        raise InputError(
            f"the photo is more than {MAX_PHOTO_BYTES:,} bytes once cleaned; send a smaller one",
            field="photo",
        )
    return cleaned, _TYPES[kind]
