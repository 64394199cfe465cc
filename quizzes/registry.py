"""The template registry: every template of :mod:`quizzes.bank`, by id and by topic.

``TEMPLATES`` is a read-only index built from the bank's explicit lists when
this module is imported; a duplicate id is an error at import.

>>> sorted(TOPICS)[:3]
['concepts', 'counting', 'gru-rnn']
>>> len(TEMPLATES) >= 40 and TEMPLATES["count-lstm"].topic
'counting'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from .bank import BANK
from .question import Question
from .template import TOPICS, Draft, Template, template

__all__ = ["TEMPLATES", "TOPICS", "Draft", "Template", "generate", "select", "template", "templates"]


def _index(bank: Iterable[Template]) -> Mapping[str, Template]:
    index: dict[str, Template] = {}
    for t in bank:
        if t.id in index:
            raise ValueError(f"id: template {t.id!r} is defined twice")
        index[t.id] = t
    order = list(TOPICS)
    return MappingProxyType(dict(sorted(index.items(), key=lambda item: order.index(item[1].topic))))


#: Every template, by id, in topic order.
TEMPLATES: Mapping[str, Template] = _index(BANK)


def templates(topics: list[str] | None = None) -> list[Template]:
    """All templates (in topic order), or those of ``topics``."""
    if topics:
        unknown = [t for t in topics if t not in TOPICS]
        if unknown:
            raise ValueError(f"topics: unknown {unknown}; choose from {list(TOPICS)}")
    return [t for t in TEMPLATES.values() if not topics or t.topic in topics]


def select(topics: list[str] | None = None, template_ids: list[str] | None = None, exclude: list[str] | None = None) -> list[Template]:
    """The templates of ``topics`` (all when None), narrowed to ``template_ids``, minus ``exclude``.

    Used by the exports and the site's quiz blocks. Templates come in topic order,
    or in the order of ``template_ids`` when given. Unknown ids and an empty
    selection are errors (ValueError), never a silently smaller quiz.

    >>> [t.id for t in select(["counting"], exclude=["weight-shape", "count-stacked-bidirectional"])]
    ['count-lstm', 'count-gru', 'count-rnn-no-bias']
    """
    unknown = [t for t in [*(template_ids or []), *(exclude or [])] if t not in TEMPLATES]
    if unknown:
        raise ValueError(f"unknown template(s) {unknown} (see `lstm-quiz list`)")
    chosen = templates(topics)
    if template_ids:
        chosen = [t for t in (TEMPLATES[i] for i in dict.fromkeys(template_ids)) if t in chosen]
    chosen = [t for t in chosen if t.id not in (exclude or [])]
    if not chosen:
        raise ValueError("no templates selected")
    return chosen


def generate(template_id: str, seed: int) -> Question:
    """The variant of ``template_id`` for ``seed``."""
    if template_id not in TEMPLATES:
        raise KeyError(f"template: no template {template_id!r}; see `lstm-quiz list`")
    return TEMPLATES[template_id].generate(seed)
