"""The dashboard's map: Southeast Asia drawn as SVG on the server, no tile server, no script.

Country shapes are Natural Earth 1:50m from the npm package ``world-atlas`` (TopoJSON, vendored
under ``static/vendor/world-atlas``). Places are the compound hubs of FACTS.md section E with a
published coordinate (town centroids from GeoNames, or the compound's own coordinate); a hub
without one (the Golden Triangle SEZ, O'Smach, Mong La) is listed beside the map, never placed
by guess. Place names found in documents (the ``place.*`` indicators' evidence) are matched to
hubs through their names in every language of the places pack.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from tocsin.web.pages.templating import STATIC_DIR

__all__ = ["HUBS", "MapView", "Place", "hub_of", "map_view"]

ATLAS: Final = STATIC_DIR / "vendor" / "world-atlas" / "countries-50m.json"

#: The drawn window (degrees): Myanmar to the Philippines, southern China to Malaysia.
WEST, EAST, SOUTH, NORTH = 91.5, 126.5, 4.0, 25.0
WIDTH: Final = 760.0
_COS: Final = math.cos(math.radians((SOUTH + NORTH) / 2))
_SCALE: Final = WIDTH / ((EAST - WEST) * _COS)
HEIGHT: Final = round((NORTH - SOUTH) * _SCALE, 1)

#: Countries whose names are written on the map, at these (lon, lat).
COUNTRY_LABELS: Final = {
    "Myanmar": (95.6, 21.6),
    "Thailand": (100.4, 15.6),
    "Laos": (103.2, 19.4),
    "Cambodia": (104.8, 12.9),
    "Vietnam": (106.2, 15.2),
    "Philippines": (122.4, 12.2),
    "Malaysia": (101.6, 5.0),
    "China": (104.0, 24.2),
}
FOCUS: Final = frozenset({"Myanmar", "Thailand", "Laos", "Cambodia", "Philippines"})


@dataclass(frozen=True, slots=True)
class Hub:
    """A documented compound hub or transit town (FACTS.md section E)."""

    name: str
    country: str
    lat: float | None
    lon: float | None
    aliases: tuple[str, ...]
    transit: bool = False
    group: str | None = None


#: Labels written left of their dot, clear of a neighbour on the right (Bavet).
LEFT_LABELS: Final = frozenset({"Sihanoukville"})
#: Hubs a few km apart share one label on the map (their dots are drawn one by one).
MOEI: Final = "Myawaddy / Mae Sot area"
CLARK: Final = "Clark area"

HUBS: Final[tuple[Hub, ...]] = (
    Hub("Sihanoukville", "KH", 10.60932, 103.52958,
        ("sihanoukville", "sihanouk ville", "preah sihanouk", "kampong som", "kompong som", "西港",
         "西哈努克", "xi-ha-núc", "xihanúc", "xi ha núc", "สีหนุวิลล์", "ព្រះសីហនុ")),
    Hub("Poipet", "KH", 13.65805, 102.56365,
        ("poipet", "poi pet", "paoy paet", "波贝", "波貝", "pô-i-pét", "poi pét", "ปอยเปต",
         "ប៉ោយប៉ែត")),
    Hub("Bavet", "KH", 11.06317, 106.13557,
        ("bavet", "巴域", "木牌", "ba vét", "บาเวต", "បាវិត")),
    Hub("Koh Kong", "KH", 11.61531, 102.9838, ("koh kong", "戈公", "เกาะกง", "កោះកុង")),
    Hub("O'Smach", "KH", None, None, ("o'smach", "osmach", "o smach", "o-smach", "អូរស្មាច់")),
    Hub("KK Park", "MM", 16.647556, 98.520722,
        ("kk park", "kk园区", "kk園區", "เคเคพาร์ค"), group=MOEI),
    Hub("Shwe Kokko", "MM", 16.820472, 98.530917,
        ("shwe kokko", "shwe koko", "yatai new city", "亚太新城", "亞太新城", "ชเวโก๊กโก่",
         "ชเวโกกโก่", "ရွှေကုက္ကိုလ်"), group=MOEI),
    Hub("Myawaddy", "MM", 16.68911, 98.50893,
        ("myawaddy", "myawady", "myawadi", "妙瓦底", "เมียวดี", "မြဝတီ"), group=MOEI),
    Hub("Mae Sot", "TH", 16.71667, 98.56667,
        ("mae sot", "maesot", "美索", "湄索", "แม่สอด", "မဲဆောက်"), transit=True,
        group=MOEI),
    Hub("Golden Triangle SEZ", "LA", None, None,
        ("golden triangle sez", "golden triangle special economic zone", "kings romans", "bokeo",
         "金三角", "金木棉", "金三角经济特区", "金三角特区", "金三角經濟特區", "สามเหลี่ยมทองคำลาว",
         "เขตเศรษฐกิจพิเศษสามเหลี่ยมทองคำ", "บ่อแก้ว", "ບໍ່ແກ້ວ", "ສາມຫຼ່ຽມຄຳ")),
    Hub("Mong La", "MM", None, None, ("mong la", "勐拉", "မိုင်းလား")),
    Hub("Laukkaing", "MM", None, None, ("laukkaing", "laukkai", "果敢", "လောက်ကိုင်")),
    Hub("Bamban", "PH", 15.27386, 120.56683, ("bamban",), group=CLARK),
    Hub("Porac", "PH", 15.0711, 120.5423, ("porac",), group=CLARK),
    Hub("Clark", "PH", 15.15, 120.58333,
        ("clark freeport", "clark pampanga", "clark, pampanga", "克拉克"), group=CLARK),
)  # fmt: skip

_BY_ALIAS: Final = {alias.casefold(): hub for hub in HUBS for alias in hub.aliases}


def hub_of(place: str) -> Hub | None:
    """The hub a place name (as found in a document) refers to."""
    return _BY_ALIAS.get(place.strip().casefold())


def project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular, scaled at the window's middle latitude: (x, y) in SVG units."""
    return round((lon - WEST) * _COS * _SCALE, 1), round((NORTH - lat) * _SCALE, 1)


