#!/usr/bin/env bash
# Rebuild assets/fonts/KioskSansSC-Regular.otf from Debian's fonts-noto-cjk.
#
# The bundled font is the Simplified Chinese face of Noto Sans CJK (SIL OFL 1.1),
# subset to ASCII + Latin-1 + all of GB2312 + every character of the UI strings and
# configuration + assets/fonts/extra-chars.txt (rare name characters, symbols), and
# renamed "Kiosk Sans SC" (a modified version must not carry the original's name).
# The output is deterministic: the same inputs give the same bytes.
#
# Run it after adding UI strings with characters outside GB2312 (TestFontCoversUIStrings
# fails until you do).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
. scripts/lib.sh
apt_install fonts-noto-cjk python3-fonttools

/usr/bin/python3 - <<'PY'
import glob, re
from fontTools.ttLib import TTCollection
from fontTools import subset

SRC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
OUT = "assets/fonts/KioskSansSC-Regular.otf"

chars = set(chr(c) for c in range(0x20, 0x7F))
chars |= set(chr(c) for c in range(0xA0, 0x100))
for b1 in range(0xA1, 0xF8):
    for b2 in range(0xA1, 0xFF):
        try:
            chars.add(bytes([b1, b2]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
texts = glob.glob("assets/i18n/*.toml") + glob.glob("assets/*.toml") + ["assets/fonts/extra-chars.txt"]
texts += glob.glob("assets/catalog/*.toml") + glob.glob("assets/info/*.toml")
for path in sorted(texts):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if path.endswith("extra-chars.txt") and line.startswith("#"):
                continue
            chars |= set(line)
chars = {c for c in chars if c.isprintable() or c == " "}

ttc = TTCollection(SRC, recalcTimestamp=False)
font = next(f for f in ttc.fonts if f["name"].getDebugName(4) == "Noto Sans CJK SC")
font.recalcTimestamp = False
opts = subset.Options()
# Horizontal Simplified Chinese only: the Japanese, Korean and Traditional glyph forms that
# `locl` reaches and the vertical forms of `vert`/`vrt2` were more than half of the file,
# and the hints are ignored by every rasteriser that draws this font (go-text in Fyne, the
# printer emulator). Without them the screens are the same to the pixel and the font is
# 1.6 MB instead of 3.4, which Fyne copies and indexes when it parses it.
opts.layout_features = ["kern", "liga"]
opts.hinting = False
opts.name_IDs = ["*"]
opts.name_languages = ["*"]
opts.notdef_outline = True
opts.recalc_timestamp = False
s = subset.Subsetter(opts)
s.populate(text="".join(sorted(chars)))
s.subset(font)

# Rename: family "Kiosk Sans SC", and say where it comes from.
name = font["name"]
for rec in list(name.names):
    if rec.nameID in (1, 3, 4, 6, 16, 17, 18):
        name.removeNames(nameID=rec.nameID)
for nid, text in {1: "Kiosk Sans SC", 2: "Regular", 3: "KioskSansSC-Regular;subset of Noto Sans CJK SC 2.004",
                  4: "Kiosk Sans SC Regular", 6: "KioskSansSC-Regular"}.items():
    name.setName(text, nid, 3, 1, 0x409)
    name.setName(text, nid, 1, 0, 0)
if "CFF " in font:
    cff = font["CFF "].cff
    cff.fontNames = ["KioskSansSC-Regular"]
    top = cff.topDictIndex[0]
    top.FullName = "Kiosk Sans SC Regular"
    top.FamilyName = "Kiosk Sans SC"
font.save(OUT)
missing = [c for c in sorted(chars) if ord(c) not in font.getBestCmap()]
print(f"{OUT}: {len(font.getBestCmap())} characters; not in Noto Sans CJK SC: {''.join(missing)!r}")
print("copyright:", name.getDebugName(0))
PY

# The licence travels with the font: the copyright notice from the font, then the OFL.
{
  /usr/bin/python3 -c 'from fontTools.ttLib import TTFont; print(TTFont("assets/fonts/KioskSansSC-Regular.otf")["name"].getDebugName(0))'
  echo
  echo "Kiosk Sans SC is a Modified Version (a subset) of Noto Sans CJK SC, renamed as the licence asks."
  echo
  sed -n '/^ SIL OPEN FONT LICENSE/,/OTHER DEALINGS IN THE FONT SOFTWARE/p' /usr/share/doc/fonts-noto-cjk/copyright \
    | sed -e 's/^ //' -e 's/^\.$//'
} > assets/fonts/LICENSE-OFL.txt
ls -l assets/fonts/
