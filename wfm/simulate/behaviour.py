"""How callers behave in a simulation: handle-time and patience distributions, as one object.

As in Ciw, a distribution is a small object that draws durations, and the caller
behaviour is the pair of them::

    Behaviour(handle=Exponential(240), patience=Exponential(120))
    Behaviour(handle=Empirical(learned_handle_times, scale_to="aht"),
              patience=Empirical(kaplan_meier_quantiles))

Handle time (seconds an agent needs for a call):

- ``Exponential()``: exponential with each interval's AHT (the volumes' ``aht`` column);
  ``Exponential(240)``: with mean 240 s everywhere (the column is then not read).
- ``Empirical(sample)``: drawn with replacement from observed times, as they are;
  ``scale_to="aht"`` keeps the sample's shape but rescales each draw to the interval's
  AHT (``h / mean(sample) x aht``), ``scale_to=240`` to a mean of 240 s.

Patience (seconds a caller waits before hanging up):

- ``None``: callers never hang up (the Erlang C assumption);
- ``Exponential(120)``: exponential with mean 120 s (the Erlang A assumption);
- ``Empirical(sample)``: drawn with replacement, ``inf`` entries being callers who never
  hang up; ``wfm calls profile`` writes such a sample from the Kaplan–Meier curve with
  its tail (``sample_quantiles``).

The draws use the caller's random stream in a fixed order (handle times, then patience),
so a behaviour gives the same numbers for the same seed however it was built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from wfm.errors import InputError
from wfm.simulate.inputs import _check_positive, _check_sample

__all__ = ["Exponential", "Empirical", "Behaviour"]


@dataclass(frozen=True)
class Exponential:
    """Exponential durations with ``mean`` seconds (``None``: each interval's AHT; handle times only)."""

    mean: float | None = None

    def __post_init__(self) -> None:
        if self.mean is not None:
            object.__setattr__(self, "mean", _check_positive(self.mean, "Exponential mean"))

    def describe(self) -> str:
        """In words.

        Returns
        -------
        str
            ``exponential`` or ``exponential, mean 240 s``.
        """
        return "exponential" + ("" if self.mean is None else f", mean {self.mean:g} s")


@dataclass(frozen=True, eq=False)
class Empirical:
    """Durations drawn with replacement from ``sample`` (seconds; ``inf``: never, for patience).

    ``scale_to`` (handle times only): ``None`` draws the sample as it is, ``"aht"``
    rescales each draw to the interval's AHT, a number of seconds to that mean.
    """

    sample: np.ndarray
    scale_to: float | str | None = None
    _mean: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        values = _check_sample(self.sample, "Empirical sample", allow_zero=True, allow_inf=True).copy()
        values.flags.writeable = False  # frozen: nobody changes the draws behind our back
        object.__setattr__(self, "sample", values)
        if self.scale_to is not None and self.scale_to != "aht":
            if isinstance(self.scale_to, str):
                raise InputError(f"Empirical scale_to: '{self.scale_to}' is not valid, expected 'aht' or seconds > 0.")
            object.__setattr__(self, "scale_to", _check_positive(self.scale_to, "Empirical scale_to"))
        object.__setattr__(self, "_mean", float(values.mean()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Empirical):
            return NotImplemented
        return self.scale_to == other.scale_to and np.array_equal(self.sample, other.sample)

    def __hash__(self) -> int:
        return hash((self.sample.tobytes(), self.scale_to))

    def __repr__(self) -> str:
        scale = "" if self.scale_to is None else f", scale_to={self.scale_to!r}"
        return f"Empirical(<{self.sample.size} values, mean {self._mean:g} s>{scale})"

    def describe(self) -> str:
        """In words.

        Returns
        -------
        str
            ``empirical sample`` or ``empirical sample scaled to the interval AHT``.
        """
        if self.scale_to is None:
            return "empirical sample"
        return "empirical sample scaled to the interval AHT"


Handle = Exponential | Empirical
Patience = Exponential | Empirical | None


@dataclass(frozen=True)
class Behaviour:
    """Caller behaviour of one simulation: the handle-time and the patience distribution.

    Parameters
    ----------
    handle : Exponential or Empirical
        Handle time of an answered call; the default is exponential with each interval's
        AHT (the volumes' ``aht`` column).
    patience : Exponential, Empirical or None
        Time a caller waits before hanging up; ``None`` (default): never hangs up.

    Examples
    --------
    >>> Behaviour(handle=Exponential(240), patience=Exponential(120)).describe()
    'handle exponential, mean 240 s; patience exponential, mean 120 s'
    >>> Behaviour(patience=Exponential())
    Traceback (most recent call last):
    ...
    wfm.errors.InputError: patience: an exponential patience needs its mean in seconds, e.g. Exponential(120).
    """

    handle: Handle = field(default_factory=Exponential)
    patience: Patience = None

    def __post_init__(self) -> None:
        if not isinstance(self.handle, (Exponential, Empirical)):
            raise InputError(
                f"handle: {self.handle!r} is not a distribution, expected Exponential(mean) or Empirical(sample)."
            )
        if isinstance(self.handle, Empirical):
            values = self.handle.sample
            bad = ~np.isfinite(values) | (values <= 0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise InputError(
                    f"handle: value {values[i]} at position {i + 1} of the sample is not a valid handle time, "
                    f"expected seconds > 0."
                )
        if self.patience is not None:
            if not isinstance(self.patience, (Exponential, Empirical)):
                raise InputError(
                    f"patience: {self.patience!r} is not a distribution, expected None, Exponential(mean) or "
                    f"Empirical(sample)."
                )
            if isinstance(self.patience, Exponential) and self.patience.mean is None:
                raise InputError("patience: an exponential patience needs its mean in seconds, e.g. Exponential(120).")
            if isinstance(self.patience, Empirical) and self.patience.scale_to is not None:
                raise InputError(
                    f"patience: scale_to={self.patience.scale_to!r} applies to handle times only; "
                    f"draw the patience sample as it is."
                )

    # ---------------------------------------------------------------- building one

    @classmethod
    def from_options(cls, *, aht: float | None = None, handle_sample=None, patience: float | None = None,
                     patience_sample=None, scale_handle_sample: bool = False) -> Behaviour:
        """The behaviour the plain options describe (CLI ``--aht``/``--patience``, scenario fields).

        ``aht`` is the exponential mean (or, with ``scale_handle_sample``, the mean the
        ``handle_sample`` is rescaled to; without ``aht`` it is rescaled to the interval
        AHT); ``patience`` the exponential mean; either sample replaces its exponential.

        Parameters
        ----------
        aht : float, optional
            Mean handle time in seconds (``None``: the volumes' ``aht`` column).
        handle_sample : array_like, optional
            Observed handle times in seconds, drawn instead of the exponential.
        patience : float, optional
            Mean patience in seconds (exponential); ``None`` with no sample: nobody hangs up.
        patience_sample : array_like, optional
            Observed patience in seconds (``inf``: never hangs up).
        scale_handle_sample : bool
            Rescale the handle sample to ``aht`` (or to each interval's AHT without one).

        Returns
        -------
        Behaviour
            The same draws as the options gave before there was a Behaviour.
        """
        if handle_sample is not None:
            _check_sample(handle_sample, "handle_sample", allow_zero=False)
            if aht is not None and not scale_handle_sample:
                raise InputError(
                    "aht: an aht is ignored with a handle_sample; pass scale_handle_sample=True to rescale the "
                    "sample to it, or leave aht out."
                )
            scale = (_check_positive(aht, "aht") if aht is not None else "aht") if scale_handle_sample else None
            handle: Handle = Empirical(handle_sample, scale_to=scale)
        else:
            handle = Exponential(_check_positive(aht, "aht") if aht is not None else None)
        if patience is not None and patience_sample is not None:
            raise InputError("patience: give either a mean patience or a patience_sample, not both.")
        wait: Patience = None
        if patience is not None:
            wait = Exponential(_check_positive(patience, "patience"))
        elif patience_sample is not None:
            wait = Empirical(_check_sample(patience_sample, "patience_sample", allow_zero=True, allow_inf=True))
        return cls(handle=handle, patience=wait)

    @classmethod
    def from_profile(cls, learned, *, aht: float | None = None, patience: float | None = None,
                     aht_column: bool = False) -> Behaviour:
        """The behaviour a learned profile gives (e.g. :class:`wfm.calibrate.LearnedBehaviour`).

        ``learned`` has ``aht``, ``handle_sample``, ``patience`` and ``patience_sample``.
        The learned handle-time sample is drawn as it is, or rescaled to ``aht`` when one
        is given; without a sample the handle is exponential with ``aht``, else the
        volumes' ``aht`` column (``aht_column``), else the learned mean. An explicit
        ``patience`` mean replaces the learned patience; the learned sample (the
        Kaplan–Meier curve with its tail) is preferred to its mean.

        Parameters
        ----------
        learned : object
            With ``aht``, ``handle_sample``, ``patience`` and ``patience_sample``.
        aht : float, optional
            Seconds: the handle sample is rescaled to it, or the exponential mean.
        patience : float, optional
            Mean patience in seconds that replaces the learned one.
        aht_column : bool
            Whether the volumes have an ``aht`` column (used before the learned mean).

        Returns
        -------
        Behaviour
            The behaviour to simulate.
        """
        options: dict[str, Any] = {"aht": aht, "patience": patience}
        if learned.handle_sample is not None:
            options.update(handle_sample=learned.handle_sample, scale_handle_sample=aht is not None)
        elif aht is None and not aht_column:
            options["aht"] = learned.aht
        if patience is None:
            if learned.patience_sample is not None:
                options["patience_sample"] = learned.patience_sample
            else:
                options["patience"] = learned.patience
        return cls.from_options(**options)

    # ---------------------------------------------------------------- reading one

    @property
    def needs_interval_aht(self) -> bool:
        """Whether handle times follow each interval's AHT (the volumes' ``aht`` column).

        Returns
        -------
        bool
            True for ``Exponential()`` and ``Empirical(..., scale_to="aht")``.
        """
        h = self.handle
        return (isinstance(h, Exponential) and h.mean is None) or (isinstance(h, Empirical) and h.scale_to == "aht")

    def patience_mean(self) -> float | None:
        """Mean patience in seconds of those who may hang up.

        Returns
        -------
        float or None
            The exponential mean, the mean of the sample's finite values, or ``None``
            when nobody hangs up.
        """
        p = self.patience
        if p is None:
            return None
        if isinstance(p, Exponential):
            return p.mean
        finite = p.sample[np.isfinite(p.sample)]
        return float(finite.mean()) if finite.size else None

    def describe(self) -> str:
        """One line: ``handle ...; patience ...``.

        Returns
        -------
        str
            E.g. ``handle exponential, mean 240 s; patience none``.
        """
        return f"handle {self.handle.describe()}; patience {'none' if self.patience is None else self.patience.describe()}"

    def summary_words(self) -> dict[str, str]:
        """The ``handle`` and ``patience`` entries of a simulation's summary.

        Returns
        -------
        dict
            ``{"handle": ..., "patience": ...}`` in words.
        """
        h, p = self.handle, self.patience
        return {
            "handle": "exponential" if isinstance(h, Exponential) else h.describe(),
            "patience": "none" if p is None else p.describe(),
        }

    def notes(self) -> list[str]:
        """Plain sentences saying what the simulation assumes about callers.

        Returns
        -------
        list of str
            One sentence on handle times, one on patience.
        """
        h, p = self.handle, self.patience
        if isinstance(h, Exponential):
            first = ("Handle times are exponential with each interval's AHT (the volumes' aht column)."
                     if h.mean is None else f"Handle times are exponential with mean {h.mean:g} s.")
        else:
            first = f"Handle times are drawn from a sample of {h.sample.size} observed times (mean {h._mean:.0f} s)"
            if h.scale_to is None:
                first += "."
            elif h.scale_to == "aht":
                first += ", rescaled to each interval's AHT."
            else:
                first += f", rescaled to a mean of {h.scale_to:g} s."
        if p is None:
            second = "Callers never hang up (no patience given), as Erlang C assumes."
        elif isinstance(p, Exponential):
            second = f"Patience is exponential with mean {p.mean:g} s, as Erlang A assumes."
        else:
            never = float(np.mean(~np.isfinite(p.sample)))
            second = f"Patience is drawn from a sample of {p.sample.size} values"
            second += f"; {never:.0%} of callers never hang up." if never > 0 else "."
        return [first, second]

    # ---------------------------------------------------------------- drawing

    def draw(self, rng: np.random.Generator, interval: np.ndarray, interval_aht: np.ndarray | None
             ) -> tuple[np.ndarray, np.ndarray | None]:
        """Handle times and patience (``None``: nobody hangs up) of calls arriving in ``interval``.

        Parameters
        ----------
        rng : numpy.random.Generator
            The replication's stream; handle times are drawn first, then patience.
        interval : ndarray of int
            Each call's interval index.
        interval_aht : ndarray of float or None
            AHT per interval, read when :attr:`needs_interval_aht`.

        Returns
        -------
        handle : ndarray of float
            Handle time of each call, seconds.
        patience : ndarray of float or None
            Patience of each call, seconds; ``None`` when nobody hangs up.
        """
        n = interval.size
        h = self.handle
        if isinstance(h, Empirical):
            handle = rng.choice(h.sample, size=n)
            if h.scale_to == "aht":
                handle *= interval_aht[interval] / h._mean
            elif h.scale_to is not None:
                handle *= h.scale_to / h._mean
        elif h.mean is None:
            handle = rng.exponential(1.0, size=n) * interval_aht[interval]
        else:
            handle = rng.exponential(1.0, size=n) * h.mean
        p = self.patience
        if p is None:
            return handle, None
        if isinstance(p, Exponential):
            return handle, rng.exponential(p.mean, size=n)
        return handle, rng.choice(p.sample, size=n)


def as_behaviour(behaviour, name: str = "behaviour") -> Behaviour:
    """``behaviour``, or the default one for ``None``; a sentence for anything else.

    Parameters
    ----------
    behaviour : Behaviour or None
        What the caller passed.
    name : str
        The argument's name, for the message.

    Returns
    -------
    Behaviour
        The behaviour to simulate.
    """
    if behaviour is None:
        return Behaviour()
    if not isinstance(behaviour, Behaviour):
        raise InputError(f"{name}: {behaviour!r} is not a Behaviour, expected Behaviour(handle=..., patience=...).")
    return behaviour

