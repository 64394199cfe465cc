"""Spaced repetition with SM-2 (Woźniak 1990): when to see a template again.

A score maps to a recall quality q (1.0 → 5, at least 0.5 → 3, less → 1). A
failed recall (q < 3) restarts the repetitions with a 1-day interval; a success
grows the interval 1 day → 6 days → previous × ease. The ease starts at 2.5,
moves by ``0.1 − (5 − q)(0.08 + 0.02(5 − q))`` and never drops below 1.3.

>>> s = schedule(None, score=1.0, now=0.0)
>>> s["interval_days"], s["reps"]
(1.0, 1)
>>> s = schedule(schedule(s, 1.0, now=0.0), 1.0, now=0.0)
>>> s["interval_days"], round(s["ease"], 2)
(16.0, 2.8)
"""

from __future__ import annotations

__all__ = ["DAY", "due_templates", "quality", "schedule"]

DAY = 86400.0


def quality(score: float) -> int:
    return 5 if score >= 1.0 else 3 if score >= 0.5 else 1


def schedule(state: dict[str, float] | None, score: float, now: float) -> dict[str, float]:
    """The review state after answering with ``score`` at time ``now`` (seconds)."""
    s = dict(state) if state else {"ease": 2.5, "interval_days": 0.0, "reps": 0, "lapses": 0}
    q = quality(score)
    if q < 3:
        s["reps"], s["interval_days"], s["lapses"] = 0, 1.0, s["lapses"] + 1
    else:
        s["reps"] += 1
        s["interval_days"] = 1.0 if s["reps"] == 1 else 6.0 if s["reps"] == 2 else float(round(s["interval_days"] * s["ease"]))
    s["ease"] = max(1.3, s["ease"] + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02))
    s["due"] = now + s["interval_days"] * DAY
    s["last"] = now
    return s


def due_templates(template_ids: list[str], states: dict[str, dict[str, float]], now: float) -> list[str]:
    """Templates to review now: never seen first (in the given order), then overdue, most overdue first."""
    unseen = [t for t in template_ids if t not in states]
    overdue = sorted((t for t in template_ids if t in states and states[t]["due"] <= now), key=lambda t: states[t]["due"])
    return unseen + overdue
