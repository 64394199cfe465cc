"""Spaced repetition with FSRS (the ``fsrs`` package): when to see a template again.

FSRS models each template's memory with a stability and a difficulty and schedules the next
review for when the predicted recall (the retrievability) falls to 90 %. In the public SRS
benchmark it predicts recall far better than SM-2, which this module used before (schema 1).

A score maps to a rating: 1.0 → Good, at least 0.5 → Hard, less → Again (a quiz has no
"Easy"). A new template goes through FSRS's learning steps (1 and 10 minutes) before its
intervals grow in days. Fuzzing is off, so a schedule is reproducible.

Cards travel as FSRS's own JSON; times are Unix seconds.

>>> card, due = review(None, score=1.0, now=0.0)   # new, answered right: the 10-minute step
>>> due / 60
10.0
>>> card, due = review(card, score=1.0, now=due)   # right again: graduates, due in days
>>> round((due - 600) / DAY)
2
>>> round(retrievability(card, now=due), 2)        # recall has fallen to 90 % (the interval is whole days)
0.91
"""

from __future__ import annotations

from datetime import datetime, timezone

from fsrs import Card, Rating, Scheduler

__all__ = ["DAY", "DESIRED_RETENTION", "due_templates", "parse_card", "rating", "retrievability", "review"]

DAY = 86400.0
DESIRED_RETENTION = 0.9
_SCHEDULER = Scheduler(desired_retention=DESIRED_RETENTION, enable_fuzzing=False)


def rating(score: float) -> Rating:
    return Rating.Good if score >= 1.0 else Rating.Hard if score >= 0.5 else Rating.Again


def _time(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def parse_card(card: str) -> Card | None:
    """The card stored as FSRS JSON, or None where it cannot be read (a damaged row).

    >>> parse_card("not json") is None
    True
    """
    try:
        return Card.from_json(card)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def review(card: str | None, score: float, now: float) -> tuple[str, float]:
    """The card (FSRS JSON) after answering with ``score`` at ``now``, and when it is due next."""
    before = Card.from_json(card) if card else Card(due=_time(now))
    after, _ = _SCHEDULER.review_card(before, rating(score), review_datetime=_time(now))
    return after.to_json(), after.due.timestamp()


def retrievability(card: str, now: float) -> float:
    """The predicted probability of recalling the template at ``now``."""
    return float(_SCHEDULER.get_card_retrievability(Card.from_json(card), current_datetime=_time(now)))


def due_templates(template_ids: list[str], dues: dict[str, float], now: float) -> list[str]:
    """Templates to review now: never seen first (in the given order), then overdue, most overdue first."""
    unseen = [t for t in template_ids if t not in dues]
    overdue = sorted((t for t in template_ids if t in dues and dues[t] <= now), key=lambda t: dues[t])
    return unseen + overdue
