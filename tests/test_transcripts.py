"""A study's own interview: transcripts (.txt, .md, .docx) and subtitles (.vtt, .srt) as interview units with speaker,
turn and time; masked by the privacy step; bad files named."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicposts import paper, privacy, transcripts, units
from civicposts.errors import InputError
from civicposts.policy import parse

FIX = Path(__file__).resolve().parent / "fixtures" / "interview"


def test_markdown_transcript_turns_continue_across_lines():
    df = transcripts.read_transcript(FIX / "interview_dewi.md")
    assert df["segment_id"].tolist() == [f"interview_dewi-T00{i}" for i in range(1, 5)]
    assert df["speaker"].tolist() == ["Pewawancara", "Pak Lurah", "Pewawancara", "Pak Lurah"]
    assert df["text"].iat[1] == "Dari akun itu. Saya cek setiap pagi, lalu saya teruskan ke dinas."
    assert set(df["interview_date"]) == {"2024-03-05"} and set(df["kind"]) == {"verbatim"}
    assert df["turn"].tolist() == ["1", "2", "3", "4"]


def test_text_transcript_with_times():
    df = transcripts.read_transcript(FIX / "interview.txt")
    assert df["speaker"].tolist() == ["Interviewer", "Bu Sari", "Interviewer"]
    assert df["start_time"].tolist() == ["00:00:05.000", "00:00:09.000", ""]
    assert df["text"].iat[1].endswith("akun unggah, kami datang.")


def test_webvtt_voices_and_merged_cues():
    df = transcripts.read_transcript(FIX / "talk.vtt")
    assert df["speaker"].tolist() == ["Interviewer", "Pak Camat"]
    assert df["text"].iat[1] == "Akun itu mata dan telinga kami. Kami tidak bisa ada di semua tempat."
    assert (df["start_time"].iat[1], df["end_time"].iat[1]) == ("00:00:05.000", "00:00:10.250")


def test_subrip_with_name_prefixes():
    df = transcripts.read_transcript(FIX / "briefing.srt")
    assert df[["speaker", "text", "start_time", "end_time"]].values.tolist() == [
        ["Interviewer", "Berapa cepat laporan ditanggapi?", "00:00:01.000", "00:00:03.000"],
        ["Bu Camat", "Biasanya hari itu juga.", "00:00:03.500", "00:00:06.000"]]


def test_word_transcript(tmp_path):
    import docx

    d = docx.Document()
    for line in ("Date: 2024-04-01", "Peneliti: Apa yang Ibu lakukan setelah membaca keluhan?",
                 "Bu Rina: Saya teruskan ke kelurahan.", "Lalu saya cek lagi besoknya."):
        d.add_paragraph(line)
    d.save(tmp_path / "rina.docx")
    df = transcripts.read_transcript(tmp_path / "rina.docx")
    assert df["speaker"].tolist() == ["Peneliti", "Bu Rina"]
    assert df["text"].iat[1] == "Saya teruskan ke kelurahan. Lalu saya cek lagi besoknya."
    assert set(df["interview_date"]) == {"2024-04-01"}


def test_a_folder_of_transcripts_becomes_interview_units_beside_the_papers_record():
    record = paper.load_interviews([Path(__file__).resolve().parents[1] / "data/raw/paper/interview.csv", FIX])
    segs = units.interview_units(record)
    assert segs["unit_id"].is_unique and (segs["unit_type"] == "interview").all()
    paper_rows = segs[segs["paper_section"] != ""]
    assert set(paper_rows["kind"]) == {"verbatim", "paraphrase"}  # the paper's record stays as it is
    assert (paper_rows["turn"] == "").all()
    mine = segs[segs["source"].str.endswith("talk.vtt")]
    assert mine["start_time"].tolist() == ["00:00:01.000", "00:00:05.000"]
    assert mine["display_text"].iat[0].startswith("[verbatim] ")


def test_private_names_are_masked_in_text_and_speaker():
    record = transcripts.read_transcript(FIX / "interview.txt")
    policy = parse({}, ["Bu Sari", "Sari"])
    out = privacy.redact_interview(record, [], b"k" * 32, policy)
    assert "Sari" not in " ".join(out["speaker"]) + " ".join(out["text"])
    assert out["speaker"].iat[0] == "Interviewer"


@pytest.mark.parametrize("name, content, needle", [
    ("empty.txt", "\n\n", "no speaker turns found"),
    ("prose.txt", "Ini hanya paragraf tanpa nama pembicara.\n", "before the first speaker turn"),
    ("nohead.vtt", "00:00:01.000 --> 00:00:02.000\nhalo\n", "starts with 'WEBVTT'"),
    ("badtime.srt", "1\n00:00:0x,000 --> 00:00:02,000\nA: halo\n", "is not .start --> end."),
    ("badclock.srt", "1\n00:00:01:02:03,000 --> 00:00:02,000\nA: halo\n", "not HH:MM:SS"),
    ("backwards.srt", "1\n00:00:05,000 --> 00:00:02,000\nA: halo\n", "before it starts"),
    ("notes.rtf", "{\\rtf1 halo}", "not a transcript format"),
])
def test_bad_transcripts_are_named(tmp_path, name, content, needle):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=needle) as err:
        transcripts.read_transcript(path)
    assert str(path) in str(err.value)


def test_a_file_that_is_not_a_word_document_is_named(tmp_path):
    path = tmp_path / "fake.docx"
    path.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a Word"):
        transcripts.read_transcript(path)


def test_two_inputs_giving_the_same_segment_ids_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "talk.txt").write_text("A: halo\n", encoding="utf-8")
    with pytest.raises(InputError, match="appears in two interview inputs"):
        paper.load_interviews([FIX / "talk.vtt", tmp_path / "a" / "talk.txt"])
