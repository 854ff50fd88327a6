"""The side of a folded table card that faces the moderator, drawn as a picture.

A table card is an A4 or Letter sheet folded across the middle into a tent. The lower half
faces the room and is ordinary text; the upper half faces the moderator, so it is printed
upside down. Word can turn a picture round but LibreOffice does not turn text boxes, so that
half is drawn here with Pillow (the DejaVu fonts matplotlib ships, so no system font is
needed) and turned before it goes into the document.
"""

import io
from pathlib import Path

import matplotlib
import segno
from PIL import Image, ImageDraw, ImageFont

DPI = 200
FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _px(mm: float) -> int:
    """Millimetres as pixels of the picture."""
    return round(mm / 25.4 * DPI)


def _font(bold: bool, size: int):
    """DejaVu Sans at a pixel size (Pillow's own font if matplotlib's is missing)."""
    path = FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:
        return ImageFont.load_default(size)


def _lines(draw, text: str, width: int, largest: int, smallest: int, bold: bool):
    """The biggest font (down to `smallest`) that fits the text on one line, else its lines."""
    for size in range(largest, smallest, -max(1, largest // 20)):
        font = _font(bold, size)
        if draw.textlength(text, font=font) <= width:
            return font, [text]
    font = _font(bold, smallest)
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and draw.textlength(trial, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return font, [*lines, line]


def moderator_side(name: str, url: str, notes: list[str], width_mm: float, height_mm: float):
    """The moderator's half of a table card as a PNG, upside down: the table's name, its QR
    code when it has a link, and the notes under it; a dashed fold line along the fold."""
    width, height = _px(width_mm), _px(height_mm)
    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    room = width - _px(12)
    y = float(_px(8))
    font, lines = _lines(draw, name, room, _px(18), _px(8), bold=True)
    for line in lines:
        draw.text((width / 2, y), line, font=font, fill="black", anchor="ma")
        y += font.size * 1.2
    if url:
        side = min(_px(55), int(height - y - _px(30)))
        code = io.BytesIO()
        segno.make(url, error="m", micro=False).save(code, kind="png", scale=10, border=2)
        image = Image.open(code).convert("RGB").resize((side, side), Image.NEAREST)
        picture.paste(image, ((width - side) // 2, int(y + _px(3))))
        y += side + _px(6)
    for note in notes:
        small, wrapped = _lines(draw, note, room, _px(5), _px(3.6), bold=False)
        for line in wrapped:
            draw.text((width / 2, y), line, font=small, fill="black", anchor="ma")
            y += small.size * 1.35
    # The fold line: along the top edge here, the bottom once turned, where the halves meet.
    for x in range(0, width, _px(4)):
        draw.line([(x, 1), (x + _px(2), 1)], fill="#777777", width=3)
    out = io.BytesIO()
    picture.rotate(180).save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()
