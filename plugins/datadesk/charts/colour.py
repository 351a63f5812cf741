"""Colour science for the palette lint: colour-vision-deficiency simulation and CIEDE2000.

Simulation uses the matrices of Machado, Oliveira & Fernandes (2009), "A Physiologically-
based Model for Simulation of Color Vision Deficiency", IEEE TVCG 15(6), severity 1.0
(full dichromacy), applied to linear-light sRGB as the paper specifies. Distances are
CIEDE2000 (Sharma, Wu & Dalal 2005) in CIELAB under D65.
"""

from __future__ import annotations

import math
import re

# Machado et al. 2009, severity 1.0 (the published table, rows = output R, G, B).
MACHADO_2009 = {
    "protanopia": ((0.152286, 1.052583, -0.204868),
                   (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968),
                     (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779),
                   (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}
VISIONS = ("normal",) + tuple(MACHADO_2009)

HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
NAMED = {"black": "#000000", "white": "#ffffff", "grey": "#808080", "gray": "#808080",
         "red": "#ff0000", "green": "#008000", "blue": "#0000ff", "orange": "#ffa500",
         "steelblue": "#4682b4", "transparent": None}


def parse(colour: str) -> tuple[float, float, float] | None:
    """sRGB in 0..1 from '#rgb', '#rrggbb' or a few CSS names; None if not a solid colour."""
    text = str(colour).strip().lower()
    if text in NAMED:
        text = NAMED[text]
        if text is None:
            return None
    if not HEX.match(text or ""):
        return None
    digits = text[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return tuple(int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))


def _to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _to_srgb(c: float) -> float:
    c = min(max(c, 0.0), 1.0)
    return c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def simulate(rgb: tuple[float, float, float], vision: str) -> tuple[float, float, float]:
    """How a colour looks with the given vision ('normal' returns it unchanged)."""
    if vision == "normal":
        return rgb
    lin = [_to_linear(c) for c in rgb]
    m = MACHADO_2009[vision]
    return tuple(_to_srgb(sum(m[row][k] * lin[k] for k in range(3))) for row in range(3))


def to_lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = (_to_linear(c) for c in rgb)
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def delta_e2000(lab1, lab2) -> float:
    """CIEDE2000 colour difference (kL = kC = kH = 1)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    c_bar7 = ((c1 + c2) / 2) ** 7
    g = 0.5 * (1 - math.sqrt(c_bar7 / (c_bar7 + 25 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh) / 2)
    l_bar, c_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_bar - 30)) + 0.24 * math.cos(math.radians(2 * h_bar))
         + 0.32 * math.cos(math.radians(3 * h_bar + 6)) - 0.20 * math.cos(math.radians(4 * h_bar - 63)))
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(c_bar ** 7 / (c_bar ** 7 + 25 ** 7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * c_bar
    s_h = 1 + 0.015 * c_bar * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    return math.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (dhh / s_h) ** 2
                     + r_t * (dc / s_c) * (dhh / s_h))


def distance(colour1: str, colour2: str, vision: str = "normal") -> float:
    rgb1, rgb2 = parse(colour1), parse(colour2)
    return delta_e2000(to_lab(simulate(rgb1, vision)), to_lab(simulate(rgb2, vision)))


def closest_pairs(colours: list[str], minimum: float) -> list[tuple[str, str, str, float]]:
    """Every (colour, colour, vision, ΔE) below ``minimum``, worst first."""
    solid = [c for c in dict.fromkeys(colours) if parse(c) is not None]
    found = []
    for i, c1 in enumerate(solid):
        for c2 in solid[i + 1:]:
            for vision in VISIONS:
                d = distance(c1, c2, vision)
                if d < minimum:
                    found.append((c1, c2, vision, d))
    return sorted(found, key=lambda item: item[3])


def lightness(colour: str, vision: str = "normal") -> float:
    return to_lab(simulate(parse(colour), vision))[0]


def contrast_ratio(colour1: str, colour2: str) -> float:
    """WCAG 2 contrast ratio between two solid colours."""
    def lum(rgb):
        r, g, b = (_to_linear(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    l1, l2 = sorted((lum(parse(colour1)), lum(parse(colour2))), reverse=True)
    return (l1 + 0.05) / (l2 + 0.05)
