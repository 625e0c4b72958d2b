import os
import sys
from pathlib import Path

import pytest

from s2a.errors import ExternalToolFailed
from s2a.external import run_logged

SCRIPT = "print('loading data'); print('Step 50/1000; acc: 12.0'); print('[valid] loss 3.2', flush=True); raise SystemExit({code})"


def test_progress_lines_are_echoed_and_everything_is_logged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "logs" / "train.log"
    run_logged("trainer", [sys.executable, "-c", SCRIPT.format(code=0)], log, os.environ)
    err = capsys.readouterr().err
    assert "[trainer] Step 50/1000; acc: 12.0" in err and "[trainer] [valid] loss 3.2" in err
    assert "loading data" not in err
    assert "loading data" in log.read_text()


def test_failure_raises_with_the_log_tail(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    with pytest.raises(ExternalToolFailed) as e:
        run_logged("trainer", [sys.executable, "-c", SCRIPT.format(code=3)], log, os.environ, echo=False)
    assert e.value.returncode == 3 and str(log) in str(e.value) and "loss 3.2" in str(e.value)


ONMT_STEP = "Step {s}/  100; acc: 10.0; ppl: 50.0; xent: 3.9; lr: 0.00100; sents: 10; bsz: 9/10/1; 1500/1600 tok/s; 1 sec;"
SILENT = (
    "import time; print('loading', flush=True); time.sleep({pause});"
    f"print({ONMT_STEP.format(s=10)!r}, flush=True); time.sleep({{pause}});"
    f"print({ONMT_STEP.format(s=20)!r}, flush=True)"
)


def test_a_silent_tool_gets_a_heartbeat_with_the_last_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [sys.executable, "-c", SILENT.format(pause=2.5)]
    run_logged("trainer", argv, tmp_path / "t.log", os.environ, heartbeat_s=1.0)
    err = capsys.readouterr().err.splitlines()
    beats = [x for x in err if "running for" in x]
    assert any("no step reported yet" in x for x in beats)  # before the first report
    after = [x for x in beats if "step 10/100" in x]
    assert after and "1,500 tok/s" in after[0] and "loss 3.900" in after[0] and "ETA" in after[0]
    step20 = next(x for x in err if "Step 20/" in x)
    assert "[ETA" in step20  # the total comes from OpenNMT-py's own "Step n/N"


def test_no_heartbeat_while_the_tool_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_logged("trainer", [sys.executable, "-c", SILENT.format(pause=0.1)], tmp_path / "t.log", os.environ,
               heartbeat_s=5.0)
    assert "running for" not in capsys.readouterr().err


def test_a_run_meant_for_a_gpu_says_it_has_none_with_the_estimated_time(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    run_logged("trainer", [sys.executable, "-c", SILENT.format(pause=0.3)], tmp_path / "t.log", os.environ,
               heartbeat_s=30.0, no_gpu_note="no GPU found: profile paper is meant for one")
    notes = [x for x in capsys.readouterr().err.splitlines() if "no GPU found" in x]
    assert len(notes) == 1 and "steps take ~" in notes[0] and "100 steps" in notes[0]


def test_validation_scores_are_read_with_their_steps(tmp_path: Path) -> None:
    lines = [ONMT_STEP.format(s=10), "Validation perplexity: 20.0", "Validation accuracy: 41.5",
             ONMT_STEP.format(s=20), "Validation perplexity: 10.0", "Validation accuracy: 52.0",
             "epoch 001 | valid on 'valid' subset | loss 5.1 | nll_loss 4 | ppl 16 | accuracy 33.2 | num_updates 300"]
    script = "; ".join(f"print({x!r})" for x in lines)
    reader = run_logged("trainer", [sys.executable, "-c", script], tmp_path / "t.log", os.environ, echo=False,
                        start_step=0, valid_steps=10)
    got = [(v.step, round(v.loss, 3), v.accuracy) for v in reader.validations]
    assert got == [(10, 2.996, 41.5), (20, 2.303, 52.0), (300, 2.773, 33.2)]


def test_single_digit_steps_are_read() -> None:
    from s2a.progress import LogReader, Meter

    reader = LogReader(Meter())
    report = reader.feed(ONMT_STEP.format(s=" 5"))
    assert report is not None and report.step == 5 and reader.meter.total == 100
