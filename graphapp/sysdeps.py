"""System libraries and programs graphapp needs beyond Python packages, with the Debian/Ubuntu
package that provides each.

Runs on a bare Python (standard library only) so that ``make`` can ask it, before anything is
installed, which packages to ``apt-get install``::

    python3 graphapp/sysdeps.py          # prints the missing Debian packages, one per line

The window uses the same table to turn "Could not load the Qt platform plugin xcb" into one line
naming the package to install.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys

__all__ = ["DISPLAY_LIBS", "HEADLESS_LIBS", "missing_libraries", "missing_packages"]

#: Shared libraries Qt needs even offscreen (tests, screenshots), and their Debian packages.
HEADLESS_LIBS = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}
#: What Qt's xcb plugin needs on top, for a real window (a minimal Debian lacks the first three).
DISPLAY_LIBS = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
}
#: A font, so text renders (and Qt does not warn) on a machine without a desktop.
FONT_FILES = {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf": "fonts-dejavu-core"}
#: Programs: Graphviz's dot, for image export and auto layout.
PROGRAMS = {"dot": "graphviz"}


def missing_libraries(libs: dict[str, str]) -> dict[str, str]:
    """The entries of ``libs`` (soname → package) that cannot be loaded here."""
    missing = {}
    for soname, package in libs.items():
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing[soname] = package
    return missing


def missing_packages(display: bool = True) -> list[str]:
    """Debian packages to install so that everything graphapp does works on this machine."""
    packages = [pkg for prog, pkg in PROGRAMS.items() if shutil.which(prog) is None]
    libs = {**HEADLESS_LIBS, **(DISPLAY_LIBS if display else {})}
    packages += missing_libraries(libs).values()
    packages += [pkg for path, pkg in FONT_FILES.items() if not os.path.exists(path)]
    return sorted(set(packages))


if __name__ == "__main__":
    if sys.platform.startswith("linux"):
        print("\n".join(missing_packages()))
