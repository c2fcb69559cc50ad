"""The CJK font the platform's PDFs (retirement certificates, valuation reports) embed: a
TrueType font from the machine (Debian: fonts-wqy-microhei, which `make` installs), in order
of preference; without one, the PDF names the STSong-Light CID font and leaves the glyphs to
the reader, which Acrobat has but poppler-based readers often lack."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

CJK_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
)


def cjk_font() -> str:
    """The name of the CJK font registered with reportlab (registered on first use)."""
    for path, index in CJK_FONTS:
        if Path(path).exists():
            if "QingshanCJK" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("QingshanCJK", path, subfontIndex=index))
            return "QingshanCJK"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"
