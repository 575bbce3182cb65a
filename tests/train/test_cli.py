"""``graphapp train``: JSON lines and their fields, files it writes, exit codes, error lines."""

from __future__ import annotations

import json

import pytest

from graphapp.cli import main

SUMMARY_FIELDS = {"dataset", "hidden", "activation", "optimizer", "lr", "batch", "epochs",
                  "steps", "train_seconds", "train_loss", "test_loss", "train_accuracy",
                  "test_accuracy"}


def _run(capsys, *argv: str) -> tuple[int, list[dict], str]:
    code = main(["train", *argv])
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return code, lines, err


def test_json_lines_per_epoch_then_the_summary(capsys):
    code, lines, err = _run(capsys, "--dataset", "xor", "--points", "60", "--epochs", "3",
                            "--hidden", "4", "--lr", "0.05", "--json")
    assert code == 0 and err == ""
    assert [line["epoch"] for line in lines[:-1]] == [1, 2, 3]
    summary = lines[-1]
    assert set(summary) >= SUMMARY_FIELDS
    assert summary["dataset"] == "xor" and summary["hidden"] == [4]
    assert summary["epochs"] == 3 and summary["steps"] == 3 * 5  # 48 points, batch 10
    assert 0.0 <= summary["test_accuracy"] <= 1.0 and summary["train_seconds"] > 0
    assert summary["lr"] == 0.05 and summary["optimizer"] == "adam"


def test_regression_has_null_accuracy(capsys):
    code, lines, _ = _run(capsys, "--dataset", "sine", "--epochs", "2", "--json")
    assert code == 0 and lines[-1]["train_accuracy"] is None
    assert lines[-1]["test_accuracy"] is None and lines[-1]["train_loss"] > 0


def test_the_plain_summary(capsys):
    assert main(["train", "--dataset", "gauss", "--epochs", "5"]) == 0
    out = capsys.readouterr().out
    assert "gauss: network 2-2-out" in out and "accuracy: train" in out


def test_save_then_load_continues_from_the_same_model(tmp_path, capsys):
    path = tmp_path / "m.json"
    code, lines, _ = _run(capsys, "--dataset", "moons", "--epochs", "4", "--save", str(path),
                          "--json")
    assert code == 0 and path.exists()
    first = lines[-1]
    code, lines, _ = _run(capsys, "--load", str(path), "--json")
    assert code == 0
    assert lines[-1]["test_accuracy"] == first["test_accuracy"]
    assert lines[-1]["train_loss"] == pytest.approx(first["train_loss"], rel=1e-12)
    code, lines, _ = _run(capsys, "--load", str(path), "--epochs", "2", "--json")
    assert code == 0 and lines[-1]["epochs"] == 6


def test_divergence_exits_1_and_names_the_parameter(tmp_path, capsys):
    path = tmp_path / "m.json"
    code, lines, err = _run(capsys, "--dataset", "plane", "--optimizer", "sgd", "--lr", "1000",
                            "--epochs", "20", "--json", "--save", str(path))
    assert code == 1
    assert "diverged" in err and "smaller learning rate" in err and err.count("\n") == 1
    assert lines[-1]["diverged"]["parameter"] and lines[-1]["stopped"] == "diverged"
    assert path.exists()  # the last finite parameters


@pytest.mark.parametrize(("argv", "words"), [
    (["--dataset", "nope"], "invalid choice"),
    (["--hidden", "a,b"], "--hidden a,b"),
    (["--hidden", "100"], "1 to 64 neurons"),
    (["--dataset", "spiral3", "--loss", "bce"], "binary cross-entropy needs 2 classes"),
    (["--dataset", "sine", "--loss", "hinge"], "regression trains with the squared loss"),
    (["--features", "x3"], "unknown feature 'x3'"),
    (["--lr", "-1"], "learning rate"),
    (["--load", "/nonexistent/m.json"], "cannot read"),
    (["--csv", "/nonexistent/p.csv"], "cannot read"),
    (["--csv", "p.csv", "--points", "50"], "--points is for generated data sets"),
    (["--load", "m.json", "--hidden", "3"], "--hidden cannot change a loaded model"),
])
def test_bad_options_exit_2_with_one_line(capsys, argv, words):
    code, lines, err = _run(capsys, *argv, "--json")
    assert code == 2 and lines == []
    assert words in err and err.count("\n") == 1


def test_csv_errors_exit_2_and_train_nothing(tmp_path, capsys):
    data = tmp_path / "points.csv"
    data.write_text("x1,x2,label\n0,0,0\n1,1,1\n2,oops,1\n")
    save = tmp_path / "m.json"
    code, lines, err = _run(capsys, "--csv", str(data), "--save", str(save), "--json")
    assert code == 2 and lines == [] and not save.exists()
    assert err == f"{data}:4: not a number: 'oops'\n"


def test_own_csv_trains(tmp_path, capsys):
    data = tmp_path / "points.csv"
    data.write_text("".join(f"{i / 10},{(i % 7) / 3},{int(i > 20)}\n" for i in range(40)))
    code, lines, _ = _run(capsys, "--csv", str(data), "--epochs", "30", "--json")
    assert code == 0 and lines[-1]["dataset"] == "points.csv"
    assert lines[-1]["test_accuracy"] >= 0.75


def test_step_graph_and_export_files(tmp_path, capsys):
    step, dot = tmp_path / "s.expr", tmp_path / "net.dot"
    code, lines, _ = _run(capsys, "--dataset", "xor", "--hidden", "3", "--epochs", "1",
                          "--step-graph", str(step), "--export", str(dot), "--json")
    assert code == 0 and lines[-1]["step_graph"] == str(step)
    assert "W1_0_0 = " in step.read_text() and "mm1" in dot.read_text()
    code, _, err = _run(capsys, "--dataset", "xor", "--epochs", "1", "--step-graph",
                        str(tmp_path / "big.expr"))
    assert code == 2 and "small networks" in err


def test_a_saved_run_resumes_exactly(tmp_path, capsys):
    straight, half, resumed = (tmp_path / f"{n}.json" for n in ("straight", "half", "resumed"))
    common = ["--dataset", "circles", "--batch", "7", "--json"]
    assert _run(capsys, *common, "--epochs", "4", "--save", str(straight))[0] == 0
    assert _run(capsys, *common, "--epochs", "2", "--save", str(half))[0] == 0
    code, lines, _ = _run(capsys, "--load", str(half), "--epochs", "2", "--save", str(resumed),
                          "--json")
    assert code == 0 and lines[-1]["epochs"] == 4
    a, c = json.loads(straight.read_text()), json.loads(resumed.read_text())
    assert a["params"] == c["params"] and a["state"]["optimizer_state"]["t"] == 4 * 35
