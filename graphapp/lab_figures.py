"""The derivative lab's pictures for teaching material, drawn with matplotlib (Agg, no window):
the function plot of one input (f with the current point and its tangent line, df/dx below),
of two inputs (filled contours of f, the gradient field as arrows, the current point and its
gradient), and the gradient check's error against h on log-log axes (truncation and round-off
regions named, the best h marked).

matplotlib is imported only when a picture is drawn (start-up time of the command line). The
picture goes to memory first and then to the file in one atomic step, so a failure never
leaves half a file. ``.png`` (150 dpi) and ``.svg`` are written; the format comes from the name.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from graphapp.formats.atomic import write_bytes_atomic
from graphapp.lab.field import screen_gradient

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from graphapp.lab import Curve, InputCheck, Surface

__all__ = ["FORMATS", "curve_figure", "save", "surface_figure", "sweep_figure"]

#: The picture formats, by file extension.
FORMATS = ("png", "svg")

_F_COLOUR = "#1f4e9c"
_D_COLOUR = "#b8432f"
_POINT = "#e08a00"
_STYLE = {"font.size": 10, "axes.titlesize": 11, "axes.labelsize": 10, "axes.spines.top": False,
          "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25,
          "svg.fonttype": "none"}


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _fixed(others: Mapping[str, float]) -> str:
    return (" (" + ", ".join(f"{k} = {v:g}" for k, v in others.items()) + " fixed)"
            if others else "")


def curve_figure(c: Curve, others: Mapping[str, float] | None = None) -> Figure:
    """f over the input with the current point and the tangent line there; df/dx below."""
    import matplotlib

    with matplotlib.rc_context(_STYLE):
        fig = _figure(7.0, 6.0)
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
        top.plot(c.x, c.f, color=_F_COLOUR, lw=2, label=f"{c.output}({c.wrt})")
        finite = c.f[np.isfinite(c.f)]
        if finite.size:  # the tangent may leave the picture: keep f's own range
            span = finite.max() - finite.min() or 1.0
            top.set_ylim(finite.min() - 0.08 * span, finite.max() + 0.08 * span)
        top.plot(c.x, c.tangent(), color=_POINT, lw=1.5, ls="--",
                 label=f"tangent at {c.wrt} = {c.x0:g}: slope {c.slope0:.4g}")
        top.plot([c.x0], [c.f0], "o", color=_POINT, ms=8, zorder=5,
                 label=f"current point ({c.x0:g}, {c.f0:.4g})")
        top.set_ylabel(c.output)
        top.set_title(f"{c.output} as a function of {c.wrt}{_fixed(others or {})}")
        top.legend(loc="best", frameon=False)
        bottom.plot(c.x, c.dfdx, color=_D_COLOUR, lw=2, label=f"d{c.output}/d{c.wrt}")
        bottom.plot([c.x0], [c.slope0], "o", color=_POINT, ms=7, zorder=5)
        bottom.axhline(0.0, color="0.5", lw=0.8)
        bottom.set_ylabel(f"d{c.output}/d{c.wrt}")
        bottom.set_xlabel(c.wrt)
        bottom.legend(loc="best", frameon=False)
    return fig


def surface_figure(s: Surface, others: Mapping[str, float] | None = None,
                   arrows: int = 15) -> Figure:
    """Filled contours of f over the two inputs, the gradient field as arrows (on an
    ``arrows`` × ``arrows`` subgrid), and the current point with its gradient."""
    import matplotlib

    xn, yn = s.wrt
    with matplotlib.rc_context({**_STYLE, "axes.grid": False}):
        fig = _figure(7.0, 5.8)
        ax = fig.subplots()
        f = np.ma.masked_invalid(s.f.T)  # contour wants rows along y
        filled = ax.contourf(s.x, s.y, f, levels=20, cmap="viridis")
        ax.contour(s.x, s.y, f, levels=10, colors="white", linewidths=0.6, alpha=0.7)
        fig.colorbar(filled, ax=ax, label=s.output, shrink=0.85)
        # a square box, and the arrows as they look in it: square to the contours, uphill
        ax.set_box_aspect(1.0)
        px, py, u, v = screen_gradient(s, arrows, aspect=1.0)
        ax.quiver(px, py, u, v, color="white", alpha=0.85, width=0.003, angles="uv",
                  pivot="mid")
        ax.plot([s.x0], [s.y0], "o", color=_POINT, ms=9, mec="black", zorder=5)
        ax.annotate(f"({s.x0:g}, {s.y0:g})\n∇{s.output} = ({s.dfdx0:.3g}, {s.dfdy0:.3g})",
                    (s.x0, s.y0), xytext=(10, 10), textcoords="offset points", color="black",
                    bbox={"boxstyle": "round", "fc": "white", "alpha": 0.85, "lw": 0})
        ax.set_xlabel(xn)
        ax.set_ylabel(yn)
        ax.set_title(f"{s.output} over ({xn}, {yn}) with its gradient field{_fixed(others or {})}\n"
                     "arrows point uphill, square to the contour lines as drawn; longer where "
                     f"{s.output} is steeper", fontsize=9)
    return fig


def _positive(errors: list[float]) -> np.ndarray:
    """Errors for a log axis: exact zeros (and nan) are left out of the line."""
    e = np.asarray(errors, dtype=np.float64)
    return np.where(e > 0, e, np.nan)


def sweep_figure(checks: Mapping[str, InputCheck], output: str) -> Figure:
    """Error against h on log-log axes, one panel per input: forward and central differences,
    the best h of each marked, the truncation and round-off sides named."""
    import matplotlib

    names = list(checks)
    cols = min(2, len(names)) or 1
    rows = -(-len(names) // cols) or 1
    with matplotlib.rc_context(_STYLE):
        fig = _figure(6.2 * cols, 4.6 * rows)
        axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
        for ax, name in zip(axes, names, strict=False):
            _sweep_panel(ax, checks[name], output)
        for ax in axes[len(names):]:
            ax.set_visible(False)
        fig.suptitle(f"Gradient check of {output}: finite differences against backprop")
    return fig


def _sweep_panel(ax: Any, check: InputCheck, output: str) -> None:
    h = np.array([r.h for r in check.rows])
    fwd = _positive([r.forward_error for r in check.rows])
    cen = _positive([r.central_error for r in check.rows])
    ax.loglog(h, fwd, "o-", color=_D_COLOUR, lw=1.8, ms=5, label="forward (f(x+h) − f(x)) / h")
    ax.loglog(h, cen, "s-", color=_F_COLOUR, lw=1.8, ms=5,
              label="central (f(x+h) − f(x−h)) / 2h")
    best, bf = check.best("central"), check.best("forward")
    # each curve is a V: truncation rules on the large-h side, round-off on the other; where
    # they meet differs between the two differences (the stars), so the sides are only named
    ax.text(0.02, 0.97, "← truncation error\n(falls with h)", transform=ax.transAxes,
            va="top", ha="left", color="#17386e")
    ax.text(0.98, 0.97, "round-off error →\n(grows as h shrinks)", transform=ax.transAxes,
            va="top", ha="right", color="#7a2a1d")
    if bf is not None and bf.forward_error > 0:
        ax.loglog([bf.h], [bf.forward_error], "*", color=_D_COLOUR, ms=14, mec="black",
                  zorder=5, label=f"best h (forward) = {bf.h:g}")
    if best is not None and best.central_error > 0:
        ax.loglog([best.h], [best.central_error], "*", color=_POINT, ms=16, mec="black",
                  zorder=5, label=f"best h (central) = {best.h:g}")
    shown = np.concatenate([fwd, cen])
    shown = shown[np.isfinite(shown)]
    if shown.size:  # room above the curves for the two regions' names
        ax.set_ylim(shown.min() / 10, shown.max() * 1e4)
    else:
        errors = [e for r in check.rows for e in (r.forward_error, r.central_error)]
        why = ("both differences equal backprop exactly at every h\n(an error of 0 has no "
               "place on a log axis)" if all(e == 0 for e in errors) else
               "no error to draw: f or its gradient is not finite here\n(its values are nan "
               "or inf)")
        ax.text(0.5, 0.5, why, transform=ax.transAxes, ha="center", va="center",
                color="0.25")
    ax.set_xlim(h.min() / 2, h.max() * 2)
    ax.invert_xaxis()  # h shrinks to the right, as in taking the limit
    ax.set_xlabel("step h (shrinking →)")
    ax.set_ylabel("|finite difference − backprop|")
    ax.set_title(f"d{output}/d{check.name} = {check.backprop:.6g} by backprop")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False,
              fontsize=8)


def save(fig: Figure, path: str | Path) -> None:
    """Write ``fig`` to ``path`` (.png or .svg) in one atomic step; ``ValueError`` for another
    extension."""
    kind = Path(path).suffix.lower().lstrip(".")
    if kind not in FORMATS:
        raise ValueError(f"cannot write {path}: the picture must be .png or .svg")
    buffer = io.BytesIO()
    fig.savefig(buffer, format=kind, dpi=150)
    write_bytes_atomic(path, buffer.getvalue())
