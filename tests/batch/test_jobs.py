"""Job files: CSV and JSON Lines read the same, bad files are refused, bad rows are isolated."""

import json

import pytest

from parlante.batch.cli import batch_main
from parlante.batch.jobs import JobFileError, read_jobs
from parlante.options import AnimateOptions


def _write(path, text):
    path.write_text(text)
    return path


def test_csv_and_jsonl_give_the_same_jobs(tmp_path):
    csv_file = _write(
        tmp_path / "jobs.csv",
        "Portrait,audio,output,emotion,Motion-Scale,gaze,seed,size\n"
        "# a comment row\n"
        'faces/a.png,voice/one.wav,clips/one,happy,1.5,"5,-2",7,256\n'
        "\n"
        "faces/b.png,voice/two.wav,,,,,,\n"
        "faces/c.png,voice/two.wav,c,,,-3;4,,\n",
    )
    rows = [
        {"portrait": "faces/a.png", "audio": "voice/one.wav", "output": "clips/one",
         "emotion": "happy", "motion_scale": 1.5, "gaze": [5, -2], "seed": 7, "size": 256},
        {"portrait": "faces/b.png", "audio": "voice/two.wav"},
        {"portrait": "faces/c.png", "audio": "voice/two.wav", "output": "c", "gaze": "-3 4"},
    ]  # fmt: skip
    jsonl_file = _write(tmp_path / "jobs.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
    defaults = AnimateOptions(size=384, seed=3)
    out = tmp_path / "out"
    from_csv = read_jobs(csv_file, out, defaults)
    from_jsonl = read_jobs(jsonl_file, out, defaults)
    for a, b in zip(from_csv, from_jsonl, strict=True):
        assert (a.portrait, a.audio, a.output, a.options) == (
            b.portrait,
            b.audio,
            b.output,
            b.options,
        )
        assert a.problem is None
    first, second, third = from_csv
    assert third.options.gaze == (-3.0, 4.0)
    assert first.portrait == tmp_path / "faces" / "a.png"  # relative to the job file
    assert first.output == out.absolute() / "clips" / "one.mp4"  # relative to --out, .mp4 added
    assert first.options.emotion == "happy" and first.options.motion_scale == 1.5
    assert first.options.gaze == (5.0, -2.0) and first.options.seed == 7
    assert first.options.size == 256
    assert second.options == defaults  # empty cells take the batch defaults
    assert second.output.name == "b_two.mp4"  # default name: portrait_audio
    assert first.where == "jobs.csv:3" and second.where == "jobs.csv:5"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("portrait,audio,mood\na.png,a.wav,happy\n", "'mood'"),
        ("audio\na.wav\n", "no 'portrait' column"),
        ("portrait,audio,output\na.png,a.wav,x\nb.png,b.wav,x.mp4\n", "both write x.mp4"),
        ("portrait,audio\n", "no jobs"),
        ("portrait,audio\na.png,a.wav,extra\n", "3 cells"),
    ],
)
def test_bad_job_files_are_refused_naming_the_problem(tmp_path, text, needle):
    path = _write(tmp_path / "jobs.csv", text)
    with pytest.raises(JobFileError, match=needle):
        read_jobs(path, tmp_path / "out")


def test_bad_json_line_is_named(tmp_path):
    path = _write(
        tmp_path / "jobs.jsonl", '{"portrait": "a.png", "audio": "a.wav"}\n{"portrait": \n'
    )
    with pytest.raises(JobFileError, match=r"jobs\.jsonl:2"):
        read_jobs(path, tmp_path / "out")


def test_bad_rows_are_isolated(tmp_path):
    path = _write(
        tmp_path / "jobs.csv",
        "portrait,audio,output,emotion,seed,gaze\n"
        "a.png,a.wav,ok,,,\n"
        "a.png,a.wav,e,bored,,\n"
        "a.png,a.wav,s,,two,\n"
        "a.png,a.wav,g,,,left\n"
        ",a.wav,p,,,\n"
        "a.png,,q,,,\n"
        "a.png,a.wav,../escape,,,\n"
        "a.png,a.wav,film.avi,,,\n",
    )
    jobs = read_jobs(path, tmp_path / "out")
    problems = [j.problem for j in jobs]
    assert problems[0] is None
    assert "bored" in problems[1]
    assert "seed" in problems[2] and "integer" in problems[2]
    assert "gaze" in problems[3]
    assert "portrait" in problems[4]
    assert "audio" in problems[5]
    assert "inside the output folder" in problems[6]
    assert ".mp4" in problems[7]


def test_cli_exit_2_for_a_bad_job_file(tmp_path, capsys):
    path = _write(tmp_path / "jobs.csv", "portrait,audio,colour\na.png,a.wav,red\n")
    assert batch_main([str(path), "--out", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'colour'" in err[0]
    assert batch_main([str(tmp_path / "nope.csv"), "--out", str(tmp_path / "out"), "-q"]) == 2
    assert "nope.csv" in capsys.readouterr().err
