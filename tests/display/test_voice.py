"""The spoken call: which clips in which order, that every clip is real audio, and that an
operator's recording replaces a generated clip."""

from __future__ import annotations

import wave

import pytest

from display import voice_clips
from qhall import voice
from tests.factories import gen_unit

MANDARIN_A007_3 = ["qing", "A", "0", "0", "7", "hao", "dao", "3", "hao_chuangkou", "banli"]


def test_a007_to_window_3_is_a_chime_then_mandarin_once():
    assert voice.announcement_clips("A007", 3) == ["chime", *MANDARIN_A007_3]


def test_a_hall_may_ask_for_a_second_mandarin_reading():
    assert voice.announcement_clips("A007", 3, readings=2) == [
        "chime", *MANDARIN_A007_3, "pause", *MANDARIN_A007_3,
    ]  # fmt: skip


def test_english_follows_the_mandarin_where_enabled():
    clips = voice.announcement_clips("a007", 3, english=True)
    assert clips[: 1 + len(MANDARIN_A007_3)] == voice.announcement_clips("A007", 3)
    assert clips[1 + len(MANDARIN_A007_3) :] == [
        "pause", "en_number", "en_A", "en_0", "en_0", "en_7", "en_please_go_to_window", "en_3",
    ]  # fmt: skip


def test_one_in_a_ticket_number_is_read_yao_so_a011_and_a017_differ():
    def said(number, **kw):
        clips = voice.announcement_clips(number, 3, **kw)
        return clips[clips.index("qing") + 1 : clips.index("hao")]

    assert said("A011") == ["A", "0", "yao", "yao"]
    assert said("A017") == ["A", "0", "yao", "7"]
    assert said("A011", one="yi") == ["A", "0", "1", "1"]


@pytest.mark.parametrize(
    ("window", "mandarin", "english"),
    [
        (1, ["1"], ["en_1"]),  # 一号窗口: a window number is read as a number, with 一
        (10, ["shi"], ["en_10"]),
        (11, ["shi", "1"], ["en_11"]),
        (12, ["shi", "2"], ["en_12"]),
        (20, ["2", "shi"], ["en_20"]),
        (35, ["3", "shi", "5"], ["en_30", "en_5"]),
        (101, ["yao", "0", "yao"], ["en_1", "en_0", "en_1"]),  # digit by digit, as a room
    ],
)
def test_window_numbers_are_read_as_each_language_says_them(window, mandarin, english):
    clips = voice.announcement_clips("B012", window, english=True)
    said_zh = clips[clips.index("dao") + 1 : clips.index("hao_chuangkou")]
    said_en = clips[clips.index("en_please_go_to_window") + 1 :]
    assert (said_zh, said_en) == (mandarin, english)


def test_every_clip_of_any_call_exists_in_the_clip_set():
    for number in ("A007", "Z999", "C011"):
        for window in (1, 9, 10, 19, 99, 120):
            for one in ("yao", "yi"):
                clips = voice.announcement_clips(number, window, readings=2, english=True, one=one)
                assert set(clips) <= set(voice.CLIPS), (number, window)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The whole clip set, generated with espeak-ng into a temporary folder."""
    folder = tmp_path_factory.mktemp("voice")
    patch = pytest.MonkeyPatch()
    patch.setattr(voice_clips, "GENERATED_DIR", folder)
    assert voice_clips.main([]) == 0
    patch.undo()
    return folder


def test_generated_clips_are_valid_audio(generated):
    for name in voice.CLIPS:
        with wave.open(str(generated / f"{name}.wav")) as clip:
            assert (clip.getnchannels(), clip.getsampwidth(), clip.getframerate()) == (1, 2, 22050)
            assert clip.getnframes() / clip.getframerate() > 0.1, name
    # Words are trimmed of espeak-ng's silence, so joined clips flow as one sentence.
    with wave.open(str(generated / "qing.wav")) as clip:
        assert clip.getnframes() / clip.getframerate() < 1.0


def test_generating_again_is_a_quick_no_op(generated, monkeypatch, capsys):
    monkeypatch.setattr(voice_clips, "GENERATED_DIR", generated)
    monkeypatch.setattr(voice_clips, "make_clip", lambda *a: pytest.fail("regenerated a clip"))
    assert voice_clips.main([]) == 0
    assert "up to date" in capsys.readouterr().out


def test_the_announcement_endpoint_gives_the_clips_and_each_is_served_as_audio(
    client, generated, monkeypatch
):
    monkeypatch.setattr(voice, "GENERATED_DIR", generated)
    gen_unit("T")
    answer = client.get("/api/display/T/announcement?number=A007&window=3")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["clips"] == voice.announcement_clips("A007", 3)
    assert body["text"] == "请 A007 号到 3 号窗口办理" and body["english"] is False
    assert client.get("/api/display/T/announcement?number=A011&window=1").get_json()["clips"] == [
        "chime", "qing", "A", "0", "yao", "yao", "hao", "dao", "1", "hao_chuangkou", "banli",
    ]  # fmt: skip
    for name in set(body["clips"]):
        served = client.get(f"/display/voice/{name}")
        assert served.status_code == 200 and served.data[:4] == b"RIFF", name


def test_an_operators_recording_replaces_the_generated_clip(
    client, generated, monkeypatch, tmp_path
):
    monkeypatch.setattr(voice, "GENERATED_DIR", generated)
    monkeypatch.setattr(voice, "OPERATOR_DIR", tmp_path)
    (tmp_path / "qing.mp3").write_bytes(b"ID3 a recorded clip")
    assert client.get("/display/voice/qing").data == b"ID3 a recorded clip"
    assert client.get("/display/voice/hao").data == (generated / "hao.wav").read_bytes()


def test_unknown_clips_and_bad_requests_are_refused(client):
    gen_unit("T")
    assert client.get("/display/voice/..%2Fsecret_key").status_code == 404
    assert client.get("/display/voice/nonsense").status_code == 404
    for query in ("number=A007", "number=A/07&window=3", "number=A007&window=0", ""):
        answer = client.get(f"/api/display/T/announcement?{query}")
        assert answer.status_code == 400 and answer.get_json()["message"], query
    assert client.get("/api/display/NOPE/announcement?number=A007&window=3").status_code == 404


def test_the_default_announcement_lasts_about_six_seconds(generated):
    def seconds(clips):
        total = 0.0
        for name in clips:
            with wave.open(str(generated / f"{name}.wav")) as clip:
                total += clip.getnframes() / clip.getframerate()
        return total

    assert 4.5 < seconds(voice.announcement_clips("A017", 3)) < 6.5
    assert 4.5 < seconds(voice.announcement_clips("B011", 12)) < 6.5


def test_a_hall_chooses_one_as_yi_and_a_second_reading(app, client, monkeypatch):
    gen_unit("T")
    monkeypatch.setitem(app.config["VOICE"], "ONE", "yi")
    monkeypatch.setattr(voice, "read_content_file", lambda path: {"voice": {"twice": ["T"]}})
    clips = client.get("/api/display/T/announcement?number=A011&window=3").get_json()["clips"]
    assert clips == voice.announcement_clips("A011", 3, readings=2, one="yi")
    assert clips.count("qing") == 2 and "yao" not in clips
