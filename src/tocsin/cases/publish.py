"""Printable statistics for donors and ministries: charts, a map, an HTML page and a PDF.

Everything is drawn from a `StatsRelease`, so only released (suppressed) figures ever reach a
picture: a withheld count is drawn as a hatched stub labelled "<k", never as its size. Charts
are made with matplotlib's object API (no pyplot state) as PNG, and embedded in the HTML as
data URIs, so the page is one self-contained file; the PDF is made by matplotlib too. Nothing
is fetched from the network: the map's country outlines are Natural Earth (world-atlas, vendored
with the web front end) and are simply left out when that file is not installed.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator, Sequence
from functools import lru_cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, select_autoescape
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from tocsin.cases.stats import StatsRelease, country_name
from tocsin.cases.suppress import Released1D
from tocsin.cases.workflow import DESCRIPTIONS, Status

__all__ = ["chart_pngs", "drawable", "render_html", "render_pdf"]

WORLD = "web/static/vendor/world-atlas/countries-50m.json"
BLUE, GREY = "#2b5c8a", "#b8b8b8"
WITHHELD = "x"
"""How a withheld figure is shown: the same mark whether it is small or withheld to protect a
small one (telling them apart would point at the small ones), never a size such as "<5"."""


@lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    """Code points the charts' font can draw (matplotlib's default, DejaVu Sans)."""
    font = font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))
    return frozenset(font.get_charmap())


def drawable(text: str) -> str:
    """``text`` with the characters the font lacks replaced by "?" (matplotlib would warn and
    draw boxes); the HTML report shows the text itself."""
    glyphs = _glyphs()
    return "".join(c if ord(c) in glyphs or c in "\n\t" else "?" for c in text)


def _label(dimension: str, value: str) -> str:
    if dimension in ("nationality", "place"):
        return country_name(value)
    if dimension == "status":
        return value.replace("_", " ")
    return value


def _bars(ax: Axes, table: Released1D, dimension: str, title: str, top: int = 15) -> None:
    labels = [drawable(_label(dimension, x)) for x in table.labels[:top]]
    values = list(table.counts[:top])
    shown = [v if v is not None else 0 for v in values]
    stub = max([v for v in values if v is not None], default=table.k) * 0.03 + 0.5
    y = list(range(len(labels)))[::-1]
    ax.barh(y, shown, color=BLUE)
    for pos, value in zip(y, values, strict=True):
        if value is None:
            ax.barh([pos], [stub], color="white", edgecolor=GREY, hatch="///")
            ax.text(stub * 1.3, pos, "withheld", va="center", fontsize=8, color="#555")
        else:
            ax.text(value, pos, f" {value}", va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)


def _months(ax: Axes, table: Released1D, title: str) -> None:
    x = list(range(len(table.labels)))
    values = [v if v is not None else 0 for v in table.counts]
    ax.bar(x, values, color=BLUE)
    for pos, value in zip(x, table.counts, strict=True):
        if value is None:
            ax.bar([pos], [0.5], color="white", edgecolor=GREY, hatch="///")
    step = max(1, len(x) // 12)
    ticks = [drawable(lbl) for lbl in table.labels[::step]]
    ax.set_xticks(x[::step], ticks, rotation=45, ha="right", fontsize=7)
    ax.set_title(title + " (hatched: withheld)", fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)


@lru_cache(maxsize=1)
def _outlines() -> list[list[tuple[float, float]]]:
    """Country rings (lon, lat) from the vendored Natural Earth TopoJSON; [] when absent."""
    path = files("tocsin") / WORLD
    if not path.is_file():
        return []
    topo = json.loads(path.read_text(encoding="utf-8"))
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indices: Sequence[int]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for i in indices:
            part = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(part[1:] if out else part)
        return out

    rings: list[list[tuple[float, float]]] = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polygons = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom.get("arcs", [])]
        if geom["type"] not in ("Polygon", "MultiPolygon"):
            continue
        for polygon in polygons:
            rings.extend(ring(r) for r in polygon)
    return rings


def _map(ax: Axes, release: StatsRelease) -> None:
    located = [c for c in release.compounds if c["latitude"] is not None]
    lons = [c["longitude"] for c in located] or [92.0, 125.0]
    lats = [c["latitude"] for c in located] or [0.0, 28.0]
    west, east = min(lons) - 4, max(lons) + 4
    south, north = min(lats) - 4, max(lats) + 4
    for ring in _outlines():
        xs = [p[0] for p in ring]
        if max(xs) < west or min(xs) > east:
            continue
        ax.fill(xs, [p[1] for p in ring], facecolor="#eeeeee", edgecolor="#999999", lw=0.4)
    biggest = max([c["persons"] or 0 for c in located], default=1) or 1
    ordered = sorted(located, key=lambda c: (c["latitude"], c["longitude"]))
    for number, c in enumerate(ordered):
        n = c["persons"]  # None: withheld; 0: no one recorded there
        size = 30 + 600 * (n / biggest) if n else 30
        ax.scatter([c["longitude"]], [c["latitude"]], s=size, color=BLUE if n else "white",
                   edgecolor=BLUE if n != 0 else GREY, alpha=0.7, zorder=3)  # fmt: skip
        label = c["name"] if n == 0 else f"{c['name']}: {n if n is not None else 'withheld'}"
        if c["precision"] == "town":
            label += " (town)"
        offset = (6, 4) if number % 2 == 0 else (6, -10)  # neighbours alternate above/below
        ax.annotate(drawable(label), (c["longitude"], c["latitude"]), xytext=offset,
                    textcoords="offset points", fontsize=7, zorder=4,
                    color="#222" if n != 0 else "#777")  # fmt: skip
    ax.set_xlim(west, east)
    ax.set_ylim(south, north)
    ax.set_aspect("equal")
    ax.set_title("Persons by compound (released counts)", fontsize=10, loc="left")
    ax.tick_params(labelsize=7)


def _figures(release: StatsRelease) -> Iterator[tuple[str, Figure]]:
    fig = Figure(figsize=(7, 4))
    _bars(fig.add_subplot(), release.by_status, "status", "Persons by status")
    yield "status", fig
    fig = Figure(figsize=(7, 4.5))
    _bars(fig.add_subplot(), release.by_nationality, "nationality", "Persons by nationality")
    yield "nationality", fig
    fig = Figure(figsize=(7, 3.5))
    _months(fig.add_subplot(), release.by_month, "Persons by month reported or recorded")
    yield "month", fig
    if release.freed_by_nationality.labels:
        fig = Figure(figsize=(7, 4))
        _bars(fig.add_subplot(), release.freed_by_nationality, "nationality",
              "People freed in operations, by nationality")  # fmt: skip
        yield "freed", fig
    fig = Figure(figsize=(8, 4.5))
    _map(fig.add_subplot(), release)
    yield "map", fig


def chart_pngs(release: StatsRelease) -> dict[str, bytes]:
    """Each chart and the map as PNG bytes."""
    found = {}
    for name, fig in _figures(release):
        fig.tight_layout()
        buffer = io.BytesIO()
        FigureCanvasAgg(fig)
        fig.savefig(buffer, format="png", dpi=110)
        found[name] = buffer.getvalue()
    return found


_ENV = Environment(
    loader=PackageLoader("tocsin.cases", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(release: StatsRelease, *, title: str, notice: str | None = None) -> str:
    """One self-contained, printable HTML page with the tables, charts and map."""
    images = {
        name: "data:image/png;base64," + base64.b64encode(png).decode()
        for name, png in chart_pngs(release).items()
    }
    return _ENV.get_template("report.html").render(
        r=release, title=title, notice=notice, images=images, label=_label, zip=zip,
        statuses={s.value: DESCRIPTIONS[s] for s in Status},
    )  # fmt: skip


def render_pdf(release: StatsRelease, *, title: str, notice: str | None = None) -> bytes:
    """The same report as a PDF (matplotlib's PDF backend; tables drawn as tables)."""
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": title, "Creator": "Tocsin"}) as pdf:
        cover = Figure(figsize=(8.27, 11.69))
        ax = cover.add_subplot()
        ax.axis("off")
        lines = [title, "", *(notice.splitlines() if notice else [])]
        lines += [
            f"Scope: {release.scope} ({release.cases} cases)",
            f"Generated: {release.generated_at:%Y-%m-%d %H:%M} UTC",
            f"Persons: {release.total if release.total is not None else 'withheld'}",
            f"Counts from 1 to {release.k - 1} are withheld (shown as {WITHHELD}), and so are",
            "larger counts where needed so none can be worked out from totals or other tables.",
        ]
        if release.round_base:
            lines.append(
                f"Every figure is rounded at random to a multiple of {release.round_base}."
            )
        ax.text(0, 1, drawable("\n".join(lines)), va="top", fontsize=11, family="sans-serif")
        _table(cover, release)
        pdf.savefig(cover)
        if release.by_nationality_status.rows:
            pdf.savefig(_cross_page(release))
        for _name, fig in _figures(release):
            fig.set_size_inches(8.27, 6)
            fig.tight_layout()
            pdf.savefig(fig)
    return buffer.getvalue()


def _cross_page(release: StatsRelease) -> Figure:
    """The nationality × status table on a page of its own (the first 40 nationalities)."""
    t = release.by_nationality_status

    def show(v: int | None) -> str:
        return WITHHELD if v is None else str(v)

    fig = Figure(figsize=(8.27, 11.69))
    ax = fig.add_axes((0.04, 0.04, 0.92, 0.88))
    ax.axis("off")
    ax.set_title("Persons by nationality and status", fontsize=11, loc="left")
    rows = [
        [drawable(_label("nationality", r)), *(show(v) for v in cells), show(total)]
        for r, cells, total in list(zip(t.rows, t.cells, t.row_totals, strict=True))[:40]
    ]
    rows.append(["All", *(show(v) for v in t.column_totals), show(t.total)])
    heads = ["nationality", *(c.replace("_", " ") for c in t.columns), "All"]
    grid = ax.table(cellText=rows, colLabels=heads, loc="upper center")
    grid.auto_set_font_size(False)
    grid.set_fontsize(6)
    return fig


def _table(fig: Figure, release: StatsRelease) -> None:
    """The status and nationality tables, side by side, on the cover page."""

    def show(v: int | None) -> str:
        return WITHHELD if v is None else str(v)

    for left, (table, dimension, heading) in zip(
        (0.05, 0.55),
        ((release.by_status, "status", "status"),
         (release.by_nationality, "nationality", "nationality")),
        strict=True,
    ):  # fmt: skip
        if not table.labels:
            continue
        ax = fig.add_axes((left, 0.05, 0.4, 0.5))
        ax.axis("off")
        pairs = list(zip(table.labels, table.counts, strict=True))[:30]
        rows = [[drawable(_label(dimension, lbl)), show(v)] for lbl, v in pairs]
        rows.append(["All", show(table.total)])
        grid = ax.table(cellText=rows, colLabels=[heading, "persons"], loc="upper center")
        grid.auto_set_font_size(False)
        grid.set_fontsize(7)
