"""What a long run tells its caller while it works: one event shape for plan, quote and batch.

A :class:`ProgressEvent` is either a *step* (a stage of the run started or a unit of it
finished: ``stage``, ``message``, ``done`` of ``total``) or a *solution* (CP-SAT found a
better plan: its cost, the bound it is measured against, the gap, the solver's
deterministic time). Callers pass plain functions that take one event:

- ``progress`` (:func:`wfm.plan.run_plan`, :func:`wfm.quote.build_quote`,
  :func:`wfm.batch.run_batch`): the steps;
- ``on_solution`` (:func:`wfm.plan.run_plan`, :func:`wfm.schedule.make_schedule`,
  :func:`wfm.quote.build_quote`): each improving CP-SAT plan, reported from inside
  the solve by :class:`wfm.schedule.solve.SolutionObserver`.

Events are frozen and picklable, so they cross a process boundary unchanged (the app
runs its solves in a child process, :mod:`wfm.ui.solver_watch`).

>>> e = ProgressEvent("schedule", "scheduling", done=2, total=5)
>>> e.fraction, str(e)
(0.4, 'scheduling')
>>> s = ProgressEvent.solution("search", cost=1000.0, bound=990.0, solutions=3, work=1.5)
>>> s.is_solution, round(s.gap, 4)
(True, 0.01)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class ProgressEvent:
    """One step of a run, or one improving CP-SAT solution.

    Attributes
    ----------
    stage : str
        Where the run is: a plan step (``forecast``, ``sizing``, ``schedule``,
        ``verification``, ``exports``), ``quote``, ``batch``; for solutions the solver
        phase (``rounding``, ``tour rounding``, ``search``, ``week 2 search``, ...).
    message : str
        One line for a person (a terminal, a progress bar).
    done, total : int, optional
        Units finished (steps started, weeks scheduled, scenarios run) of how many.
    item : str, optional
        What the event is about: the scenario of a batch row, the month of a quote week;
        for solutions the problem solved (``week 2``, ``round 1``, a quote's month):
        costs of different items are not comparable.
    status : str, optional
        That item's outcome (a batch row's ``ok`` / ``failed`` / ``skipped``).
    solutions : int, optional
        Solution events: improving solutions found so far in this solve.
    cost : float, optional
        Solution events: the solver's cost of the plan, in the scenario's currency.
    bound : float, optional
        Solution events: a proven lower bound on the cost (``None`` when this phase
        proves none, e.g. a restricted neighbourhood without the LP bound).
    work : float, optional
        Solution events: CP-SAT deterministic seconds this solve has spent (the same
        on every machine, unlike the clock).
    """

    stage: str
    message: str = ""
    done: int | None = None
    total: int | None = None
    item: str | None = None
    status: str | None = None
    solutions: int | None = None
    cost: float | None = None
    bound: float | None = None
    work: float | None = None

    @classmethod
    def solution(cls, stage: str, *, cost: float, bound: float | None, solutions: int, work: float,
                 item: str | None = None) -> ProgressEvent:
        """A solver event, with a message that says cost, bound and gap.

        Parameters
        ----------
        stage : str
            The solver phase (``search``, ``rounding``, ...).
        cost : float
            The solution's cost, in the scenario's currency.
        bound : float or None
            A proven lower bound on the cost, ``None`` when the phase proves none.
        solutions : int
            Improving solutions found so far in this solve.
        work : float
            CP-SAT deterministic seconds spent so far.
        item : str, optional
            The problem solved (``week 2``, a quote's month).

        Returns
        -------
        ProgressEvent
            A solution event.
        """
        gap = relative_gap(cost, bound)
        message = f"{stage}: solution {solutions}, cost {cost:,.2f}"
        if bound is not None:
            message += f", bound {bound:,.2f}, gap {gap:.2%}"
        return cls(stage, message, item=item, solutions=solutions, cost=cost, bound=bound, work=work)

    @property
    def is_solution(self) -> bool:
        """Whether this is a solution event (it has a cost).

        Returns
        -------
        bool
            ``True`` for a solution event, ``False`` for a step.
        """
        return self.cost is not None

    @property
    def fraction(self) -> float | None:
        """``done / total`` between 0 and 1, or ``None`` when the total is unknown.

        Returns
        -------
        float or None
            The share done, clipped to [0, 1].
        """
        if self.done is None or not self.total:
            return None
        return min(1.0, max(0.0, self.done / self.total))

    @property
    def gap(self) -> float | None:
        """``(cost - bound) / cost`` of a solution event (0 when proven optimal).

        Returns
        -------
        float or None
            The relative gap, ``None`` for a step or a solution without a bound.
        """
        return relative_gap(self.cost, self.bound)

    def to_dict(self) -> dict:
        """The event's fields as a plain dict, with ``fraction`` and ``gap`` added.

        Returns
        -------
        dict
            Field name to value (JSON-friendly).
        """
        return {**asdict(self), "fraction": self.fraction, "gap": self.gap}

    def __str__(self) -> str:
        if self.message:
            return self.message
        if self.total:
            return f"{self.stage} {self.done}/{self.total}"
        return self.stage


def relative_gap(cost: float | None, bound: float | None) -> float | None:
    """``(cost - bound) / cost``, the share of the cost a better plan could still save.

    Parameters
    ----------
    cost : float or None
        The plan's cost.
    bound : float or None
        A proven lower bound on it.

    Returns
    -------
    float or None
        The gap, at least 0; ``None`` when either is missing (or the cost is not
        positive and the bound below it); 0 for a non-positive cost the bound reaches.
    """
    if cost is None or bound is None:
        return None
    if cost <= 0:
        return 0.0 if bound >= cost else None
    return max(0.0, (cost - bound) / cost)


Observer = Callable[[ProgressEvent], None]
"""A function told each event (``progress=`` and ``on_solution=`` arguments)."""


def tell(observer: Observer | None, event: ProgressEvent) -> None:
    """Hand ``event`` to ``observer`` when there is one.

    Parameters
    ----------
    observer : callable or None
        The function to tell, or ``None`` for nobody.
    event : ProgressEvent
        The event.
    """
    if observer is not None:
        observer(event)


def about(observer: Observer | None, item: str) -> Observer | None:
    """``observer`` told each event with ``item`` in front of the event's own item.

    Parameters
    ----------
    observer : callable or None
        The function to tell, or ``None``.
    item : str
        What to put in front of each event's item (``round 2``).

    Returns
    -------
    callable or None
        An observer that passes on relabelled events; ``None`` when ``observer`` is.

    >>> seen = []
    >>> about(seen.append, "round 2")(ProgressEvent("search", item="week 1"))
    >>> seen[0].item
    'round 2, week 1'
    """
    if observer is None:
        return None

    def tell_about(event: ProgressEvent) -> None:
        observer(replace(event, item=item if event.item is None else f"{item}, {event.item}"))

    return tell_about