@dataclass(frozen=True, slots=True)
class Country:
    name: str
    path: str
    focus: bool


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str
    x: float
    y: float
    r: float
    documents: int
    transit: bool
    label: str | None
    label_left: bool = False


@dataclass(frozen=True, slots=True)
class MapView:
    width: float
    height: float
    countries: tuple[Country, ...]
    labels: tuple[tuple[str, float, float], ...]
    graticule: tuple[str, ...]
    hubs: tuple[Place, ...]
    group_labels: tuple[tuple[str, float, float, int], ...]
    unplaced: tuple[tuple[str, int], ...]
    reported: int


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Delta-decoded, de-quantised arcs as (lon, lat) points."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        x = y = 0
        points: list[tuple[float, float]] = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(
    arcs: list[list[tuple[float, float]]], indexes: Sequence[int]
) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _in_window(ring: Iterable[tuple[float, float]], margin: float = 3.0) -> bool:
    return any(
        WEST - margin <= lon <= EAST + margin and SOUTH - margin <= lat <= NORTH + margin
        for lon, lat in ring
    )


def _path(rings: Iterable[list[tuple[float, float]]]) -> str:
    parts: list[str] = []
    for ring in rings:
        if not _in_window(ring):
            continue
        last: tuple[float, float] | None = None
        coords: list[str] = []
        for lon, lat in ring:
            x, y = project(lon, lat)
            if last is not None and abs(x - last[0]) + abs(y - last[1]) < 0.8:
                continue
            coords.append(f"{x:g},{y:g}")
            last = (x, y)
        if len(coords) >= 3:
            parts.append("M" + "L".join(coords) + "Z")
    return "".join(parts)


@cache
def _countries() -> tuple[Country, ...]:
    topology = json.loads(ATLAS.read_text("utf-8"))
    arcs = _arcs(topology)
    countries: list[Country] = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = str(geometry.get("properties", {}).get("name", ""))
        if geometry.get("type") == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry.get("type") == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        path = _path(rings)
        if path:
            countries.append(Country(name, path, name in FOCUS))
    return tuple(countries)


def _graticule() -> tuple[str, ...]:
    lines = []
    for lon in range(95, 127, 5):
        (x0, y0), (x1, y1) = project(lon, NORTH), project(lon, SOUTH)
        lines.append(f"M{x0:g},{y0:g}L{x1:g},{y1:g}")
    for lat in range(5, 26, 5):
        (x0, y0), (x1, y1) = project(WEST, lat), project(EAST, lat)
        lines.append(f"M{x0:g},{y0:g}L{x1:g},{y1:g}")
    return tuple(lines)


def map_view(places: Iterable[tuple[str, int]]) -> MapView:
    """The map with every hub drawn, sized by how many visible documents name it.

    ``places`` are (place name as found in documents, document count) pairs, e.g. the
    dashboard statistics' ``places``.
    """
    counts: dict[str, int] = {}
    for name, n in places:
        hub = hub_of(name)
        if hub is not None:
            counts[hub.name] = counts.get(hub.name, 0) + int(n)
    largest = max(counts.values(), default=1)
    drawn: list[Place] = []
    unplaced: list[tuple[str, int]] = []
    groups: dict[str, list[tuple[float, float, int]]] = {}
    for hub in HUBS:
        n = counts.get(hub.name, 0)
        if hub.lat is None or hub.lon is None:
            unplaced.append((hub.name, n))
            continue
        x, y = project(hub.lon, hub.lat)
        r = 4.0 + (10.0 * math.sqrt(n / largest) if n else 0.0)
        if hub.group is not None:
            groups.setdefault(hub.group, []).append((x, y, n))
            label = None
        else:
            label = f"{hub.name} · {n}" if n else hub.name
        left = hub.name in LEFT_LABELS
        drawn.append(Place(hub.name, hub.country, x, y, round(r, 1), n, hub.transit, label, left))
    group_labels = tuple(
        (
            f"{name} · {sum(n for _, _, n in members)}" if any(n for *_, n in members) else name,
            max(x for x, _, _ in members) + 12,
            round(sum(y for _, y, _ in members) / len(members) + 3, 1),
            sum(n for *_, n in members),
        )
        for name, members in groups.items()
    )
    drawn.sort(key=lambda p: -p.r)  # small dots on top of large ones
    labels = tuple((name, *project(lon, lat)) for name, (lon, lat) in COUNTRY_LABELS.items())
    return MapView(
        width=WIDTH,
        height=HEIGHT,
        countries=_countries(),
        labels=labels,
        graticule=_graticule(),
        hubs=tuple(drawn),
        group_labels=group_labels,
        unplaced=tuple(unplaced),
        reported=sum(counts.values()),
    )
