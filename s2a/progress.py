"""Where a long training stands: the trainers' log lines read into steps, loss, speed and
validation scores, and one line format (step, tokens/s, loss, ETA) for every family.

OpenNMT-py and fairseq report only every `report_every` / `--log-interval` steps, which on a CPU
can be an hour apart; `Meter` turns what was last seen into a line a watcher can print at any
time (s2a.external prints one when the tool has been silent for a minute). No torch here.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Optional

HEARTBEAT_S = 60.0  # the longest a training stays silent on stderr

# OpenNMT-py 3.5: "Step 50/ 1600; acc: 10.3; ppl: 100.2; xent: 4.6; lr: ...; 2345/2456 tok/s; 25 sec;"
_ONMT_STEP = re.compile(r"Step\s+(\d+)(?:/\s*(\d+))?; acc:\s*([\d.]+); ppl:\s*([\d.]+); xent:\s*([\d.]+);"
                        r".*?([\d.]+)/\s*([\d.]+) tok/s")
_ONMT_VALID = re.compile(r"Validation (perplexity|accuracy): ([\d.eE+-]+|nan|inf)")
# fairseq (log-format simple): "... num_updates=25, ..." with "loss=5.1" and "wps=1234"
_FAIRSEQ_INNER = re.compile(r"train_inner.*?loss=([\d.]+).*?wps=([\d.]+).*?num_updates=(\d+)")
_FAIRSEQ_VALID = re.compile(r"\| valid on '[^']*' subset \|(.*)")
_FAIRSEQ_PAIR = re.compile(r"(\w+) ([\d.]+)")
LN2 = 0.6931471805599453


@dataclass(frozen=True)
class StepReport:
    step: int
    loss: float  # per target token, in nats
    tokens_per_s: float


@dataclass(frozen=True)
class ValidReport:
    step: int
    loss: float  # per target token, in nats (fairseq's nll_loss, OpenNMT-py's ln(perplexity))
    accuracy: Optional[float]  # % of target tokens predicted right (teacher forcing); None if not logged
    seconds: float  # since this run started


def format_duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


@dataclass
class Meter:
    """Steps seen so far and the speed they give; `line()` is the progress line of any family."""

    total: Optional[int] = None
    start_step: int = 0  # the step a resumed run starts from
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=0.0)
    last: Optional[StepReport] = None
    last_at: float = 0.0
    first: Optional[tuple[float, int]] = None  # (time, step) of the first report

    def __post_init__(self) -> None:
        self.started = self.clock()

    def update(self, report: StepReport) -> None:
        now = self.clock()
        if self.first is None:
            self.first = (now, report.step)
        self.last, self.last_at = report, now

    def steps_per_s(self) -> Optional[float]:
        """From the first to the last report; from the start with one report (includes start-up)."""
        if self.last is None or self.first is None:
            return None
        t0, s0 = self.first
        if self.last.step > s0 and self.last_at > t0:
            return (self.last.step - s0) / (self.last_at - t0)
        elapsed = self.last_at - self.started
        return (self.last.step - self.start_step) / elapsed if elapsed > 0 and self.last.step > self.start_step else None

    def eta_s(self) -> Optional[float]:
        rate = self.steps_per_s()
        if rate is None or self.total is None or self.last is None:
            return None
        return max(0.0, (self.total - self.last.step) / rate - (self.clock() - self.last_at))

    def total_s(self) -> Optional[float]:
        """Estimated wall time of the whole schedule (from step 0) at the measured speed."""
        rate = self.steps_per_s()
        return self.total / rate if rate and self.total is not None else None

    def line(self) -> str:
        elapsed = format_duration(self.clock() - self.started)
        if self.last is None:
            return f"running for {elapsed}; no step reported yet"
        r = self.last
        parts = [f"step {r.step}" + (f"/{self.total}" if self.total else ""),
                 f"{r.tokens_per_s:,.0f} tok/s", f"loss {r.loss:.3f}"]
        eta = self.eta_s()
        parts.append(f"ETA {format_duration(eta)}" if eta is not None else "ETA unknown")
        silent = self.clock() - self.last_at
        tail = f" (last report {format_duration(silent)} ago)" if silent >= 1 else ""
        return f"running for {elapsed}: " + ", ".join(parts) + tail


@dataclass
class LogReader:
    """Reads OpenNMT-py's and fairseq's log lines as they come.

    OpenNMT-py's validation lines carry no step: `valid_steps` and the run's `start_step` give it
    (validation runs at every multiple of valid_steps after the start).
    """

    meter: Meter
    valid_steps: int = 0
    validations: list[ValidReport] = field(default_factory=list)
    _ppl: Optional[float] = None
    _n_onmt_valid: int = 0

    def feed(self, line: str) -> Optional[StepReport]:
        """Record what the line says; returns a step report if it is one."""
        if m := _ONMT_STEP.search(line):
            report = StepReport(int(m.group(1)), float(m.group(5)), float(m.group(6)))
            if m.group(2) and self.meter.total is None:
                self.meter.total = int(m.group(2))
            self.meter.update(report)
            return report
        if m := _FAIRSEQ_INNER.search(line):
            report = StepReport(int(m.group(3)), float(m.group(1)) * LN2, float(m.group(2)))
            self.meter.update(report)
            return report
        if m := _ONMT_VALID.search(line):
            value = float(m.group(2))
            if m.group(1) == "perplexity":
                self._ppl = value
            elif self._ppl is not None:
                self._n_onmt_valid += 1
                step = self._onmt_valid_step()
                self.validations.append(ValidReport(step, _ln(self._ppl), value, self._seconds()))
                self._ppl = None
            return None
        if m := _FAIRSEQ_VALID.search(line):
            values = {k: float(v) for k, v in _FAIRSEQ_PAIR.findall(m.group(1))}
            if "num_updates" in values and ("nll_loss" in values or "loss" in values):
                loss = values.get("nll_loss", values.get("loss", 0.0)) * LN2
                self.validations.append(ValidReport(int(values["num_updates"]), loss, values.get("accuracy"),
                                                    self._seconds()))
        return None

    def _onmt_valid_step(self) -> int:
        if self.valid_steps <= 0:
            return self.meter.last.step if self.meter.last else 0
        return (self.meter.start_step // self.valid_steps + self._n_onmt_valid) * self.valid_steps

    def _seconds(self) -> float:
        return round(self.meter.clock() - self.meter.started, 1)


def _ln(ppl: float) -> float:
    import math

    return math.log(ppl) if ppl > 0 else float("nan")
